"""The live view of `heatproof daq procedure` and `heatproof daq record` in a real terminal (a
detached tmux session running the CLI against a simulated stand served on loopback), and the
procedure's measurements against their limits in text and JSON.

The panes are captured while the command runs and once it has ended; each capture is saved
under artifacts/screenshots/ in the project root (which CI keeps) as the ANSI text, the plain
text, and SVG and HTML renderings (Rich). tmux (/usr/bin/tmux) is installed by scripts/setup.sh;
without it these tests fail naming it rather than skip."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from heatproof.cli import app
from heatproof.modbus.server import StandServer, serve_in_thread
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
WIDTH, HEIGHT = 140, 50
TIME_FACTOR = 200.0  # stand seconds per wall second: the procedure lasts about 7 s of wall time
GIVE_UP_S = 300.0  # a capture that never comes fails the test after this long

PROCEDURE = """
name = "live-view"
kind = "active"
[[phases]]
name = "ramp-500"
type = "ramp"
target_k = 500.0
timeout_s = 3000.0
[[phases]]
name = "hold-500"
type = "hold"
duration_s = 600.0
  [[phases.measurements]]
  name = "core-at-setpoint"
  channel = "core_tc1_k"
  last_s = 200.0
  limits = { low = 460.0, high = 540.0, marginal = 5.0 }
  [[phases.measurements]]
  name = "drive"
  channel = "drive_w"
  limits = { low = 1.0, high = 2.0 }
[[phases]]
name = "cool"
type = "cool"
duration_s = 60.0
"""


def _config(seed: int) -> SimulatedStandConfig:
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    return SimulatedStandConfig(seed=seed, sample_s=2.0, controller=controller)


@pytest.fixture(scope="module")
def tmux():
    path = shutil.which("tmux")
    assert path, "tmux is not installed; install it (apt-get install tmux, scripts/setup.sh)"
    return path


class Pane:
    """A command run in its own detached tmux server (socket under tmp), its pane captured."""

    def __init__(self, tmux: str, folder: Path, command: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "tmux.conf"  # empty: no user configuration, no device path
        config.write_text("")
        self.base = [tmux, "-S", str(folder / "tmux.sock"), "-f", str(config)]
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
        shell = f"{shlex.join(command)}; echo EXIT=$?; sleep {GIVE_UP_S:.0f}"
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", "live", "-x", str(WIDTH), "-y", str(HEIGHT)]
            + [shell],
            check=True,
            env=env,
        )

    def capture(self) -> str:
        """The pane's text with its colours (ANSI), scroll-back included."""
        done = subprocess.run(
            [*self.base, "capture-pane", "-p", "-e", "-S", "-", "-t", "live"],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def until(self, wanted) -> str:
        """The first capture whose plain text satisfies ``wanted``."""
        deadline = time.monotonic() + GIVE_UP_S
        while time.monotonic() < deadline:
            ansi = self.capture()
            if wanted(Text.from_ansi(ansi).plain):
                return ansi
            time.sleep(0.1)
        raise AssertionError(f"the pane never showed what was wanted; last:\n{self.capture()}")

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], check=False)


