"""The live terminal view of `heatproof daq record` and `heatproof daq procedure` (Rich Live).

The acquisition and the procedure runner only hand over data (a new sample, an acknowledged
sample, the runner's Progress); LiveState keeps the latest of each and draws it when Rich asks
(a few times a second), so a stand polled thousands of times a second is not slowed by drawing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from heatproof.stand.registers import AlarmBit, Sample, Status

if TYPE_CHECKING:
    from heatproof.procedures.runner import Progress

REFRESH_PER_S = 4.0
_FLAGS = (Status.TRIPPED, Status.STALE, Status.ALARM_UNACKNOWLEDGED)


@dataclass
class _StandView:
    last: Sample | None = None
    received: int = 0
    acknowledged: int = 0  # samples of this session made durable
    acknowledged_sample: int | None = None


def alarm_text(sample: Sample) -> str:
    """The alarms listed in ``sample`` (its alarm bits by name) and its trip, stale and
    unacknowledged status flags, lower case and comma separated; "none" when there are none."""
    alarms = [b.name.lower() for b in AlarmBit if sample.alarms >> b & 1]
    flags = [f.name.lower().replace("_", " ") for f in _FLAGS if sample.status >> f & 1]
    return ", ".join(alarms + [f for f in flags if f not in alarms]) or "none"


def _k(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _seconds(value: float) -> str:
    return f"{value:.0f} s"


class LiveState:
    """What the live view shows: the latest sample of each stand, how many samples were received
    and acknowledged (made durable), and the procedure's latest Progress; ``title`` heads it."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.stands: dict[str, _StandView] = {}
        self.progress: Progress | None = None
        self.stand_of_progress: str | None = None

    def on_sample(self, stand: str, sample: Sample) -> None:
        """A new ``sample`` of the stand named ``stand``."""
        view = self.stands.setdefault(stand, _StandView())
        view.last, view.received = sample, view.received + 1

    def on_ack(self, stand: str, sample: int) -> None:
        """The samples of ``stand`` up to number ``sample`` are durable: every sample received
        so far (the acquisition commits what it holds)."""
        view = self.stands.setdefault(stand, _StandView())
        view.acknowledged, view.acknowledged_sample = view.received, sample

    def procedure_observer(self, stand: str):
        """The runner's observer for a procedure on the stand named ``stand``."""

        def observe(progress: Progress) -> None:
            self.on_sample(stand, progress.sample)
            self.progress = progress

        return observe

    def render(self) -> RenderableType:
        """The view as a Rich renderable (called by Rich Live from its refresh thread)."""
        parts: list[RenderableType] = [Text(self.title, style="bold")]
        if self.progress is not None:
            parts.append(self._procedure())
        stands = list(self.stands.items())
        if stands:
            parts.append(self._channels(stands))
        else:
            parts.append(Text("waiting for the first sample ...", style="dim"))
        return Group(*parts)

    def _procedure(self) -> Text:
        p = self.progress
        if p.stage == "wait":
            head = "waiting for the stand to be ready"
        elif p.stage == "teardown":
            head = "teardown"
        else:
            head = f"step {p.step}/{p.steps} {p.name} ({p.type})"
        left = (
            f"{_seconds(p.time_left_s)} left"
            if p.ends == "at"
            else f"time-out in {_seconds(p.time_left_s)}"
        )
        text = Text(f"{head}: ", style="bold cyan")
        text.append(f"{p.goal}; elapsed {_seconds(p.elapsed_s)}, {left}")
        return text

    def _channels(self, stands: list[tuple[str, _StandView]]) -> Table:
        table = Table(title="channels", title_justify="left", show_edge=False)
        table.add_column("channel")
        for name, _ in stands:
            table.add_column(name, justify="right")
        samples = [v.last for _, v in stands]
        n_core = max(len(s.core_k) for s in samples if s is not None) if any(samples) else 0

        def row(label: str, cell) -> None:
            table.add_row(label, *(cell(s) if s is not None else "-" for s in samples))

        row("sample", lambda s: str(s.sample))
        row("t_s", lambda s: f"{s.t_s:.0f}")
        row("mode", lambda s: s.mode_name)
        row("phase tag", lambda s: str(s.phase))
        row("setpoint_k", lambda s: _k(s.setpoint_k))
        row("drive_w", lambda s: f"{s.drive_w:.1f}")
        row("camera_k", lambda s: _k(s.camera_k))
        row("ambient_k", lambda s: _k(s.ambient_k))
        for j in range(n_core):
            row(f"core_tc{j + 1}_k", lambda s, j=j: _k(s.core_k[j]) if j < len(s.core_k) else "-")
        table.add_row("alarms", *(self._alarms(s) for s in samples))
        table.add_row(
            "acknowledged",
            *(
                f"{v.acknowledged} samples (to #{v.acknowledged_sample})"
                if v.acknowledged_sample is not None
                else "0 samples"
                for _, v in stands
            ),
        )
        return table

    @staticmethod
    def _alarms(sample: Sample | None) -> Text:
        text = "-" if sample is None else alarm_text(sample)
        return Text(text, style="green" if text == "none" else "bold red")


@contextmanager
def live_view(title: str, enabled: bool, console: Console | None = None) -> Iterator[LiveState]:
    """A LiveState headed ``title``, drawn by Rich Live on ``console`` (default stdout) while the
    block runs when ``enabled`` and the console is a terminal; otherwise only kept."""
    state = LiveState(title)
    console = console or Console()
    if not (enabled and console.is_terminal):
        yield state
        return
    with Live(console=console, get_renderable=state.render, refresh_per_second=REFRESH_PER_S):
        yield state
