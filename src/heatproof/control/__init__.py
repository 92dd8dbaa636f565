"""Reactor control: the controller (modes, ramped setpoints, PID, interlocks, alarms, typed
events), step-response metrics, small plants for tuning studies, and PI tuning rules.

The public names below are imported from their modules on first use (PEP 562), so importing
the controller does not import the tuning module and SciPy with it.
"""

import importlib

_HOMES = {
    "Alarm": "alarms",
    "AlarmManager": "alarms",
    "AuditEntry": "alarms",
    "Priority": "alarms",
    "Controller": "controller",
    "ControllerEvent": "events",
    "EventKind": "events",
    "ControllerConfig": "inputs",
    "Readings": "inputs",
    "INTERLOCKS": "interlocks",
    "InterlockStatus": "interlocks",
    "Interlocks": "interlocks",
    "StepMetrics": "metrics",
    "step_metrics": "metrics",
    "RUNNING": "modes",
    "Mode": "modes",
    "PID": "pid",
    "DeadTimePlant": "plants",
    "ThermalPlant": "plants",
    "simulate_loop": "plants",
    "SetpointRamp": "ramp",
    "Margins": "tuning",
    "PiTuning": "tuning",
    "RelayResult": "tuning",
    "amigo_pi": "tuning",
    "loop_margins": "tuning",
    "pi_fopdt_loop": "tuning",
    "relay_autotune": "tuning",
    "relay_tuning": "tuning",
    "simc_pi": "tuning",
    "simc_pi_integrating": "tuning",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> object:
    """The public ``name``, imported from its module of this package on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
