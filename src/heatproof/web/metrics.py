"""``/metrics`` in the Prometheus text format (version 0.0.4), so that an existing Prometheus and
Grafana can watch the factory without new code: stands (registered in the workspace, connected
to this server), acquisitions running and samples acquired, alarms active and unacknowledged on
the connected stands, runs and campaigns recorded, and plants (units, availability, energy
delivered) once plants exist.

Open without login, as Prometheus scrapes by default: the figures are counts and totals, never
names of people, serials, campaigns' contents or anything the public view would refuse (plants
are labelled by name, stands by name). A site that must hide even these puts the endpoint behind
its reverse proxy; see docs/web.md. Counts of this server's stand jobs start from zero when the
server restarts (``_total`` counters, as Prometheus expects of a process).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import func, select

from heatproof.records.models import Campaign, Run, TestStand
from heatproof.stand.registers import AlarmBit, Status
from heatproof.web.auth import workspace_of
from heatproof.web.live import JobRegistry, jobs_of
from heatproof.web.plants import plant_output

router = APIRouter()
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    """``value`` escaped for a Prometheus label (backslash, quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Exposition:
    """Lines of the text format: each metric family once (HELP, TYPE), then its samples."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        """Metric ``name`` of type ``kind`` (gauge, counter) described by ``help_text``, with
        ``samples`` as (labels, value) pairs."""
        self.lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for labels, value in samples:
            inner = ",".join(f'{k}="{_label(str(v))}"' for k, v in labels.items())
            self.lines.append(f"{name}{{{inner}}} {float(value):g}" if inner else f"{name} {float(value):g}")

    def text(self) -> str:
        """The exposition as text (ending with a newline)."""
        return "\n".join(self.lines) + "\n"


def _records(out: Exposition, request: Request) -> None:
    with workspace_of(request).unit_of_work() as s:
        stands = s.scalar(select(func.count()).select_from(TestStand)) or 0
        runs = s.scalar(select(func.count()).select_from(Run)) or 0
        campaigns = s.scalar(select(func.count()).select_from(Campaign)) or 0
    out.family("heatproof_stands_registered", "gauge",
               "Test stands registered in the workspace.", [({}, stands)])
    out.family("heatproof_runs_recorded", "gauge", "Runs recorded in the workspace.", [({}, runs)])
    out.family("heatproof_campaigns", "gauge", "Campaigns in the workspace.", [({}, campaigns)])


def _stands(out: Exposition, jobs: JobRegistry) -> None:
    every, running = jobs.all(), jobs.running()
    out.family("heatproof_stands_connected", "gauge",
               "Stands this server is connected to (procedures running).",
               [({}, len({(j.host, j.port, j.stand) for j in running}))])
    out.family("heatproof_acquisitions_running", "gauge",
               "Acquisitions (procedures on stands) running in this server.", [({}, len(running))])
    out.family("heatproof_samples_acquired_total", "counter",
               "Samples acquired by this server's procedures since it started.",
               [({}, sum(j.received for j in every))])
    statuses = ("finished", "failed")
    out.family("heatproof_stand_jobs_ended_total", "counter",
               "Procedures of this server that ended, by status.",
               [({"status": st}, sum(j.status == st for j in every)) for st in statuses])
    active, unacknowledged = [], []
    for job in running:
        last = job.last
        if last is None:
            continue
        bits = sum(1 for b in AlarmBit if last.alarms >> b & 1)
        active.append(({"stand": job.stand}, bits))
        flag = last.status >> Status.ALARM_UNACKNOWLEDGED & 1
        unacknowledged.append(({"stand": job.stand}, flag))
    out.family("heatproof_alarms_active", "gauge",
               "Alarms listed by each connected stand (alarm register bits set).", active)
    out.family("heatproof_alarms_unacknowledged", "gauge",
               "1 while a connected stand has an alarm not yet acknowledged.", unacknowledged)


def _plants(out: Exposition, request: Request) -> None:
    rows = plant_output(workspace_of(request))
    if not rows:
        return
    out.family("heatproof_plants", "gauge", "Heat plants in the workspace.", [({}, len(rows))])
    out.family("heatproof_plant_status", "gauge", "1 for each plant's current status.",
               [({"plant": p["name"], "status": p["status"]}, 1) for p in rows])
    out.family("heatproof_plant_units", "gauge", "Units of each plant (spares included).",
               [({"plant": p["name"]}, p["units"]) for p in rows])
    out.family("heatproof_plant_availability_ratio", "gauge",
               "Duration-weighted availability (0..1) over each plant's operated periods.",
               [({"plant": p["name"]}, p["availability"]) for p in rows
                if p["availability"] is not None])
    out.family("heatproof_plant_operated_hours", "gauge", "Hours each plant was operated (h).",
               [({"plant": p["name"]}, p["operated_h"]) for p in rows])
    out.family("heatproof_plant_energy_delivered_joules", "gauge",
               "Heat each plant delivered over its operated periods (J; simulated label says "
               "whether from the physics twin).",
               [({"plant": p["name"], "simulated": str(p["simulated"]).lower()},
                 p["energy_delivered_j"]) for p in rows])


@router.get("/metrics", response_class=PlainTextResponse, tags=["metrics"])
def metrics(request: Request) -> PlainTextResponse:
    """The server's and the workspace's figures in the Prometheus text format (``request``),
    without login (see the module)."""
    out = Exposition()
    _stands(out, jobs_of(request))
    _records(out, request)
    _plants(out, request)
    return PlainTextResponse(out.text(), media_type=CONTENT_TYPE)
