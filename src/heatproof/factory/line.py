"""Production line services: set up a design's line, receive lots, create orders with their
serialised units, build units through the routing, store end-of-line results (opening a
non-conformance on FAIL), dispose non-conformances, hold orders, yields and genealogy.

Each function is one unit of work on a workspace (all or nothing) and returns plain JSON-ready
values for the CLI and the demo. The rules are the pure core's (heatproof.production.line); the
records are heatproof.records.production. A mass order is checked here first (one line naming
the design); the database's trigger stands behind the check for every other path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof.errors import InvalidInput, NotFound, decode_utf8
from heatproof.evidence import dispositions
from heatproof.production.line import (
    LinePart,
    LineSpec,
    Operation,
    StepYield,
    check_next_operation,
    eol_attempt,
    first_pass_yield,
    line_spec_from_toml,
    next_operation,
    rolled_throughput_yield,
)
from heatproof.records import production as prod
from heatproof.records.models import (
    Design,
    EolResult,
    NonConformance,
    ProductionOrder,
    ReactorUnit,
)
from heatproof.records.releases import ReleaseState, design_revision, one_line, release_state
from heatproof.twin.reactor import ReactorDesign
from heatproof.workspace import Workspace

EXAMPLE_LINE = Path(__file__).resolve().parent / "line_hx1.toml"
STATUS_AFTER = {"rework": "in_process", "scrap": "scrapped", "use_as_is": "passed"}


def read_line_spec(path: Path) -> LineSpec:
    """The line described by the TOML file at ``path`` (see line_hx1.toml); NotFound when it
    is absent, InvalidInput naming the field otherwise."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"line file {path} does not exist; give an existing file") from None
    return line_spec_from_toml(decode_utf8(data, str(path)), str(path))


def design_record(s: Session, name: str, revision: str) -> Design:
    """The design ``name`` rev ``revision`` in session ``s``, created on first use with the
    twin's nominal ReactorDesign values (as a campaign does); a new revision suspends the
    releases of the design's other revisions (records.releases.design_revision)."""
    found = _find_design(s, name, revision)
    if found is not None:
        return found
    nominal = ReactorDesign(name=name, revision=revision)
    design, _ = design_revision(
        s,
        name,
        revision,
        charge_mass_kg=nominal.charge_mass_kg,
        geometry=nominal.geometry(),
        material=nominal.shell_material,
    )
    return design


def _find_design(s: Session, name: str, revision: str) -> Design | None:
    return s.scalar(select(Design).where(Design.name == name, Design.revision == revision))


def _known_design(s: Session, name: str, revision: str) -> Design:
    design = _find_design(s, name, revision)
    if design is None:
        raise NotFound(
            f"design {name} rev {revision} has no line; set it up with `heatproof line setup "
            f"{name} {revision} --file line.toml`"
        )
    return design


def _line_of(s: Session, design: Design) -> LineSpec:
    """The stored line of ``design`` as a LineSpec (empty operations: none set up)."""
    items = prod.bom(s, design.id)
    consumes: dict[int, list[tuple[str, float]]] = {}
    for item, part in items:
        consumes.setdefault(item.operation_seq, []).append((part.number, item.quantity_per_unit))
    ops = tuple(
        Operation(op.seq, op.name, tuple(sorted(consumes.get(op.seq, []))))
        for op in prod.routing(s, design.id)
    )
    parts = tuple(
        sorted(
            {LinePart(part.number, part.description) for _, part in items}, key=lambda p: p.number
        )
    )
    return LineSpec(parts, ops)


def _summary(design: Design, spec: LineSpec) -> dict:
    return {
        "design": design.name,
        "revision": design.revision,
        "operations": [
            {
                "seq": op.seq,
                "name": op.name,
                "consumes": [{"part": p, "quantity": q} for p, q in op.consumes],
            }
            for op in spec.operations
        ],
        "end_of_line_seq": spec.eol_seq,
    }


