"""simulate_run: a run whose controller trips goes on recording, with zero drive, to its end."""

from heatproof.control.controller import Controller, Mode, Readings
from heatproof.twin.simulate import DEMO_CONTROLLER, Hold, Procedure, _enter_phase


def test_a_tripped_controller_is_not_commanded_into_the_next_hold():
    controller = Controller(DEMO_CONTROLLER)
    hot = DEMO_CONTROLLER.trip_k + 50.0
    controller.step(Readings(t_s=0.0, core_k=(hot, hot, hot), shell_k=float("nan"), drive_w=0.0))
    assert controller.mode is Mode.TRIPPED
    procedure = Procedure("two-holds", (Hold(900.0, 60.0), Hold(1000.0, 60.0)))
    _enter_phase(controller, procedure, 1)  # used to raise InvalidInput and end the simulation
    assert controller.mode is Mode.TRIPPED
    assert (
        controller.step(Readings(t_s=1.0, core_k=(hot,) * 3, shell_k=float("nan"), drive_w=0.0))
        == 0.0
    )
