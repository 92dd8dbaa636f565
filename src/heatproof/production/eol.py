"""The end-of-line (EOL) test: its specification and the judgement of one unit's test (pure).

An ``EolSpec`` (TOML, see end_of_line.toml beside this module) names the station, the
characteristics measured on every unit (each with its unit, the instrument that measures it, the
SCPI commands that do, its limits and whether it is a key characteristic for SPC), the retest
policy and the stand procedure of the thermal part. A characteristic with a ``query`` is read over
SCPI; one without is computed by the station from the thermal procedure on the stand.

``judge`` gives PASS, FAIL or INVALID. INVALID: an instrument the spec uses was out of
calibration at the time of the test (or has no calibration given): such a result is not evidence
about the unit, whatever the values say. FAIL: a characteristic outside its limits or not
measured. Every reason is named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from importlib import resources

from heatproof.errors import InvalidInput, require

__all__ = [
    "Characteristic",
    "EolOutcome",
    "EolResult",
    "EolSpec",
    "InstrumentCal",
    "RetestPolicy",
    "default_eol_spec",
    "eol_spec_from_toml",
    "judge",
    "retest_allowed",
]


class EolOutcome(StrEnum):
    """The outcome of one EOL test: PASS, FAIL, or INVALID (not evidence: an instrument was out
    of calibration)."""

    PASS = "PASS"
    FAIL = "FAIL"
    INVALID = "INVALID"


@dataclass(frozen=True)
class Characteristic:
    """One measured characteristic ``name`` in ``unit``, measured by ``instrument``: with SCPI
    ``query`` (after the ``setup`` commands) or, when query is None, by the station's thermal
    procedure; limits ``lsl`` and ``usl`` (None: one-sided); ``key`` marks a key characteristic
    (SPC and Cpk); ``distribution`` ("normal" or "lognormal": a skewed positive value, whose
    capability SPC computes on ln values; a result row names it when not normal)."""

    name: str
    unit: str
    instrument: str
    lsl: float | None
    usl: float | None
    key: bool = False
    query: str | None = None
    setup: tuple[str, ...] = ()
    distribution: str = "normal"

    def passes(self, value: float | None) -> bool:
        """True when ``value`` is finite and within [lsl, usl]."""
        if value is None or not math.isfinite(value):
            return False
        return (self.lsl is None or value >= self.lsl) and (self.usl is None or value <= self.usl)


@dataclass(frozen=True)
class RetestPolicy:
    """A unit may be tested at most ``max_attempts`` times (INVALID attempts not counted: they are
    not evidence); a retest follows only an outcome in ``outcomes``."""

    max_attempts: int = 2
    outcomes: tuple[str, ...] = ("FAIL", "INVALID")


@dataclass(frozen=True)
class EolSpec:
    """The EOL test of ``station``: its ``characteristics`` in order, the ``retest`` policy, the
    stand ``procedure`` file name of the thermal part, and the SHA-256 hex of its TOML text
    (``source_sha256``; ``source`` names where it came from)."""

    station: str
    characteristics: tuple[Characteristic, ...]
    retest: RetestPolicy
    procedure: str
    source: str = ""
    source_sha256: str = ""

    def characteristic(self, name: str) -> Characteristic:
        """The characteristic called ``name``; InvalidInput when the spec has none."""
        for c in self.characteristics:
            if c.name == name:
                return c
        names = ", ".join(c.name for c in self.characteristics)
        raise InvalidInput(f"EOL spec {self.source}: no characteristic {name!r}; it has {names}")

    @property
    def instruments(self) -> tuple[str, ...]:
        """The instruments the characteristics use, in order of first use."""
        return tuple(dict.fromkeys(c.instrument for c in self.characteristics))


@dataclass(frozen=True)
class InstrumentCal:
    """An instrument ``name`` as the station found it: its ``identity`` (*IDN? answer) and its
    calibration due date ``due`` (in calibration up to and including that date)."""

    name: str
    identity: str
    due: dt.date

    def valid_on(self, day: dt.date) -> bool:
        """True when the instrument is in calibration on ``day``."""
        return day <= self.due


@dataclass(frozen=True)
class EolResult:
    """One EOL test at ``at_utc`` of the ``station`` with spec ``spec_sha256``: its ``outcome``,
    the ``reasons`` (empty on PASS), ``characteristics`` (one dict each: value, limits, passed)
    and ``instruments`` (one dict each: identity, calibration due date, valid at the test)."""

    station: str
    spec_sha256: str
    at_utc: str
    outcome: EolOutcome
    reasons: tuple[str, ...]
    characteristics: tuple[dict, ...]
    instruments: tuple[dict, ...]

    def to_dict(self) -> dict:
        """The result as plain JSON-ready values."""
        data = asdict(self)
        data["outcome"] = str(self.outcome)
        data["reasons"] = list(self.reasons)
        data["characteristics"] = [dict(c) for c in self.characteristics]
        data["instruments"] = [dict(i) for i in self.instruments]
        return data

    def value(self, name: str) -> float | None:
        """The measured value of the characteristic ``name`` (None when not measured)."""
        return next(c["value"] for c in self.characteristics if c["name"] == name)


def judge(
    spec: EolSpec,
    measured: Mapping[str, float | None],
    instruments: Sequence[InstrumentCal],
    at_utc: dt.datetime,
    procedure_reasons: Sequence[str] = (),
) -> EolResult:
    """Judge one unit's ``measured`` values (characteristic name -> value in its unit; None or
    missing: not measured) against ``spec``, with the ``instruments`` used (their calibration),
    at the time of the test ``at_utc`` (an aware datetime). INVALID when an instrument the spec
    uses has no calibration given or was out of calibration on the test's UTC date; else FAIL
    when a characteristic is out of limits or not measured, or when the thermal procedure did
    not pass (``procedure_reasons``: why, one line each); else PASS."""
    require(
        at_utc.tzinfo is not None,
        f"at_utc={at_utc.isoformat()} has no time zone; give an aware UTC datetime",
    )
    day = at_utc.astimezone(dt.UTC).date()
    cals = {i.name: i for i in instruments}
    invalid = [_calibration_reason(name, cals.get(name), day) for name in spec.instruments]
    invalid = [r for r in invalid if r]
    rows, failed = [], []
    for c in spec.characteristics:
        value = measured.get(c.name)
        value = float(value) if value is not None and math.isfinite(value) else None
        passed = c.passes(value)
        rows.append(
            {
                "name": c.name,
                "unit": c.unit,
                "instrument": c.instrument,
                "key": c.key,
                "value": value,
                "lsl": c.lsl,
                "usl": c.usl,
                "passed": passed,
            }
            | ({} if c.distribution == "normal" else {"distribution": c.distribution})
        )
        if not passed:
            failed.append(_limit_reason(c, value))
    failed += [f"thermal procedure: {r}" for r in procedure_reasons]
    outcome = EolOutcome.INVALID if invalid else EolOutcome.FAIL if failed else EolOutcome.PASS
    return EolResult(
        spec.station,
        spec.source_sha256,
        at_utc.astimezone(dt.UTC).isoformat(),
        outcome,
        tuple(invalid + failed),
        tuple(rows),
        tuple(
            {
                "name": i.name,
                "identity": i.identity,
                "calibration_due": i.due.isoformat(),
                "valid": i.valid_on(day),
            }
            for i in instruments
        ),
    )


def _calibration_reason(name: str, cal: InstrumentCal | None, day: dt.date) -> str | None:
    if cal is None:
        return f"instrument {name}: no calibration given; the result is not evidence"
    if not cal.valid_on(day):
        return (
            f"instrument {name} ({cal.identity}) was out of calibration (due "
            f"{cal.due.isoformat()}, test on {day.isoformat()}); the result is not evidence: "
            "recalibrate it and retest"
        )
    return None


def _limit_reason(c: Characteristic, value: float | None) -> str:
    if value is None:
        return f"{c.name}: not measured"
    if c.lsl is not None and value < c.lsl:
        return f"{c.name} = {value:.6g} {c.unit} below LSL {c.lsl:g} {c.unit}"
    return f"{c.name} = {value:.6g} {c.unit} above USL {c.usl:g} {c.unit}"


def retest_allowed(spec: EolSpec, attempts: Sequence[str]) -> bool:
    """Whether the unit may be tested (again) after ``attempts``, the outcomes of its EOL tests
    so far in order (PASS, FAIL, INVALID), under the spec's retest policy: yes before any test;
    after one, only when the last outcome is retestable and fewer than max_attempts counted
    (non-INVALID) attempts were made."""
    for outcome in attempts:
        require(
            outcome in EolOutcome.__members__,
            f"attempt outcome {outcome!r} is unknown; use PASS, FAIL or INVALID",
        )
    if not attempts:
        return True
    policy = spec.retest
    counted = sum(1 for a in attempts if a != EolOutcome.INVALID)
    return attempts[-1] in policy.outcomes and counted < policy.max_attempts


# ------------------------------------------------------------------ TOML
DISTRIBUTIONS = ("normal", "lognormal")
_KEYS = {
    "spec": ("station", "procedure", "retest", "characteristics"),
    "retest": ("max_attempts", "outcomes"),
    "characteristic": (
        "name",
        "unit",
        "instrument",
        "query",
        "setup",
        "lsl",
        "usl",
        "key",
        "distribution",
    ),
}


def eol_spec_from_toml(text: str, source: str) -> EolSpec:
    """The EOL spec in TOML ``text``, read from ``source`` (a file name, for messages);
    InvalidInput in one line naming the source, the field, its value and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"EOL spec {source} is not valid TOML ({exc}); fix the file") from None
    try:
        return _spec(data, source, hashlib.sha256(text.encode()).hexdigest())
    except InvalidInput as err:
        raise InvalidInput(f"EOL spec {source}: {err}") from None


