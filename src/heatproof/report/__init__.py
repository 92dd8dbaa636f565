"""heatproof.report: standalone HTML reports (a campaign's; a control scenario's response)."""

from heatproof.report.campaign_report import write_campaign_report

__all__ = ["write_campaign_report", "write_scenario_plot"]


def __getattr__(name: str) -> object:
    """``write_scenario_plot``, imported on first use (it pulls in the controller and the twin)."""
    if name != "write_scenario_plot":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from heatproof.report.scenario_plot import write_scenario_plot

    return write_scenario_plot
