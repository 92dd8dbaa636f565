"""Property: whatever the sequence of readings and commands, the safety invariants hold.

- the drive is always within [0, max_drive_w] and exactly 0.0 in OFF and TRIPPED;
- TRIPPED is left only through a successful authorised reset.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from heatproof.control.controller import Controller, ControllerConfig, Mode, Readings
from heatproof.errors import InvalidInput

CFG = ControllerConfig(
    max_drive_w=1000.0,
    trip_k=900.0,
    ramp_k_per_s=5.0,
    kp_w_per_k=50.0,
    ti_s=20.0,
    safe_reset_k=400.0,
    watchdog_s=3.0,
    runaway_samples=4,
    stuck_samples=5,
    min_coolant_flow_kg_s=0.01,
)
temp = st.one_of(st.floats(250.0, 1000.0), st.just(math.nan), st.floats(-1e6, 1e6))
step = st.tuples(
    st.just("step"),
    st.tuples(temp, temp, temp),
    st.booleans(),
    st.one_of(st.none(), st.floats(0.0, 1.0)),
    st.floats(0.0, 1500.0),
)
command = st.one_of(
    st.tuples(st.sampled_from(["start", "setpoint"]), st.floats(200.0, 950.0)),
    st.tuples(st.sampled_from(["shutdown", "self_sustain", "hold"])),
    st.tuples(st.just("reset"), st.booleans()),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(step, step, step, command), min_size=1, max_size=80))
def test_drive_bounds_and_trip_latch(actions) -> None:
    c = Controller(CFG)
    t = 0.0
    for action in actions:
        was_tripped = c.mode is Mode.TRIPPED
        reset_ok = False
        try:
            if action[0] == "step":
                _, core, fresh, flow, measured = action
                t += 1.0
                drive = c.step(Readings(t, core, 400.0, measured, flow, fresh))
                assert 0.0 <= drive <= CFG.max_drive_w
                if c.mode in (Mode.OFF, Mode.TRIPPED):
                    assert drive == 0.0
            elif action[0] == "reset":
                c.command_reset("ann", action[1])
                reset_ok = True
            else:
                getattr(c, f"command_{action[0]}")(*action[1:])
        except InvalidInput:
            pass
        if was_tripped and not reset_ok:
            assert c.mode is Mode.TRIPPED
        if reset_ok:
            assert action[1] and c.mode is Mode.OFF
