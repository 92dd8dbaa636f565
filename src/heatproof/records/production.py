"""Repository functions of the production line over a Session: parts, bills of materials,
routings, part lots, production orders and their serialised units, unit operations with the
lots they consume, end-of-line results, non-conformances, gauge studies and field events; the
two genealogy queries; and the queries the gates read. They flush (ids are assigned) but never
commit: the caller's unit of work decides. Rules of the line (next operation, retests) are the
pure core's (heatproof.production.line); the services (heatproof.factory.line) combine them.

Used as a module: ``from heatproof.records import production as prod``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound
from heatproof.records.models import (
    DISPOSITIONS,
    EOL_OUTCOMES,
    FIELD_EVENTS,
    ORDER_KINDS,
    BomItem,
    Design,
    EolMeasurement,
    EolResult,
    FieldEvent,
    GaugeStudy,
    LotConsumption,
    NonConformance,
    Part,
    PartLot,
    Plant,
    PlantUnit,
    ProductionOrder,
    ReactorUnit,
    RoutingOperation,
    UnitOperation,
    utc_now,
)
from heatproof.records.repository import to_json

SERIAL_DIGITS = 6
FINGERPRINT = re.compile(r"[0-9a-f]{64}")


def _quantity(field: str, value: float) -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise InvalidInput(f"{field}={value!r} must be a finite number > 0; give a quantity")
    return number


def _name(field: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput(f"{field}={value!r} must be a text of 1 to 200 characters")
    return value.strip()


# --- parts, bill of materials, routing -----------------------------------------------------------


def get_or_create_part(s: Session, number: str, description: str = "") -> Part:
    """The part ``number`` in session ``s``; created with ``description`` if missing."""
    number = _name("part number", number)
    part = s.scalar(select(Part).where(Part.number == number))
    if part is None:
        part = Part(number=number, description=description)
        s.add(part)
        s.flush()
    return part


def get_part(s: Session, number: str) -> Part:
    """The part ``number`` in session ``s``, else NotFound naming where parts come from."""
    part = s.scalar(select(Part).where(Part.number == number))
    if part is None:
        raise NotFound(
            f"part {number!r} does not exist; parts come from a line's file "
            "(`heatproof line setup`), see `heatproof line lots` for the known ones"
        )
    return part


def add_routing_operation(s: Session, design: Design, seq: int, name: str) -> RoutingOperation:
    """Operation ``seq`` called ``name`` of ``design``'s routing, in session ``s``."""
    op = RoutingOperation(design_id=design.id, seq=int(seq), name=_name("operation name", name))
    s.add(op)
    s.flush()
    return op


def add_bom_item(
    s: Session, design: Design, part: Part, quantity_per_unit: float, operation_seq: int
) -> BomItem:
    """A bill-of-materials line of ``design`` in session ``s``: ``quantity_per_unit`` of
    ``part`` consumed at operation ``operation_seq``."""
    item = BomItem(
        design_id=design.id,
        part_id=part.id,
        quantity_per_unit=_quantity("quantity_per_unit", quantity_per_unit),
        operation_seq=int(operation_seq),
    )
    s.add(item)
    s.flush()
    return item


def routing(s: Session, design_id: int) -> list[RoutingOperation]:
    """The routing of design ``design_id`` in session ``s``, in order (empty: no line)."""
    query = select(RoutingOperation).where(RoutingOperation.design_id == design_id)
    return list(s.scalars(query.order_by(RoutingOperation.seq)))


def bom(s: Session, design_id: int) -> list[tuple[BomItem, Part]]:
    """The bill of materials of design ``design_id`` in session ``s``: (item, part) pairs by
    operation, then part number."""
    query = (
        select(BomItem, Part)
        .join(Part, Part.id == BomItem.part_id)
        .where(BomItem.design_id == design_id)
        .order_by(BomItem.operation_seq, Part.number)
    )
    return [(item, part) for item, part in s.execute(query)]


# --- lots ----------------------------------------------------------------------------------------