def setup_line(ws: Workspace, name: str, revision: str, spec: LineSpec) -> dict:
    """Set up the line ``spec`` (parts, bill of materials, routing) of design ``name`` rev
    ``revision`` in workspace ``ws``. Setting up the same line again changes nothing; a
    different line for a revision that has one is refused (a changed line is a new revision)."""
    with ws.unit_of_work() as s:
        design = design_record(s, name, revision)
        stored = _line_of(s, design)
        wanted = LineSpec(
            spec.parts,
            tuple(Operation(op.seq, op.name, tuple(sorted(op.consumes))) for op in spec.operations),
        )
        if stored.operations:
            if stored.operations != wanted.operations:
                raise InvalidInput(
                    f"design {name} rev {revision} already has a different line; a changed line "
                    "is a new design revision (set it up under a new REV)"
                )
            return {**_summary(design, stored), "created": False}
        parts = {p.number: prod.get_or_create_part(s, p.number, p.description) for p in spec.parts}
        for op in spec.operations:
            prod.add_routing_operation(s, design, op.seq, op.name)
            for number, quantity in op.consumes:
                prod.add_bom_item(s, design, parts[number], quantity, op.seq)
        return {**_summary(design, wanted), "created": True}


def receive_lot(
    ws: Workspace, part_number: str, code: str, quantity: float, supplier: str = ""
) -> dict:
    """Receive lot ``code`` of ``quantity`` parts ``part_number`` from ``supplier`` into the
    inventory of workspace ``ws``."""
    with ws.unit_of_work() as s:
        lot = prod.receive_lot(s, prod.get_part(s, part_number), code, quantity, supplier)
        return {"code": lot.code, "part": part_number, "quantity": lot.quantity_received}


def _stock_row(stock: prod.LotStock) -> dict:
    return {
        "code": stock.code,
        "part": stock.part,
        "received": stock.received,
        "consumed": stock.consumed,
        "remaining": stock.remaining,
        "supplier": stock.supplier,
        "received_at": stock.received_at.isoformat(),
    }


def list_lots(ws: Workspace) -> list[dict]:
    """Every lot in workspace ``ws`` with what is left of it, by code."""
    with ws.unit_of_work() as s:
        return [_stock_row(x) for x in prod.lot_stock(s)]


def _order_row(order: ProductionOrder, design: Design) -> dict:
    return {
        "code": order.code,
        "design": design.name,
        "revision": design.revision,
        "kind": order.kind,
        "quantity": order.quantity,
        "status": order.status,
        "hold_reason": order.hold_reason,
    }


def _later_revisions(s: Session, design: Design) -> list[str]:
    """The revisions of ``design``'s name created after it, oldest first."""
    query = select(Design.revision).where(Design.name == design.name, Design.id > design.id)
    return list(s.scalars(query.order_by(Design.id)))


def _not_released_fix(s: Session, design: Design, state: ReleaseState) -> str:
    """What to do about ``design``'s release in ``state`` (not released), in one clause."""
    name, rev = design.name, design.revision
    again = (
        f"re-release it with `heatproof gate release {name} {rev} --role quality` and "
        "`--role manager`"
    )
    if state.status == "none":
        return f"see what blocks with `heatproof gate status {name} {rev}`"
    if state.status == "invalid":
        return again
    later = _later_revisions(s, design)
    if later:
        return (
            f"order rev {later[-1]} once its gates are open (`heatproof gate status {name} "
            f"{later[-1]}`), or {again} if rev {rev} is to be built on"
        )
    return f"{again} once the cause is dealt with"


def _check_released(s: Session, design: Design) -> None:
    """Refuse a mass order (or re-opening one) of ``design`` unless it is released, naming the
    release's reason and the fix in one line."""
    state = release_state(s, design.id)
    if state.released:
        return
    since = f" since {state.suspended_at:%Y-%m-%d %H:%M} UTC" if state.suspended_at else ""
    why = f"suspended{since} ({state.reason})" if state.status == "suspended" else state.reason
    raise InvalidInput(
        f"mass production of design {design.name} rev {design.revision} (id {design.id}) is "
        f"not released: {why}; {_not_released_fix(s, design, state)}"
    )


