"""Controller modes, latched trips, interlocks and reset rules on a first-order thermal plant."""

from __future__ import annotations

import math

import numpy as np
import pytest

from heatproof.control.alarms import Priority
from heatproof.control.controller import (
    Controller,
    ControllerConfig,
    ControllerEvent,
    EventKind,
    Mode,
    Readings,
)
from heatproof.errors import InvalidInput


def nan_at(index: int):
    """Three sensors reading the core, sensor ``index`` failed (nan)."""
    return lambda t, k: tuple(math.nan if i == index else t for i in range(3))


def started(make_rig, target_k=600.0, **over):
    rig = make_rig(**over)
    rig.run(3)
    rig.ctrl.command_start(target_k)
    return rig


def test_full_cycle_off_startup_hold_setpoint_shutdown_off(make_rig) -> None:
    rig = make_rig()
    assert rig.run(5) == [0.0] * 5 and rig.ctrl.mode is Mode.OFF
    rig.ctrl.command_start(600.0)
    assert rig.ctrl.mode is Mode.STARTUP and rig.ctrl.setpoint_k == pytest.approx(300.0)
    rig.run_until(lambda: rig.ctrl.mode is Mode.HOLD, 3000)
    assert abs(rig.plant.t_k - 600.0) <= rig.ctrl.config.hold_band_k
    # the ramp was followed: setpoint never moved faster than 0.5 K/s
    sp = np.array([row[4] for row in rig.trace if row[1] == "STARTUP"])
    assert np.max(np.diff(sp)) <= 0.5 + 1e-9
    temps = np.array([row[2] for row in rig.trace])
    assert temps.max() < 600.0 + 5.0  # ramped start: at most a few K overshoot
    rig.run(500)
    assert rig.plant.t_k == pytest.approx(600.0, abs=0.5)
    assert rig.drive_w == pytest.approx(4.0 * 300.0, rel=0.02)  # holds G*(T - T_amb)
    rig.ctrl.command_setpoint(650.0)
    rig.run(1000)
    assert rig.ctrl.mode is Mode.HOLD and rig.plant.t_k == pytest.approx(650.0, abs=0.5)
    rig.ctrl.command_shutdown()
    assert rig.ctrl.mode is Mode.SHUTDOWN
    drives = rig.run(200)
    assert drives[0] < 4.0 * 350.0 and drives[-1] == 0.0  # ramped down, not stepped
    assert np.all(np.diff(drives) <= 1e-9)
    rig.run_until(lambda: rig.ctrl.mode is Mode.OFF, 10000)
    assert rig.plant.t_k <= rig.ctrl.config.off_k + 1.0
    assert rig.run(3) == [0.0] * 3
    kinds = [e.kind for e in rig.ctrl.events]
    assert kinds.count(EventKind.MODE) == 4 and EventKind.TRIP not in kinds
    moves = [(e.from_mode, e.to_mode) for e in rig.ctrl.events if e.kind is EventKind.MODE]
    assert moves == [
        (Mode.OFF, Mode.STARTUP),
        (Mode.STARTUP, Mode.HOLD),
        (Mode.HOLD, Mode.SHUTDOWN),
        (Mode.SHUTDOWN, Mode.OFF),
    ]


def test_commands_refused_in_wrong_mode_and_bad_targets(make_rig) -> None:
    rig = make_rig()
    with pytest.raises(InvalidInput, match="fresh"):
        rig.ctrl.command_start(600.0)  # no readings yet: the ramp needs a start temperature
    rig.run(2)
    with pytest.raises(InvalidInput, match="setpoint is not allowed in mode OFF"):
        rig.ctrl.command_setpoint(600.0)
    with pytest.raises(InvalidInput, match="min_trip_margin_k"):
        rig.ctrl.command_start(895.0)  # within 10 K of the 900 K trip
    with pytest.raises(InvalidInput, match="reset is not allowed in mode OFF"):
        rig.ctrl.command_reset("ann", True)
    rig.ctrl.command_start(600.0)
    with pytest.raises(InvalidInput, match="start is not allowed in mode STARTUP"):
        rig.ctrl.command_start(600.0)
    rig.ctrl.command_shutdown()
    rig.ctrl.command_shutdown()  # shutdown is never refused
    assert rig.ctrl.mode is Mode.SHUTDOWN


