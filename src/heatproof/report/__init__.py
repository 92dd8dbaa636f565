"""heatproof.report: the standalone HTML report of a campaign."""

from heatproof.report.campaign_report import write_campaign_report

__all__ = ["write_campaign_report"]