def create_order(
    ws: Workspace, name: str, revision: str, kind: str, quantity: int, code: str | None = None
) -> dict:
    """A new ``kind`` ('pilot' or 'mass') order ``code`` (default generated) for ``quantity``
    units of design ``name`` rev ``revision`` in workspace ``ws``, with its serialised units. A
    mass order needs the design released (G4 open, not suspended)."""
    with ws.unit_of_work() as s:
        design = _known_design(s, name, revision)
        if not prod.routing(s, design.id):
            raise InvalidInput(
                f"design {name} rev {revision} has no line; run `heatproof line "
                f"setup {name} {revision} --file line.toml` first"
            )
        if kind == "mass":
            _check_released(s, design)
        order = prod.add_order(s, design, kind, quantity, code)
        units = prod.add_units(s, order, design, quantity)
        return {**_order_row(order, design), "units": [u.serial for u in units]}


def list_orders(ws: Workspace) -> list[dict]:
    """Every order in workspace ``ws``, oldest first."""
    with ws.unit_of_work() as s:
        return [_order_row(o, s.get(Design, o.design_id)) for o in prod.list_orders(s)]


def hold_order(ws: Workspace, code: str, reason: str) -> dict:
    """Put the order ``code`` in workspace ``ws`` on hold for ``reason``."""
    with ws.unit_of_work() as s:
        order = prod.get_order(s, code)
        prod.hold_order(s, order, reason)
        return _order_row(order, s.get(Design, order.design_id))


def resume_order(ws: Workspace, code: str) -> dict:
    """Re-open the held order ``code`` in workspace ``ws`` (a mass order only while its design
    is released)."""
    with ws.unit_of_work() as s:
        order = prod.get_order(s, code)
        design = s.get(Design, order.design_id)
        if order.kind == "mass":
            _check_released(s, design)
        prod.release_hold(s, order)
        return _order_row(order, design)


def _unit_rows(s: Session, units: Sequence[ReactorUnit]) -> list[dict]:
    done = prod.operations_done(s, [u.id for u in units])
    routes: dict[int, list[int]] = {}
    orders = {o.id: o.code for o in prod.list_orders(s)}
    rows = []
    for u in units:
        seqs = routes.setdefault(u.design_id, [op.seq for op in prod.routing(s, u.design_id)])
        rows.append(
            {
                "serial": u.serial,
                "order": orders.get(u.order_id),
                "status": u.status,
                "done": sorted(done[u.id]),
                "next_operation": next_operation(seqs, done[u.id])
                if u.status == "in_process"
                else None,
            }
        )
    return rows


def list_units(ws: Workspace, order_code: str | None = None) -> list[dict]:
    """Every unit in workspace ``ws`` (of order ``order_code`` if given) with its status, the
    operations it has done and its next one, by serial."""
    with ws.unit_of_work() as s:
        order_id = prod.get_order(s, order_code).id if order_code is not None else None
        return _unit_rows(s, prod.list_units(s, order_id))


def _resume_hint(s: Session, order: ProductionOrder) -> str:
    """How the held ``order`` gets going again, in one clause."""
    resume = f"resume it with `heatproof line order resume {order.code}`"
    design = s.get(Design, order.design_id)
    if order.kind != "mass" or release_state(s, design.id).released:
        return resume
    name, rev = design.name, design.revision
    hint = f"{resume} once rev {rev} is released again (`heatproof gate status {name} {rev}`)"
    later = _later_revisions(s, design)
    if later:
        hint += f", or open the gates of rev {later[-1]} and order that revision instead"
    return hint


