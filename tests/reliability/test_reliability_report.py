"""The reliability report is titled by its data (fleet name, units, failures, unit hours), and
names where the data came from below the title, never as the title."""

from __future__ import annotations

import re

from heatproof.reliability.lifedata import life_data_from_rows
from heatproof.reliability.report import fleet_title, life_report


def _fleet(prefix: str) -> list[dict]:
    failed = [{"unit": f"{prefix}{i:06d}", "status": "failed", "hours": 800.0 + 150 * i}
              for i in range(1, 7)]
    running = [{"unit": f"{prefix}{i:06d}", "status": "running", "hours": 2000.0}
               for i in range(7, 11)]
    return failed + running


def test_title_names_the_fleet_units_failures_and_hours():
    data = life_data_from_rows(_fleet("HX-1-A-"))
    hours = sum(r["hours"] for r in _fleet("HX-1-A-"))
    assert fleet_title(data) == f"HX-1-A fleet: 10 units, 6 failures, {hours:,.0f} unit hours"


def test_units_without_a_common_name_are_a_fleet():
    data = life_data_from_rows([{"unit": "A", "status": "failed", "hours": 10.0},
                                {"unit": "B", "status": "running", "hours": 20.0}])
    assert fleet_title(data) == "Fleet: 2 units, 1 failure, 30 unit hours"


def test_report_heading_is_the_data_and_the_path_is_only_its_source(tmp_path):
    data = life_data_from_rows(_fleet("HX-1-A-"))
    source = str(tmp_path / "life.csv")
    page = life_report(data, source, dist="weibull")
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert heading == title == fleet_title(data)
    assert source not in heading
    assert f"<p id=source>Data: {source}.</p>" in page