def default_eol_spec() -> EolSpec:
    """The default EOL spec shipped with heatproof (production/end_of_line.toml)."""
    text = resources.files("heatproof.production").joinpath("end_of_line.toml").read_text("utf-8")
    return eol_spec_from_toml(text, "end_of_line.toml")


def _spec(data: dict, source: str, sha: str) -> EolSpec:
    _known(data, "spec", "spec")
    retest = data.get("retest", {})
    require(isinstance(retest, dict), f"retest={retest!r} is not a table; write [retest]")
    _known(retest, "retest", "retest")
    items = data.get("characteristics")
    require(
        isinstance(items, list) and len(items) > 0,
        "characteristics is missing or empty; add [[characteristics]] tables",
    )
    chars = tuple(_characteristic(i, c) for i, c in enumerate(items))
    names = [c.name for c in chars]
    require(len(set(names)) == len(names), f"characteristics: names repeat ({names})")
    return EolSpec(
        _text(data, "station", "spec"),
        chars,
        _retest(retest),
        _text(data, "procedure", "spec"),
        source,
        sha,
    )


def _retest(data: dict) -> RetestPolicy:
    max_attempts = data.get("max_attempts", 2)
    require(
        isinstance(max_attempts, int) and not isinstance(max_attempts, bool) and max_attempts >= 1,
        f"retest.max_attempts={max_attempts!r} is not a count >= 1; give e.g. max_attempts = 2",
    )
    outcomes = data.get("outcomes", ["FAIL", "INVALID"])
    require(
        isinstance(outcomes, list) and all(o in ("FAIL", "INVALID") for o in outcomes),
        f"retest.outcomes={outcomes!r}; give a list of FAIL and/or INVALID",
    )
    return RetestPolicy(max_attempts, tuple(outcomes))