def _check_order_open(s: Session, unit: ReactorUnit) -> None:
    """Refuse work on a unit of a held or closed order, naming the fix."""
    if unit.order_id is None:
        return
    order = s.get(ProductionOrder, unit.order_id)
    if order.status == "held":
        raise InvalidInput(
            f"order {order.code} of unit {unit.serial} is held ({one_line(order.hold_reason)}); "
            f"its units take no next operation: {_resume_hint(s, order)}"
        )
    if order.status == "closed":
        raise InvalidInput(f"order {order.code} of unit {unit.serial} is closed; it takes no work")


def _consumption(
    s: Session,
    serial: str,
    needs: Sequence[tuple[str, float]],
    lot_codes: Sequence[str],
    seq: int,
    strict: bool,
) -> list[tuple[Any, float]]:
    """The (lot, quantity) pairs that give operation ``seq`` its ``needs`` (part, quantity)
    from the named lots, in the order given; InvalidInput naming what is missing, and (when
    ``strict``) a named lot of a part the operation does not consume."""
    stock = {x.code: x for x in prod.lot_stock(s, list(lot_codes))}
    missing = [c for c in lot_codes if c not in stock]
    if missing:
        raise NotFound(f"lot {missing[0]!r} does not exist; see `heatproof line lots`")
    needed = {part for part, _ in needs}
    stray = [c for c in lot_codes if stock[c].part not in needed]
    if stray and strict:
        raise InvalidInput(
            f"lot {stray[0]} is part {stock[stray[0]].part}, which operation {seq} "
            "does not consume; name only lots of its parts"
        )
    taken: list[tuple[Any, float]] = []
    for part, quantity in needs:
        left = quantity
        for code in (c for c in dict.fromkeys(lot_codes) if stock[c].part == part):
            take = min(left, stock[code].remaining)
            if take > 1e-12:
                taken.append((prod.get_lot(s, code), take))
                left -= take
        if left > 1e-9:
            named = [c for c in lot_codes if stock[c].part == part]
            what = f"the named lots ({', '.join(named)}) hold" if named else "no lot of it named:"
            raise InvalidInput(
                f"operation {seq} on unit {serial} needs {quantity:g} of part {part}: {what} "
                f"{quantity - left:g} left; name a lot of {part} with enough (see `heatproof "
                "line lots`)"
            )
    return taken


def _operate(
    s: Session,
    unit: ReactorUnit,
    seq: int,
    lot_codes: Sequence[str],
    operator: str,
    strict: bool = True,
) -> dict:
    _check_order_open(s, unit)
    if unit.status != "in_process":
        raise InvalidInput(
            f"unit {unit.serial} is {unit.status}; only a unit in process is worked on"
        )
    ops = prod.routing(s, unit.design_id)
    seqs = [op.seq for op in ops]
    check_next_operation(unit.serial, seqs, prod.operations_done(s, [unit.id])[unit.id], seq)
    if seq == seqs[-1]:
        raise InvalidInput(
            f"operation {seq} of unit {unit.serial} is the end-of-line test; the "
            "end-of-line station records it"
        )
    needs = [
        (part.number, item.quantity_per_unit)
        for item, part in prod.bom(s, unit.design_id)
        if item.operation_seq == seq
    ]
    consumed = _consumption(s, unit.serial, needs, lot_codes, seq, strict)
    prod.add_unit_operation(s, unit, seq, consumed, operator)
    return {
        "serial": unit.serial,
        "operation": seq,
        "name": ops[seq - 1].name,
        "consumed": [{"lot": lot.code, "quantity": q} for lot, q in consumed],
    }


def operate(
    ws: Workspace, serial: str, seq: int, lot_codes: Sequence[str], operator: str = ""
) -> dict:
    """Record operation ``seq`` on unit ``serial`` in workspace ``ws`` by ``operator``,
    consuming its bill of materials from the lots ``lot_codes`` (in the order given). Refused
    unless it is the unit's next operation, its order is open and the lots hold enough."""
    with ws.unit_of_work() as s:
        return _operate(s, prod.get_unit(s, serial), seq, lot_codes, operator)


