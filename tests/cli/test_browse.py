"""`heatproof list` and `heatproof show` on the demo's workspace: every kind listed as a table and
as JSON, each record shown, the filters, and every "not found" one line (exit 2) naming the
command that lists what exists. They only read: the workspace is left as it was, an absent one
is not created."""

from __future__ import annotations

import json
import shutil

import pytest
from rich.console import Console
from tests.fuzz.cli_harness import check_outcome, run_cli, tree_digest

from heatproof.cli import browse
from heatproof.workspace import Workspace

PLANT_DESIGN = "plant:HX-1-A-plant-1"  # the demo plant's own design record (its commissioning)


@pytest.fixture(autouse=True)
def wide_tables(monkeypatch):
    """Tables 200 columns wide, so that no cell the tests look for is cut."""
    monkeypatch.setattr(browse, "_out", Console(width=200))


@pytest.fixture(scope="module")
def ws(demo_pristine, tmp_path_factory):
    """This module's copy of the demo's workspace as the demo left it (listing writes nothing;
    the session's shared copy may hold what other tests added)."""
    copy = tmp_path_factory.mktemp("browse") / "ws"
    shutil.copytree(demo_pristine[0], copy)
    return str(copy)


@pytest.fixture(scope="module")
def gain(demo_pristine) -> dict:
    return demo_pristine[1]["scenarios"]["gain"]


def ok(*args: str) -> str:
    code, out, err = run_cli(list(args))
    assert code == 0, err
    return out


def as_json(*args: str) -> dict:
    return json.loads(ok(*args, "--json"))


def error(*args: str) -> str:
    """The one line of a refused command (exit 2, nothing on stdout)."""
    code, out, err = run_cli(list(args))
    check_outcome(code, err, allowed=(2,))
    assert out == ""
    return err.strip()


def test_campaigns_list_the_demo_with_their_latest_verdicts(ws, gain):
    rows = as_json("list", "campaigns", "-w", ws)["campaigns"]
    assert [(c["id"], c["design"], c["latest_outcome"]) for c in rows] == [
        (1, "HX-0", "NEGATIVE"),
        (gain["campaign_id"], "HX-1", "POSITIVE"),
        (3, PLANT_DESIGN, "POSITIVE"),  # the demo plant's commissioning
    ]
    assert all(
        c["preregistered"] and c["runs"] == 2 and c["method"] == "thermography" for c in rows[:2]
    )
    assert rows[2]["preregistered"] and rows[2]["runs"] == 3
    table = ok("list", "campaigns", "-w", ws)
    assert f"campaigns in workspace {ws}" in table
    assert "demo-gain (thermography)" in table and "2: POSITIVE" in table and "registered" in table
    assert [c["excluded_runs"] for c in rows] == [[], [], []]


def test_runs_are_listed_sealed_with_a_campaign_filter(ws, gain):
    every = as_json("list", "runs", "-w", ws)["runs"]
    assert [(r["id"], r["campaign"], r["kind"]) for r in every] == [
        (1, 1, "calibration"),
        (2, 1, "active"),
        (3, 2, "calibration"),
        (4, 2, "active"),
        (5, 3, "calibration"),
        (6, 3, "active"),
        (7, 3, "calibration"),
    ]
    assert all(r["sealed"] and r["simulated"] and not r["excluded"] for r in every)
    assert {r["exclusion"] for r in every} == {None}
    assert {r["stand"] for r in every[:4]} == {"stand-1"}
    assert {r["stand"] for r in every[4:]} == {"plant-loop:HX-1-A-plant-1"}
    assert every[0]["duration_s"] > every[1]["duration_s"] > 0
    only = as_json("list", "runs", "--campaign", str(gain["campaign_id"]), "-w", ws)["runs"]
    assert [r["id"] for r in only] == [3, 4]
    table = ok("list", "runs", "--campaign", "2", "-w", ws)
    assert f"runs of campaign 2 in workspace {ws}" in table
    assert "sealed, simulated" in table and "EXCLUDED" not in table
    wide = ok("list", "runs", "--campaign", "2", "--wide", "-w", ws)
    assert "telemetry/campaign-2/run-2-active.parquet" in wide and "campaign-1/" not in wide
    assert "telemetry/" not in table  # a --wide column


def test_verdicts_carry_the_demo_cop_and_their_signatures(ws, gain):
    rows = as_json("list", "verdicts", "-w", ws)["verdicts"]
    assert [(v["campaign"], v["outcome"]) for v in rows] == [
        (1, "NEGATIVE"),
        (2, "POSITIVE"),
        (3, "POSITIVE"),
    ]
    positive = rows[1]
    assert positive["cop"] == pytest.approx(gain["cop"], rel=1e-12)
    assert positive["cop_interval"] == pytest.approx(gain["cop_interval"], rel=1e-12)
    assert positive["signed"] and positive["validated"] and positive["simulated"]
    assert positive["signatures"] == ["engineer", "validator"]
    assert as_json("list", "verdicts", "--campaign", "1", "-w", ws)["verdicts"] == rows[:1]
    table = ok("list", "verdicts", "-w", ws)
    assert f"{gain['cop']:.6g}" in table and "two-sided interval" in table
    assert "simulated, signed, validated" in table


