"""The digital twin: the reactor's thermal model and heat-source hypotheses, its cooling, the
stand's sensors and injected faults, the one closed loop with the controller, and what runs on
it (procedure runs, control scenarios, fleets, the fault campaign, critical drives, the simulated
stand).

The public names below are imported from their modules on first use (PEP 562), so importing the
reactor model does not import the controller, the stand, the fleet engine or the scenarios.
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "LossTable": "cooling",
        "WaterJacket": "cooling",
        "CriticalPoint": "critical",
        "SimulatedCritical": "critical",
        "SteadyState": "critical",
        "critical_drive": "critical",
        "simulated_critical_drive": "critical",
        "steady_states": "critical",
        "run_fault_campaign": "fault_campaign",
        "FAULT_KINDS": "faults",
        "Fault": "faults",
        "FaultInjector": "faults",
        "FleetControl": "fleet",
        "FleetResult": "fleet",
        "simulate_fleet": "fleet",
        "HeatSource": "hypotheses",
        "thermal": "hypotheses",
        "ClosedLoop": "loop",
        "LoopSample": "loop",
        "StandChannels": "loop",
        "Reactor": "reactor",
        "ReactorDesign": "reactor",
        "SurfaceTruth": "reactor",
        "ThermalState": "reactor",
        "Event": "scenario",
        "ProgramCommand": "scenario",
        "Scenario": "scenario",
        "ScenarioResult": "scenario",
        "load_scenario": "scenario",
        "result_json": "scenario",
        "run_scenario": "scenario",
        "scenario_from_dict": "scenario",
        "CoolantSensors": "sensors",
        "ShellThermocouple": "sensors",
        "StandSensors": "sensors",
        "DEMO_CONTROLLER": "simulate",
        "Hold": "simulate",
        "Procedure": "simulate",
        "simulate_run": "simulate",
        "DirectStand": "simulated_stand",
        "SimulatedStand": "simulated_stand",
        "SimulatedStandConfig": "simulated_stand",
    },
)
