"""Analysis: a campaign's runs from telemetry to verdict. Steady windows, the energy balance by
thermography or by the calibrated (dummy) method, COP with its uncertainty, pitfall findings and
the verdict; run files of steady runs (electrical input; flow, steam, thermography or calibrated output);
simulated campaigns for false-positive rates and power.

The public names below are imported from their modules on first use (PEP 562), so importing one
analysis module does not import the others (and SciPy or pint with them).
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "Calibration": "calibrated",
        "DummyRun": "calibrated",
        "calibrate": "calibrated",
        "AnalysisConfig": "config",
        "config_sha256": "config",
        "RunInfo": "energy_balance",
        "analyze_run": "energy_balance",
        "Finding": "pitfalls",
        "measurement": "quantities",
        "quantity": "quantities",
        "PointResult": "results",
        "RunResult": "results",
        "analyze_document": "runfile",
        "analyze_file": "runfile",
        "CampaignPlan": "simulated",
        "LabErrors": "simulated",
        "run_campaigns": "simulated",
        "simulate_campaign": "simulated",
        "summarise_campaigns": "simulated",
        "ShellEstimate": "thermography",
        "Surface": "thermography",
        "shell_estimate": "thermography",
        "Outcome": "verdict",
        "decide": "verdict",
        "Window": "windows",
        "hold_windows": "windows",
    },
)
