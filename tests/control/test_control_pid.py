"""PID discretisation, limits, anti-windup and bumpless transfer, checked against hand values."""

from __future__ import annotations

import math

import pytest

from heatproof.control.pid import PID
from heatproof.control.ramp import SetpointRamp, ramped
from heatproof.errors import InvalidInput


def test_integral_is_forward_euler() -> None:
    pid = PID(kp=1.0, ti_s=1.0, u_min=-math.inf)
    # e = 1 constant: u_k = Kc e + I_k with I_0 = 0, I_{k+1} = I_k + Kc h / Ti e
    assert [pid.update(1.0, 0.0, 0.1) for _ in range(3)] == pytest.approx([1.0, 1.1, 1.2])


def test_derivative_on_measurement_backward_difference_filter() -> None:
    pid = PID(kp=1.0, ti_s=math.inf, td_s=2.0, n_filter=10.0, u_min=-math.inf)
    h, tf = 0.1, 0.2
    assert pid.update(0.0, 0.0, h) == 0.0
    d1 = -1.0 * 2.0 / (tf + h) * 1.0  # measurement steps by +1
    assert pid.update(0.0, 1.0, h) == pytest.approx(-1.0 + d1)
    d2 = tf / (tf + h) * d1
    assert pid.update(0.0, 1.0, h) == pytest.approx(-1.0 + d2)


def test_setpoint_step_does_not_kick_derivative_and_b_weights_p() -> None:
    full = PID(kp=2.0, ti_s=math.inf, td_s=1.0, b=1.0, u_min=-math.inf)
    weighted = PID(kp=2.0, ti_s=math.inf, td_s=1.0, b=0.0, u_min=-math.inf)
    for pid in (full, weighted):
        pid.update(0.0, 0.0, 0.1)
    assert full.update(1.0, 0.0, 0.1) == pytest.approx(2.0)  # P only, no derivative kick
    assert weighted.update(1.0, 0.0, 0.1) == pytest.approx(0.0)


def test_output_and_rate_limits() -> None:
    pid = PID(kp=100.0, ti_s=math.inf, u_min=0.0, u_max=50.0, rate_limit_per_s=10.0)
    outs = [pid.update(1.0, 0.0, 1.0) for _ in range(7)]
    assert outs == [50.0] * 7  # first sample: no previous output, clip only
    outs = [pid.update(0.0, 1.0, 1.0) for _ in range(7)]
    assert outs == [40.0, 30.0, 20.0, 10.0, 0.0, 0.0, 0.0]


def test_back_calculation_bounds_the_integral() -> None:
    kp, ti, tt, e = 2.0, 10.0, 3.0, 1.0
    pid = PID(kp=kp, ti_s=ti, tt_s=tt, u_min=0.0, u_max=1.0)
    for _ in range(5000):
        pid.update(e, 0.0, 0.05)
    # steady state of I' = Kc/Ti e + (u - v)/Tt = 0  ->  v = u_max + Tt Kc e / Ti
    v = pid.proportional + pid.integral
    assert v == pytest.approx(1.0 + tt * kp * e / ti, rel=1e-9)


def test_default_tracking_time() -> None:
    assert PID(1.0, 8.0, 2.0).tt_s == pytest.approx(4.0)  # sqrt(Ti Td)
    assert PID(1.0, 8.0).tt_s == pytest.approx(4.0)  # Ti / 2 without derivative


def test_conditional_integration_freezes_while_limited() -> None:
    pid = PID(kp=2.0, ti_s=1.0, u_min=0.0, u_max=1.0, anti_windup="conditional")
    for _ in range(100):
        pid.update(1.0, 0.0, 0.1)
    assert pid.integral == 0.0  # saturated high with positive error from the first sample
    pid.update(0.0, 0.9, 0.1)  # limited low and the error pushes further down: frozen
    assert pid.integral == 0.0
    pid.update(1.0, 1.2, 0.1, feedforward=5.0)  # limited high, error leads out: integrate
    assert pid.integral == pytest.approx(2.0 / 1.0 * -0.2 * 0.1)


def test_no_antiwindup_integral_grows_without_bound() -> None:
    pid = PID(kp=2.0, ti_s=1.0, u_min=0.0, u_max=1.0, anti_windup="none")
    for _ in range(100):
        pid.update(1.0, 0.0, 0.1)
    assert pid.integral == pytest.approx(20.0)


def test_bumpless_manual_to_auto() -> None:
    pid = PID(kp=40.0, ti_s=100.0, td_s=5.0, u_min=0.0, u_max=2000.0, rate_limit_per_s=50.0)
    for k in range(20):
        pid.update(600.0, 550.0 + k, 1.0)
    # operator drives manually at 812.5 W while the core sits at 590 K, then switches to auto
    pid.track(812.5, setpoint=600.0, measurement=590.0)
    assert pid.update(600.0, 590.0, 1.0) == pytest.approx(812.5, abs=1e-9)
    # without tracking, the same switch jumps by the stale integral
    jump = PID(kp=40.0, ti_s=100.0, td_s=5.0, u_min=0.0, u_max=2000.0)
    for k in range(20):
        jump.update(600.0, 550.0 + k, 1.0)
    assert abs(jump.update(600.0, 590.0, 1.0) - 812.5) > 100.0


def test_track_without_measurement_keeps_last_terms() -> None:
    pid = PID(kp=3.0, ti_s=10.0, u_min=-math.inf)
    pid.update(1.0, 0.5, 0.1)
    pid.track(7.0)
    assert pid.output == 7.0
    assert pid.update(1.0, 0.5, 0.1) == pytest.approx(7.0, abs=1e-12)


def test_reset_forgets_state() -> None:
    pid = PID(kp=1.0, ti_s=1.0)
    pid.update(1.0, 0.0, 1.0)
    pid.reset()
    assert pid.integral == 0.0 and pid.output is None


@pytest.mark.parametrize(
    "kwargs,field",
    [
        (dict(kp=0.0, ti_s=1.0), "kp"),
        (dict(kp=1.0, ti_s=-1.0), "ti_s"),
        (dict(kp=1.0, ti_s=1.0, u_min=5.0, u_max=1.0), "u_min"),
        (dict(kp=1.0, ti_s=1.0, anti_windup="clamp"), "anti_windup"),
    ],
)
def test_bad_settings_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(InvalidInput, match=field):
        PID(**kwargs)


def test_bad_update_inputs() -> None:
    pid = PID(1.0, 1.0)
    with pytest.raises(InvalidInput, match="dt_s"):
        pid.update(1.0, 0.0, 0.0)
    with pytest.raises(InvalidInput, match="finite"):
        pid.update(1.0, math.nan, 1.0)


def test_ramp() -> None:
    ramp = SetpointRamp(2.0, 300.0)
    ramp.set_target(305.0)
    assert [ramp.advance(1.0) for _ in range(4)] == [302.0, 304.0, 305.0, 305.0]
    assert ramp.done
    ramp.restart(310.0, 300.0)
    assert ramp.advance(2.0) == 306.0 and not ramp.done
    assert ramped(10.0, 0.0, 3.0, 1.0) == 7.0