def test_over_temperature_trip_latches_and_drive_stays_zero(make_rig) -> None:
    rig = started(make_rig)
    rig.run(100)
    assert rig.drive_w > 0
    hot = lambda t, k: (950.0, 950.0, t)  # noqa: E731 - two of three over the limit
    assert rig.step(sensors=hot) == 0.0
    assert rig.ctrl.mode is Mode.TRIPPED
    assert rig.ctrl.trip_reason.startswith("over-temperature vote")
    # conditions return to normal: still tripped, still 0 W, commands refused
    assert rig.run(50) == [0.0] * 50
    assert rig.ctrl.mode is Mode.TRIPPED
    for cmd in (lambda: rig.ctrl.command_start(500.0), lambda: rig.ctrl.command_setpoint(500.0)):
        with pytest.raises(InvalidInput):
            cmd()
    rig.ctrl.command_shutdown()
    assert rig.ctrl.mode is Mode.TRIPPED
    alarm = rig.ctrl.alarms.alarms["trip"]
    assert alarm.priority is Priority.CRITICAL and alarm.trip
    with pytest.raises(InvalidInput, match="cannot be shelved"):
        rig.ctrl.alarms.shelve("trip", "ann", 60.0, rig.t_s)


def test_reset_rules(make_rig) -> None:
    rig = started(make_rig)
    rig.run(200)
    rig.step(sensors=lambda t, k: (950.0, 950.0, 950.0))
    assert rig.ctrl.mode is Mode.TRIPPED
    with pytest.raises(InvalidInput, match="not authorised"):
        rig.ctrl.command_reset("bob", authorised=False)
    with pytest.raises(InvalidInput, match="user is empty"):
        rig.ctrl.command_reset("  ", authorised=True)
    with pytest.raises(InvalidInput, match="not below safe_reset_k"):
        rig.ctrl.command_reset("ann", authorised=True)  # still hot
    rig.run_until(lambda: rig.plant.t_k < 329.0, 20000)
    rig.step()
    with pytest.raises(InvalidInput, match="2 core sensors unreadable"):
        rig.step(sensors=lambda t, k: (t, math.nan, math.nan))
        rig.ctrl.command_reset("ann", authorised=True)
    rig.step()
    rig.ctrl.command_reset("ann", authorised=True)
    assert rig.ctrl.mode is Mode.OFF and rig.ctrl.trip_reason is None
    refused = [e.message for e in rig.ctrl.events if e.kind is EventKind.RESET_REFUSED]
    assert len(refused) == 4
    assert any("reset by ann (authorised)" in e.message for e in rig.ctrl.events)
    assert "trip" not in rig.ctrl.alarms.alarms  # cleared and acknowledged by ann
    rig.step()
    rig.ctrl.command_start(500.0)  # can run again
    assert rig.run(5)[-1] > 0


def test_watchdog_drive_zero_at_once_then_trip(make_rig) -> None:
    rig = started(make_rig)
    rig.run(100)
    # stale for less than watchdog_s: drive 0 at once, no trip, resumes after
    assert rig.run(3, fresh=False) == [0.0] * 3
    assert rig.ctrl.mode is Mode.STARTUP
    assert rig.step() > 0.0
    # stale for watchdog_s (5 s after the last fresh sample): trip
    rig.run(4, fresh=False)
    assert rig.ctrl.mode is Mode.STARTUP
    rig.step(fresh=False)
    assert rig.ctrl.mode is Mode.TRIPPED and "watchdog" in rig.ctrl.trip_reason


def test_time_that_does_not_advance_counts_as_stale(make_rig) -> None:
    rig = started(make_rig)
    rig.run(10)
    same = Readings(rig.t_s - 1.0, (400.0,) * 3, 400.0, 0.0)
    assert rig.ctrl.step(same) == 0.0


def test_2oo3_one_failed_sensor_no_trip_then_degrades_to_1oo2(make_rig) -> None:
    rig = started(make_rig, disagreement_k=1000.0)  # isolate the voting from disagreement
    rig.run(100)
    drives = rig.run(50, sensors=nan_at(1))
    assert rig.ctrl.mode is Mode.STARTUP and drives[-1] > 0  # no spurious trip
    assert rig.ctrl.alarms.alarms["sensor-1"].priority is Priority.HIGH
    # degraded to 1oo2: failed sensor + one over the limit trips
    rig.step(sensors=lambda t, k: (950.0, math.nan, t))
    assert rig.ctrl.mode is Mode.TRIPPED and "vote 2 of 3" in rig.ctrl.trip_reason


def test_2oo3_two_nan_sensors_trip(make_rig) -> None:
    rig = started(make_rig)
    rig.run(10)
    rig.step(sensors=lambda t, k: (math.nan, math.nan, t))
    assert rig.ctrl.mode is Mode.TRIPPED


def test_2oo3_single_high_reading_does_not_trip_but_fails_by_disagreement(make_rig) -> None:
    rig = started(make_rig)
    rig.run(10)
    rig.step(sensors=lambda t, k: (950.0, t, t))  # one sensor over the limit: 1 vote of 2 needed
    assert rig.ctrl.mode is Mode.STARTUP
    assert "median" in rig.ctrl.interlocks.latched[0]  # latched as disagreeing