def test_designs_units_and_stands(ws):
    designs = as_json("list", "designs", "-w", ws)["designs"]
    assert [(d["name"], d["revision"], d["campaigns"]) for d in designs] == [
        ("HX-0", "A", 1),
        ("HX-1", "A", 1),
        (PLANT_DESIGN, "A", 1),
    ]
    units = as_json("list", "units", "-w", ws)["units"]
    assert sum(d["units"] for d in designs) == len(units)
    assert {u["design"] for u in units} == {"HX-0", "HX-1", PLANT_DESIGN}
    hx0 = as_json("list", "units", "--design", "HX-0", "-w", ws)["units"]
    assert [(u["serial"], u["order"], u["runs"]) for u in hx0] == [("SIM-NULL-0001", None, 2)]
    assert as_json("list", "stands", "-w", ws) == {
        "stands": [{"name": "plant-loop:HX-1-A-plant-1", "runs": 3}, {"name": "stand-1", "runs": 4}]
    }
    assert "SIM-NULL-0001" in ok("list", "units", "--design", "HX-0", "-w", ws)
    assert "HX-1" in ok("list", "designs", "-w", ws)
    assert "stand-1" in ok("list", "stands", "-w", ws)


def test_show_a_campaign_with_its_runs_and_verdicts(ws):
    shown = as_json("show", "campaign", "2", "-w", ws)
    assert shown["config"]["method"] == "thermography" and len(shown["config_sha256"]) == 64
    assert shown["preregistration"]["file"] == "evidence/preregistrations/campaign-2.json"
    assert [r["id"] for r in shown["run_rows"]] == [3, 4]
    assert [v["outcome"] for v in shown["verdict_rows"]] == ["POSITIVE"]
    text = ok("show", "campaign", "2", "-w", ws)
    assert "config.confidence" in text and "preregistration.file" in text
    assert "SIM-GAIN-0001" in text and "POSITIVE" in text


def test_show_a_run_with_its_procedure_and_instruments(ws):
    shown = as_json("show", "run", "4", "-w", ws)
    assert shown["procedure"]["name"] == "active-hold-1050K"
    assert shown["instruments"]["camera"]["emissivity_set"] == 0.95
    assert shown["t_end_s"] - shown["t_start_s"] == shown["duration_s"]
    text = ok("show", "run", "4", "-w", ws)
    assert "instruments.camera.emissivity_set" in text and shown["telemetry_sha256"] in text


def test_show_a_verdict_with_its_summary_and_reasons(ws):
    shown = as_json("show", "verdict", "1", "-w", ws)
    assert shown["outcome"] == "NEGATIVE"
    assert shown["summary"]["cop_upper_bound"] < 1.1
    assert shown["reasons"] and "COP upper bound" in shown["reasons"][0]
    assert shown["file"] == "evidence/verdicts/campaign-1-verdict-1.json"
    text = ok("show", "verdict", "1", "-w", ws)
    assert shown["reasons"][0] in text  # plain text, not swallowed as Rich markup
    assert "summary.cop_upper_bound" in text and "engineer" in text and "validator" in text
    summary = shown["verdict_summary"]
    assert summary["deciding"]["side"] == "upper"
    assert summary["deciding"]["bound"] == shown["summary"]["cop_upper_bound"]
    assert shown["exclusions"] == [] and shown["excluded_after"] == []
    assert text.startswith("campaign 1 (HX-0 rev A): NEGATIVE [SIMULATED]")
    assert summary["deciding"]["sentence"] in text and "exclusions: none" in text