def build_order(
    ws: Workspace, order_code: str, lot_codes: Sequence[str], operator: str = ""
) -> int:
    """Take every in-process unit of order ``order_code`` in workspace ``ws`` through its
    remaining operations up to end-of-line, consuming from the lots ``lot_codes`` (in the order
    given, each used until it runs out), by ``operator``, in one unit of work. Returns the
    number of operations recorded."""
    with ws.unit_of_work() as s:
        order = prod.get_order(s, order_code)
        seqs = [op.seq for op in prod.routing(s, order.design_id)]
        units = [u for u in prod.list_units(s, order.id) if u.status == "in_process"]
        done = prod.operations_done(s, [u.id for u in units])
        count = 0
        for unit in units:
            while (seq := next_operation(seqs, done[unit.id])) not in (None, seqs[-1]):
                _operate(s, unit, seq, lot_codes, operator, strict=False)
                done[unit.id].add(seq)
                count += 1
        return count


def _failure_text(record: Mapping[str, Any]) -> str:
    reasons = record.get("reasons") or []
    return "; ".join(str(r) for r in reasons) or "end-of-line test failed"


def record_eol_result(ws: Workspace, serial: str, record: Mapping[str, Any]) -> dict:
    """Store unit ``serial``'s next end-of-line attempt in workspace ``ws``: ``record`` holds
    'outcome' (PASS, FAIL, INVALID, ABORTED), 'station', 'valid' and 'characteristics' ({name:
    {value, passed}} or a list of {name, value, passed}). A PASS completes the routing; a FAIL
    opens a non-conformance; INVALID or ABORTED leave the unit due for a retest. Refused for an
    unknown serial, a unit not due at end-of-line, or after a PASS."""
    with ws.unit_of_work() as s:
        unit = prod.get_unit(s, serial)
        _check_order_open(s, unit)
        seqs = [op.seq for op in prod.routing(s, unit.design_id)]
        due = next_operation(seqs, prod.operations_done(s, [unit.id])[unit.id])
        attempt = eol_attempt(serial, unit.status, due, seqs[-1], prod.eol_outcomes(s, unit.id))
        result = prod.add_eol_result(s, unit, attempt, record)
        nc_id = None
        if result.outcome == "PASS":
            prod.add_unit_operation(s, unit, seqs[-1], (), result.station)
            unit.status = "passed"
        elif result.outcome == "FAIL":
            nc_id = prod.open_nonconformance(s, unit, _failure_text(result.record), result).id
            unit.status = "failed"
        s.flush()
        return {
            "serial": serial,
            "attempt": attempt,
            "outcome": result.outcome,
            "valid": result.valid,
            "status": unit.status,
            "nonconformance": nc_id,
        }


def list_nonconformances(ws: Workspace, open_only: bool = False) -> list[dict]:
    """The non-conformances of workspace ``ws`` (only those without a disposition when
    ``open_only``), oldest first."""
    with ws.unit_of_work() as s:
        return [
            {
                "id": nc.id,
                "serial": serial,
                "description": nc.description,
                "disposition": nc.disposition,
                "signed_by": nc.signed_by,
                "opened_at": nc.opened_at.isoformat(),
                "closed_at": nc.closed_at.isoformat() if nc.closed_at else None,
            }
            for nc, serial in prod.list_nonconformances(s, open_only)
        ]


def _close_nonconformance(s: Session, nc_id: int, disposition: str, signed_by: str | None) -> dict:
    """Close non-conformance ``nc_id`` in session ``s`` as ``disposition`` (signed_by: the
    quality signature's fingerprint of a use-as-is) and set its unit's status."""
    nc = prod.get_nonconformance(s, nc_id)
    prod.dispose(s, nc, disposition, signed_by)
    unit = s.get(ReactorUnit, nc.unit_id)
    unit.status = STATUS_AFTER[disposition]
    if disposition == "use_as_is":
        seqs = [op.seq for op in prod.routing(s, unit.design_id)]
        if seqs[-1] not in prod.operations_done(s, [unit.id])[unit.id]:
            prod.add_unit_operation(s, unit, seqs[-1], (), f"use-as-is quality {signed_by}")
    s.flush()
    return {"id": nc.id, "serial": unit.serial, "disposition": disposition, "status": unit.status}