def test_1oo2_one_nan_trips(make_rig) -> None:
    rig = started(make_rig)
    rig.ctrl = Controller(rig.ctrl.config)  # fresh controller fed two sensors
    rig.run(3, sensors=lambda t, k: (t, t))
    rig.ctrl.command_start(600.0)
    rig.run(10, sensors=lambda t, k: (t, t))
    rig.step(sensors=lambda t, k: (t, math.nan))
    assert rig.ctrl.mode is Mode.TRIPPED and "1oo2" in rig.ctrl.trip_reason


def test_control_uses_median_so_one_offset_sensor_does_not_steer(make_rig) -> None:
    baseline, offset = started(make_rig), started(make_rig)
    base = baseline.run(1500)
    off = offset.run(1500, sensors=lambda t, k: (t, t + 20.0, t))  # within disagreement_k
    assert off == base and offset.ctrl.mode is Mode.HOLD


def test_stuck_sensor_latches_and_start_is_refused(make_rig) -> None:
    rig = started(make_rig)
    stuck = lambda t, k: (t, 300.0, t)  # noqa: E731 - sensor 1 frozen while the drive changes
    rig.run(30, sensors=stuck)
    assert "stuck" in rig.ctrl.interlocks.latched[1]
    assert rig.ctrl.mode is Mode.STARTUP  # 2oo3: one fault alone does not trip
    rig.ctrl.command_shutdown()
    rig.run_until(lambda: rig.ctrl.mode is Mode.OFF, 20000)
    with pytest.raises(InvalidInput, match="sensor 1: stuck"):
        rig.ctrl.command_start(600.0)


def test_disagreement_of_two_sensors_fails_both_under_2oo3(make_rig) -> None:
    rig = started(make_rig)
    rig.run(10)
    rig.step(sensors=lambda t, k: (math.nan, t, t + 100.0))
    assert rig.ctrl.mode is Mode.TRIPPED and "disagrees" in rig.ctrl.trip_reason


def test_sensor_outside_valid_range_is_a_failure(make_rig) -> None:
    rig = started(make_rig)
    rig.run(10)
    rig.step(sensors=lambda t, k: (t, 2500.0, t))  # above sensor_max_k = 2000 K
    assert rig.ctrl.mode is Mode.STARTUP
    assert "outside" in rig.ctrl.alarms.alarms["sensor-1"].message
    rig.step()
    assert not rig.ctrl.alarms.alarms["sensor-1"].active  # range faults do not latch


def test_runaway_detected_with_drive_off(make_rig) -> None:
    # a heat source that grows with temperature, stronger than the losses above ~600 K
    def source(t_k: float) -> float:
        return 1300.0 * math.exp((t_k - 600.0) / 40.0)

    rig = started(make_rig, self_heating_w=source, runaway_samples=10)
    rig.run_until(lambda: rig.ctrl.mode is Mode.TRIPPED, 6000)
    assert rig.ctrl.trip_reason.startswith("runaway")
    tail = rig.trace[-11:]  # the 10 rising samples and the one that set the drive to 0
    assert all(row[3] == 0.0 for row in tail)
    assert all(b[2] > a[2] for a, b in zip(tail, tail[1:], strict=False))
    assert rig.plant.t_k < 900.0  # caught before the over-temperature limit


def test_cooling_after_drive_off_is_not_runaway(make_rig) -> None:
    rig = started(make_rig)
    rig.run_until(lambda: rig.ctrl.mode is Mode.HOLD, 3000)
    rig.ctrl.command_setpoint(400.0)  # PID drops to 0 W while the core cools: no trip
    rig.run(2000)
    assert rig.ctrl.mode is Mode.HOLD


def test_coolant_flow_below_minimum_trips(make_rig) -> None:
    rig = started(make_rig, min_coolant_flow_kg_s=0.05)
    rig.run(10, flow=0.1)
    rig.run(10)  # no flow reading: no check
    assert rig.ctrl.mode is Mode.STARTUP
    rig.step(flow=0.01)
    assert rig.ctrl.mode is Mode.TRIPPED and "coolant" in rig.ctrl.trip_reason


def test_coolant_flow_nan_fails_safe(make_rig) -> None:
    rig = started(make_rig, min_coolant_flow_kg_s=0.05)
    rig.step(flow=math.nan)
    assert rig.ctrl.mode is Mode.TRIPPED


