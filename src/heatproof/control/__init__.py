"""Reactor control: the controller (modes, ramped setpoints, PID, interlocks, alarms, typed
events), step-response metrics, small plants for tuning studies, and PI tuning rules.

The public names below are imported from their modules on first use (PEP 562), so importing
the controller does not import the tuning module and SciPy with it.
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
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
    },
)