def test_show_a_design_a_stand_and_units(ws):
    design = as_json("show", "design", "HX-1", "A", "-w", ws)
    assert design["geometry"]["diameter_m"] > 0
    assert [g["gate"] for g in design["gate_decisions"]][:2] == ["G1", "G2"]
    assert [c["id"] for c in design["campaign_rows"]] == [2]
    assert "geometry.diameter_m" in ok("show", "design", "HX-1", "A", "-w", ws)
    stand = as_json("show", "stand", "stand-1", "-w", ws)
    assert [r["id"] for r in stand["run_rows"]] == [1, 2, 3, 4]
    unit = as_json("show", "unit", "SIM-GAIN-0001", "-w", ws)
    assert unit["run_ids"] == [3, 4] and unit["lots"] == [] and unit["eol_results"] == []
    built = [u for u in as_json("list", "units", "-w", ws)["units"] if u["order"]]
    assert built, "the demo builds a pilot lot on the line"
    line_unit = as_json("show", "unit", built[0]["serial"], "-w", ws)
    assert line_unit["lots"] and line_unit["eol_results"]
    assert {x["attempt"] for x in line_unit["eol_results"]} >= {1}
    assert line_unit["lots"][0]["lot"] in ok("show", "unit", built[0]["serial"], "-w", ws)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["show", "run", "99"],
            "run 99 does not exist in workspace {ws}; see `heatproof list runs`",
        ),
        (
            ["show", "campaign", "9"],
            "campaign 9 does not exist in workspace {ws}; see `heatproof list campaigns`",
        ),
        (
            ["show", "verdict", "9"],
            "verdict 9 does not exist in workspace {ws}; see `heatproof list verdicts`",
        ),
        (
            ["show", "unit", "NOPE"],
            "unit 'NOPE' does not exist in workspace {ws}; see `heatproof list units`",
        ),
        (
            ["show", "stand", "s9"],
            "stand 's9' does not exist in workspace {ws}; see `heatproof list stands`",
        ),
        (
            ["show", "design", "HX-1", "Z"],
            "design HX-1 rev Z does not exist in workspace {ws}; see `heatproof list designs`",
        ),
        (
            ["list", "runs", "--campaign", "9"],
            "campaign 9 does not exist in workspace {ws}; see `heatproof list campaigns`",
        ),
        (
            ["list", "verdicts", "--campaign", "9"],
            "campaign 9 does not exist in workspace {ws}; see `heatproof list campaigns`",
        ),
        (
            ["list", "units", "--design", "HX-9"],
            "design HX-9 does not exist in workspace {ws}; see `heatproof list designs`",
        ),
        (["analyze", "99"], "run 99 does not exist in workspace {ws}; see `heatproof list runs`"),
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else "",
)
def test_not_found_is_one_line_naming_the_listing_command(ws, args, message):
    assert error(*args, "-w", ws) == f"error: {message.format(ws=ws)}"


def test_an_absent_workspace_is_named_and_not_created(tmp_path):
    missing = tmp_path / "nowhere"
    for args in (["list", "campaigns"], ["show", "run", "1"]):
        assert error(*args, "-w", str(missing)) == (
            f"error: workspace {missing} does not exist; give the workspace folder with --workspace"
        )
    assert not missing.exists()


def test_an_empty_workspace_says_so_in_one_line(tmp_path):
    Workspace.open(tmp_path / "ws").close()
    for kind in browse.COLUMNS:
        assert ok("list", kind, "-w", str(tmp_path / "ws")) == (
            f"no {kind} in workspace {tmp_path / 'ws'}\n"
        )
        assert as_json("list", kind, "-w", str(tmp_path / "ws")) == {kind: []}


def test_listing_and_showing_write_nothing(demo_pristine, tmp_path):
    copy = tmp_path / "ws"
    shutil.copytree(demo_pristine[0], copy)
    Workspace.open(copy).close()  # SQLite folds a copied write-ahead log into the database file
    before = tree_digest(copy)
    for kind in browse.COLUMNS:
        ok("list", kind, "-w", str(copy))
    ok("show", "campaign", "1", "-w", str(copy))
    ok("show", "verdict", "2", "--json", "-w", str(copy))
    assert tree_digest(copy) == before


def test_a_verdict_without_evidence_is_listed_unsigned(demo_pristine, tmp_path):
    """`heatproof verdict` stores a verdict with no signed file: listed as neither evidence nor
    signed nor validated, beside the demo's signed ones."""
    copy = tmp_path / "ws"
    shutil.copytree(demo_pristine[0], copy)
    ok("verdict", "1", "-w", str(copy))
    rows = as_json("list", "verdicts", "--campaign", "1", "-w", str(copy))["verdicts"]
    assert [(v["id"], v["evidence"], v["signed"], v["validated"]) for v in rows] == [
        (1, True, True, True),
        (4, False, False, False),  # 2 and 3: gain's and the demo plant's commissioning
    ]
    assert as_json("show", "verdict", "4", "-w", str(copy))["file"] is None
    assert as_json("list", "campaigns", "-w", str(copy))["campaigns"][0]["latest_verdict"] == 4


# --- exclusions -----------------------------------------------------------------------------------

ABORTED = "aborted: the ramp timed out, no hold was reached"
LOOSE = "thermocouple TC2 came loose during the run"


@pytest.fixture(scope="module")
def excluded(demo_pristine, tmp_path_factory) -> str:
    """A copy of the demo's workspace with run 4 (campaign 2's active run) excluded after its
    verdict 2, and run 7 (a calibration run of campaign 3) excluded and then decided without
    (verdict 4)."""
    copy = tmp_path_factory.mktemp("browse-excluded") / "ws"
    shutil.copytree(demo_pristine[0], copy)
    ok("dossier", "exclude", "4", "--reason", ABORTED, "-w", str(copy))
    ok("dossier", "exclude", "7", "--reason", LOOSE, "-w", str(copy))
    ok("verdict", "3", "-w", str(copy))
    return str(copy)


