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
the limits. Times in stand seconds, temperatures in K.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from heatproof.errors import InvalidInput, require

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
        return dict(self.revisions).get(revision, self.limits) if revision else self.limits


@dataclass(frozen=True)
class Phase:
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
    """Always run: shut down and wait until the drive reads <= drive_off_w in a safe mode."""

    timeout_s: float = 3600.0
    drive_off_w: float = 5.0


@dataclass(frozen=True)
class TestProcedure:
    __test__ = False

    name: str
    kind: str
    phases: tuple[Phase, ...]
    teardown: Teardown = field(default_factory=Teardown)
    source_sha256: str = ""

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
        return asdict(self)


def _limits(name: str, data: dict) -> Limits:
    unknown = set(data) - {"low", "high", "marginal"}
    require(
        not unknown,
        f"measurement {name}: unknown limit key(s) {sorted(unknown)}; use low, high, marginal",
    )
    return Limits(
        float(data.get("low", -math.inf)),
        float(data.get("high", math.inf)),
        float(data.get("marginal", 0.0)),
    )


def _measurement(data: dict) -> Measurement:
    name = str(data.get("name", ""))
    require(bool(name) and "channel" in data, f"measurement {data!r} needs name and channel")
    revisions = tuple(
        (str(rev), _limits(name, lim)) for rev, lim in sorted(data.get("revisions", {}).items())
    )
    return Measurement(
        name,
        str(data["channel"]),
        str(data.get("statistic", "mean")),
        None if data.get("last_s") is None else float(data["last_s"]),
        _limits(name, data.get("limits", {})),
        revisions,
    )


def _phase(i: int, data: dict) -> Phase:
    known = {"name", "type", "target_k", "duration_s", "timeout_s", "until_k", "measurements"}
    unknown = set(data) - known
    require(
        not unknown,
        f"phase {i + 1}: unknown key(s) {sorted(unknown)}; use {', '.join(sorted(known))}",
    )

    def num(key: str) -> float | None:
        return None if data.get(key) is None else float(data[key])

    return Phase(
        str(data.get("name", f"{data.get('type', 'phase')}-{i + 1}")),
        str(data.get("type", "")),
        num("target_k"),
        num("duration_s") or 0.0,
        num("timeout_s") or 7200.0,
        num("until_k"),
        tuple(_measurement(m) for m in data.get("measurements", [])),
    )


def parse_procedure(text: str) -> TestProcedure:
    """A procedure from TOML text; InvalidInput names the bad field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"procedure is not valid TOML ({exc}); fix the file") from exc
    require(
        "name" in data and "kind" in data,
        "procedure needs top-level name and kind (calibration or active)",
    )
    teardown = Teardown(**{k: float(v) for k, v in data.get("teardown", {}).items()})
    return TestProcedure(
        str(data["name"]),
        str(data["kind"]),
        tuple(_phase(i, p) for i, p in enumerate(data.get("phases", []))),
        teardown,
        hashlib.sha256(text.encode()).hexdigest(),
    )


def load_procedure(path: Path | str) -> tuple[TestProcedure, str]:
    """(procedure, source text) from a TOML file."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"procedure file {path} does not exist; give a .toml procedure")
    text = path.read_text(encoding="utf-8")
    return parse_procedure(text), text