def _open_disposition(ws: Workspace, nc_id: int) -> tuple[NonConformance, str, EolResult | None]:
    """Non-conformance ``nc_id`` of workspace ``ws`` (NotFound; InvalidInput when already
    disposed), its unit's serial and the end-of-line result that opened it."""
    with ws.unit_of_work() as s:
        nc = prod.get_nonconformance(s, nc_id)
        if nc.disposition is not None:
            raise InvalidInput(f"non-conformance {nc.id} was already disposed as {nc.disposition}")
        serial = s.get(ReactorUnit, nc.unit_id).serial
        result = s.get(EolResult, nc.eol_result_id) if nc.eol_result_id else None
        s.expunge_all()
        return nc, serial, result


def _use_as_is(ws: Workspace, nc_id: int, reason: str, keys_dir: Path | None) -> dict:
    """A quality-signed use-as-is of ``nc_id`` (see dispose_nonconformance); the caller holds
    the workspace's operation lock."""
    nc, serial, result = _open_disposition(ws, nc_id)
    adopted = dispositions.interrupted_disposition(ws.path, nc_id)
    if adopted is None:
        record = dispositions.disposition_record(nc, serial, result, reason)
        sig = dispositions.sign_disposition(ws, nc_id, record, keys_dir)
    else:
        record, sig = adopted
    done = ws.transaction(lambda s: _close_nonconformance(s, nc_id, "use_as_is", sig.fingerprint))
    path = dispositions.disposition_path(ws.path, nc_id)
    return {
        **done,
        "reason": record["reason"],
        "signed_by": sig.fingerprint,
        "file": path.relative_to(ws.path).as_posix(),
        "adopted": adopted is not None,
    }


def _unsigned(ws: Workspace, nc_id: int, disposition: str, reason: str | None) -> dict:
    """A rework or scrap of ``nc_id`` (see dispose_nonconformance); the caller holds the
    workspace's operation lock."""
    if reason is not None:
        raise InvalidInput(
            f"reason={reason!r} is kept only with a use-as-is (in its signed file); "
            f"--as {disposition} takes none: leave --reason out"
        )
    _open_disposition(ws, nc_id)
    if dispositions.interrupted_disposition(ws.path, nc_id) is not None:
        raise InvalidInput(
            f"non-conformance {nc_id} has a signed use-as-is not yet recorded (an interrupted "
            f"use-as-is); record it with `heatproof line nc dispose {nc_id} --as use-as-is`"
        )
    with ws.unit_of_work() as s:
        return _close_nonconformance(s, nc_id, disposition, None)


def dispose_nonconformance(
    ws: Workspace,
    nc_id: int,
    disposition: str,
    reason: str | None = None,
    keys_dir: Path | None = None,
) -> dict:
    """Dispose non-conformance ``nc_id`` in workspace ``ws`` as ``disposition``, under the
    workspace's operation lock: 'rework' (the unit goes back to end-of-line for a retest) or
    'scrap', unsigned records; or 'use_as_is' (the unit passes), which needs ``reason`` and is
    signed by the quality role's key from ``keys_dir`` (None: $HEATPROOF_KEYS, else the config
    home): its disposition file, signature and ledger entry first, then the record with the
    signature's fingerprint (see heatproof.evidence.dispositions). Returns id, serial,
    disposition and the unit's status (a use-as-is also its reason, signer fingerprint, file
    and whether an interrupted one was adopted)."""
    disposition = disposition.replace("-", "_")
    if disposition == "use_as_is":
        reason = dispositions.check_reason(reason)
    with ws.exclusive(f"line nc dispose {nc_id}"):
        if disposition == "use_as_is":
            return _use_as_is(ws, nc_id, reason, keys_dir)
        return _unsigned(ws, nc_id, disposition, reason)