def test_an_excluded_run_is_marked_in_the_run_list_with_its_reason(excluded):
    rows = {r["id"]: r for r in as_json("list", "runs", "-w", excluded)["runs"]}
    assert [i for i, r in rows.items() if r["excluded"]] == [4, 7]
    assert rows[4]["exclusion"]["reason"] == ABORTED
    assert rows[4]["exclusion"]["file"] == "evidence/exclusions/run-4.json"
    assert len(rows[4]["exclusion"]["signer_fingerprint"]) == 64
    assert rows[4]["exclusion"]["excluded_at"].startswith("20")
    assert rows[3]["exclusion"] is None
    table = ok("list", "runs", "--campaign", "2", "-w", excluded)
    assert "EXCLUDED, sealed, simulated" in table
    key = rows[4]["exclusion"]["signer_fingerprint"][:16]
    assert f"run 4 EXCLUDED: {ABORTED} (signed by engineer key {key}, " in table
    assert LOOSE not in table  # run 7 is of campaign 3


def test_show_run_gives_the_exclusion(excluded):
    shown = as_json("show", "run", "4", "-w", excluded)
    assert shown["excluded"] and shown["exclusion"]["reason"] == ABORTED
    text = ok("show", "run", "4", "-w", excluded)
    assert "exclusion.reason" in text and ABORTED in text
    assert as_json("show", "run", "3", "-w", excluded)["exclusion"] is None


def test_campaigns_list_and_show_their_excluded_runs(excluded):
    rows = as_json("list", "campaigns", "-w", excluded)["campaigns"]
    assert [c["excluded_runs"] for c in rows] == [[], [4], [7]]
    shown = as_json("show", "campaign", "2", "-w", excluded)
    assert [(e["run_id"], e["reason"]) for e in shown["exclusions"]] == [(4, ABORTED)]
    assert [(r["id"], r["excluded"]) for r in shown["run_rows"]] == [(3, False), (4, True)]
    text = ok("show", "campaign", "2", "-w", excluded)
    assert ABORTED in text and "EXCLUDED, sealed, simulated" in text


def test_show_verdict_gives_the_exclusions_it_skipped_and_the_deciding_bound(excluded):
    shown = as_json("show", "verdict", "4", "-w", excluded)
    assert shown["campaign"] == 3
    assert [(e["run_id"], e["reason"]) for e in shown["exclusions"]] == [(7, LOOSE)]
    assert shown["exclusions"][0]["excluded_at"].startswith("20")
    summary = shown["verdict_summary"]
    assert [e["reason"] for e in summary["exclusions"]] == [LOOSE]
    deciding = summary["deciding"]
    assert deciding["side"] == "lower" and deciding["threshold"] == pytest.approx(1.1)
    assert deciding["bound"] == shown["summary"]["cop_lower_bound"]
    assert summary["evidence"]["signed"] is False  # `heatproof verdict` signs nothing
    text = ok("show", "verdict", "4", "-w", excluded)
    assert f"  decided by: {deciding['sentence']}" in text
    assert "  headline interval: " in text and "does not decide" in text
    assert f"  exclusions: run 7: {LOOSE}" in text
    assert "excluded since" not in text


def test_show_an_older_verdict_names_the_runs_excluded_since(excluded):
    """Verdict 2 analysed run 4, excluded after it: it skipped nothing, and says so."""
    shown = as_json("show", "verdict", "2", "-w", excluded)
    assert shown["exclusions"] == [] and shown["excluded_after"] == [4]
    text = ok("show", "verdict", "2", "-w", excluded)
    assert "exclusions: none" in text
    assert "excluded since: run(s) 4, which this verdict analysed" in text


@pytest.mark.parametrize("kind", ["campaigns", "runs", "verdicts", "units", "designs"])
def test_tables_are_readable_at_80_columns(excluded, monkeypatch, kind):
    """At 80 columns nothing is cut (no ellipsis) and short cells (kinds, serials, outcomes) are
    whole; an exclusion's reason is there in full."""
    monkeypatch.setattr(browse, "_out", Console(width=80))
    text = ok("list", kind, "-w", excluded)
    assert "…" not in text
    rows = as_json("list", kind, "-w", excluded)[kind]
    whole = {"runs": ("kind", "unit"), "verdicts": ("outcome",), "units": ("serial", "status")}
    for key in whole.get(kind, ()):
        assert all(r[key] in text for r in rows if len(r[key]) <= 13)
    if kind == "runs":
        assert f"EXCLUDED: {ABORTED}" in " ".join(text.split())
