"""SPC of a lot: the one place that computes a production lot's control charts and capability.

A lot is a design revision's pilot units (every pilot order) or one order's units. Each unit
counts once, by its first end-of-line attempt that is evidence (valid, PASS or FAIL: as
first-pass yield counts it), in test order. Per end-of-line characteristic (the key ones first,
then the others, each group in the order of the end-of-line spec): its values in test order with
their serials, the individuals and moving-range chart (Western Electric rules), the capability
against the spec limits recorded in the end-of-line results (Cp, Cpk, Pp, Ppk with confidence
intervals and the Cpk's one-sided lower bound) and the latest gauge R&R study of the design.
G3 (heatproof.factory.gates) reads its key characteristics from here; ``heatproof line spc``
prints them and writes the lot's HTML report (heatproof.report.lot_report).

Which characteristics are key, and the confidence level, come from the design's gate settings
(``key_characteristics``: empty means those the end-of-line spec marks key;
``capability_level``, default CAPABILITY_LEVEL). Values carry the unit of their characteristic
(SI, as the end-of-line record names it: ohm, K, W, 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heatproof.errors import HeatproofError, InvalidInput
from heatproof.evidence.hashing import canonical, sha256_hex
from heatproof.outputs import write_text
from heatproof.production.capability import Capability, capability
from heatproof.production.line import first_pass_yield
from heatproof.production.spc import ChartPair, i_mr
from heatproof.records import production as prod
from heatproof.records.models import Design, EolMeasurement, EolResult, GaugeStudy
from heatproof.report.lot_report import lot_report_html
from heatproof.workspace import Workspace

__all__ = [
    "CAPABILITY_LEVEL",
    "CharacteristicStatistics",
    "LotStatistics",
    "lot_html",
    "lot_statistics",
    "write_lot_report",
]

CAPABILITY_LEVEL = 0.95
MIN_CHART_VALUES = 3
_CHUNK = 5000  # result ids per IN (...) list: well under SQLite's bound-parameter limit
_GAUGE_KEYS = ("pct_grr", "pct_tolerance", "acceptance", "ev", "av", "ndc", "parts", "method")


def _runs(points: list[int]) -> str:
    """Sorted whole numbers as "1, 3-5, 9"."""
    runs: list[list[int]] = []
    for x in points:
        if runs and x == runs[-1][1] + 1:
            runs[-1][1] = x
        else:
            runs.append([x, x])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


@dataclass(frozen=True)
class CharacteristicStatistics:
    """One end-of-line characteristic of a lot: its ``name``, ``unit``, whether it is ``key``,
    the spec limits ``lsl`` and ``usl`` recorded in the end-of-line results (None: one-sided),
    the ``values`` in test order with the ``serials`` measured, the I-MR ``chart`` and the
    ``capability`` at the confidence ``level`` (None, with the reason in ``note``, when there
    are too few values or no spread), and ``gauge``, the design's latest gauge R&R study of it
    (its ``percent_grr``, station, id, time and full ``record``; None: never studied)."""

    name: str
    unit: str
    key: bool
    lsl: float | None
    usl: float | None
    values: tuple[float, ...]
    serials: tuple[str, ...]
    level: float
    chart: ChartPair | None
    capability: Capability | None
    gauge: dict | None
    note: str = ""

    @property
    def n(self) -> int:
        """Number of values."""
        return len(self.values)

    @property
    def in_control(self) -> bool:
        """True when the I-MR chart exists and no rule fired on either chart."""
        return self.chart is not None and self.chart.in_control

    @property
    def firings(self) -> tuple[str, ...]:
        """Each rule firing as "<rule> at points <1-based points>: <rule in words>", the
        individuals' first then the moving ranges'; without a chart, why there is none."""
        if self.chart is None:
            return (self.note,)
        pair = self.chart
        return tuple(
            f"{f.rule} at points {', '.join(str(i + 1) for i in f.indices)}: {f.description}"
            for f in (*pair.location.firings, *pair.dispersion.firings)
        )

    @property
    def rules_fired(self) -> tuple[str, ...]:
        """Each rule that fired with every point it involves (1-based, runs as a-b), the
        individuals' rules then the moving ranges' (prefixed "MR"): e.g. "WE1 at 9, 21-24"."""
        if self.chart is None:
            return ()
        out = []
        for prefix, chart in (("", self.chart.location), ("MR ", self.chart.dispersion)):
            points: dict[str, set[int]] = {}
            for f in chart.firings:
                points.setdefault(f.rule, set()).update(i + 1 for i in f.indices)
            out += [f"{prefix}{rule} at {_runs(sorted(p))}" for rule, p in sorted(points.items())]
        return tuple(out)

    @property
    def percent_grr(self) -> float | None:
        """%GRR of the latest gauge study (None: no study)."""
        return None if self.gauge is None else self.gauge["percent_grr"]

    @property
    def values_sha256(self) -> str:
        """SHA-256 of the values (canonical JSON of {"values": [...]})."""
        return sha256_hex(canonical({"values": list(self.values)}))

    def to_dict(self) -> dict:
        """JSON-ready form (the chart and capability in their own JSON forms)."""
        cap = self.capability
        return {
            "name": self.name,
            "unit": self.unit,
            "key": self.key,
            "lsl": self.lsl,
            "usl": self.usl,
            "n": self.n,
            "mean": cap.mean if cap else (sum(self.values) / self.n if self.values else None),
            "cpk": cap.cpk.estimate if cap else None,
            "cpk_lower_bound": cap.cpk.lower_bound if cap else None,
            "level": self.level,
            "in_control": self.in_control,
            "firings": list(self.firings),
            "rules_fired": list(self.rules_fired),
            "percent_grr": self.percent_grr,
            "note": self.note,
            "values": list(self.values),
            "serials": list(self.serials),
            "values_sha256": self.values_sha256,
            "chart": self.chart.to_dict() if self.chart else None,
            "capability": cap.to_dict() if cap else None,
            "gauge": self.gauge,
        }


@dataclass(frozen=True)
class LotStatistics:
    """A lot's SPC: design ``design`` rev ``revision``, the ``order`` code (None: every pilot
    order of the revision) and its ``kind`` (pilot or mass); ``attempts``, each unit's first
    end-of-line attempt that is evidence (prod.FirstAttempt, in test order); and the
    ``characteristics`` (key ones first)."""

    design: str
    revision: str
    order: str | None
    kind: str
    attempts: tuple[prod.FirstAttempt, ...]
    characteristics: tuple[CharacteristicStatistics, ...]

    @property
    def units(self) -> int:
        """Units tested end of line (a valid first attempt each)."""
        return len(self.attempts)

    @property
    def first_pass(self) -> int:
        """Units that passed at their first attempt."""
        return sum(a.passed for a in self.attempts)

    @property
    def fpy(self) -> float | None:
        """First-pass yield (0..1), None without a unit tested."""
        return first_pass_yield(self.first_pass, self.units)

    @property
    def title(self) -> str:
        """'<design> rev <revision>, <order or "pilot lot">'."""
        lot = f"order {self.order}" if self.order else "pilot lot"
        return f"{self.design} rev {self.revision}, {lot}"

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "design": self.design,
            "revision": self.revision,
            "order": self.order,
            "kind": self.kind,
            "units": self.units,
            "first_pass": self.first_pass,
            "fpy": self.fpy,
            "characteristics": [c.to_dict() for c in self.characteristics],
        }


def _attempts(s: Session, design: Design, order_code: str | None) -> tuple[str, list]:
    """(order kind, first attempts) of the lot: every pilot order, or the order ``order_code``."""
    if order_code is None:
        return "pilot", prod.eol_first_attempts(s, design.id, "pilot")
    order = prod.get_order(s, order_code)
    if order.design_id != design.id:
        other = s.get(Design, order.design_id)
        raise InvalidInput(
            f"order {order_code!r} builds design {other.name} rev {other.revision}, not "
            f"{design.name} rev {design.revision}; give one of its orders (`heatproof line orders`)"
        )
    attempts = prod.eol_first_attempts(s, design.id, order.kind)
    return order.kind, [a for a in attempts if a.order == order_code]


def _measurements(s: Session, result_ids: Sequence[int]) -> dict[tuple[int, str], float]:
    """(result id, characteristic) -> value of the end-of-line results ``result_ids``."""
    found = {}
    for start in range(0, len(result_ids), _CHUNK):
        chunk = result_ids[start : start + _CHUNK]
        rows = s.execute(
            select(
                EolMeasurement.result_id, EolMeasurement.characteristic, EolMeasurement.value
            ).where(EolMeasurement.result_id.in_(chunk))
        )
        found.update({(rid, name): value for rid, name, value in rows})
    return found


def _specs(s: Session, first_result_id: int, measured: set[str], wanted: Sequence[str]) -> list:
    """The characteristics (dicts with name, unit, lsl, usl, key) as the first result recorded
    them, key ones first, then any measured characteristic it does not name; ``wanted`` (when
    not empty) names the key ones instead of the spec's flags."""
    record = s.get(EolResult, first_result_id).record
    rows = [dict(c) for c in record.get("characteristics", []) if isinstance(c, dict)]
    named = {c.get("name") for c in rows}
    rows += [{"name": name} for name in sorted(measured - named)]
    for c in rows:
        c["key"] = c.get("name") in wanted if wanted else bool(c.get("key"))
    return [c for c in rows if c["key"]] + [c for c in rows if not c["key"]]