def receive_lot(
    s: Session,
    part: Part,
    code: str,
    quantity: float,
    supplier: str = "",
    received_at: datetime | None = None,
) -> PartLot:
    """Receive lot ``code`` of ``quantity`` ``part``\\ s from ``supplier`` into inventory, in
    session ``s``, at ``received_at`` (aware UTC; default now). A code already used is
    refused."""
    code = _name("lot code", code)
    if s.scalar(select(PartLot.id).where(PartLot.code == code)) is not None:
        raise InvalidInput(f"lot {code} was already received; give the new lot its own code")
    lot = PartLot(
        code=code,
        part_id=part.id,
        quantity_received=_quantity("quantity", quantity),
        supplier=supplier,
        received_at=received_at or utc_now(),
    )
    s.add(lot)
    s.flush()
    return lot


def get_lot(s: Session, code: str) -> PartLot:
    """The lot ``code`` in session ``s``, else NotFound naming `heatproof line lots`."""
    lot = s.scalar(select(PartLot).where(PartLot.code == code))
    if lot is None:
        raise NotFound(f"lot {code!r} does not exist; see `heatproof line lots` for the lots")
    return lot


@dataclass(frozen=True)
class LotStock:
    """A lot's ``code``, ``part`` number, ``received`` and ``consumed`` quantities, ``supplier``
    and ``received_at``."""

    code: str
    part: str
    received: float
    consumed: float
    supplier: str
    received_at: datetime

    @property
    def remaining(self) -> float:
        """What is left of the lot: received - consumed."""
        return self.received - self.consumed


def lot_stock(s: Session, codes: Sequence[str] | None = None) -> list[LotStock]:
    """Every lot in session ``s`` (or only those whose code is in ``codes``) with what was
    consumed of it (its running ``quantity_consumed``), by code; one query."""
    query = (
        select(
            PartLot.code,
            Part.number,
            PartLot.quantity_received,
            PartLot.quantity_consumed,
            PartLot.supplier,
            PartLot.received_at,
        )
        .join(Part, Part.id == PartLot.part_id)
        .order_by(PartLot.code)
    )
    if codes is not None:
        query = query.where(PartLot.code.in_(list(codes)))
    return [LotStock(*row) for row in s.execute(query)]


# --- orders and units ----------------------------------------------------------------------------


def add_order(s: Session, design: Design, kind: str, quantity: int, code: str | None = None):
    """A new ``kind`` ('pilot' or 'mass') production order for ``quantity`` units of ``design``
    in session ``s``, coded ``code`` (default <design>-<rev>-<kind>-<n>). The database refuses a
    mass order of a design that is not released (the services check first)."""
    if kind not in ORDER_KINDS:
        raise InvalidInput(f"order kind={kind!r} is not one of {', '.join(ORDER_KINDS)}")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 10**6:
        raise InvalidInput(f"quantity={quantity!r} must be a whole number of units, 1 to 10^6")
    if code is None:
        count = s.scalar(select(func.count()).where(ProductionOrder.design_id == design.id))
        code = f"{design.name}-{design.revision}-{kind}-{count + 1:03d}"
    code = _name("order code", code)
    if s.scalar(select(ProductionOrder.id).where(ProductionOrder.code == code)) is not None:
        raise InvalidInput(f"order {code} already exists; give another code")
    order = ProductionOrder(code=code, design_id=design.id, kind=kind, quantity=quantity)
    s.add(order)
    s.flush()
    return order


def get_design(s: Session, name: str, revision: str) -> Design:
    """The design ``name`` rev ``revision`` in session ``s``, else NotFound naming
    `heatproof list designs`."""
    design = s.scalar(select(Design).where(Design.name == name, Design.revision == revision))
    if design is None:
        raise NotFound(
            f"design {name!r} rev {revision!r} does not exist; `heatproof list designs` lists "
            "the designs and their revisions"
        )
    return design


def get_order(s: Session, code: str) -> ProductionOrder:
    """The order ``code`` in session ``s``, else NotFound naming `heatproof line orders`."""
    order = s.scalar(select(ProductionOrder).where(ProductionOrder.code == code))
    if order is None:
        raise NotFound(f"order {code!r} does not exist; see `heatproof line orders`")
    return order


