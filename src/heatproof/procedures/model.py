"""Test procedures as declarative TOML files (see docs/stands.md and procedures/*.toml).

A procedure is a list of phases run in order, then a teardown that always runs:
  ramp    command the target (start if off) and wait until the controller reports HOLD;
  hold    keep the setpoint for duration_s; an analysed window (phase tag 0, 1, ...);
  soak    keep the setpoint for duration_s; settling, not analysed (tag -3);
  measure keep the setpoint for duration_s for measurements only (tag -4);
  cool    shut down and wait until every core thermocouple reads below until_k or duration_s
          (tag -1, the twin's SHUTDOWN_PHASE).
Each phase may carry measurements: a statistic of one channel over the phase (or its last
last_s seconds) checked against limits with a marginal band; a design revision may override
the limits. Before the first phase the runner waits until the stand is ready ([start]: mode OFF
and the median core thermocouple below ready_below_k, within ready_timeout_s). Times in stand
seconds, temperatures in K.
"""

from __future__ import annotations

import hashlib
import math
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from heatproof.errors import InvalidInput, decode_utf8, require

PHASE_TYPES = ("ramp", "hold", "soak", "measure", "cool")
STATISTICS = ("mean", "min", "max", "std", "last", "drift")
TAG_COOL, TAG_RAMP, TAG_SOAK, TAG_MEASURE = -1, -2, -3, -4


@dataclass(frozen=True)
class Limits:
    """Pass if low <= value <= high; MARGINAL if within ``marginal`` of either limit."""

    low: float = -math.inf
    high: float = math.inf
    marginal: float = 0.0

    def __post_init__(self) -> None:
        require(self.low <= self.high, f"limits low={self.low} > high={self.high}; swap them")
        require(
            self.marginal >= 0, f"marginal={self.marginal} must be >= 0 (a band inside the limits)"
        )


@dataclass(frozen=True)
class Measurement:
    """A statistic (one of STATISTICS) of the channel ``channel`` over a phase, or over its last
    ``last_s`` seconds when given, judged against ``limits``; ``revisions`` holds (design
    revision, Limits) pairs that override them. ``name`` names it in results."""

    name: str
    channel: str
    statistic: str = "mean"
    last_s: float | None = None
    limits: Limits = field(default_factory=Limits)
    revisions: tuple[tuple[str, Limits], ...] = ()

    def __post_init__(self) -> None:
        require(
            self.statistic in STATISTICS,
            f"measurement {self.name}: statistic={self.statistic!r}; use one of {', '.join(STATISTICS)}",
        )

    def limits_for(self, revision: str | None) -> Limits:
        """The limits for design ``revision``: its override, else the default ``limits``."""
        return dict(self.revisions).get(revision, self.limits) if revision else self.limits


@dataclass(frozen=True)
class Phase:
    """One phase (see the module docstring), named ``name``, of ``type`` one of PHASE_TYPES.
    ``target_k`` (K) is the setpoint, commanded when given (a ramp needs it); ``duration_s``
    (s) is how long a hold, soak or measure lasts and a cool's time limit; ``timeout_s`` (s)
    bounds a ramp's settling and a cool without duration_s; a cool ends early once every core
    thermocouple reads below ``until_k`` (K), and fails when it does not in time. The phase's
    ``measurements`` are judged over its samples."""

    name: str
    type: str
    target_k: float | None = None
    duration_s: float = 0.0
    timeout_s: float = 7200.0
    until_k: float | None = None
    measurements: tuple[Measurement, ...] = ()

    def __post_init__(self) -> None:
        require(
            self.type in PHASE_TYPES,
            f"phase {self.name}: type={self.type!r}; use one of {', '.join(PHASE_TYPES)}",
        )
        require(
            self.type != "ramp" or self.target_k is not None,
            f"phase {self.name}: a ramp needs target_k",
        )
        require(
            self.duration_s >= 0, f"phase {self.name}: duration_s={self.duration_s} must be >= 0"
        )
        require(
            self.type not in ("hold", "soak", "measure") or self.duration_s > 0,
            f"phase {self.name}: a {self.type} needs duration_s > 0",
        )
        require(
            self.type != "cool" or self.duration_s > 0 or self.until_k is not None,
            f"phase {self.name}: a cool phase needs duration_s or until_k",
        )