def _latest_gauges(s: Session, design_id: int) -> dict[str, GaugeStudy]:
    return {g.characteristic: g for g in prod.list_gauge_studies(s, design_id)}


def _gauge(study: GaugeStudy | None) -> dict | None:
    if study is None:
        return None
    return {
        "id": study.id,
        "station": study.station,
        "percent_grr": study.percent_grr,
        "created_at": study.created_at.isoformat(),
        "record": dict(study.record or {}),
    }


def _characteristic(
    spec: dict, values: list[float], serials: list[str], level: float, gauge: dict | None
) -> CharacteristicStatistics:
    name = str(spec["name"])
    chart = cap = None
    note = ""
    if len(values) < MIN_CHART_VALUES:
        note = f"fewer than {MIN_CHART_VALUES} values: no chart"
    else:
        try:
            chart = i_mr(values, name=name)
        except InvalidInput:
            note = "every value equal (no spread): no chart"
        try:
            cap = capability(values, spec.get("lsl"), spec.get("usl"), level, name=name)
        except InvalidInput:
            pass  # no spread, or no spec limit: no capability
    return CharacteristicStatistics(
        name,
        str(spec.get("unit") or ""),
        spec["key"],
        spec.get("lsl"),
        spec.get("usl"),
        tuple(values),
        tuple(serials),
        level,
        chart,
        cap,
        gauge,
        note,
    )