def list_orders(s: Session, design_id: int | None = None) -> list[ProductionOrder]:
    """Every order in session ``s`` (of design ``design_id`` if given), oldest first."""
    query = select(ProductionOrder).order_by(ProductionOrder.id)
    if design_id is not None:
        query = query.where(ProductionOrder.design_id == design_id)
    return list(s.scalars(query))


def hold_order(s: Session, order: ProductionOrder, reason: str) -> None:
    """Put ``order`` on hold for ``reason`` (its units take no next operation), in session
    ``s``; a closed order stays closed."""
    if order.status != "closed":
        order.status, order.hold_reason = "held", _reason(reason)
        s.flush()


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("reason is empty; say why the order is held")
    return reason.strip()[:1000]


def release_hold(s: Session, order: ProductionOrder) -> None:
    """Re-open the held ``order`` in session ``s`` (a mass order only while its design is
    released: the database refuses otherwise)."""
    if order.status != "held":
        raise InvalidInput(f"order {order.code} is {order.status}, not held; nothing to release")
    order.status, order.hold_reason = "open", None
    s.flush()


def _serial_prefix(design: Design) -> str:
    return re.sub(r"\s+", "_", f"{design.name}-{design.revision}-")


def add_units(s: Session, order: ProductionOrder, design: Design, count: int) -> list[ReactorUnit]:
    """``count`` new serialised units of ``order`` (of ``design``) in session ``s``, serials
    <design>-<rev>-<6 digits> following the design's last; an order never gets more units than
    its quantity."""
    have = s.scalar(select(func.count()).where(ReactorUnit.order_id == order.id))
    if have + count > order.quantity:
        raise InvalidInput(
            f"order {order.code} is for {order.quantity} units and has {have}; {count} more "
            "would exceed it"
        )
    prefix = _serial_prefix(design)
    serials = s.scalars(select(ReactorUnit.serial).where(ReactorUnit.serial.startswith(prefix)))
    numbers = [int(x[len(prefix) :]) for x in serials if x[len(prefix) :].isdigit()]
    start = max(numbers, default=0) + 1
    if start + count - 1 >= 10**SERIAL_DIGITS:
        raise InvalidInput(f"serials of {prefix}* are exhausted; start a new design revision")
    units = [
        ReactorUnit(serial=f"{prefix}{n:0{SERIAL_DIGITS}d}", design_id=design.id, order_id=order.id)
        for n in range(start, start + count)
    ]
    s.add_all(units)
    s.flush()
    return units


def get_unit(s: Session, serial: str) -> ReactorUnit:
    """The unit ``serial`` in session ``s``, else NotFound naming `heatproof line units`."""
    unit = s.scalar(select(ReactorUnit).where(ReactorUnit.serial == serial))
    if unit is None:
        raise NotFound(f"unit {serial!r} does not exist; see `heatproof line units`")
    return unit


def list_units(s: Session, order_id: int | None = None) -> list[ReactorUnit]:
    """Every unit in session ``s`` (of order ``order_id`` if given), by serial."""
    query = select(ReactorUnit).order_by(ReactorUnit.serial)
    if order_id is not None:
        query = query.where(ReactorUnit.order_id == order_id)
    return list(s.scalars(query))


def operations_done(s: Session, unit_ids: Sequence[int]) -> dict[int, set[int]]:
    """Unit id -> the operation numbers it has done, for each of ``unit_ids``, in session
    ``s``; one query."""
    done: dict[int, set[int]] = {unit_id: set() for unit_id in unit_ids}
    query = select(UnitOperation.unit_id, UnitOperation.seq).where(
        UnitOperation.unit_id.in_(list(unit_ids))
    )
    for unit_id, seq in s.execute(query):
        done[unit_id].add(seq)
    return done


