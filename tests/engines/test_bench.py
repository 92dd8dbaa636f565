"""`heatproof bench`: the runner on scripts written here (a converted one, one without run, one
that fails, one with a malformed row) and the real command on a cheap benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.cli.bench import ROW_KEYS, default_folder, discover, machine, run_benchmark
from heatproof.errors import InvalidInput, NotFound

CONVERTED = """
def run(quick):
    return [{"path": "p", "value": 2.0, "unit": "s", "baseline": "b", "baseline_value": 4.0,
             "ratio": 0.5, "quick": quick}]

if __name__ == "__main__":
    raise SystemExit("the script's own main must not run")
"""


@pytest.fixture
def scripts(tmp_path) -> Path:
    folder = tmp_path / "benchmarks"
    folder.mkdir()
    (folder / "bench_good.py").write_text(CONVERTED)
    (folder / "bench_old.py").write_text('if __name__ == "__main__":\n    print("old")\n')
    (folder / "bench_broken.py").write_text("def run(quick):\n    raise ValueError('boom')\n")
    (folder / "bench_short.py").write_text("def run(quick):\n    return [{'path': 'p'}]\n")
    (folder / "helper.py").write_text("")
    return folder


def test_the_runner_reports_each_kind_of_script(scripts):
    assert [p.name for p in discover(scripts)] == [
        "bench_broken.py",
        "bench_good.py",
        "bench_old.py",
        "bench_short.py",
    ]
    good = run_benchmark(scripts / "bench_good.py", quick=True, timeout_s=60)
    assert good["status"] == "ok" and good["rows"][0]["quick"] is True
    assert good["rows"][0]["ratio"] == 0.5
    old = run_benchmark(scripts / "bench_old.py", quick=True, timeout_s=60)
    assert (old["status"], old["rows"]) == ("not converted", [])
    broken = run_benchmark(scripts / "bench_broken.py", quick=False, timeout_s=60)
    assert broken["status"] == "failed" and "ValueError: boom" in broken["error"]
    short = run_benchmark(scripts / "bench_short.py", quick=False, timeout_s=60)
    assert short["status"] == "failed" and "lacks ['value'" in short["error"]


def test_discover_refuses_unknown_names_and_folders(scripts, tmp_path):
    assert discover(scripts, ["good", "old", "good"]) == [
        scripts / "bench_good.py",
        scripts / "bench_old.py",
    ]
    with pytest.raises(InvalidInput, match="--only nope is not a benchmark"):
        discover(scripts, ["nope"])
    with pytest.raises(NotFound, match="does not exist"):
        discover(tmp_path / "absent")


def test_machine_describes_cpu_cores_and_load():
    m = machine()
    assert m["cores"] >= 1 and len(m["load_average"]) == 3 and m["cpu"]


def test_bench_quick_json_and_table_on_the_water_benchmark():
    assert (default_folder() / "bench_water.py").is_file()
    runner = CliRunner()
    done = runner.invoke(app, ["bench", "--quick", "--only", "water", "--json"])
    assert done.exit_code == 0, done.output
    record = json.loads(done.stdout)
    assert record["quick"] is True and record["machine"]["cores"] >= 1
    [water] = record["benchmarks"]
    assert water["status"] == "ok", water["error"]
    for row in water["rows"]:
        assert set(ROW_KEYS) <= set(row)
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline_value"])
    table = runner.invoke(app, ["bench", "--quick", "--only", "water"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "water.h_j_kg" in table.stdout and "cores" in table.stdout