def lot_statistics(
    s: Session,
    name: str,
    revision: str,
    order_code: str | None = None,
    *,
    level: float | None = None,
    key_names: Sequence[str] | None = None,
) -> LotStatistics:
    """The SPC of the lot of design ``name`` rev ``revision`` in session ``s``: its pilot units
    (every pilot order), or order ``order_code``'s units; see the module docstring. Capability
    at confidence ``level`` (0.5..1) with ``key_names`` the key characteristics (empty: the
    spec's flags); None takes each from the design's gate settings. NotFound for an unknown
    design or order (listing the designs), InvalidInput for an order of another design. A lot
    with no unit tested end of line has no characteristics."""
    design = prod.get_design(s, name, revision)
    kind, attempts = _attempts(s, design, order_code)
    stats = LotStatistics(design.name, design.revision, order_code, kind, tuple(attempts), ())
    if not attempts:
        return stats
    settings = design.gate_settings or {}
    if level is None:
        level = float(settings.get("capability_level", CAPABILITY_LEVEL))
    if key_names is None:
        key_names = settings.get("key_characteristics") or ()
    measured = _measurements(s, [a.result_id for a in attempts])
    specs = _specs(s, attempts[0].result_id, {c for _, c in measured}, key_names)
    gauges = _latest_gauges(s, design.id)
    chars = []
    for spec in specs:
        rows = [
            (a.serial, measured[a.result_id, spec["name"]])
            for a in attempts
            if (a.result_id, spec["name"]) in measured
        ]
        chars.append(
            _characteristic(
                spec,
                [v for _, v in rows],
                [x for x, _ in rows],
                level,
                _gauge(gauges.get(spec["name"])),
            )
        )
    return LotStatistics(
        design.name, design.revision, order_code, kind, tuple(attempts), tuple(chars)
    )