def add_unit_operation(
    s: Session,
    unit: ReactorUnit,
    seq: int,
    consumed: Sequence[tuple[PartLot, float]] = (),
    operator: str = "",
) -> UnitOperation:
    """Record operation ``seq`` done on ``unit`` by ``operator`` in session ``s``, with the
    ``consumed`` (lot, quantity) pairs built into it (the database refuses a lot consumed beyond
    its quantity received). The order of operations is the caller's to check."""
    op = UnitOperation(unit_id=unit.id, seq=seq, operator=operator)
    s.add(op)
    s.add_all(
        LotConsumption(
            unit_id=unit.id, lot_id=lot.id, quantity=_quantity("quantity", q), operation_seq=seq
        )
        for lot, q in consumed
    )
    s.flush()
    for lot, _ in consumed:  # the triggers changed it in the database
        s.expire(lot, ["quantity_consumed"])
    return op


# --- end-of-line results and non-conformances ----------------------------------------------------


def _characteristics(record: Mapping[str, Any]) -> list[tuple[str, float, bool]]:
    """(name, value, passed) of each measured characteristic of an EOL ``record``: its
    'characteristics' as {name: {value, passed}} or as a list of {name, value, passed}; a value
    of None (not measured) is left out."""
    raw = record.get("characteristics", {})
    if isinstance(raw, Mapping):
        items = [{"name": k, **dict(v)} for k, v in raw.items()]
    elif isinstance(raw, list):
        items = [dict(v) for v in raw]
    else:
        raise InvalidInput("EOL record characteristics must be {name: {value, passed}}")
    rows = []
    for item in items:
        value = item.get("value")
        if value is None:
            continue
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidInput(
                f"EOL characteristic {item.get('name')!r} value={value!r} is not "
                "a finite number; give the SI value or null (not measured)"
            )
        rows.append(
            (_name("characteristic", item.get("name")), float(value), bool(item.get("passed")))
        )
    return rows


def eol_outcomes(s: Session, unit_id: int) -> list[str]:
    """The outcomes of unit ``unit_id``'s end-of-line attempts in session ``s``, in order."""
    query = select(EolResult.outcome).where(EolResult.unit_id == unit_id)
    return list(s.scalars(query.order_by(EolResult.attempt)))


def add_eol_result(
    s: Session, unit: ReactorUnit, attempt: int, record: Mapping[str, Any]
) -> EolResult:
    """Store attempt ``attempt`` of ``unit``'s end-of-line test in session ``s`` with its
    measurements. ``record`` holds 'outcome' (PASS, FAIL, INVALID, ABORTED), 'station',
    'valid' (default: outcome is not INVALID), 'characteristics' ({name: {value, passed}} or a
    list of {name, value, passed}; values SI) and whatever else the station reports (kept)."""
    plain = to_json("EOL record", record)
    outcome = plain.get("outcome")
    if outcome not in EOL_OUTCOMES:
        raise InvalidInput(
            f"EOL record outcome={outcome!r} is not one of {', '.join(EOL_OUTCOMES)}"
        )
    rows = _characteristics(plain)
    result = EolResult(
        unit_id=unit.id,
        attempt=attempt,
        station=_name("EOL record station", plain.get("station")),
        outcome=outcome,
        valid=bool(plain.get("valid", outcome != "INVALID")),
        record=plain,
    )
    s.add(result)
    s.flush()
    s.add_all(
        EolMeasurement(result_id=result.id, characteristic=name, value=value, passed=passed)
        for name, value, passed in rows
    )
    s.flush()
    return result


def open_nonconformance(
    s: Session, unit: ReactorUnit, description: str, eol_result: EolResult | None = None
) -> NonConformance:
    """Open a non-conformance on ``unit`` in session ``s``, saying ``description``, raised by
    ``eol_result`` (None: opened by hand)."""
    nc = NonConformance(
        unit_id=unit.id,
        eol_result_id=eol_result.id if eol_result else None,
        description=(description or "non-conformance")[:2000],
    )
    s.add(nc)
    s.flush()
    return nc


