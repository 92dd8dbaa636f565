"""SELF_SUSTAIN: pulsed drive, bounded off-time, and the drive-margin monitor.

Plant: C = 2000 J/K, G = 4 W/K, 300 K ambient, plus an internal source q (W). At 600 K the losses
are 1200 W, so the drive the reactor needs on average - the margin the controller can remove -
is 1200 - q.
"""

from __future__ import annotations

import numpy as np
import pytest

from heatproof.control.controller import EventKind, Mode


def settled(make_rig, source: list[float], **over):
    rig = make_rig(self_heating_w=lambda _t: source[0], **over)
    rig.run(3)
    rig.ctrl.command_start(600.0)
    rig.run_until(lambda: rig.ctrl.mode is Mode.HOLD, 3000)
    rig.run(1500)
    return rig


def test_pulsed_drive_holds_temperature_with_margin(make_rig) -> None:
    source = [800.0]
    rig = settled(make_rig, source)
    rig.ctrl.command_self_sustain()
    drives = np.array(rig.run(2000))
    temps = np.array([row[2] for row in rig.trace[-2000:]])
    assert rig.ctrl.mode is Mode.SELF_SUSTAIN
    assert set(np.unique(drives)) == {0.0, 2000.0}  # pulsed: full drive or nothing
    assert drives[-1000:].mean() == pytest.approx(400.0, rel=0.1)  # = losses - source
    assert temps[-1000:].min() > 600.0 - 5.0 - 1.0 and temps[-1000:].max() < 600.0 + 5.0 + 1.0
    assert rig.ctrl.margin_w == pytest.approx(400.0, rel=0.1)
    assert (drives == 0.0).mean() > 0.7  # drive mostly off


def test_margin_loss_returns_to_hold(make_rig) -> None:
    source = [800.0]
    rig = settled(make_rig, source)
    rig.ctrl.command_self_sustain()
    rig.run(500)
    source[0] = 1150.0  # the reactor now needs only 50 W: little left to remove
    rig.run_until(lambda: rig.ctrl.mode is Mode.HOLD, 2000)
    assert any(e.kind is EventKind.MARGIN and "below" in e.message for e in rig.ctrl.events)
    assert "margin" in rig.ctrl.alarms.alarms
    rig.run(1500)
    assert rig.ctrl.mode is Mode.HOLD and rig.plant.t_k == pytest.approx(600.0, abs=0.5)


def test_bounded_off_time(make_rig) -> None:
    source = [0.0]
    rig = settled(make_rig, source, ss_max_off_s=50.0, ss_min_margin_w=1.0)
    source[0] = 1190.0  # needs 10 W: the core barely cools during the off phase
    rig.run(2000)
    rig.ctrl.command_self_sustain()
    rig.run_until(lambda: rig.ctrl.mode is Mode.HOLD, 200)
    assert any(
        "drive off for" in e.message for e in rig.ctrl.events if e.kind is EventKind.MARGIN
    )


def test_self_sustain_needs_settled_hold_and_returns_on_commands(make_rig) -> None:
    from heatproof.errors import InvalidInput

    rig = make_rig()
    rig.run(3)
    rig.ctrl.command_start(600.0)
    with pytest.raises(InvalidInput, match="not allowed in mode STARTUP"):
        rig.ctrl.command_self_sustain()
    rig = settled(make_rig, [800.0])
    rig.ctrl.command_self_sustain()
    rig.run(30)
    rig.ctrl.command_hold()
    assert rig.ctrl.mode is Mode.HOLD
    rig.run(1500)
    rig.ctrl.command_self_sustain()
    rig.ctrl.command_setpoint(620.0)
    assert rig.ctrl.mode is Mode.HOLD
    with pytest.raises(InvalidInput, match="not settled"):
        rig.ctrl.command_self_sustain()


def test_shutdown_during_a_pulse_ramps_down_from_the_mean_drive(make_rig) -> None:
    source = [800.0]
    rig = settled(make_rig, source)
    rig.ctrl.command_self_sustain()
    rig.run(1000)
    rig.run_until(lambda: rig.ctrl.drive_w == 2000.0, 500)  # a pulse is on
    margin = rig.ctrl.margin_w
    rig.ctrl.command_shutdown()
    drives = rig.run(5)
    assert rig.ctrl.mode is Mode.SHUTDOWN
    assert max(drives) <= margin  # never the full pulse: a shutdown must not heat the reactor