# --- the report ----------------------------------------------------------------------------------


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _summary_line(c: CharacteristicStatistics) -> str:
    cap = c.capability
    cpk = f"Cpk {_num(cap.cpk.estimate)} [{_num(cap.cpk.lower_bound)}]" if cap else "no Cpk"
    state = "in control" if c.in_control else c.note or "; ".join(c.rules_fired)
    grr = "no gauge study" if c.percent_grr is None else f"%GRR {c.percent_grr:.3g} %"
    return f"n {c.n}, {cpk}, {state}, {grr}"


def _report_gauge(c: CharacteristicStatistics) -> dict | None:
    """The gauge study as the report draws it: its full GaugeRR record when stored (else None:
    the summary line still names its %GRR)."""
    record = (c.gauge or {}).get("record") or {}
    return record if all(k in record for k in _GAUGE_KEYS) else None


def lot_html(lot: LotStatistics) -> str:
    """The standalone HTML report of ``lot`` (heatproof.report.lot_report): a chart, capability
    and gauge study per characteristic that has a chart; a summary line for every one."""
    charted = [c for c in lot.characteristics if c.chart is not None]
    fpy = "n/a" if lot.fpy is None else f"{lot.fpy:.1%}"
    summary = {
        "design": f"{lot.design} rev {lot.revision}",
        "lot": f"order {lot.order} ({lot.kind})" if lot.order else "pilot orders",
        "units tested": lot.units,
        "first-pass yield": f"{lot.first_pass} of {lot.units} ({fpy})",
        **{f"{c.name}{' (key)' if c.key else ''}": _summary_line(c) for c in lot.characteristics},
    }
    return lot_report_html(
        f"SPC: {lot.title}",
        [c.chart for c in charted],
        [c.capability for c in charted],
        [_report_gauge(c) for c in charted],
        summary,
    )


def write_lot_report(
    ws: Workspace, name: str, revision: str, out: Path | str, order_code: str | None = None
) -> dict:
    """Write the SPC report of design ``name`` rev ``revision``'s lot in workspace ``ws`` (its
    pilot units, or order ``order_code``'s) as standalone HTML to ``out`` (atomically; ``-``:
    standard output). Refused, nothing written, when no unit of the lot was tested end of line.
    Returns the lot's statistics (LotStatistics.to_dict) with the ``report`` path."""
    with ws.unit_of_work() as s:
        lot = lot_statistics(s, name, revision, order_code)
    if not lot.units:
        what = f"order {order_code}" if order_code else "pilot lot"
        raise HeatproofError(
            f"the {what} of design {name} rev {revision} has no unit tested end of line; build "
            f"and test one first (`heatproof station pilot {name} {revision}`)"
        )
    write_text(out, lot_html(lot), "--out")
    return {**lot.to_dict(), "report": str(out)}