def get_nonconformance(s: Session, nc_id: int) -> NonConformance:
    """Non-conformance ``nc_id`` in session ``s``, else NotFound naming `heatproof line nc
    list`."""
    nc = s.get(NonConformance, nc_id) if isinstance(nc_id, int) and 0 < nc_id < 2**63 else None
    if nc is None:
        raise NotFound(f"non-conformance {nc_id} does not exist; see `heatproof line nc list`")
    return nc


def list_nonconformances(s: Session, open_only: bool = False) -> list[tuple[NonConformance, str]]:
    """(non-conformance, unit serial) pairs in session ``s``, oldest first; ``open_only``
    keeps those without a disposition."""
    query = select(NonConformance, ReactorUnit.serial).join(
        ReactorUnit, ReactorUnit.id == NonConformance.unit_id
    )
    if open_only:
        query = query.where(NonConformance.disposition.is_(None))
    return [(nc, serial) for nc, serial in s.execute(query.order_by(NonConformance.id))]


def dispose(s: Session, nc: NonConformance, disposition: str, signed_by: str | None = None) -> None:
    """Close ``nc`` in session ``s`` with ``disposition`` (rework, scrap, use_as_is);
    use_as_is needs ``signed_by``, the quality role's key fingerprint (64 hex digits). The
    unit's status is the caller's to set."""
    if nc.disposition is not None:
        raise InvalidInput(f"non-conformance {nc.id} was already disposed as {nc.disposition}")
    if disposition not in DISPOSITIONS:
        raise InvalidInput(
            f"disposition={disposition!r} is not one of rework, scrap, use-as-is; pick one"
        )
    if disposition == "use_as_is" and not (signed_by and FINGERPRINT.fullmatch(signed_by)):
        raise InvalidInput(
            f"use-as-is needs the quality role's signature: signed_by={signed_by!r} is not a key "
            "fingerprint (64 hex digits); have quality sign the disposition"
        )
    nc.disposition, nc.signed_by, nc.closed_at = disposition, signed_by, utc_now()
    s.flush()


# --- gauge studies and field events ---------------------------------------------------------------


def add_gauge_study(
    s: Session,
    design: Design,
    station: str,
    characteristic: str,
    percent_grr: float,
    record: Mapping[str, Any],
) -> GaugeStudy:
    """A gauge R&R study of ``characteristic`` at ``station`` for ``design`` in session ``s``:
    its ``percent_grr`` (%GRR, 0..) and full ``record`` (a JSON mapping)."""
    value = float(percent_grr)
    if not (math.isfinite(value) and value >= 0):
        raise InvalidInput(f"percent_grr={percent_grr!r} must be a finite number >= 0 (%)")
    study = GaugeStudy(
        design_id=design.id,
        station=_name("station", station),
        characteristic=_name("characteristic", characteristic),
        percent_grr=value,
        record=to_json("gauge study record", record),
    )
    s.add(study)
    s.flush()
    return study


def list_gauge_studies(s: Session, design_id: int) -> list[GaugeStudy]:
    """The gauge studies of design ``design_id`` in session ``s``, oldest first."""
    query = select(GaugeStudy).where(GaugeStudy.design_id == design_id)
    return list(s.scalars(query.order_by(GaugeStudy.id)))


def add_field_event(
    s: Session,
    unit: ReactorUnit,
    kind: str,
    operating_h: float,
    mode: str = "",
    at: datetime | None = None,
) -> FieldEvent:
    """A field event of deployed ``unit`` in session ``s``: ``kind`` (running, failure, repair,
    retired) at ``operating_h`` cumulative operating hours (h), failure ``mode``, at time ``at``
    (aware UTC; default now)."""
    if kind not in FIELD_EVENTS:
        raise InvalidInput(f"field event kind={kind!r} is not one of {', '.join(FIELD_EVENTS)}")
    hours = float(operating_h)
    if not (math.isfinite(hours) and hours >= 0):
        raise InvalidInput(f"operating_h={operating_h!r} must be a finite number >= 0 (h)")
    event = FieldEvent(unit_id=unit.id, kind=kind, operating_h=hours, mode=mode, at=at or utc_now())
    s.add(event)
    s.flush()
    return event


