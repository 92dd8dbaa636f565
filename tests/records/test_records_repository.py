"""Repository functions on every available backend (SQLite; PostgreSQL if configured)."""

import hashlib
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.exc import IntegrityError

from heatproof import __version__
from heatproof.analysis.config import config_sha256
from heatproof.errors import InvalidInput, NotFound
from heatproof.records import repository as repo
from heatproof.records.models import Run

SHA = "ab" * 32
CORIOLIS = {"flow": {"model": "coriolis", "u_rel": 0.001}}


def _setup(s):
    design = repo.get_or_create_design(
        s,
        "R-100",
        "B",
        charge_mass_kg=0.25,
        geometry={"diameter_m": 0.05, "length_m": 0.3},
        material="Inconel 600",
    )
    unit = repo.get_or_create_unit(s, "SN-0001", design)
    stand = repo.get_or_create_stand(s, "stand-1")
    config = {"method": "flow", "n": 3, "confidence": 0.95, "margin": 0.2}
    campaign = repo.add_campaign(s, design, "acceptance", config, config_sha256(config))
    return design, unit, stand, campaign


def _run(s, campaign, unit, stand, kind="active", **kw):
    args = dict(
        procedure={"power_w": 500.0},
        t_start_s=0.0,
        t_end_s=3600.0,
        telemetry_path="telemetry/run.parquet",
        telemetry_sha256=SHA,
        meta={"operator": "A. N. Other"},
        instruments=CORIOLIS,
    )
    args.update(kw)
    return repo.add_run(s, campaign, unit, stand, kind, **args)


def test_full_flow_persists_and_relates(workspace):
    with workspace.unit_of_work() as s:
        design, unit, stand, campaign = _setup(s)
        cal = _run(s, campaign, unit, stand, "calibration")
        act = _run(s, campaign, unit, stand, "active", t_start_s=10.0, t_end_s=20.0)
        ids = (design.id, unit.id, stand.id, campaign.id, cal.id, act.id)
    assert all(isinstance(i, int) for i in ids)
    with workspace.unit_of_work() as s:
        campaign = repo.get_campaign(s, ids[3])
        assert [r.kind for r in campaign.runs] == ["calibration", "active"]
        assert campaign.config == {"method": "flow", "n": 3, "confidence": 0.95, "margin": 0.2}
        assert campaign.config_sha256 == config_sha256(campaign.config)
        assert campaign.design.geometry == {"diameter_m": 0.05, "length_m": 0.3}
        run = repo.get_run(s, ids[5])
        assert (run.t_start_s, run.t_end_s) == (10.0, 20.0)
        assert run.unit.serial == "SN-0001" and run.stand.name == "stand-1"
        assert run.campaign.id == campaign.id
        assert run.meta == {"operator": "A. N. Other"}
        assert run.instruments == CORIOLIS
        assert run.created_at.utcoffset() == timedelta(0)  # aware UTC on every backend
        assert abs(datetime.now(UTC) - run.created_at) < timedelta(hours=1)
        assert [r.id for r in repo.list_runs(s, campaign.id)] == [ids[4], ids[5]]
        assert [c.id for c in repo.list_campaigns(s)] == [campaign.id]


def test_a_campaign_is_its_configuration_and_its_hash(workspace):
    """The decision settings live once, in the configuration; the hash is the maker's, checked
    only for its form (the repository does not know what a configuration means)."""
    with workspace.unit_of_work() as s:
        design, *_ = _setup(s)
        c = repo.add_campaign(s, design, "plain", {}, config_sha256({}))
        assert (c.config, c.config_sha256) == ({}, config_sha256({}))
        assert not hasattr(c, "confidence") and not hasattr(c, "margin")
        with pytest.raises(InvalidInput, match="config_sha256='abc' is not 64 lower-case hex"):
            repo.add_campaign(s, design, "bad", {}, "abc")


def test_one_stand_records_runs_with_different_instrument_settings(workspace):
    """The camera's emissivity setting is the run's, not part of the stand's name."""
    with workspace.unit_of_work() as s:
        design, unit, stand, campaign = _setup(s)
        first = _run(s, campaign, unit, stand, instruments={"camera": {"emissivity_set": 0.95}})
        again = repo.get_or_create_stand(s, "stand-1")
        second = _run(s, campaign, unit, again, instruments={"camera": {"emissivity_set": 0.6}})
        assert again.id == stand.id and first.stand_id == second.stand_id
        assert [r.instruments["camera"]["emissivity_set"] for r in (first, second)] == [0.95, 0.6]
        with pytest.raises(InvalidInput, match="instruments=\\{\\} is empty"):
            _run(s, campaign, unit, stand, instruments={})


