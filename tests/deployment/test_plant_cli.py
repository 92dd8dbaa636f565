"""`heatproof plant`: assemble, operate, list, show and life through the CLI on a workspace with
released units; errors are one line with exit status 2 and nothing written."""

from __future__ import annotations

import json

import pytest
from tests.deployment.released import passed_units

from heatproof.workspace import Workspace


@pytest.fixture
def plant_cli(tmp_path, heatproof):
    """A workspace with 8 released HX-1 rev A units; the `heatproof plant` CLI bound to it."""
    path = tmp_path / "ws"
    with Workspace.open(path) as ws:
        passed_units(ws, 8)

    def run(*args: str, check: bool = True):
        return heatproof("plant", *args, "--workspace", str(path), check=check)

    run.heatproof, run.path = heatproof, path
    return run


def _one_line_error(done, text: str) -> None:
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [text]


def test_assemble_operate_show_and_fit(plant_cli):
    made = json.loads(plant_cli("assemble", "P1", "HX-1", "A", "--demand-kw", "4", "--json").stdout)
    assert (made["units"], made["duty_units"], made["spares"]) == (6, 4, 2)
    text = plant_cli(
        "operate",
        "P1",
        "--hours",
        "120",
        "--step-s",
        "3600",
        "--life-eta-h",
        "60",
        "--repair-h",
        "12",
        "--seed",
        "4",
    ).stdout
    assert text.startswith("plant P1 (simulated): hours 0 to 120, availability ")
    assert "field trend: " in text and text.rstrip().endswith("release SUSPENDED")  # eta 60 h
    shown = json.loads(plant_cli("show", "P1", "--json").stdout)
    assert shown["status"] == "operating" and len(shown["unit_list"]) == 6
    assert shown["field"]["failures"] > 0 and shown["operations"][0]["simulated"] is True
    assert all(len(u["lots"]) == 5 for u in shown["unit_list"])
    table = plant_cli("show", "P1").stdout
    assert "HX-1-A-000001" in table and "HX1-HTR-200-A-1" in table
    serial = shown["unit_list"][0]["serial"]
    assert json.loads(plant_cli("show", "--unit", serial, "--json").stdout)["plant"] == "P1"
    lot = plant_cli.heatproof(
        "line", "genealogy", "--lot", "HX1-HTR-200-A-1", "--json", "--workspace",
        str(plant_cli.path),
    )
    in_plants = {u["serial"]: u["plant"] for u in json.loads(lot.stdout)["units"]}
    assert sorted(in_plants.values(), key=str) == [None] * 2 + ["P1"] * 6  # lot -> unit -> plant
    listed = json.loads(plant_cli("list", "--json").stdout)["plants"]
    assert [(p["name"], p["status"], p["units"]) for p in listed] == [("P1", "operating", 6)]
    life = json.loads(plant_cli("life", "HX-1", "A", "--plant", "P1", "--json").stdout)
    assert life["units"] == 6 and life["failures"] >= 1 and life["dist"] == "weibull"
    assert set(life["params"]) == {"alpha", "beta"}


def test_errors_are_one_line(plant_cli):
    _one_line_error(
        plant_cli("assemble", "P1", "HX-1", "A", "--demand-kw", "20", check=False),
        "error: plant P1 needs 22 released units of HX-1 rev A (20 duty + 2 spares) and 8 are "
        "available; build and test more units of a mass order (`heatproof line order create "
        "... --kind mass`)",
    )
    _one_line_error(
        plant_cli("operate", "P9", check=False),
        "error: plant 'P9' does not exist; see `heatproof plant list`",
    )
    _one_line_error(
        plant_cli("show", check=False), "error: give exactly one of NAME or --unit SERIAL"
    )
    _one_line_error(
        plant_cli("life", "HX-1", "A", check=False),
        "error: no deployed unit of HX-1 rev A has reported hours yet; operate a plant first "
        "(`heatproof plant operate NAME`)",
    )
    assert json.loads(plant_cli("list", "--json").stdout) == {"plants": []}
