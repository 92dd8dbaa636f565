"""Dossier import is bounded: archive size, unpacked bytes (counted while reading), members, and
only plain files and folders inside the archive; each refusal is one line and leaves nothing."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import tempfile

import pytest
from tests.fuzz.cli_harness import run_cli

from heatproof.errors import HeatproofError
from heatproof.evidence.dossier import GIB, ImportLimits, unpacked

TOP = "dossier-campaign-1"


def _tar(members: list[tuple[tarfile.TarInfo, bytes]], compress: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
    return gzip.compress(buf.getvalue(), 9) if compress else buf.getvalue()


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def _special(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, b""


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Temporary extraction goes under tmp_path/scratch, so a test can see what is left."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _refused(tmp_path, scratch, content: bytes, *options: str) -> str:
    archive = tmp_path / "d.tar"
    archive.write_bytes(content)
    ws = tmp_path / "ws"
    code, out, err = run_cli(
        ["dossier", "analyze", str(archive), "--workspace", str(ws), *options]
    )
    assert code == 2 and out == "", (code, out, err)
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert list(scratch.iterdir()) == [] and not ws.exists()  # nothing left behind
    return err


def test_a_gzip_bomb_is_refused_by_its_declared_size(tmp_path, scratch):
    bomb = _tar([_file(f"{TOP}/dossier.json", bytes(8 << 20))], compress=True)
    assert len(bomb) < 100_000  # 8 MiB of zeros in a few kB
    err = _refused(tmp_path, scratch, bomb, "--max-bytes", "1000000")
    assert "declaring 8,388,608 bytes passes the limit of 1,000,000 (--max-bytes)" in err
    assert "raise --max-bytes" in err


def test_many_small_members_are_counted_while_reading(tmp_path, scratch):
    """Each member is under the limit; their sum is stopped as soon as it passes it."""
    many = _tar(
        [_file(f"{TOP}/telemetry/c{i}.bin", bytes(100_000)) for i in range(40)], compress=True
    )
    err = _refused(tmp_path, scratch, many, "--max-bytes", "1000000")
    assert "passes the limit of 1,000,000 (--max-bytes)" in err


def test_a_member_declaring_20_gib_is_refused_before_any_reading(tmp_path, scratch):
    info = tarfile.TarInfo(f"{TOP}/evidence/huge.parquet")
    info.size = 20 * GIB
    header = info.tobuf(format=tarfile.GNU_FORMAT)  # the data itself is never there
    err = _refused(tmp_path, scratch, header + bytes(1024))
    assert "declaring 21,474,836,480 bytes passes the limit of 2,147,483,648 (--max-bytes)" in err


def test_an_oversized_pax_header_is_refused_before_it_is_read(tmp_path, scratch):
    info = tarfile.TarInfo("././@PaxHeader")
    info.type, info.size = tarfile.XHDTYPE, 1 << 30
    err = _refused(tmp_path, scratch, info.tobuf(format=tarfile.USTAR_FORMAT) + bytes(1024))
    assert "not a readable tar archive" in err and "declares 1,073,741,824 bytes" in err


def test_member_count_and_archive_size_limits(tmp_path, scratch):
    small = _tar([_file(f"{TOP}/f{i}", b"x") for i in range(5)])
    err = _refused(tmp_path, scratch, small, "--max-members", "3")
    assert "its number of members passes the limit of 3 (--max-members)" in err
    err = _refused(tmp_path, scratch, small, "--max-archive-bytes", "1000")
    assert f"its size ({len(small):,} bytes) passes the limit of 1,000 (--max-archive-bytes)" in err
    err = _refused(tmp_path, scratch, small, "--max-members", "0")
    assert "--max-members=0 must be a whole number > 0" in err


@pytest.mark.parametrize(
    ("member", "problem"),
    [
        (_special(f"{TOP}/keys/operator.pub", tarfile.SYMTYPE, "/etc/passwd"), "is a link"),
        (_special(f"{TOP}/keys/engineer.pub", tarfile.LNKTYPE, f"{TOP}/a"), "is a link"),
        (_special(f"{TOP}/dev", tarfile.CHRTYPE), "is a link, device or special file"),
        (_special(f"{TOP}/fifo", tarfile.FIFOTYPE), "is a link, device or special file"),
        (_file("/tmp/escape.txt", b"x"), "leaves the archive's folder"),
        (_file(f"{TOP}/../escape.txt", b"x"), "leaves the archive's folder"),
        (_file(f"{TOP}/evidence/runs/run-x1/manifest.json", b"{}"), "has a run folder 'run-x1'"),
    ],
)
def test_links_devices_escapes_and_bad_run_folders_are_refused(tmp_path, scratch, member, problem):
    content = _tar([_file(f"{TOP}/dossier.json", b"{}"), member])
    err = _refused(tmp_path, scratch, content)
    assert f"member {member[0].name!r} {problem}" in err


def test_a_duplicate_member_is_refused(tmp_path, scratch):
    content = _tar([_file(f"{TOP}/dossier.json", b"{}"), _file(f"{TOP}/dossier.json", b"[]")])
    assert "appears twice" in _refused(tmp_path, scratch, content)


def test_a_compressed_dossier_within_limits_unpacks(tmp_path, scratch):
    archive = tmp_path / "d.tar.gz"
    archive.write_bytes(_tar([_file(f"{TOP}/dossier.json", b"{}")], compress=True))
    with unpacked(archive, ImportLimits(unpacked_bytes=20_000, members=2)) as root:
        assert (root / "dossier.json").read_bytes() == b"{}"
    assert list(scratch.iterdir()) == []
    with pytest.raises(HeatproofError, match="--max-bytes"), unpacked(
        archive, ImportLimits(unpacked_bytes=1_000)
    ):
        pass


def test_a_dossier_with_a_non_numeric_run_folder_is_one_line(workspace_copy, tmp_path, scratch):
    """The issue's reproduction: a real dossier whose run-<id> folder was renamed run-abc."""
    from heatproof.evidence.dossier import export_dossier
    from heatproof.workspace import Workspace

    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "dossier.tar")
    renamed = io.BytesIO()
    with tarfile.open(tmp_path / "dossier.tar") as src, tarfile.open(fileobj=renamed, mode="w") as dst:
        victim = next(m.name.split("/")[3] for m in src if "/evidence/runs/run-" in m.name)
        for member in src.getmembers():
            data = src.extractfile(member).read()
            member.name = member.name.replace(f"/{victim}/", "/run-abc/")
            dst.addfile(member, io.BytesIO(data))
    archive = tmp_path / "renamed.tar"
    archive.write_bytes(renamed.getvalue())
    code, out, err = run_cli(["dossier", "verify", str(archive)])
    assert code == 2 and len(err.splitlines()) == 1, (code, err)
    assert "has a run folder 'run-abc' that is not run-<number>" in err
    assert list(scratch.iterdir()) == []