def test_get_or_create_is_idempotent(workspace):
    with workspace.unit_of_work() as s:
        design, unit, stand, _ = _setup(s)
    with workspace.unit_of_work() as s:
        assert repo.get_or_create_design(s, "R-100", "B").id == design.id
        again = repo.get_or_create_design(s, "R-100", "B", charge_mass_kg=0.25)
        assert again.id == design.id
        assert repo.get_or_create_unit(s, "SN-0001", again).id == unit.id
        assert repo.get_or_create_stand(s, "stand-1").id == stand.id
        other = repo.get_or_create_design(s, "R-100", "C", charge_mass_kg=0.3, material="steel")
        assert other.id != design.id


def test_get_or_create_refuses_conflicts(workspace):
    with workspace.unit_of_work() as s:
        design, *_ = _setup(s)
        with pytest.raises(InvalidInput, match="charge_mass_kg"):
            repo.get_or_create_design(s, "R-100", "B", charge_mass_kg=0.5)
        other = repo.get_or_create_design(s, "R-200", "A", charge_mass_kg=1.0, material="steel")
        with pytest.raises(InvalidInput, match="SN-0001"):
            repo.get_or_create_unit(s, "SN-0001", other)
        with pytest.raises(InvalidInput, match="material"):
            repo.get_or_create_design(s, "R-300", "A", charge_mass_kg=1.0)
        with pytest.raises(InvalidInput, match="charge_mass_kg"):
            repo.get_or_create_design(s, "R-300", "A", charge_mass_kg=-1.0, material="steel")


def test_add_run_validates(workspace):
    with workspace.unit_of_work() as s:
        design, unit, stand, campaign = _setup(s)
        with pytest.raises(InvalidInput, match="kind='warmup'"):
            _run(s, campaign, unit, stand, "warmup")
        with pytest.raises(InvalidInput, match="t_end_s"):
            _run(s, campaign, unit, stand, t_start_s=5.0, t_end_s=1.0)
        with pytest.raises(InvalidInput, match="t_start_s"):
            _run(s, campaign, unit, stand, t_start_s=float("nan"))
        with pytest.raises(InvalidInput, match="telemetry_sha256"):
            _run(s, campaign, unit, stand, telemetry_sha256="xyz")
        with pytest.raises(InvalidInput, match="NaN"):
            _run(s, campaign, unit, stand, meta={"x": float("nan")})
        other = repo.get_or_create_design(s, "R-200", "A", charge_mass_kg=1.0, material="steel")
        foreign = repo.get_or_create_unit(s, "SN-9", other)
        with pytest.raises(InvalidInput, match="design"):
            _run(s, campaign, foreign, stand)


def test_database_enforces_constraints(workspace):
    with workspace.unit_of_work() as s:
        _, unit, stand, campaign = _setup(s)
        ids = dict(campaign_id=campaign.id, unit_id=unit.id, stand_id=stand.id)
    common = dict(procedure={}, t_start_s=0.0, t_end_s=1.0, telemetry_path="x", meta={})
    common["instruments"] = CORIOLIS
    bad_rows = [
        Run(kind="bogus", telemetry_sha256=SHA, **ids, **common),
        Run(kind="active", telemetry_sha256=SHA, **{**ids, "campaign_id": 999}, **common),
        Run(kind="active", telemetry_sha256=SHA, **ids, **{**common, "t_end_s": -1.0}),
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), workspace.unit_of_work() as s:
            s.add(row)
    with workspace.unit_of_work() as s:
        assert repo.list_runs(s) == []


def test_not_found_names_id_and_workspace(workspace):
    with workspace.unit_of_work() as s:
        with pytest.raises(NotFound, match=f"run 42 does not exist in workspace {workspace.path}"):
            repo.get_run(s, 42)
        with pytest.raises(NotFound, match="campaign 7 does not exist"):
            repo.get_campaign(s, 7)