# --- genealogy -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitWithLot:
    """A unit built with a lot: its ``serial``, ``order`` code (None: outside any order),
    ``status``, the ``quantity`` of the lot in it, ``operation_seq``, the first operation
    that consumed it, and the ``plant`` it was assembled into (None: in no plant)."""

    serial: str
    order: str | None
    status: str
    quantity: float
    operation_seq: int
    plant: str | None


@dataclass(frozen=True)
class LotInUnit:
    """A lot in a unit: its ``code``, ``part`` number, the ``quantity`` built in and
    ``operation_seq``, the first operation that consumed it."""

    code: str
    part: str
    quantity: float
    operation_seq: int


def units_containing_lot(s: Session, lot_code: str) -> list[UnitWithLot]:
    """Every unit built with lot ``lot_code``, by serial, with the plant it is in, from session
    ``s`` in ONE query (the lot left-joined, so that an unknown lot is told from a lot no unit
    used); NotFound for an unknown lot."""
    c, u, o = LotConsumption, ReactorUnit, ProductionOrder
    query = (
        select(
            PartLot.id,
            u.serial,
            o.code,
            u.status,
            func.sum(c.quantity),
            func.min(c.operation_seq),
            Plant.name,
        )
        .select_from(PartLot)
        .outerjoin(c, c.lot_id == PartLot.id)
        .outerjoin(u, u.id == c.unit_id)
        .outerjoin(o, o.id == u.order_id)
        .outerjoin(PlantUnit, PlantUnit.unit_id == u.id)
        .outerjoin(Plant, Plant.id == PlantUnit.plant_id)
        .where(PartLot.code == lot_code)
        .group_by(PartLot.id, u.serial, o.code, u.status, Plant.name)
        .order_by(u.serial)
    )
    rows = s.execute(query).all()
    if not rows:
        raise NotFound(f"lot {lot_code!r} does not exist; see `heatproof line lots` for the lots")
    return [UnitWithLot(*row[1:]) for row in rows if row[1] is not None]


def lots_in_unit(s: Session, serial: str) -> list[LotInUnit]:
    """Every lot built into unit ``serial``, by lot code, from session ``s`` in ONE query;
    NotFound for an unknown serial."""
    c, lot = LotConsumption, PartLot
    query = (
        select(
            ReactorUnit.id,
            lot.code,
            Part.number,
            func.sum(c.quantity),
            func.min(c.operation_seq),
        )
        .select_from(ReactorUnit)
        .outerjoin(c, c.unit_id == ReactorUnit.id)
        .outerjoin(lot, lot.id == c.lot_id)
        .outerjoin(Part, Part.id == lot.part_id)
        .where(ReactorUnit.serial == serial)
        .group_by(ReactorUnit.id, lot.code, Part.number)
        .order_by(lot.code)
    )
    rows = s.execute(query).all()
    if not rows:
        raise NotFound(f"unit {serial!r} does not exist; see `heatproof line units`")
    return [LotInUnit(*row[1:]) for row in rows if row[1] is not None]


# --- what the gates read -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FirstAttempt:
    """A unit's first end-of-line attempt that is evidence (valid, PASS or FAIL): its
    ``serial``, ``order`` code, ``attempt`` number, ``outcome``, ``tested_at`` and the stored
    result's id ``result_id``."""

    serial: str
    order: str
    attempt: int
    outcome: str
    tested_at: datetime
    result_id: int

    @property
    def passed(self) -> bool:
        """Whether the attempt passed."""
        return self.outcome == "PASS"


def _first_valid(design_id: int, order_kind: str):
    """Subquery: per unit of design ``design_id`` in orders of ``order_kind``, the lowest
    valid PASS/FAIL attempt."""
    if order_kind not in ORDER_KINDS:
        raise InvalidInput(f"order kind={order_kind!r} is not one of {', '.join(ORDER_KINDS)}")
    return (
        select(EolResult.unit_id, func.min(EolResult.attempt).label("attempt"))
        .join(ReactorUnit, ReactorUnit.id == EolResult.unit_id)
        .join(ProductionOrder, ProductionOrder.id == ReactorUnit.order_id)
        .where(
            ReactorUnit.design_id == design_id,
            ProductionOrder.kind == order_kind,
            EolResult.valid.is_(True),
            EolResult.outcome.in_(("PASS", "FAIL")),
        )
        .group_by(EolResult.unit_id)
        .subquery()
    )