def _rewritten(archive, out, change) -> None:
    """A copy of the dossier `archive` at `out` with `change(index)` applied to dossier.json."""
    import json

    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name.endswith("/dossier.json"):
                index = json.loads(data)
                change(index)
                data = json.dumps(index).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # found by fuzzing: fields the signatures do not cover reached the database (tracebacks)
        (
            lambda index: index["records"]["design"].update(extra=1),
            "records.design has fields ['charge_mass_kg', 'extra',",
        ),
        (
            lambda index: index["records"]["campaign"].update(name={"x": 1}),
            "records.campaign.name=\"{'x': 1}\" is not a str",
        ),
        (
            lambda index: index["records"]["units"][0].update(design_id="x"),
            "records.units.design_id='x' is not a int",
        ),
    ],
)
def test_records_the_signatures_do_not_cover_are_checked_before_import(
    workspace_copy, tmp_path, scratch, pin, change, message
):
    from heatproof.evidence.dossier import export_dossier
    from heatproof.workspace import Workspace

    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "dossier.tar")
    _rewritten(tmp_path / "dossier.tar", tmp_path / "altered.tar", change)
    trust = pin(tmp_path / "trust.toml")
    fresh = tmp_path / "fresh"
    args = ["dossier", "analyze", str(tmp_path / "altered.tar"), "--workspace", str(fresh)]
    code, _, err = run_cli([*args, "--trust", str(trust)])
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err
    assert not fresh.exists() and list(scratch.iterdir()) == []


def _as_format_1(index):
    """dossier.json as heatproof-dossier/1 wrote it: instruments on the stands, the campaign's
    confidence and margin beside its configuration, no configuration hash."""
    records = index["records"]
    records["stands"][0]["instruments"] = records["runs"][0]["instruments"]
    for run in records["runs"]:
        del run["instruments"]
    campaign = records["campaign"]
    del campaign["config_sha256"]
    config = campaign["config"]
    campaign.update(confidence=config["confidence"], margin=config["margin"])
    index["format"] = "heatproof-dossier/1"


def test_a_format_1_dossier_still_verifies_and_reproduces_its_verdict(
    workspace_copy, tmp_path, pin
):
    from heatproof.evidence.dossier import export_dossier
    from heatproof.workspace import Workspace

    ws_path, campaign_id, _ = workspace_copy
    with Workspace.open(ws_path) as ws:
        export_dossier(ws, campaign_id, tmp_path / "dossier.tar")
    _rewritten(tmp_path / "dossier.tar", tmp_path / "old.tar", _as_format_1)
    trust = pin(tmp_path / "trust.toml")
    args = ["dossier", "analyze", str(tmp_path / "old.tar"), "--workspace", str(tmp_path / "v")]
    code, out, err = run_cli([*args, "--trust", str(trust), "--json"])
    assert code == 0 and json.loads(out)["identical"], err