def test_stuck_on_heater_trips(make_rig) -> None:
    rig = make_rig()
    rig.run(3)
    rig.run(5, measured_drive_w=500.0)  # 500 W measured, 0 W commanded (OFF)
    assert rig.ctrl.mode is Mode.TRIPPED and "not following" in rig.ctrl.trip_reason


def test_power_setpoint_kind(make_rig) -> None:
    rig = make_rig(setpoint_kind="power", ramp_w_per_s=10.0)
    rig.run(2)
    rig.ctrl.command_start(1200.0)
    drives = rig.run(200)
    assert drives[:3] == [10.0, 20.0, 30.0] and drives[-1] == 1200.0
    assert rig.ctrl.mode is Mode.HOLD and rig.ctrl.setpoint_w == 1200.0
    assert math.isnan(rig.ctrl.setpoint_k)
    with pytest.raises(InvalidInput, match="max_drive_w"):
        rig.ctrl.command_setpoint(2500.0)


def test_config_validation() -> None:
    with pytest.raises(InvalidInput, match="safe_reset_k < trip_k"):
        ControllerConfig(max_drive_w=1, trip_k=300, ramp_k_per_s=1, kp_w_per_k=1, ti_s=1)
    with pytest.raises(InvalidInput, match="voting"):
        c = Controller(
            ControllerConfig(
                max_drive_w=1, trip_k=800, ramp_k_per_s=1, kp_w_per_k=1, ti_s=1, voting="2oo3"
            )
        )
        c.step(Readings(0.0, (300.0, 300.0), 300.0, 0.0))


def test_shell_alarm_raises_and_clears_without_tripping(make_rig) -> None:
    rig = started(make_rig, shell_alarm_k=350.0)
    rig.run_until(lambda: rig.plant.t_k > 351.0, 1000)
    rig.step()
    alarm = rig.ctrl.alarms.alarms["shell"]
    assert alarm.active and alarm.priority is Priority.HIGH
    assert rig.ctrl.mode is Mode.STARTUP
    rig.ctrl.alarms.shelve("shell", "ann", 600.0, rig.t_s)  # a non-trip alarm may be shelved
    assert "shell" not in [a.key for a in rig.ctrl.alarms.visible(rig.t_s)]


def noisy(rng: np.random.Generator, sigma_k: float = 0.5):
    return lambda t, k: tuple(t + rng.normal(0.0, sigma_k, 3))


def test_sensor_noise_does_not_fake_a_runaway(make_rig) -> None:
    rig = make_rig(runaway_samples=30)  # the default window and 2 K rise
    rig.run(20000, sensors=noisy(np.random.default_rng(1)))  # OFF at ambient, 0.5 K noise
    assert rig.ctrl.mode is Mode.OFF


def test_runaway_detected_through_noise(make_rig) -> None:
    def source(t_k: float) -> float:
        return 1300.0 * math.exp((t_k - 600.0) / 40.0)

    rig = make_rig(self_heating_w=source, runaway_samples=30)
    rig.run(3)
    rig.ctrl.command_start(600.0)
    rig.run_until(
        lambda: rig.ctrl.mode is Mode.TRIPPED, 6000, sensors=noisy(np.random.default_rng(2))
    )
    assert rig.ctrl.trip_reason.startswith("runaway") and rig.plant.t_k < 700.0


def test_one_event_per_sensor_fault_not_per_sample(make_rig) -> None:
    rig = started(make_rig)
    rig.run(20, sensors=lambda t, k: (t, 2500.0 + k, t))
    rig.run(5)
    sensor_events = [e.message for e in rig.ctrl.events if e.kind is EventKind.SENSOR]
    assert len(sensor_events) == 2 and sensor_events[1] == "core sensor 1 valid again"


def test_an_event_carries_modes_exactly_when_it_is_a_mode_change():
    with pytest.raises(InvalidInput, match="kind=mode: from_mode and to_mode"):
        ControllerEvent(0.0, EventKind.MODE, "OFF -> STARTUP", Mode.OFF)
    with pytest.raises(InvalidInput, match="kind=trip: from_mode and to_mode"):
        ControllerEvent(0.0, EventKind.TRIP, "over-temperature", Mode.HOLD, Mode.TRIPPED)


def test_mode_codes_are_the_register_protocol_values():
    """The codes travel in the stand's mode register and the twin's telemetry: renumbering a mode
    would change the meaning of every recorded run."""
    assert {m.name: m.code for m in Mode} == {
        "OFF": 0,
        "STARTUP": 1,
        "HOLD": 2,
        "SELF_SUSTAIN": 3,
        "SHUTDOWN": 4,
        "TRIPPED": 5,
    }
    assert Mode.from_code(3) is Mode.SELF_SUSTAIN and Mode.from_code(6) is None