def eol_first_attempts(s: Session, design_id: int, order_kind: str) -> list[FirstAttempt]:
    """For every unit of design ``design_id`` built in ``order_kind`` ('pilot' or 'mass')
    orders and tested end of line, its first attempt that is evidence (valid, PASS or FAIL:
    INVALID and ABORTED attempts say nothing about the unit), in test order, from session
    ``s``. First-pass yield is the share of them that passed."""
    first = _first_valid(design_id, order_kind)
    query = (
        select(
            ReactorUnit.serial,
            ProductionOrder.code,
            EolResult.attempt,
            EolResult.outcome,
            EolResult.tested_at,
            EolResult.id,
        )
        .join(
            first, and_(first.c.unit_id == EolResult.unit_id, first.c.attempt == EolResult.attempt)
        )
        .join(ReactorUnit, ReactorUnit.id == EolResult.unit_id)
        .join(ProductionOrder, ProductionOrder.id == ReactorUnit.order_id)
        .order_by(EolResult.tested_at, EolResult.id)
    )
    return [FirstAttempt(*row) for row in s.execute(query)]


def characteristic_values(
    s: Session, design_id: int, characteristic: str, order_kind: str
) -> list[float]:
    """The values (SI) of ``characteristic`` measured on units of design ``design_id`` built in
    ``order_kind`` orders, one per unit from its first attempt that is evidence (as
    eol_first_attempts), in test order, from session ``s`` (for SPC and capability)."""
    first = _first_valid(design_id, order_kind)
    query = (
        select(EolMeasurement.value)
        .join(EolResult, EolResult.id == EolMeasurement.result_id)
        .join(
            first, and_(first.c.unit_id == EolResult.unit_id, first.c.attempt == EolResult.attempt)
        )
        .where(EolMeasurement.characteristic == characteristic)
        .order_by(EolResult.tested_at, EolResult.id)
    )
    return list(s.scalars(query))


@dataclass(frozen=True)
class FieldLife:
    """A deployed unit's life: ``serial``, ``hours`` (h) to its first failure when ``failed``,
    else its latest operating hours (right-censored), and the first failure's ``mode``."""

    serial: str
    hours: float
    failed: bool
    mode: str


def field_life(s: Session, design_id: int) -> list[FieldLife]:
    """Per unit of design ``design_id`` with field events, in session ``s``: hours to first
    failure, or the hours it has run without one (censored); by serial."""
    e = FieldEvent
    first_failure = func.min(case((e.kind == "failure", e.operating_h)))
    query = (
        select(ReactorUnit.serial, first_failure, func.max(e.operating_h), ReactorUnit.id)
        .join(e, e.unit_id == ReactorUnit.id)
        .where(ReactorUnit.design_id == design_id)
        .group_by(ReactorUnit.id, ReactorUnit.serial)
        .order_by(ReactorUnit.serial)
    )
    rows = s.execute(query).all()
    modes = _failure_modes(s, [r[3] for r in rows if r[1] is not None])
    return [
        FieldLife(
            serial,
            failure if failure is not None else latest,
            failure is not None,
            modes.get(unit_id, ""),
        )
        for serial, failure, latest, unit_id in rows
    ]


def _failure_modes(s: Session, unit_ids: list[int]) -> dict[int, str]:
    """Unit id -> the mode of its first failure (lowest operating hours)."""
    query = (
        select(FieldEvent.unit_id, FieldEvent.mode)
        .where(FieldEvent.unit_id.in_(unit_ids), FieldEvent.kind == "failure")
        .order_by(FieldEvent.unit_id, FieldEvent.operating_h.desc(), FieldEvent.id.desc())
    )
    return dict(s.execute(query).all())  # the last row per unit (lowest hours) wins
