"""Fleet analytics on the in-process engine and on a real Dask cluster (distributed.LocalCluster,
two worker processes on loopback, started once for this module): the same bits on both, the
findings the simulation planted, the life data, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.deployment.fleet_analytics import (
    FleetSpec,
    Limits,
    analyse_fleet,
    analyse_partition,
    analyse_reactor,
    life_rows,
    simulate_telemetry,
)
from heatproof.engines import open_engine
from heatproof.engines.dask import DaskEngine
from heatproof.engines.local import LocalEngine
from heatproof.engines.partitions import reactor_partitions, read_reactor, write_partition
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.reliability.lifedata import life_data_from_csv, life_data_from_rows

SPEC = FleetSpec(reactors=12, days=2, sample_s=60, seed=3)


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes and a scheduler on 127.0.0.1, no dashboard."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def telemetry(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("fleet") / "telemetry"
    return folder, simulate_telemetry(SPEC, folder)


def _without_engine(result: dict) -> str:
    return json.dumps({k: v for k, v in result.items() if k != "engine"}, sort_keys=True)


def test_dask_gives_the_same_bits_as_the_local_engine(cluster, telemetry):
    folder, _ = telemetry
    local = analyse_fleet(folder, LocalEngine())
    engine = DaskEngine(cluster.scheduler_address)
    try:
        assert engine.describe()["workers"] == 2
        remote = analyse_fleet(folder, engine, reactors_per_task=5)  # 3 tasks: 5, 5, 2
    finally:
        engine.close()
    assert remote["engine"]["engine"] == "dask"
    assert _without_engine(remote) == _without_engine(local)
    assert local["fleet"]["reactors"] == SPEC.reactors


def test_cli_analyze_through_the_scheduler_matches_in_process(cluster, telemetry, tmp_path):
    folder, _ = telemetry
    runner = CliRunner()
    life = tmp_path / "life.csv"
    args = ["fleet", "analyze", str(folder), "--json"]
    on_dask = runner.invoke(
        app, [*args, "--scheduler", cluster.scheduler_address, "--life-csv", str(life)]
    )
    in_process = runner.invoke(app, args)
    assert on_dask.exit_code == 0, on_dask.output
    assert in_process.exit_code == 0, in_process.output
    assert _without_engine(json.loads(on_dask.stdout)) == _without_engine(
        json.loads(in_process.stdout)
    )
    data = life_data_from_csv(life.read_text())
    assert data.n == SPEC.reactors and data.failed.sum() >= 1


@pytest.mark.slow  # each worker process compiles the twin's fleet kernel (numba): ~10 s
def test_a_fleet_simulated_on_dask_is_the_same_telemetry(cluster, telemetry, tmp_path):
    folder, summary = telemetry
    runner = CliRunner()
    spec = ["--reactors", "12", "--days", "2", "--sample-s", "60", "--seed", "3"]
    out = tmp_path / "on-dask"
    done = runner.invoke(
        app,
        ["fleet", "simulate", *spec, "--out", str(out), "--json"]
        + ["--scheduler", cluster.scheduler_address],
    )
    assert done.exit_code == 0, done.output
    assert {k: v for k, v in json.loads(done.stdout).items() if k != "out"} == {
        k: v for k, v in summary.items() if k != "out"
    }
    here, there = reactor_partitions(folder), reactor_partitions(out)
    assert list(here) == list(there)
    for reactor, paths in here.items():
        a, b = read_reactor(paths), read_reactor(there[reactor])
        assert all(np.array_equal(a[c], b[c]) for c in a), reactor


def test_a_task_error_on_a_worker_is_raised_by_the_client(cluster, tmp_path):
    engine = DaskEngine(cluster.scheduler_address)
    try:
        with pytest.raises(InvalidInput, match="reactor R9: telemetry lacks channels"):
            path = write_partition(tmp_path, "R9", 0, {"t_s": np.arange(3.0)})
            engine.map(analyse_partition, [("R9", [str(path)], Limits())])
    finally:
        engine.close()


def test_the_planted_trips_and_drifts_are_found(telemetry):
    folder, summary = telemetry
    result = analyse_fleet(folder, open_engine())
    fleet = result["fleet"]
    assert len(fleet["over_temperature"]) == summary["tripped_by_twin"] >= 1
    assert fleet["shutdown"] == []
    assert fleet["sensor_drift"] == ["R00008"]  # every tenth reactor from the eighth drifts
    drifting = result["reactors"][7]
    assert drifting["drift_k_per_day"] == pytest.approx(SPEC.drift_k_per_day, rel=0.05)
    steady = result["reactors"][0]
    assert steady["running_h"] == 48.0 and len(steady["windows"]) == 48
    assert steady["cop"] == pytest.approx(1.0, abs=0.02)  # no heat source: out ~ in
    data = life_data_from_rows(life_rows(result))
    assert data.counts()["failed"] == len(fleet["over_temperature"]) + 1


def test_windows_sum_to_the_reactor_totals():
    t = np.arange(1.0, 7201.0)
    columns = {
        "t_s": t,
        "drive_w": np.full(t.size, 100.0),
        "heat_out_w": np.full(t.size, 50.0),
        "core_tc1_k": np.full(t.size, 700.0),
        "core_tc2_k": np.full(t.size, 700.5),
    }
    result = analyse_reactor("R1", columns, Limits(window_s=3600.0))
    assert [w["energy_in_j"] for w in result["windows"]] == [360000.0, 360000.0]
    assert result["cop"] == 0.5 and result["stop"] is None and result["drift_t_s"] is None
    assert result["life"] == {"unit": "R1", "status": "running", "hours": "2.0", "mode": ""}


def test_bad_input_is_one_line(tmp_path):
    with pytest.raises(NotFound, match="does not exist"):
        reactor_partitions(tmp_path / "absent")
    with pytest.raises(InvalidInput, match="holds no reactor=R/day=D"):
        reactor_partitions(tmp_path)
    with pytest.raises(InvalidInput, match="reactor='a/b' must be"):
        write_partition(tmp_path, "a/b", 0, {"t_s": np.arange(2.0)})
    irregular = {c: np.array([1.0, 2.0, 4.0]) for c in ("t_s", "drive_w", "heat_out_w")}
    irregular |= {"core_tc1_k": np.ones(3), "core_tc2_k": np.ones(3)}
    with pytest.raises(InvalidInput, match="not regularly sampled"):
        analyse_reactor("R1", irregular, Limits())
    with pytest.raises(InvalidInput, match="sample_s=7"):
        FleetSpec(sample_s=7)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(InvalidInput, match="already holds files"):
        simulate_telemetry(FleetSpec(reactors=1), tmp_path / "full")
    broken = write_partition(tmp_path / "broken", "R1", 0, {"t_s": np.arange(2.0)})
    broken.write_bytes(b"not parquet")
    with pytest.raises(InvalidInput, match="part-0.parquet cannot be read as Parquet on"):
        analyse_fleet(tmp_path / "broken", LocalEngine())
    with pytest.raises(InvalidInput, match="not a Dask scheduler address"):
        open_engine("127.0.0.1:8786")


def test_an_absent_scheduler_is_one_line():
    with pytest.raises(HeatproofError, match="did not answer within 1 s"):
        open_engine("tcp://127.0.0.1:9", timeout_s=1.0)