def test_verdicts(workspace):
    with workspace.unit_of_work() as s:
        _, _, _, campaign = _setup(s)
        cid = campaign.id
        assert repo.latest_verdict(s, cid) is None
        made = {"software_version": __version__, "config_sha256": config_sha256(campaign.config)}
        first = repo.add_verdict(s, campaign, {"outcome": "INCONCLUSIVE", "n": np.int64(2)} | made)
        record = {
            "outcome": "POSITIVE",
            "excess_power_w": np.float64(12.5),
            "interval_w": np.array([3.0, 22.0]),
        }
        second = repo.add_verdict(s, campaign, record | made)
        assert second.id > first.id
        with pytest.raises(InvalidInput, match="outcome"):
            repo.add_verdict(s, campaign, {"outcome": "MAYBE"} | made)
        with pytest.raises(InvalidInput, match="NaN"):
            repo.add_verdict(s, campaign, {"outcome": "NEGATIVE", "p": float("inf")} | made)
        with pytest.raises(InvalidInput, match="JSON"):
            repo.add_verdict(s, campaign, {"outcome": "NEGATIVE", "p": object()} | made)
    with workspace.unit_of_work() as s:
        latest = repo.latest_verdict(s, cid)
        assert latest.outcome == "POSITIVE"
        assert latest.record == {
            "outcome": "POSITIVE",
            "excess_power_w": 12.5,
            "interval_w": [3.0, 22.0],
        } | made
        assert latest.software_version == __version__
        # the one configuration hash of the project: the same as AnalysisConfig.sha256 and verify's
        canonical = b'{"confidence": 0.95, "margin": 0.2, "method": "flow", "n": 3}'
        assert latest.config_sha256 == hashlib.sha256(canonical).hexdigest()
        assert latest.config_sha256 == latest.campaign.config_sha256
        assert [v.outcome for v in latest.campaign.verdicts] == ["INCONCLUSIVE", "POSITIVE"]


@pytest.mark.parametrize("key", ["software_version", "config_sha256"])
def test_a_verdict_that_does_not_say_what_made_it_is_refused(workspace, key):
    """The repository stores what the verdict's maker wrote; it computes no hash of its own."""
    with workspace.unit_of_work() as s:
        _, _, _, campaign = _setup(s)
        record = {"outcome": "NEGATIVE", "software_version": "9.9", "config_sha256": "c" * 64}
        with pytest.raises(InvalidInput, match=f"verdict record {key}=None is not a text; give"):
            repo.add_verdict(s, campaign, {k: v for k, v in record.items() if k != key})


def test_verdict_keeps_given_version_and_config_hash(workspace):
    with workspace.unit_of_work() as s:
        _, _, _, campaign = _setup(s)
        record = {"outcome": "NEGATIVE", "software_version": "9.9", "config_sha256": "c" * 64}
        v = repo.add_verdict(s, campaign, record)
        assert (v.software_version, v.config_sha256) == ("9.9", "c" * 64)


def test_unit_of_work_rolls_back_on_error(workspace):
    with pytest.raises(RuntimeError), workspace.unit_of_work() as s:
        _setup(s)
        raise RuntimeError("boom")
    with workspace.unit_of_work() as s:
        assert repo.list_campaigns(s) == []
        with pytest.raises(NotFound):
            repo.get_campaign(s, 1)


MADE = {"software_version": "9.9", "config_sha256": "c" * 64}


def test_ids_given_by_an_import_are_followed_by_new_ones(workspace):
    """A dossier import stores records under their ids; the next record takes a new id (on
    PostgreSQL only after reset_id_sequences: its sequence would hand out 2, below the imported 5)."""
    with workspace.unit_of_work() as s:
        campaign = _setup(s)[3]
        first = repo.add_verdict(s, campaign, {"outcome": "POSITIVE"} | MADE)
        repo.add_verdict(s, campaign, {"outcome": "NEGATIVE"} | MADE, verdict_id=5)
        keys = {(campaign.id, first.id), (campaign.id, 5)}
        repo.reset_id_sequences(s)
        assert repo.holds_campaigns_or_runs(s) and repo.run_ids(s) == set()
    with workspace.unit_of_work() as s:
        campaign = repo.get_campaign(s, campaign.id)
        assert repo.add_verdict(s, campaign, {"outcome": "INCONCLUSIVE"} | MADE).id == 6
        assert set(repo.verdict_keys(s)) == keys | {(campaign.id, 6)}
        assert repo.verdict_ids(s) == {v.id for v in repo.list_verdicts(s, campaign.id)}
