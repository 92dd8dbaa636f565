"""Interlocks: evaluated before the PID on every sample and independent of it.

Fail-safe rules (a heater fails to 0 W):
- each redundant core thermocouple *votes* for an over-temperature trip when it reads at or above
  the trip limit OR when it has failed (nan, outside its valid range, stuck, or disagreeing with
  the others). ``MooN`` voting trips when at least M of the N sensors vote. With 2oo3 one failed
  sensor alone does not trip (no spurious trip) but the system degrades to 1oo2: one failed
  sensor plus one reading over the limit trips; two failed sensors trip.
- stale readings (``fresh`` False or a time that does not advance) give drive 0 at once and trip
  once they have lasted ``watchdog_s``;
- runaway: with the drive commanded to 0 for the last ``runaway_samples`` samples, the
  controlled temperature still rose by more than ``runaway_min_rise_k`` over that window (rise =
  least-squares slope x window length, so sensor noise does not fake a rise; set the window
  longer than the heater-to-core lag so an ordinary overshoot after a drive cut is not flagged);
- drive not following: drive measured above ``drive_off_tolerance_w`` for ``drive_fault_samples``
  consecutive samples while the commanded drive is 0 (a stuck-on heater);
- coolant: a flow reading below ``min_coolant_flow_kg_s`` (or nan) trips.
Stuck and disagreement faults latch per sensor until an authorised reset.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import deque
from dataclasses import dataclass

from heatproof.control.inputs import ControllerConfig, Readings
from heatproof.errors import InvalidInput, require

# The interlocks that trip; every trip message begins with its interlock's name.
INTERLOCKS = ("over-temperature", "watchdog", "runaway", "drive not following", "coolant flow")


def parse_voting(voting: str | None, n_sensors: int) -> int:
    """Votes needed to trip for ``voting`` ('2oo3', '1oo2', '1oo1', or None: 2oo3/1oo2/1oo1 by N)
    with ``n_sensors`` core sensors; InvalidInput when it is not MooN or N is not n_sensors."""
    require(n_sensors >= 1, "core_k is empty; give at least one core thermocouple reading")
    if voting is None:
        return {1: 1, 2: 1, 3: 2}.get(n_sensors, n_sensors // 2 + 1)
    match = re.fullmatch(r"(\d+)oo(\d+)", voting)
    if match is None:
        raise InvalidInput(f"voting={voting!r} is not MooN; use e.g. '2oo3' or '1oo2'")
    m, n = int(match[1]), int(match[2])
    require(
        n == n_sensors and 1 <= m <= n,
        f"voting={voting!r} does not fit {n_sensors} core sensors; use 1oo1, 1oo2 or 2oo3",
    )
    return m


def control_temperature(core_k: tuple[float, ...], valid: tuple[bool, ...]) -> float:
    """Temperature to control on (K) from the core readings ``core_k`` (K) and their ``valid``
    flags: median of >= 3 valid sensors, else the hottest valid one.

    The hottest is the conservative choice for a heater (it under-drives). nan if none is valid.
    """
    good = [x for x, ok in zip(core_k, valid, strict=True) if ok]
    if not good:
        return math.nan
    return statistics.median(good) if len(good) >= 3 else max(good)


@dataclass(frozen=True)
class InterlockStatus:
    """Result of one evaluation: ``trips``, the trip reasons (empty when none); ``stale`` when
    the readings were not fresh; ``reasons``, per core sensor why it is invalid ('' when valid);
    ``pv_k``, the control temperature (K, nan when unknown)."""

    trips: tuple[str, ...]
    stale: bool
    reasons: tuple[str, ...]  # per core sensor: why it is invalid, '' when valid
    pv_k: float

    @property
    def valid(self) -> tuple[bool, ...]:
        """Per core sensor: True when it passed validation."""
        return tuple(not reason for reason in self.reasons)


class Interlocks:
    """Stateful interlock evaluation for one reactor with the limits of ``config``; call
    :meth:`evaluate` once per sample."""

    def __init__(self, config: ControllerConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        """Clear latched sensor faults and all histories (after an authorised reset)."""
        self.n_sensors: int | None = None
        self.votes_needed = 0
        self.latched: dict[int, str] = {}
        self._history: deque[tuple[tuple[float, ...], float]] = deque(
            maxlen=self.config.stuck_samples
        )
        self._last_t_s: float | None = None
        self._last_fresh_t_s: float | None = None
        self._drive_off_pv: deque[tuple[float, float]] = deque(maxlen=self.config.runaway_samples)
        self._drive_on = 0

    def _check_sensors(self, core_k: tuple[float, ...], drive_w: float) -> list[str]:
        """Return per-sensor failure reasons ('' when valid); stuck and disagreeing ones latch."""
        cfg = self.config
        reasons = [self.latched.get(i, "") for i in range(len(core_k))]
        for i, x in enumerate(core_k):
            if not reasons[i] and not (cfg.sensor_min_k <= x <= cfg.sensor_max_k):
                reasons[i] = f"reads {x} K, outside [{cfg.sensor_min_k}, {cfg.sensor_max_k}] K"
        self._history.append((core_k, drive_w))
        if len(self._history) == self._history.maxlen:  # small windows: plain Python is fastest
            drives = [d for _, d in self._history if math.isfinite(d)]
            drive_span = max(drives) - min(drives) if drives else 0.0
            for i in range(len(core_k)) if drive_span > cfg.stuck_drive_change_w else ():
                window = [h[0][i] for h in self._history]
                if not reasons[i] and max(window) - min(window) <= cfg.stuck_tolerance_k:
                    reasons[i] = self.latched[i] = (
                        f"stuck at {core_k[i]} K for {cfg.stuck_samples} samples "
                        f"while the drive changed by {drive_span:.3g} W"
                    )
        good = [i for i, r in enumerate(reasons) if not r]
        if len(good) >= 3:
            med = statistics.median(core_k[i] for i in good)
            for i in good:
                if abs(core_k[i] - med) > cfg.disagreement_k:
                    reasons[i] = self.latched[i] = (
                        f"reads {core_k[i]} K, {core_k[i] - med:+.3g} K from the median "
                        f"of the valid sensors (limit {cfg.disagreement_k} K)"
                    )
        elif len(good) == 2:
            a, b = (core_k[i] for i in good)
            if abs(a - b) > cfg.disagreement_k:  # cannot tell which is right: both fail-safe
                for i in good:
                    reasons[i] = f"disagrees with the other valid sensor by {abs(a - b):.3g} K"
        return reasons

    def _rise_with_drive_off(self, t_s: float, pv_k: float, drive_off: bool) -> float:
        """Least-squares rise (K) over a full window of drive-off samples; -inf otherwise."""
        window = self._drive_off_pv
        if not drive_off or not math.isfinite(pv_k):
            window.clear()
            return -math.inf
        window.append((t_s, pv_k))
        if len(window) < window.maxlen or len(window) < 2:
            return -math.inf
        slope = statistics.linear_regression(*zip(*window, strict=True)).slope
        return slope * (window[-1][0] - window[0][0])

    def evaluate(self, r: Readings, last_command_w: float) -> InterlockStatus:
        """Evaluate every interlock for readings ``r`` given ``last_command_w``, the drive
        commanded last sample (W). InvalidInput when the number of core readings changes."""
        cfg = self.config
        if self.n_sensors is None:
            self.n_sensors = len(r.core_k)
            self.votes_needed = parse_voting(cfg.voting, self.n_sensors)
        require(
            len(r.core_k) == self.n_sensors,
            f"core_k has {len(r.core_k)} readings; this controller was started with "
            f"{self.n_sensors}; keep the sensor list fixed (use nan for a failed sensor)",
        )
        trips: list[str] = []
        stale = not r.fresh or (self._last_t_s is not None and r.t_s <= self._last_t_s)
        if self._last_fresh_t_s is None:
            self._last_fresh_t_s = r.t_s
        if stale:
            age = r.t_s - self._last_fresh_t_s
            if age >= cfg.watchdog_s:
                trips.append(
                    f"watchdog: no fresh readings for {age:.3g} s (limit {cfg.watchdog_s} s)"
                )
            self._last_t_s = max(r.t_s, self._last_t_s or r.t_s)
            reasons = ("stale readings",) * self.n_sensors
            return InterlockStatus(tuple(trips), True, reasons, math.nan)
        self._last_t_s = self._last_fresh_t_s = r.t_s

        reasons = self._check_sensors(tuple(float(x) for x in r.core_k), r.drive_w)
        valid = tuple(not reason for reason in reasons)
        votes = sum(1 for x, ok in zip(r.core_k, valid, strict=True) if not ok or x >= cfg.trip_k)
        if votes >= self.votes_needed:
            detail = "; ".join(
                f"sensor {i}: {reasons[i] or f'{r.core_k[i]} K >= {cfg.trip_k} K'}"
                for i in range(self.n_sensors)
                if reasons[i] or r.core_k[i] >= cfg.trip_k
            )
            trips.append(
                f"over-temperature vote {votes} of {self.n_sensors} "
                f"(trips at {self.votes_needed}oo{self.n_sensors}): {detail}"
            )

        pv = control_temperature(r.core_k, valid)
        drive_off = last_command_w == 0.0
        rise = self._rise_with_drive_off(r.t_s, pv, drive_off)
        if rise > cfg.runaway_min_rise_k:
            trips.append(
                f"runaway: temperature rose {rise:.3g} K over {cfg.runaway_samples} samples with "
                f"drive 0 (limit {cfg.runaway_min_rise_k} K; now {pv:.6g} K)"
            )

        stuck_on = drive_off and r.drive_w > cfg.drive_off_tolerance_w
        self._drive_on = self._drive_on + 1 if stuck_on else 0
        if self._drive_on >= cfg.drive_fault_samples:
            trips.append(
                f"drive not following command: {r.drive_w:.6g} W measured with 0 W commanded "
                f"for {self._drive_on} samples"
            )

        flow = r.coolant_flow_kg_s
        if cfg.min_coolant_flow_kg_s is not None and flow is not None:
            if not flow >= cfg.min_coolant_flow_kg_s:  # nan fails safe
                trips.append(
                    f"coolant flow {flow} kg/s below the minimum {cfg.min_coolant_flow_kg_s} kg/s"
                )
        return InterlockStatus(tuple(trips), False, tuple(reasons), pv)
