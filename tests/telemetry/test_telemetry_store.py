"""TelemetryStore: exact round trips, atomic durable writes, clear errors for damaged files."""

import hashlib
import os
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import heatproof.telemetry.store as store_module
from heatproof.errors import HeatproofError, InvalidInput, NotFound
from heatproof.telemetry.store import LAYOUT_KEY, TelemetryStore

CORRUPT = "is corrupt or unreadable"


def _columns(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    cols = {f"t{i}_k": 290.0 + 50.0 * rng.random(n) for i in range(5)}
    cols["t_s"] = np.arange(n) * 0.1
    cols["sample"] = np.arange(n, dtype=np.int64) - n // 2
    cols["mode"] = np.array(["idle", "heat", "hold", "alarm ⚠"])[rng.integers(0, 4, n)]
    return cols


def _same(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> bool:
    return list(got) == list(want) and all(np.array_equal(got[k], want[k]) for k in want)


@pytest.fixture
def store(tmp_path):
    return TelemetryStore(tmp_path / "telemetry", base=tmp_path)


@pytest.fixture(scope="module")
def big():
    return _columns(100_000)


def test_round_trip_100k_rows_8_columns(store, big, tmp_path):
    rel, digest = store.write("campaign-1/run-1", big, {"run": "1", "units": "K, s"})
    assert rel == "telemetry/campaign-1/run-1.parquet"
    assert digest == hashlib.sha256((tmp_path / rel).read_bytes()).hexdigest()
    assert digest == store.sha256(rel)
    got = store.read(rel)
    assert _same(got, big)
    assert got["t0_k"].dtype == np.float64 and got["sample"].dtype == np.int64
    assert isinstance(got["mode"][0], str)
    assert store.metadata(rel) == {"run": "1", "units": "K, s"}
    assert store.columns(rel) == list(big)
    assert _same(store.read(rel, expected_sha256=digest), big)
    store.verify(rel)
    store.verify(rel, expected_sha256=digest)


def test_file_is_zstd_with_page_checksums(store, tmp_path):
    rel, _ = store.write("run", {"x": np.arange(10.0)})
    meta = pq.ParquetFile(tmp_path / rel).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_column_subset_and_missing_column(store, big):
    rel, _ = store.write("run", big)
    got = store.read(rel, columns=["mode", "t_s"])
    assert list(got) == ["mode", "t_s"]
    assert np.array_equal(got["t_s"], big["t_s"])
    with pytest.raises(NotFound, match="has no column power_w; its columns are t0_k"):
        store.read(rel, columns=["t_s", "power_w"])


def test_bool_and_narrow_types_are_widened(store):
    rel, _ = store.write(
        "run", {"ok": np.array([True, False]), "f": np.float32([1.5, 2]), "u": np.uint8([1, 2])}
    )
    got = store.read(rel)
    assert got["ok"].dtype == bool and got["f"].dtype == np.float64
    assert got["u"].dtype == np.int64 and list(got["u"]) == [1, 2]


def test_nan_and_inf_survive(store):
    values = np.array([np.nan, np.inf, -np.inf, 0.0])
    rel, _ = store.write("run", {"x": values})
    np.testing.assert_array_equal(store.read(rel)["x"], values)


def test_missing_file_is_not_found(store):
    with pytest.raises(NotFound, match="telemetry file telemetry/nope.parquet does not exist"):
        store.read("telemetry/nope.parquet")
    with pytest.raises(NotFound):
        store.sha256("telemetry/nope.parquet")


def test_path_outside_store_is_refused(store):
    with pytest.raises(InvalidInput, match="outside the store"):
        store.read("../../etc/passwd")


def _damage(path: Path, position: int, mask: int = 0xFF, length: int = 1) -> None:
    data = bytearray(path.read_bytes())
    for i in range(position, position + length):
        data[i] ^= mask
    path.write_bytes(bytes(data))


def test_truncated_file_gives_clear_error(store, big, tmp_path):
    rel, digest = store.write("run", big)
    path = tmp_path / rel
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    for call in (store.read, store.verify, store.metadata, store.columns):
        with pytest.raises(HeatproofError, match=CORRUPT) as info:
            call(rel)
        message = str(info.value)
        assert "\n" not in message and "restore it from the dossier" in message
    with pytest.raises(HeatproofError, match="but the record says"):
        store.read(rel, expected_sha256=digest)


def test_flipped_bytes_in_the_middle_give_clear_error(store, big, tmp_path):
    rel, digest = store.write("run", big)
    _damage(tmp_path / rel, (tmp_path / rel).stat().st_size // 2, length=8)
    with pytest.raises(HeatproofError, match=CORRUPT + r" \(.*checksum"):
        store.read(rel)
    with pytest.raises(
        HeatproofError, match=f"has SHA-256 [0-9a-f]{{64}}, but the record says {digest}"
    ):
        store.read(rel, expected_sha256=digest)


def test_byte_flips_anywhere_are_caught_or_harmless(store, tmp_path):
    """Damage in the footer (every byte: it has no checksum), the magic and a spread of page
    bytes either raises the clear error or leaves the values read exactly as written (e.g.
    a damaged min/max statistic)."""
    rng = np.random.default_rng(5)
    cols = {
        "t_k": rng.normal(300.0, 5.0, 200),
        "sample": np.arange(200),
        "mode": np.array(["heat", "hold"])[rng.integers(0, 2, 200)],
    }
    rel, _ = store.write("run", cols)
    path = tmp_path / rel
    original = path.read_bytes()
    footer_start = len(original) - 8 - struct.unpack("<I", original[-8:-4])[0]
    positions = list(range(0, footer_start, 7)) + list(range(footer_start, len(original)))
    errors = 0
    for position in positions:
        damaged = bytearray(original)
        damaged[position] ^= 0x01
        path.write_bytes(bytes(damaged))
        try:
            got = store.read(rel)
        except HeatproofError as exc:
            assert CORRUPT in str(exc), (position, str(exc))
            errors += 1
        else:
            assert _same(got, cols), f"flip at byte {position} changed the data silently"
    assert errors > 0.6 * len(positions)  # the rest: statistics, writer name, padding


def test_not_a_parquet_file(store, tmp_path):
    (tmp_path / "telemetry").mkdir(exist_ok=True)
    (tmp_path / "telemetry" / "junk.parquet").write_text("hello")
    with pytest.raises(HeatproofError, match=CORRUPT):
        store.read("telemetry/junk.parquet")


def test_foreign_parquet_without_layout_record_is_refused(store, tmp_path):
    (tmp_path / "telemetry").mkdir(exist_ok=True)
    pq.write_table(pa.table({"x": [1.0]}), tmp_path / "telemetry" / "foreign.parquet")
    with pytest.raises(HeatproofError, match=f"no {LAYOUT_KEY} record"):
        store.read("telemetry/foreign.parquet")


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.startswith(".") or "tmp" in p.name)


def test_atomic_write_leaves_no_temp_files(store, big, tmp_path):
    for i in range(3):
        store.write(f"c/run-{i}", big)
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in (tmp_path / "telemetry" / "c").iterdir()) == [
        "run-0.parquet",
        "run-1.parquet",
        "run-2.parquet",
    ]


def test_failed_write_leaves_nothing_and_keeps_old_file(store, tmp_path, monkeypatch):
    rel, digest = store.write("run", {"x": np.arange(5.0)})

    def crash(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module.pq, "write_table", crash)
    with pytest.raises(HeatproofError, match="run.parquet: cannot write .No space left"):
        store.write("run", {"x": np.arange(9.0)}, overwrite=True)
    with pytest.raises(HeatproofError, match="No space left"):
        store.write("other", {"x": np.arange(9.0)})
    assert _leftovers(tmp_path) == []
    assert not (tmp_path / "telemetry" / "other.parquet").exists()
    assert store.sha256(rel) == digest


def test_write_fsyncs_file_and_folder(store, tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    rel, _ = store.write("c/run", {"x": np.arange(3.0)})
    folder = str((tmp_path / "telemetry" / "c").resolve())
    assert any(p.startswith(folder + "/.run.parquet.") for p in synced)  # the temp file
    assert synced[-2:] == [folder, str(store.root)]  # the new subfolder and its parent


def test_existing_file_is_not_overwritten_by_default(store):
    rel, digest = store.write("run", {"x": np.arange(3.0)})
    with pytest.raises(HeatproofError, match="already exists"):
        store.write("run", {"x": np.arange(4.0)})
    assert store.sha256(rel) == digest
    rel2, digest2 = store.write("run", {"x": np.arange(4.0)}, overwrite=True)
    assert rel2 == rel and digest2 != digest


@pytest.mark.parametrize(
    ("name", "columns", "metadata", "match"),
    [
        ("../escape", {"x": [1.0]}, None, "telemetry name"),
        ("/abs", {"x": [1.0]}, None, "telemetry name"),
        ("run", {}, None, "columns is empty"),
        ("run", {"x": [1.0, 2.0], "y": [1.0]}, None, "unequal lengths"),
        ("run", {"x": np.zeros((2, 2))}, None, "1-D"),
        ("run", {"x": np.array([1 + 2j])}, None, "dtype complex128"),
        ("run", {"s": np.array(["a", None], dtype=object)}, None, "None values"),
        ("run", {"x": [1.0]}, {LAYOUT_KEY: "x"}, "reserved"),
    ],
)
def test_bad_input_is_refused(store, tmp_path, name, columns, metadata, match):
    with pytest.raises(InvalidInput, match=match):
        store.write(name, columns, metadata)
    assert not list(tmp_path.rglob("*.parquet"))


def test_query_over_views(store):
    for i in range(3):
        store.write(f"c1/run-{i}", {"run": np.full(4, i), "power_w": np.arange(4.0) * (i + 1)})
    rows = store.query(
        "SELECT run, max(power_w) FROM runs WHERE power_w >= $low GROUP BY run ORDER BY run",
        views={"runs": "telemetry/c1/*.parquet"},
        low=1.0,
    )
    assert rows == [(0, 3.0), (1, 6.0), (2, 9.0)]
    table = store.query(
        "SELECT count(*) AS n FROM one",
        views={"one": ["telemetry/c1/run-0.parquet", "telemetry/c1/run-2.parquet"]},
        arrow=True,
    )
    assert isinstance(table, pa.Table) and table.column("n").to_pylist() == [8]
    names = store.query(
        "SELECT DISTINCT filename FROM r", views={"r": "telemetry/c1/run-1.parquet"}
    )
    assert names[0][0].endswith("run-1.parquet")


def test_query_errors_are_clear(store):
    with pytest.raises(HeatproofError, match="telemetry query failed"):
        store.query("SELECT * FROM nowhere")
    with pytest.raises(InvalidInput, match="SQL identifier"):
        store.query("SELECT 1", views={"bad name": "telemetry/x.parquet"})
    with pytest.raises(NotFound):
        store.query("SELECT 1", views={"v": "telemetry/missing.parquet"})
    with pytest.raises(InvalidInput, match="'..'"):
        store.query("SELECT 1", views={"v": "telemetry/../../*.parquet"})


def test_store_without_base_uses_root_relative_paths(tmp_path):
    store = TelemetryStore(tmp_path)
    rel, _ = store.write("run", {"x": np.arange(3.0)})
    assert rel == "run.parquet"
    assert list(store.read(rel)["x"]) == [0.0, 1.0, 2.0]
