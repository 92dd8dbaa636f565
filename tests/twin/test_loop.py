"""The twin's closed loop: what the controller reads is measured on the twin, not on the command."""

import pytest

from heatproof.control.controller import Controller
from heatproof.errors import InvalidInput
from heatproof.stand.instruments import StandSpec
from heatproof.twin.faults import Fault
from heatproof.twin.loop import ClosedLoop
from heatproof.twin.reactor import HeatSource, Reactor, ReactorDesign
from heatproof.twin.simulate import DEMO_CONTROLLER

SPEC = StandSpec()


def started_loop(faults=()) -> ClosedLoop:
    """The default reactor, started to 900 K at the first sample."""
    loop = ClosedLoop(
        Reactor(ReactorDesign(), HeatSource()), Controller(DEMO_CONTROLLER), SPEC, 5, 1.0, faults
    )
    loop.sample()
    loop.controller.command_start(900.0)
    loop.advance()
    return loop


def test_a_burnt_out_heater_is_measured_at_zero_drive_while_commanded():
    loop = started_loop([Fault("heater_burnout", t_s=200.0, duration_s=50.0)])
    samples = []
    loop.run(300, samples.append)
    during = [s for s in samples if 200.0 <= s.t_s < 250.0]
    assert all(s.command_w > 0.0 and s.applied_w == 0.0 for s in during)
    offset_w = SPEC.power.range_fraction * SPEC.power.range_w  # no noise at 0 W
    measured = [s.readings.drive_w for s in samples if 201.0 <= s.t_s <= 250.0]
    assert len(measured) == 50 and all(abs(x) <= offset_w for x in measured)
    after = [s for s in samples if s.t_s >= 250.0]
    assert all(s.applied_w == s.command_w > 0.0 for s in after)


def test_the_shell_reading_is_the_true_shell_within_the_thermocouple_spec():
    loop = started_loop()
    tc = SPEC.thermocouple
    samples = []
    loop.run(600, samples.append)
    errors = [abs(s.readings.shell_k - s.truth.shell_k) for s in samples]
    assert max(errors) <= tc.tolerance_k + 5 * tc.noise_k
    assert loop.last.truth.shell_k > 400.0  # the shell did heat: the reading followed it


def test_advance_without_a_sample_is_refused():
    loop = started_loop()
    with pytest.raises(InvalidInput, match=r"advance\(\) needs a sample first"):
        loop.advance()
