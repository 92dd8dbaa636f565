"""SPC of a lot: the one place that computes a production lot's control charts and capability.

A lot is a design revision's pilot units (every pilot order) or one order's units. Each unit
counts once, by its first end-of-line attempt that is evidence (valid, PASS or FAIL: as
first-pass yield counts it), in test order. Per end-of-line characteristic (the key ones first,
then the others, each group in the order of the end-of-line spec): its values in test order with
their serials, a control chart, the capability against the spec limits recorded in the
end-of-line results (Cp, Cpk, Pp, Ppk with confidence intervals and the Cpk's one-sided lower
bound) and the latest gauge R&R study of the design. G3 (heatproof.factory.gates) reads its key
characteristics from here with the default chart; ``heatproof line spc`` prints them and writes
the lot's HTML report (heatproof.report.lot_report).

The chart (ChartChoice) is by default the individuals and moving-range chart with the Western
Electric rules; else X̄-R or X̄-S on subgroups of n consecutive units in test order (the units
after the last full subgroup are dropped and counted), or EWMA (weight λ, limits L sigma, exact
limits; it signals on points beyond them only), with the Western Electric or Nelson rules on a
Shewhart location chart. The within sigma of the capability follows the chart: MR̄/d2(2) for
I-MR and EWMA, R̄/d2(n) or S̄/c4(n) over the charted subgroups for X̄-R and X̄-S. A
characteristic the end-of-line spec declares lognormal has its capability on ln values.

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
from heatproof.production.capability import Capability, capability, log_capability
from heatproof.production.line import first_pass_yield
from heatproof.production.spc import (
    MAX_SUBGROUP,
    MIN_SUBGROUP,
    RULE_SETS,
    ChartPair,
    EwmaChart,
    ewma,
    i_mr,
    xbar_r,
    xbar_s,
)
from heatproof.records import production as prod
from heatproof.records.models import Design, EolMeasurement, EolResult, GaugeStudy
from heatproof.report.lot_report import lot_report_html
from heatproof.workspace import Workspace

__all__ = [
    "CAPABILITY_LEVEL",
    "CHARTS",
    "ChartChoice",
    "CharacteristicStatistics",
    "LotStatistics",
    "chart_choice",
    "lot_html",
    "lot_statistics",
    "write_lot_report",
]

CAPABILITY_LEVEL = 0.95
MIN_CHART_VALUES = 3
CHARTS = ("imr", "xbar-r", "xbar-s", "ewma")
DEFAULT_SUBGROUP = 5
DEFAULT_LAMBDA = 0.2
DEFAULT_L = 3.0
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
class ChartChoice:
    """The control chart of a lot's characteristics: ``kind`` (one of CHARTS), the ``subgroup``
    size n of X̄ charts (consecutive units in test order; 1 otherwise), the run ``rules`` of a
    Shewhart location chart ("we" or "nelson"; EWMA signals beyond its limits only) and EWMA's
    weight ``lam`` (λ) and limit width ``L`` (sigmas). Build it with chart_choice."""

    kind: str = "imr"
    subgroup: int = 1
    rules: str = "we"
    lam: float = DEFAULT_LAMBDA
    L: float = DEFAULT_L

    @property
    def label(self) -> str:
        """In words, e.g. "I-MR, Western Electric rules" or "EWMA, λ 0.2, L 3"."""
        rules = "Western Electric rules" if self.rules == "we" else "Nelson rules"
        if self.kind == "ewma":
            return f"EWMA, λ {self.lam:g}, L {self.L:g}, points beyond the exact limits"
        if self.kind == "imr":
            return f"I-MR, {rules}"
        return f"{'X̄-R' if self.kind == 'xbar-r' else 'X̄-S'}, subgroups of {self.subgroup}, {rules}"

    def to_dict(self) -> dict:
        """JSON-ready form (EWMA's lambda and L only for EWMA; rules None for EWMA)."""
        out = {"kind": self.kind, "subgroup": self.subgroup, "label": self.label}
        if self.kind == "ewma":
            return {**out, "rules": None, "lambda": self.lam, "L": self.L}
        return {**out, "rules": self.rules}


def _refuse_unless(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidInput(message)


def chart_choice(
    kind: str = "imr",
    subgroup: int | None = None,
    rules: str | None = None,
    lam: float | None = None,
    L: float | None = None,
) -> ChartChoice:
    """The chart ``kind`` (imr, xbar-r, xbar-s, ewma) with its ``subgroup`` size (X̄ charts only,
    MIN_SUBGROUP..MAX_SUBGROUP, default DEFAULT_SUBGROUP), run ``rules`` (we or nelson, default
    we; not for EWMA) and EWMA's ``lam`` (0 < λ <= 1, default DEFAULT_LAMBDA) and ``L`` (> 0
    sigmas, default DEFAULT_L). None: not given. InvalidInput in one line naming the option
    and the fix for a value out of range or an option the chart does not take."""
    _refuse_unless(kind in CHARTS, f"--chart {kind!r} is not one of {'|'.join(CHARTS)}; give one")
    xbar, is_ewma = kind.startswith("xbar"), kind == "ewma"
    _refuse_unless(
        subgroup is None or xbar,
        f"--subgroup {subgroup} applies to X̄ charts; give --chart xbar-r or xbar-s, or drop it",
    )
    n = DEFAULT_SUBGROUP if subgroup is None else subgroup
    _refuse_unless(
        not xbar or MIN_SUBGROUP <= n <= MAX_SUBGROUP,
        f"--subgroup {n} is outside {MIN_SUBGROUP}..{MAX_SUBGROUP} (the exact chart constants' "
        f"range); give {MIN_SUBGROUP} to {MAX_SUBGROUP} consecutive units per subgroup",
    )
    _refuse_unless(
        rules is None or rules in RULE_SETS,
        f"--rules {rules!r} is not one of {'|'.join(RULE_SETS)}; give one",
    )
    _refuse_unless(
        rules is None or not is_ewma,
        f"--rules {rules} applies to Shewhart charts (an EWMA chart signals on points beyond its "
        "limits); drop --rules or give another --chart",
    )
    _refuse_unless(
        (lam is None and L is None) or is_ewma,
        "--lambda and --L apply to the EWMA chart; give --chart ewma or drop them",
    )
    lam = DEFAULT_LAMBDA if lam is None else float(lam)
    L = DEFAULT_L if L is None else float(L)
    _refuse_unless(0 < lam <= 1, f"--lambda {lam:g} is outside (0, 1]; give e.g. 0.2")
    _refuse_unless(L > 0, f"--L {L:g} is not positive; give e.g. 3")
    return ChartChoice(kind, n if xbar else 1, rules or "we", lam, L)


def _point_text(indices, n: int) -> str:
    """Chart points (0-based) as 1-based text: "points 3, 5, 6", or for subgroups of n > 1
    "subgroups 2-3 (units 6-15)" (the units counted in the characteristic's test order)."""
    if n == 1:
        return f"points {', '.join(str(i + 1) for i in indices)}"
    points = sorted({i + 1 for i in indices})
    units = sorted({(p - 1) * n + k for p in points for k in range(1, n + 1)})
    return f"subgroups {_runs(points)} (units {_runs(units)})"


@dataclass(frozen=True)
class CharacteristicStatistics:
    """One end-of-line characteristic of a lot: its ``name``, ``unit``, whether it is ``key``,
    the spec limits ``lsl`` and ``usl`` recorded in the end-of-line results (None: one-sided),
    the ``values`` in test order with the ``serials`` measured, the ``chart`` (a ChartPair, or
    an EwmaChart; None, with the reason in ``note``, when there are too few values or no
    spread) and the ``capability`` at the confidence ``level`` (None, with the reason in
    ``capability_note``), and ``gauge``, the design's latest gauge R&R study of it (its
    ``percent_grr``, station, id, time and full ``record``; None: never studied). ``choice`` is
    the chart asked for, ``dropped`` the units after its last full subgroup (not charted) and
    ``distribution`` the declared one ("lognormal": capability on ln values)."""

    name: str
    unit: str
    key: bool
    lsl: float | None
    usl: float | None
    values: tuple[float, ...]
    serials: tuple[str, ...]
    level: float
    chart: ChartPair | EwmaChart | None
    capability: Capability | None
    gauge: dict | None
    note: str = ""
    choice: ChartChoice = ChartChoice()
    dropped: int = 0
    distribution: str = "normal"
    capability_note: str = ""

    @property
    def n(self) -> int:
        """Number of values."""
        return len(self.values)

    @property
    def in_control(self) -> bool:
        """True when the chart exists and no rule fired on it (on either chart of a pair)."""
        return self.chart is not None and self.chart.in_control

    def _charts(self) -> list[tuple[str, object]]:
        """(prefix, chart) of each chart drawn: the location chart (no prefix) then the
        dispersion chart (prefixed by its name), or the EWMA chart alone."""
        if isinstance(self.chart, EwmaChart):
            return [("", self.chart)]
        pair = self.chart
        return [("", pair.location), (f"{pair.dispersion.name} ", pair.dispersion)]

    @property
    def firings(self) -> tuple[str, ...]:
        """Each rule firing as "<rule> at points <1-based points>: <rule in words>" (X̄ charts:
        "at subgroups <k> (units <i-j>)"), the location chart's first then the dispersion
        chart's (whose rule is LIMIT, as EWMA's); without a chart, why there is none."""
        if self.chart is None:
            return (self.note,)
        n = self.choice.subgroup
        return tuple(
            f"{f.rule} at {_point_text(f.indices, n)}: {f.description}"
            for _, chart in self._charts()
            for f in chart.firings
        )

    @property
    def rules_fired(self) -> tuple[str, ...]:
        """Each rule that fired with every point it involves (1-based, runs as a-b), the
        location chart's rules then the dispersion chart's (prefixed by its name, e.g. "MR"):
        e.g. "WE1 at 9, 21-24"; X̄ charts count subgroups ("WE1 at subgroups 2-3")."""
        if self.chart is None:
            return ()
        out = []
        word = "" if self.choice.subgroup == 1 else "subgroups "
        for prefix, chart in self._charts():
            points: dict[str, set[int]] = {}
            for f in chart.firings:
                points.setdefault(f.rule, set()).update(i + 1 for i in f.indices)
            out += [
                f"{prefix}{rule} at {word}{_runs(sorted(p))}" for rule, p in sorted(points.items())
            ]
        return tuple(out)

    @property
    def limits(self) -> dict[str, dict[str, float]]:
        """Center line and control limits of each chart drawn, by chart name (in the values'
        unit; EWMA: its asymptotic limits, the exact ones being in the chart itself)."""
        if self.chart is None:
            return {}
        if isinstance(self.chart, EwmaChart):
            c = self.chart
            return {"EWMA": {"center": c.target, "lcl": c.lcl_asymptotic, "ucl": c.ucl_asymptotic}}
        return {
            chart.name: {"center": chart.center, "lcl": chart.lcl, "ucl": chart.ucl}
            for _, chart in self._charts()
        }

    @property
    def chart_note(self) -> str:
        """The chart in words with the units dropped after its last full subgroup, if any."""
        if not self.dropped:
            return self.choice.label
        unit = "unit" if self.dropped == 1 else "units"
        return f"{self.choice.label}; last {self.dropped} {unit} (an incomplete subgroup) dropped"

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
            "distribution": self.distribution,
            "capability_scale": cap.scale if cap else None,
            "chart_kind": self.choice.kind,
            "chart_note": self.chart_note,
            "dropped": self.dropped,
            "limits": self.limits,
            "in_control": self.in_control,
            "firings": list(self.firings),
            "rules_fired": list(self.rules_fired),
            "percent_grr": self.percent_grr,
            "note": self.note,
            "capability_note": self.capability_note,
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
    end-of-line attempt that is evidence (prod.FirstAttempt, in test order); the
    ``characteristics`` (key ones first) and the ``choice`` of chart."""

    design: str
    revision: str
    order: str | None
    kind: str
    attempts: tuple[prod.FirstAttempt, ...]
    characteristics: tuple[CharacteristicStatistics, ...]
    choice: ChartChoice = ChartChoice()

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
            "chart": self.choice.to_dict(),
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


def _charted(values: list[float], choice: ChartChoice) -> list[float] | list[list[float]]:
    """The values as the chart takes them: individuals, or the full subgroups of n in order."""
    n = choice.subgroup
    if n == 1:
        return values
    return [values[i : i + n] for i in range(0, len(values) - n + 1, n)]


def _chart(name: str, data: list, choice: ChartChoice) -> tuple[ChartPair | EwmaChart | None, str]:
    """(chart, note): the chart ``choice`` of ``data`` (individuals or subgroups) for the
    characteristic ``name``; None with the reason when there is none."""
    if choice.subgroup > 1 and len(data) < 2:
        return None, f"fewer than 2 subgroups of {choice.subgroup}: no chart"
    try:
        if choice.kind == "ewma":
            return ewma(data, choice.lam, choice.L), ""
        make = {"imr": i_mr, "xbar-r": xbar_r, "xbar-s": xbar_s}[choice.kind]
        return make(data, rules=choice.rules, name=name), ""
    except InvalidInput:
        return None, "every value equal (no spread): no chart"


def _capability(spec: dict, data: list, level: float, choice: ChartChoice):
    """(Capability or None, note): on ln values for a lognormal characteristic; the within
    sigma of subgroups as their chart estimates it."""
    within = "std" if choice.kind == "xbar-s" else "range"
    how = log_capability if spec.get("distribution") == "lognormal" else capability
    if spec.get("lsl") is None and spec.get("usl") is None:
        return None, "no spec limit: no capability"
    try:
        return how(data, spec.get("lsl"), spec.get("usl"), level, within, str(spec["name"])), ""
    except InvalidInput as err:
        return None, f"no capability: {err}"


def _characteristic(
    spec: dict,
    values: list[float],
    serials: list[str],
    level: float,
    gauge: dict | None,
    choice: ChartChoice,
) -> CharacteristicStatistics:
    name = str(spec["name"])
    chart = cap = None
    note = cap_note = ""
    data = _charted(values, choice)
    if len(values) < MIN_CHART_VALUES:
        note = f"fewer than {MIN_CHART_VALUES} values: no chart"
        cap_note = "too few values: no capability"
    else:
        chart, note = _chart(name, data, choice)
        cap, cap_note = _capability(spec, data if len(data) >= 2 else values, level, choice)
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
        choice,
        len(values) % choice.subgroup if choice.subgroup > 1 else 0,
        str(spec.get("distribution") or "normal"),
        cap_note,
    )


def lot_statistics(
    s: Session,
    name: str,
    revision: str,
    order_code: str | None = None,
    *,
    level: float | None = None,
    key_names: Sequence[str] | None = None,
    choice: ChartChoice | None = None,
) -> LotStatistics:
    """The SPC of the lot of design ``name`` rev ``revision`` in session ``s``: its pilot units
    (every pilot order), or order ``order_code``'s units; see the module docstring. Capability
    at confidence ``level`` (0.5..1) with ``key_names`` the key characteristics (empty: the
    spec's flags); None takes each from the design's gate settings. ``choice`` is the chart
    (default: I-MR with the Western Electric rules, as G3 reads it). NotFound for an unknown
    design or order (listing the designs), InvalidInput for an order of another design. A lot
    with no unit tested end of line has no characteristics."""
    choice = ChartChoice() if choice is None else choice
    design = prod.get_design(s, name, revision)
    kind, attempts = _attempts(s, design, order_code)
    head = (design.name, design.revision, order_code, kind, tuple(attempts))
    stats = LotStatistics(*head, (), choice)
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
                choice,
            )
        )
    return LotStatistics(*head, tuple(chars), choice)


# --- the report ----------------------------------------------------------------------------------


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _summary_line(c: CharacteristicStatistics) -> str:
    cap = c.capability
    cpk = f"Cpk {_num(cap.cpk.estimate)} [{_num(cap.cpk.lower_bound)}]" if cap else "no Cpk"
    if cap and cap.scale == "ln":
        cpk += " on ln values"
    state = "in control" if c.in_control else c.note or "; ".join(c.rules_fired)
    grr = "no gauge study" if c.percent_grr is None else f"%GRR {c.percent_grr:.3g} %"
    return f"n {c.n}, {cpk}, {state}, {grr}"


def _report_gauge(c: CharacteristicStatistics) -> dict | None:
    """The gauge study as the report draws it: its full GaugeRR record when stored (else None:
    the summary line still names its %GRR)."""
    record = (c.gauge or {}).get("record") or {}
    return record if all(k in record for k in _GAUGE_KEYS) else None


def lot_html(lot: LotStatistics) -> str:
    """The standalone HTML report of ``lot`` (heatproof.report.lot_report): the chart chosen
    with its limits and every firing's points marked, capability and gauge study per
    characteristic that has a chart; a summary line for every one."""
    charted = [c for c in lot.characteristics if c.chart is not None]
    fpy = "n/a" if lot.fpy is None else f"{lot.fpy:.1%}"
    summary = {
        "design": f"{lot.design} rev {lot.revision}",
        "lot": f"order {lot.order} ({lot.kind})" if lot.order else "pilot orders",
        "units tested": lot.units,
        "first-pass yield": f"{lot.first_pass} of {lot.units} ({fpy})",
        "chart": lot.choice.label,
        **{f"{c.name}{' (key)' if c.key else ''}": _summary_line(c) for c in lot.characteristics},
    }
    return lot_report_html(
        f"SPC: {lot.title}",
        [c.chart for c in charted],
        [c.capability for c in charted],
        [_report_gauge(c) for c in charted],
        summary,
        names=[c.name for c in charted],
        notes=[c.chart_note for c in charted],
    )


def write_lot_report(
    ws: Workspace,
    name: str,
    revision: str,
    out: Path | str,
    order_code: str | None = None,
    choice: ChartChoice | None = None,
) -> dict:
    """Write the SPC report of design ``name`` rev ``revision``'s lot in workspace ``ws`` (its
    pilot units, or order ``order_code``'s) with the chart ``choice`` (default I-MR, Western
    Electric rules) as standalone HTML to ``out`` (atomically; ``-``: standard output). Refused,
    nothing written, when no unit of the lot was tested end of line. Returns the lot's
    statistics (LotStatistics.to_dict) with the ``report`` path."""
    with ws.unit_of_work() as s:
        lot = lot_statistics(s, name, revision, order_code, choice=choice)
    if not lot.units:
        what = f"order {order_code}" if order_code else "pilot lot"
        raise HeatproofError(
            f"the {what} of design {name} rev {revision} has no unit tested end of line; build "
            f"and test one first (`heatproof station pilot {name} {revision}`)"
        )
    write_text(out, lot_html(lot), "--out")
    return {**lot.to_dict(), "report": str(out)}