def _characteristic(i: int, data) -> Characteristic:
    field = f"characteristics[{i}]"
    require(isinstance(data, dict), f"{field}={data!r} is not a table; write [[characteristics]]")
    _known(data, "characteristic", field)
    name = _text(data, "name", field)
    field = f"characteristic {name}"
    lsl, usl = _limit(data, "lsl", field), _limit(data, "usl", field)
    require(lsl is not None or usl is not None, f"{field}: no limit; give lsl and/or usl")
    require(lsl is None or usl is None or lsl < usl, f"{field}: lsl={lsl} >= usl={usl}; swap them")
    key = data.get("key", False)
    require(isinstance(key, bool), f"{field}.key={key!r} is not true or false")
    query = _text(data, "query", field) if "query" in data else None
    setup = data.get("setup", [])
    require(
        isinstance(setup, list) and all(isinstance(s, str) and s.strip() for s in setup),
        f'{field}.setup={setup!r} is not a list of SCPI commands; give e.g. setup = ["CONF:FRES"]',
    )
    require(query is not None or not setup, f"{field}: setup commands need a query")
    distribution = _distribution(data, field, lsl, usl)
    return Characteristic(
        name,
        _text(data, "unit", field),
        _text(data, "instrument", field),
        lsl,
        usl,
        key,
        query,
        tuple(setup),
        distribution,
    )


def _distribution(data: dict, field: str, lsl: float | None, usl: float | None) -> str:
    """The characteristic's declared distribution: normal (default) or lognormal (positive
    limits only)."""
    value = data.get("distribution", "normal")
    require(
        value in DISTRIBUTIONS,
        f"{field}.distribution={value!r} is not one of {'|'.join(DISTRIBUTIONS)}; "
        'give e.g. distribution = "lognormal"',
    )
    require(
        value == "normal" or all(x is None or x > 0 for x in (lsl, usl)),
        f"{field}: a lognormal characteristic needs positive limits (lsl={lsl}, usl={usl}); "
        'give positive limits or distribution = "normal"',
    )
    return value


def _known(data: dict, kind: str, field: str) -> None:
    unknown = sorted(set(data) - set(_KEYS[kind]))
    require(not unknown, f"{field}: unknown key(s) {unknown}; use {', '.join(_KEYS[kind])}")


def _text(data: dict, key: str, field: str) -> str:
    value = data.get(key)
    require(
        isinstance(value, str) and value.strip() != "",
        f'{field}.{key}={value!r} is not a name; give a non-empty text, e.g. {key} = "x"',
    )
    return value


def _limit(data: dict, key: str, field: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    require(
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value),
        f"{field}.{key}={value!r} is not a finite number; give the limit in the characteristic's unit",
    )
    return float(value)