@dataclass(frozen=True)
class Teardown:
    """Always run: shut down and wait, at most ``timeout_s`` (s), until the drive reads at most
    ``drive_off_w`` (W) in a safe mode (OFF, SHUTDOWN or TRIPPED)."""

    timeout_s: float = 3600.0
    drive_off_w: float = 5.0


READY_BELOW_K = 333.15  # 60 degC: 35 K above the twin's 298.15 K room, 10 K above its off_k
READY_TIMEOUT_S = 4 * 3600.0  # the twin cools from 950 K to ready in about 6600 s


@dataclass(frozen=True)
class Start:
    """What ready means before the first phase: the stand reports mode OFF and its median core
    thermocouple reads below ``ready_below_k`` (K); the procedure aborts when the stand is not
    ready within ``ready_timeout_s`` (s, stand clock)."""

    ready_below_k: float = READY_BELOW_K
    ready_timeout_s: float = READY_TIMEOUT_S


@dataclass(frozen=True)
class TestProcedure:
    """A procedure named ``name`` of ``kind`` calibration or active: its ``phases`` in order,
    then its ``teardown``; ``source_sha256`` is the SHA-256 hex of its TOML text (empty when
    built in code); ``start`` says when the stand is ready for the first phase."""

    __test__ = False

    name: str
    kind: str
    phases: tuple[Phase, ...]
    teardown: Teardown = field(default_factory=Teardown)
    source_sha256: str = ""
    start: Start = field(default_factory=Start)

    def __post_init__(self) -> None:
        require(
            self.kind in ("calibration", "active"),
            f"procedure {self.name}: kind={self.kind!r}; use calibration or active",
        )
        require(len(self.phases) > 0, f"procedure {self.name} has no phases; add [[phases]]")
        names = [p.name for p in self.phases]
        require(
            len(set(names)) == len(names), f"procedure {self.name}: phase names repeat ({names})"
        )

    def tags(self) -> list[int]:
        """The phase tag of each phase: hold phases count 0, 1, ...; others negative."""
        tags, holds = [], 0
        for p in self.phases:
            if p.type == "hold":
                tags.append(holds)
                holds += 1
            else:
                tags.append(
                    {"ramp": TAG_RAMP, "soak": TAG_SOAK, "measure": TAG_MEASURE, "cool": TAG_COOL}[
                        p.type
                    ]
                )
        return tags

    def to_dict(self) -> dict:
        """The procedure as nested dicts and tuples (dataclasses.asdict)."""
        return asdict(self)


MAX_TIME_S = 366 * 86400.0  # a phase, timeout or window longer than a year is a typo
MAX_TEMPERATURE_K = 5000.0
MAX_DRIVE_W = 1e6
_KEYS = {
    "procedure": ("name", "kind", "start", "phases", "teardown"),
    "start": ("ready_below_k", "ready_timeout_s"),
    "phase": ("name", "type", "target_k", "duration_s", "timeout_s", "until_k", "measurements"),
    "measurement": ("name", "channel", "statistic", "last_s", "limits", "revisions"),
    "limits": ("low", "high", "marginal"),
    "teardown": ("timeout_s", "drive_off_w"),
}


def _table(value, field: str, kind: str) -> dict:
    """A TOML table whose keys are all known for its kind."""
    require(
        isinstance(value, dict),
        f"{field}={value!r} is not a table; give {kind} keys {', '.join(_KEYS[kind])}",
    )
    unknown = sorted(set(value) - set(_KEYS[kind]))
    require(
        not unknown, f"{field}: unknown key(s) {unknown}; use {', '.join(sorted(_KEYS[kind]))}"
    )
    return value


def _tables(value, field: str) -> list:
    require(
        isinstance(value, list), f"{field}={value!r} is not an array of tables; write [[{field}]]"
    )
    return value


def _text(data: dict, key: str, field: str, default: str | None = None) -> str:
    value = data.get(key, default)
    require(
        isinstance(value, str) and value.strip() != "",
        f"{field}.{key}={value!r} is not a name; give a non-empty text, e.g. {key} = \"x\"",
    )
    return value