def _step_yields(
    ops: Sequence[Any],
    done: Mapping[int, set[int]],
    firsts: Mapping[int, str | None],
    unit_ids: Sequence[int],
) -> list[StepYield]:
    """Each operation's entered and first-pass counts over the units ``unit_ids``, given what
    each has ``done`` and its ``firsts`` end-of-line evidence (first PASS or FAIL): an assembly
    operation done is passed (the records hold no failure there)."""
    steps = []
    for op in ops[:-1]:
        entered = sum(op.seq in done[u] for u in unit_ids)
        steps.append(StepYield(op.seq, op.name, entered, entered))
    tested = [firsts[u] for u in unit_ids if firsts[u] is not None]
    eol = ops[-1]
    return [*steps, StepYield(eol.seq, eol.name, len(tested), tested.count("PASS"))]


def _first_outcome(outcomes: Sequence[str]) -> str | None:
    """The first PASS or FAIL (an INVALID or ABORTED attempt is no evidence)."""
    return next((o for o in outcomes if o in ("PASS", "FAIL")), None)


def _yield_row(steps: Sequence[StepYield]) -> dict:
    eol = steps[-1]
    return {
        "units_tested": eol.entered,
        "first_pass": eol.first_pass,
        "fpy": first_pass_yield(eol.first_pass, eol.entered),
        "rty": rolled_throughput_yield(steps),
    }


def order_yield(ws: Workspace, order_code: str) -> dict:
    """First-pass yield at end-of-line and rolled-throughput yield (the product of every
    operation's first-pass yield) of order ``order_code`` in workspace ``ws``, with each step's
    counts, and the same per part lot built into its units (a bad lot stands out)."""
    with ws.unit_of_work() as s:
        order = prod.get_order(s, order_code)
        units = prod.list_units(s, order.id)
        ids = [u.id for u in units]
        ops = prod.routing(s, order.design_id)
        done = prod.operations_done(s, ids)
        firsts = {u.id: _first_outcome(prod.eol_outcomes(s, u.id)) for u in units}
        steps = _step_yields(ops, done, firsts, ids)
        by_lot: dict[str, list[int]] = {}
        for unit in units:
            for lot in prod.lots_in_unit(s, unit.serial):
                by_lot.setdefault(lot.code, []).append(unit.id)
        lots = {
            code: _yield_row(_step_yields(ops, done, firsts, lot_units))
            for code, lot_units in sorted(by_lot.items())
        }
        return {
            "order": order.code,
            "units": len(units),
            **_yield_row(steps),
            "steps": [
                {
                    "seq": x.seq,
                    "name": x.name,
                    "entered": x.entered,
                    "first_pass": x.first_pass,
                    "fpy": x.fpy,
                }
                for x in steps
            ],
            "lots": lots,
        }


def genealogy_of_lot(ws: Workspace, lot_code: str) -> dict:
    """Every unit of workspace ``ws`` built with lot ``lot_code``, with the plant it is in
    (None: in no plant), in one query."""
    with ws.unit_of_work() as s:
        units = prod.units_containing_lot(s, lot_code)
        return {
            "lot": lot_code,
            "units": [
                {
                    "serial": u.serial,
                    "order": u.order,
                    "status": u.status,
                    "quantity": u.quantity,
                    "operation": u.operation_seq,
                    "plant": u.plant,
                }
                for u in units
            ],
        }


def genealogy_of_unit(ws: Workspace, serial: str) -> dict:
    """Every lot built into unit ``serial`` of workspace ``ws`` (one query)."""
    with ws.unit_of_work() as s:
        lots = prod.lots_in_unit(s, serial)
        return {
            "unit": serial,
            "lots": [
                {
                    "lot": x.code,
                    "part": x.part,
                    "quantity": x.quantity,
                    "operation": x.operation_seq,
                }
                for x in lots
            ],
        }