def save(name: str, ansi: str) -> str:
    """Save a capture as .ans, .txt, .svg and .html under SCREENSHOTS; its plain text."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    text = Text.from_ansi(ansi.rstrip("\n"))
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True)
    console.print(text)
    (SCREENSHOTS / f"{name}.ans").write_text(ansi)
    (SCREENSHOTS / f"{name}.txt").write_text(text.plain)
    (SCREENSHOTS / f"{name}.svg").write_text(console.export_svg(title=name, clear=False))
    (SCREENSHOTS / f"{name}.html").write_text(console.export_html())
    return text.plain


def _heatproof(*args: str) -> list[str]:
    return [sys.executable, "-m", "heatproof", *args]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    ws = tmp_path_factory.mktemp("live") / "ws"
    done = CliRunner().invoke(app, ["daq", "campaign", "live", "-w", str(ws), "--json"])
    assert done.exit_code == 0, done.output
    procedure = ws.parent / "live-view.toml"
    procedure.write_text(PROCEDURE)
    return ws, json.loads(done.stdout)["campaign_id"], procedure


def test_daq_procedure_shows_a_live_view_then_measurements_against_limits(tmux, campaign, tmp_path):
    ws, campaign_id, procedure = campaign
    with serve_in_thread(StandServer(_config(41), time_factor=TIME_FACTOR)) as server:
        pane = Pane(
            tmux,
            tmp_path,
            _heatproof(
                "daq",
                "procedure",
                str(procedure),
                "--stand",
                f"127.0.0.1:{server.port}",
                "--campaign",
                str(campaign_id),
                "--serial",
                "SN-LIVE",
                "-w",
                str(ws),
            ),
        )
        try:
            running = save(
                "daq-procedure-live",
                pane.until(
                    lambda t: (
                        "step 2/3 hold-500 (hold)" in t
                        and "samples (to #" in t
                        and "EXIT=" not in t
                    )
                ),
            )
            ended = save("daq-procedure-result", pane.until(lambda t: "EXIT=" in t))
        finally:
            pane.close()
    # while running: the stand's channels, the step with its time left, alarms, acknowledged
    for shown in ("live-view on stand-1", "core_tc1_k", "drive_w", "setpoint_k", "HOLD"):
        assert shown in running, running
    assert "s left" in running and "alarms" in running and "none" in running
    (acknowledged,) = [line for line in running.splitlines() if "acknowledged" in line]
    assert "samples (to #" in acknowledged  # the last durable commit, while the hold runs
    # at the end: the wait for the stand, and each measurement's value against its limits
    assert "EXIT=0" in ended and "procedure live-view FAIL" in ended, ended
    assert "waited 0 s (stand clock) for the stand to be ready" in ended
    table = ended[ended.index("measurements against limits") :]
    core = next(line for line in table.splitlines() if "core-at-setpoint" in line)
    assert "mean of core_tc1_k, last 200 s" in core and "460" in core and "540" in core
    assert "465 .. 535 (marginal 5)" in core and "PASS" in core
    drive = next(line for line in table.splitlines() if "drive " in line)
    assert "FAIL" in drive and " 1 " in drive and " 2 " in drive


def test_daq_record_shows_the_channels_live_and_no_live_turns_it_off(tmux, tmp_path):
    ws = tmp_path / "ws"
    with serve_in_thread(StandServer(_config(42), time_factor=TIME_FACTOR)) as server:
        stand = f"s1=127.0.0.1:{server.port}"
        record = _heatproof("daq", "record", "--stand", stand, "-w", str(ws), "--samples", "300")
        pane = Pane(tmux, tmp_path / "a", [*record, "--run", "live"])
        try:
            running = save(
                "daq-record-live",
                pane.until(lambda t: "samples (to #" in t and "EXIT=" not in t),
            )
            ended = Text.from_ansi(pane.until(lambda t: "EXIT=" in t)).plain
        finally:
            pane.close()
        quiet = Pane(tmux, tmp_path / "b", [*record, "--run", "quiet", "--no-live"])
        try:
            plain = Text.from_ansi(quiet.until(lambda t: "EXIT=" in t)).plain
        finally:
            quiet.close()
    assert "heatproof daq record: run live, 1 stand(s)" in running
    for shown in ("s1", "core_tc1_k", "ambient_k", "camera_k", "mode", "alarms"):
        assert shown in running, running
    assert "EXIT=0" in ended and "s1: 300 new samples" in ended, ended
    assert "EXIT=0" in plain and "s1: 300 new samples" in plain, plain
    assert "core_tc1_k" not in plain and "acknowledged" not in plain.replace(
        "last acknowledged", ""
    )


def test_procedure_measurements_in_text_and_json_without_a_terminal(campaign):
    """Not a terminal (CliRunner): no live view; the table in text, the rows in --json."""
    ws, campaign_id, procedure = campaign
    with serve_in_thread(StandServer(_config(43))) as server:
        args = ["daq", "procedure", str(procedure), "--stand", f"127.0.0.1:{server.port}"]
        args += ["--campaign", str(campaign_id), "-w", str(ws)]
        text = CliRunner().invoke(app, [*args, "--serial", "SN-T"])
        as_json = CliRunner().invoke(app, [*args, "--serial", "SN-J", "--json"])
    assert text.exit_code == 0, text.output
    assert "channels" not in text.stdout and "acknowledged" not in text.stdout
    assert "measurements against limits" in text.stdout
    assert "waited 0 s (stand clock)" in text.stdout  # a fresh stand is ready at once
    rows = json.loads(as_json.stdout)["measurements"]
    assert [(r["phase"], r["name"]) for r in rows] == [
        ("hold-500", "core-at-setpoint"),
        ("hold-500", "drive"),
    ]
    core, drive = rows
    assert (core["low"], core["high"], core["marginal"]) == (460.0, 540.0, 5.0)
    assert (core["pass_low"], core["pass_high"]) == (465.0, 535.0)
    assert core["outcome"] == "PASS" and 465.0 <= core["value"] <= 535.0
    assert drive["outcome"] == "FAIL" and drive["value"] > 2.0
    ready = json.loads(as_json.stdout)["result"]["ready"]
    assert ready["ready"] and ready["waited_s"] > 0.0  # the text run left the reactor hot