def _number(data: dict, key: str, field: str, low: float, high: float, default=None):
    """A finite number within [low, high] (None when absent and default is None)."""
    value = data.get(key, default)
    if value is None:
        return None
    require(
        isinstance(value, int | float) and not isinstance(value, bool),
        f"{field}.{key}={value!r} is not a number; give e.g. {key} = 600.0",
    )
    require(
        math.isfinite(value) and low <= value <= high,
        f"{field}.{key}={value!r} is outside [{low:g}, {high:g}]; give a finite value in range",
    )
    return float(value)


def _time(data: dict, key: str, field: str, default=None, zero: bool = False):
    """A time in s within (0, MAX_TIME_S] ([0, ...] with ``zero``)."""
    value = _number(data, key, field, 0.0, MAX_TIME_S, default)
    require(
        value is None or zero or value > 0,
        f"{field}.{key}=0 must be > 0 s; give the time in stand seconds",
    )
    return value


def _limits(data, field: str) -> Limits:
    data = _table(data, field, "limits")
    big = sys.float_info.max
    return Limits(
        _number(data, "low", field, -big, big) if "low" in data else -math.inf,
        _number(data, "high", field, -big, big) if "high" in data else math.inf,
        _number(data, "marginal", field, 0.0, big, 0.0),
    )


def _measurement(data, field: str) -> Measurement:
    data = _table(data, field, "measurement")
    name = _text(data, "name", field)
    field = f"{field} ({name})"
    revisions = _table_of(data.get("revisions", {}), f"{field}.revisions")
    return Measurement(
        name,
        _text(data, "channel", field),
        _text(data, "statistic", field, "mean"),
        _time(data, "last_s", field),
        _limits(data.get("limits", {}), f"{field}.limits"),
        tuple(
            (rev, _limits(lim, f"{field}.revisions.{rev}")) for rev, lim in sorted(revisions.items())
        ),
    )


def _table_of(value, field: str) -> dict:
    require(isinstance(value, dict), f"{field}={value!r} is not a table; write {field}.<name> = ...")
    return value


def _phase(i: int, data) -> Phase:
    field = f"phase {i + 1}"
    data = _table(data, field, "phase")
    kind = _text(data, "type", field) if "type" in data else ""
    name = _text(data, "name", field, f"{kind or 'phase'}-{i + 1}")
    field = f"phase {i + 1} ({name})"
    return Phase(
        name,
        kind,
        _number(data, "target_k", field, 0.0, MAX_TEMPERATURE_K),
        _time(data, "duration_s", field, 0.0, zero=True),
        _time(data, "timeout_s", field, 7200.0),
        _number(data, "until_k", field, 0.0, MAX_TEMPERATURE_K),
        tuple(
            _measurement(m, f"{field} measurement {j + 1}")
            for j, m in enumerate(_tables(data.get("measurements", []), "phases.measurements"))
        ),
    )


def parse_procedure(text: str) -> TestProcedure:
    """A procedure from TOML text; InvalidInput names the bad field, its value and the fix."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"procedure is not valid TOML ({exc}); fix the file") from None
    data = _table(data, "procedure", "procedure")
    require(
        "name" in data and "kind" in data,
        "procedure needs top-level name and kind (calibration or active)",
    )
    teardown = _table(data.get("teardown", {}), "teardown", "teardown")
    start = _table(data.get("start", {}), "start", "start")
    return TestProcedure(
        _text(data, "name", "procedure"),
        _text(data, "kind", "procedure"),
        tuple(_phase(i, p) for i, p in enumerate(_tables(data.get("phases", []), "phases"))),
        Teardown(
            _time(teardown, "timeout_s", "teardown", 3600.0),
            _number(teardown, "drive_off_w", "teardown", 0.0, MAX_DRIVE_W, 5.0),
        ),
        hashlib.sha256(text.encode()).hexdigest(),
        Start(
            _number(start, "ready_below_k", "start", 0.0, MAX_TEMPERATURE_K, READY_BELOW_K),
            _time(start, "ready_timeout_s", "start", READY_TIMEOUT_S),
        ),
    )


def load_procedure(path: Path | str) -> tuple[TestProcedure, str]:
    """(procedure, source text) from the TOML file (UTF-8) at ``path``; InvalidInput naming the
    file when it is missing, not UTF-8 or not a valid procedure."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"procedure file {path} does not exist; give a .toml procedure")
    text = decode_utf8(path.read_bytes(), f"procedure file {path}")
    try:
        return parse_procedure(text), text
    except InvalidInput as err:
        raise InvalidInput(f"procedure file {path}: {err}") from None
