"""Every `heatproof ...` command that README.md and docs/*.md show is run here, so the docs
cannot go stale: each documented command (fenced code blocks, inline code spans, and in a table
cell the bare continuations of a command group after `;`, e.g. `plan --plan III-D` after
`heatproof reliability fit ...`; normalised to single spaces, a trailing ``# comment`` dropped)
has an entry in DOCUMENTED saying how it is run (the same command, or a short form where the
documented one is long, its placeholders filled from the demo workspace or the files the
repository ships), its exit status and the figure the docs give for it, if any.

The figures are tied to the docs: an entry's figure must be in the section (heading to heading)
that shows the command, and a non-zero exit must be said there (`exits 1`, `(exit 2)`). A
command run by another test must be said there with its subcommand and options. Figures the
docs quote from long seeded commands are in docs/measured.json (scripts/measured_figures.py):
each is checked against its doc and the cheap ones are re-run. Every --json output is parsed.

Each case runs in its own folder under tmp_path that holds a copy of the session's demo
workspace as ``heatproof-data`` (the default --workspace, so the documented text runs as
written), a copy of the signing keys, and links to runfiles/, scenarios/, procedures/,
examples/ and designs/. Commands run in this process through ``heatproof.cli.main`` (the
console script's entry point: exit status and one-line errors as a user sees them); a stand
is served on loopback by ``heatproof stand serve`` in a subprocess."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("runfiles", "scenarios", "procedures", "examples", "designs")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`(heatproof [^`]*)`")
HEADING = re.compile(r"^#{1,6} ")
# an --option and, when it is a plain word, its value
WORD_OPTION = re.compile(r"(?<![\w-])(--[a-z][\w-]*)(?:[ =]([a-z]+(?![\w./:|-])))?")
CONTINUATION = re.compile(r"\s*`([a-z][a-z-]*(?: [^`]*)?)`")


def normalise(text: str) -> str:
    """``text`` with every run of white space made one space, ends stripped."""
    return " ".join(text.split())


def shows(figure: str, text: str) -> bool:
    """Whether ``text`` shows ``figure`` (both normalised) as it is: a number in it is not the
    start or end of a longer one (COP 4.129 is not shown by COP 4.1299, nor 0.084 by 10.084)."""
    pattern = rf"(?<!\d)(?<!\d\.){re.escape(normalise(figure))}(?!\.?\d)"
    return re.search(pattern, normalise(text)) is not None


def test_a_figure_is_shown_only_whole():
    assert shows("COP 4.129", "prints COP 4.129\nreported") and shows("0.084", "= 0.084, 90 %")
    assert shows("COP 4.129", "ends with COP 4.129.")
    assert not shows("COP 4.129", "prints COP 4.1299") and not shows("0.084", "R = 10.084")
    assert not shows("912.49 W", "912.495 W") and not shows("4.4 theta1", "14.4 theta1")


def block_commands(block: str) -> list[str]:
    """The commands of a fenced ``block``: each line starting with ``heatproof `` (its trailing
    `` # comment`` dropped) and the indented lines that continue it."""
    commands: list[list[str]] = []
    for line in block.splitlines():
        body = line.split(" #", 1)[0].rstrip()
        if body.startswith("heatproof "):
            commands.append([body])
        elif commands and commands[-1] and line[:1] in (" ", "\t") and body.strip():
            commands[-1].append(body)
        else:
            commands.append([])
    return [normalise(" ".join(lines)) for lines in commands if lines]


def cell_commands(cell: str) -> list[str]:
    """The commands of a table ``cell``: its `heatproof ...` spans, and each ``;``-separated
    part that starts with a span of a bare subcommand (`plan --plan III-D`), which continues the
    command group of the cell's last `heatproof GROUP ...` span before it."""
    commands: list[str] = []
    group = None
    for part in cell.split(";"):
        spans = [normalise(span) for span in SPAN.findall(part)]
        bare = CONTINUATION.match(part)
        if group and bare and not bare.group(1).startswith("heatproof "):
            commands.append(f"{group} {normalise(bare.group(1))}")
        commands.extend(spans)
        if spans:
            group = " ".join(spans[-1].split()[:2])
    return commands


def text_commands(text: str) -> list[str]:
    """The commands of markdown ``text`` outside fences: inline `heatproof ...` spans, and in
    table rows those of each cell (see cell_commands)."""
    commands: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith("|"):
            for cell in line.split("|"):
                commands.extend(cell_commands(cell))
    spans = SPAN.finditer(
        "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("|"))
    )
    return commands + [normalise(match.group(1)) for match in spans]


@dataclass(frozen=True)
class Section:
    """A part of a document from one heading to the next: the ``doc`` (path from the root), its
    ``text`` normalised (see normalise) and the ``commands`` it shows."""

    doc: str
    text: str
    commands: tuple[str, ...]


def split_sections(text: str) -> list[str]:
    """``text`` cut before each markdown heading that is not inside a fenced block."""
    parts: list[list[str]] = [[]]
    fenced = False
    for line in text.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and HEADING.match(line):
            parts.append([])
        parts[-1].append(line)
    return ["\n".join(lines) + "\n" for lines in parts]


def doc_sections(root: Path = ROOT) -> list[Section]:
    """The sections of ``root``'s README.md and docs/*.md, in order."""
    sections = []
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        where = doc.relative_to(root).as_posix()
        for part in split_sections(doc.read_text(encoding="utf-8")):
            commands = [c for block in FENCE.findall(part) for c in block_commands(block)]
            commands += text_commands(FENCE.sub("", part))
            sections.append(Section(where, normalise(part), tuple(commands)))
    return sections


def documented_commands(root: Path = ROOT) -> dict[str, str]:
    """Each `heatproof ...` command of ``root``'s README.md and docs/*.md (normalised) -> the
    first document that shows it."""
    found: dict[str, str] = {}
    for section in doc_sections(root):
        for command in section.commands:
            found.setdefault(command, section.doc)
    return found


@dataclass(frozen=True)
class Case:
    """How a documented command is run: ``runs`` in order (none: the documented text itself),
    each a command line after ``heatproof`` with {placeholders} (see ``fill``); the last one
    ends with exit status ``code`` (the others with 0) and prints ``figure`` when given. A
    ``stand`` case has a simulated stand served on loopback at {stand} (with the ``serve``
    options of `heatproof stand serve`); ``elsewhere`` names
    the test (path::function) that runs a command too long to run twice, ``same_as`` the
    documented command whose case runs this one too."""

    runs: tuple[str, ...] = ()
    code: int = 0
    figure: str | None = None
    stand: bool = False
    serve: tuple[str, ...] = ()
    slow: bool = False
    elsewhere: str | None = None
    same_as: str | None = None


def C(*runs: str, **kw) -> Case:
    """A Case of ``runs`` (see Case for the keywords ``kw``)."""
    return Case(runs=runs, **kw)


SAME = Case()  # the documented text runs as written
SHORT_NULL = "--n 2 --hours 1 --sample-s 60 --processes 1"
SHORT_FLEET = "--sim-units 20"
# a unit built on the demo's line from new lots, operation by operation, to end of line
BUILD = (
    *(
        f"line lot receive {part} D-{part} --qty 2"
        for part in ("HX1-VES-050", "HX1-HTR-200", "HX1-TC-K2", "HX1-INS-010", "HX1-CTL-100")
    ),
    "line order create HX-1 A --kind pilot --qty 1 --code DOC-1",
    "line units --order DOC-1 --json",
    "line operate {serial} --op 1 --lot D-HX1-VES-050",
    "line operate {serial} --op 2 --lot D-HX1-HTR-200 --lot D-HX1-TC-K2",
    "line operate {serial} --op 3 --lot D-HX1-INS-010",
    "line operate {serial} --op 4 --lot D-HX1-CTL-100 --operator Ada",
)
COUNTERSIGN = (
    "tests/evidence/test_countersign.py::"
    "test_countersign_brings_the_validator_signature_and_verify_accepts_it"
)
PROCEDURE = (
    "heatproof daq procedure procedures/quick-calibration.toml --stand 127.0.0.1:5020 "
    "--campaign 1 --serial SN-1"
)

DOCUMENTED: dict[str, Case] = {
    # docs/web.md
    "heatproof user": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof user add": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof user add alice --role validator": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof user passwd alice": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof user disable alice": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof user list": C(
        elsewhere="tests/web/test_cli_users.py::test_user_commands_change_and_audit"
    ),
    "heatproof serve": C(elsewhere="tests/web/test_serve.py::test_serve_answers_on_loopback"),
    "heatproof serve --workspace lab --port 8000": C(
        elsewhere="tests/web/test_serve.py::test_serve_answers_on_loopback"
    ),
    # README.md
    "heatproof --version": C("--version"),
    "heatproof demo": C(elsewhere="tests/conftest.py::demo_run"),
    "heatproof demo --json": C(elsewhere="tests/conftest.py::demo_pristine"),
    "heatproof demo --method calibrated": C(
        elsewhere="tests/cli/test_demo.py::test_calibrated_method_from_stored_telemetry"
    ),
    "heatproof verify": SAME,
    "heatproof analyze RUN_ID --json": C("analyze {run} --json"),
    "heatproof verdict CAMPAIGN_ID --json": C("verdict {null} --json"),
    "heatproof report CAMPAIGN_ID": C("report {gain} --no-pdf", figure="telemetry"),
    "heatproof list campaigns": C("list campaigns", figure="HX-1"),
    "heatproof gate status HX-1 A": C("gate status HX-1 A", figure="G1"),
    "heatproof analyze runfiles/steam.toml --json": SAME,
    "heatproof analysis null-campaigns --n 200": C(
        elsewhere="tests/docs/test_documented_commands.py::test_null_campaigns_print_a_summary"
    ),
    "heatproof control simulate scenarios/self_sustain_thermal.toml --json --plot out.html": SAME,
    "heatproof control fault-campaign --runs 1000": C(
        same_as="heatproof control fault-campaign --runs 1000 [--json]"
    ),
    "heatproof control critical-drive": C(same_as="heatproof control critical-drive [--json]"),
    "heatproof stand serve --port 5020": C(
        "daq record --stand s1={stand} --run served --samples 3", stand=True
    ),
    "heatproof daq record ...": C("daq record --stand s1={stand} --run R --samples 5", stand=True),
    "heatproof daq procedure procedures/quick-calibration.toml ...": C(same_as=PROCEDURE),
    "heatproof verify [--trust trust.toml] [--head SEQ:HASH]": C(
        "keys export-trust --out trust.toml",
        "ledger head --json",
        "verify --trust trust.toml --head {head}",
    ),
    "heatproof dossier seal / verdict / export / verify --trust / analyze --trust --sign": C(
        "daq campaign s --json",
        "dossier seal {made}",
        "dossier verdict {gain}",
        "keys export-trust --out lab.toml",
        "dossier export {gain} --out d.tar",
        "dossier verify d.tar --trust lab.toml",
        "dossier analyze d.tar --workspace fresh --trust lab.toml --sign",
    ),
    "heatproof keys list / export-trust / rotate / revoke": C(
        "keys list",
        "keys export-trust --out lab.toml",
        "keys rotate operator --json",
        "keys revoke operator {old} --reason 'laptop stolen'",
    ),
    "heatproof ledger head / show / repair": C("ledger head", "ledger show", "ledger repair"),
    "heatproof reliability fit examples/life.csv --dist best --at 8760": SAME,
    "heatproof gate status / preregister / decide / release / suspend / revise / field-check": C(
        "gate status HX-1 A",
        "daq campaign pre --json",
        "gate preregister {made}",
        "gate decide HX-1 A G1 --role engineer",
        "gate field-check HX-1 A",
        "gate suspend HX-1 A --reason 'seal leaks'",
        "gate revise HX-1 A B --reason 'new seal'",
        "gate status HX-1 B",
    ),
    "heatproof line setup / lot receive / order create / operate / genealogy / yield / nc / spc": C(
        "line setup HX-1 B",
        *BUILD,
        "line genealogy --unit {serial}",
        "line yield DOC-1",
        "line nc list",
        "line spc HX-1 A --out spc.html",
    ),
}


def fill(template: str, values: dict[str, str]) -> list[str]:
    """``template`` with its {placeholders} from ``values``, split as a shell would."""
    return shlex.split(template.format(**values))


def test_every_documented_command_has_an_entry():
    missing = sorted(set(documented_commands()) - set(DOCUMENTED))
    assert not missing, (
        "documented but never run; add each to DOCUMENTED in "
        f"tests/docs/test_documented_commands.py: {missing}"
    )


def test_every_entry_is_still_documented():
    gone = sorted(set(DOCUMENTED) - set(documented_commands()))
    assert not gone, f"no longer in README.md or docs/; remove from DOCUMENTED: {gone}"


def test_the_extraction_reads_blocks_and_spans(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text(
        "Run `heatproof verify\n  --json` or `python x`.\n\n```\n"
        "heatproof a --b 1   # the b\n    --c 2\nother\n  --d\nheatproof e\n```\n"
    )
    assert documented_commands(tmp_path) == {
        "heatproof verify --json": "README.md",
        "heatproof a --b 1 --c 2": "README.md",
        "heatproof e": "README.md",
    }


DOCUMENTED |= {
    # docs/analysis.md
    "heatproof analyze RUN_ID": C("analyze {run}"),
    "heatproof verdict": C("verdict {null}", figure="NEGATIVE"),
    "heatproof analyze FILE.toml": C(same_as="heatproof analyze runfiles/lugano-reported.toml"),
    "heatproof analyze runfiles/lugano-reported.toml": C(figure="COP 4.129"),
    "heatproof daq campaign NAME --method calibrated [--degree 2]": C(
        "daq campaign c --method calibrated --degree 2", figure="campaign"
    ),
    "heatproof analysis null-campaigns --n 200 [--method thermography --method calibrated] "
    "[--exact-tables] --json": C(
        f"analysis null-campaigns {SHORT_NULL} --method thermography --method calibrated "
        "--exact-tables --json",
        figure="by_method",
    ),
    "heatproof analysis gain-campaigns --gain 0.1 --hours 24 --n 200 [--method ...] --json": C(
        f"analysis gain-campaigns --gain 0.1 {SHORT_NULL} --method calibrated --json",
        figure="cop_sd_over_u",
    ),
    "heatproof analysis null-campaigns --other-unit --unit-tolerances design --camera-step-k 1 "
    "--camera-drift-k-day 1.5 --active-k 1090 --method thermography --method calibrated "
    "--hours 12 --n 200 --seed 1": C(
        "analysis null-campaigns --other-unit --unit-tolerances design --camera-step-k 1 "
        "--camera-drift-k-day 1.5 --active-k 1090 --method thermography --method calibrated "
        f"{SHORT_NULL} --seed 1",
        figure="COP 1.0512, sd 0.0163",
    ),
    # docs/architecture.md, docs/twin.md
    "heatproof control simulate": C("control simulate scenarios/hold_none.toml"),
    "heatproof control simulate SCENARIO.toml [--json] [--plot out.html]": C(
        "control simulate scenarios/faults_thermal.toml --json --plot out.html"
    ),
    "heatproof control critical-drive [--json]": C(
        "control critical-drive --duration 4000",
        figure="critical drive 912.49 W from the steady states (fold at core 955.1 K, shell 888.8 K)",
    ),
    "heatproof control fault-campaign --runs 1000 [--json]": C(
        "control fault-campaign --runs 8 --workers 1",
        figure="runs exceeding 1125 K: 0; runs with drive while TRIPPED: 0; tripped 2; "
        "highest true temperature 1033.4 K",
    ),
    # docs/designs.md
    "heatproof design template": C("design template", figure="HX-1"),
    "heatproof design template --out my-reactor.toml": SAME,
    "heatproof design check": C("design check designs/example-large.toml"),
    "heatproof design check my-reactor.toml": C(
        "design template --out my-reactor.toml", "design check my-reactor.toml"
    ),
    "heatproof daq campaign": C("daq campaign first"),
    "heatproof daq campaign NAME --design FILE": C(
        "daq campaign big --design designs/example-large.toml"
    ),
    "heatproof daq campaign first-look --design my-reactor.toml [--revision B]": C(
        "design template --out my-reactor.toml",
        "daq campaign first-look --design my-reactor.toml --revision B",
    ),
    "heatproof demo --design FILE": C(
        "design template --out my-reactor.toml",
        "demo --design my-reactor.toml --workspace my-demo",
        figure="NEGATIVE",
        slow=True,
    ),
    "heatproof demo --design my-reactor.toml --workspace my-demo": C(
        same_as="heatproof demo --design FILE"
    ),
    "heatproof design template --out my.toml": SAME,
    "heatproof design check designs/example-large.toml": SAME,
    "heatproof daq campaign NAME --design my.toml": C(
        "design template --out my.toml", "daq campaign NAME --design my.toml"
    ),
    "heatproof demo --design my.toml": C(same_as="heatproof demo --design FILE"),
    "heatproof stand serve": C(
        "daq record --stand s1={stand} --run served --samples 3", stand=True
    ),
    # docs/economics.md
    "heatproof cost heat --campaign CAMPAIGN_ID": C("cost heat --campaign {gain}"),
    "heatproof cost heat --campaign CAMPAIGN_ID --json --plot cost.html": C(
        "cost heat --campaign {null} --json --plot cost.html"
    ),
    "heatproof cost heat --cop 1.2:1.4": C("cost heat --cop 1.2:1.4", figure="HYPOTHETICAL"),
    # docs/evidence.md
    "heatproof dossier seal CAMPAIGN_ID": C("daq campaign s --json", "dossier seal {made}"),
    "heatproof dossier verdict": C("dossier verdict {gain}", figure="POSITIVE"),
    "heatproof dossier verdict CAMPAIGN_ID": C("dossier verdict {null}"),
    "heatproof dossier analyze": C(  # without --trust, --sign is refused (evidence.md, Trust)
        "dossier export {null} --out d.tar",
        "dossier analyze d.tar --workspace fresh --sign",
        code=2,
    ),
    "heatproof dossier analyze --sign": C(
        "keys export-trust --out lab.toml",
        "dossier export {gain} --out d.tar",
        "dossier analyze d.tar --workspace fresh --trust lab.toml --sign",
    ),
    "heatproof dossier analyze d.tar --workspace FRESH --trust lab.toml [--out v.json] [--sign]": C(
        "keys export-trust --out lab.toml",
        "dossier export {gain} --out d.tar",
        "dossier analyze d.tar --workspace FRESH --trust lab.toml --out v.json --sign",
    ),
    "heatproof dossier export CAMPAIGN_ID --out d.tar [--trust FILE]": C(
        "keys export-trust --out lab.toml", "dossier export {gain} --out d.tar --trust lab.toml"
    ),
    "heatproof dossier verify": C(  # without --trust: NOT ANCHORED, exit 1 (evidence.md, Trust)
        "dossier export {gain} --out d.tar",
        "dossier verify d.tar",
        code=1,
        figure="NOT ANCHORED: nothing was checked against an outside anchor",
    ),
    "heatproof dossier verify d.tar --trust lab.toml": C(
        "dossier export {gain} --out d.tar",
        "keys export-trust --out lab.toml",
        "dossier verify d.tar --trust lab.toml",
    ),
    'heatproof dossier exclude 3 --reason "aborted: the ramp timed out at 100 s, no hold was '
    'reached"': C(
        "dossier exclude 3 --reason 'aborted: the ramp timed out at 100 s, no hold was reached'",
        "verify",
    ),
    "heatproof keys export-trust --out lab.toml [--workspace W]": C(
        "keys export-trust --out lab.toml --workspace heatproof-data"
    ),
    "heatproof keys list": SAME,
    "heatproof keys migrate --workspace W": C("keys migrate --workspace heatproof-data"),
    "heatproof keys rotate ROLE --workspace W": C(
        "keys rotate engineer --workspace heatproof-data", figure="retired"
    ),
    "heatproof keys revoke ROLE FINGERPRINT --reason TEXT --workspace W": C(
        "keys rotate operator --json",
        "keys revoke operator {old} --reason 'laptop stolen' --workspace heatproof-data",
    ),
    "heatproof ledger head": SAME,
    "heatproof ledger show": SAME,
    "heatproof ledger repair": SAME,
    "heatproof verify --head SEQ:HASH": C("ledger head --json", "verify --head {head}"),
    # docs/production.md
    "heatproof gate status / preregister / decide / release / suspend / field-check": C(
        "gate status HX-1 A",
        "daq campaign pre --json",
        "gate preregister {made}",
        "gate decide HX-1 A G1 --role engineer",
        "gate release HX-1 A --role quality",
        "gate field-check HX-1 A",
        "gate suspend HX-1 A --reason 'seal leaks'",
    ),
    "heatproof gate status": C("gate status HX-0 A", figure="G1"),
    "heatproof gate status DESIGN REV [--json]": C("gate status HX-1 A --json", figure="G4"),
    "heatproof gate preregister CAMPAIGN_ID": C(
        "daq campaign pre --json", "gate preregister {made}"
    ),
    "heatproof gate release DESIGN REV --role quality": C("gate release HX-1 A --role quality"),
    "heatproof gate field-check DESIGN REV": C("gate field-check HX-1 A"),
    "heatproof gate field-check": C(same_as="heatproof gate field-check DESIGN REV"),
    "heatproof gate revise DESIGN REV NEW_REV": C("gate revise HX-1 A B --reason 'new seal'"),
    "heatproof dossier countersign": C(elsewhere=COUNTERSIGN),
    "heatproof dossier countersign CAMPAIGN_ID --from THEIR_WS": C(elsewhere=COUNTERSIGN),
    "heatproof dossier countersign CAMPAIGN_ID --from VALIDATOR_WS --workspace FACTORY_WS": C(
        elsewhere=COUNTERSIGN
    ),
    "heatproof dossier analyze DOSSIER --trust T --sign": C(
        "keys export-trust --out T",
        "dossier export {gain} --out DOSSIER",
        "dossier analyze DOSSIER --workspace fresh --trust T --sign",
        figure="POSITIVE",
    ),
    "heatproof line setup / lot receive / lots / order create / orders / units / operate / "
    "yield / genealogy / nc list / nc dispose": C(
        "line setup HX-1 B",
        "line lots",
        *BUILD,
        "line orders",
        "line yield DOC-1",
        "line genealogy --unit {serial}",
        "line nc list",
    ),
    "heatproof line spc DESIGN REV [--order CODE] [--out FILE]": C(
        "line spc HX-1 A --order HX-1-A-pilot-001 --out spc.html"
    ),
    "heatproof line capacity": C(figure="good units per working day"),
    "heatproof line capacity --orders examples/order_book.toml": C(
        "line capacity --orders examples/order_book.toml --days 4 --replications 2"
    ),
    "heatproof line capacity HX-1 A --add-station 4 --days 60 --replications 20 --json": C(
        "line capacity HX-1 A --add-station 4 --days 4 --replications 2 --json"
    ),
    "heatproof line genealogy --lot CODE | --unit SERIAL": C(
        "line genealogy --lot HX1-CTL-100-L001", "line genealogy --unit HX-1-A-000001"
    ),
    "heatproof line order create … --kind mass": C(
        "line order create HX-1 A --kind mass --qty 2 --code DOC-M"
    ),
    "heatproof station test / pilot / gauge-study": C(
        *BUILD,
        "station test {serial}",
        "station pilot HX-1 A --units 2 --seed 3",
        "station gauge-study HX-1 A --parts 2 --operators 2 --trials 2",
    ),
    # docs/reliability.md
    "heatproof reliability plan --plan III-D": SAME,
    "heatproof reliability decide ...": C(
        "reliability decide --plan III-D --theta1 500 --hours 2000 --failures 2"
    ),
    "heatproof reliability coverage --fleets 500": C("reliability coverage --fleets 20"),
    "heatproof reliability mtbf": C("reliability mtbf --hours 5000 --failures 2"),
    "heatproof reliability fit FILE|--simulate [--dist weibull|weibull3|exponential|lognormal|best] "
    "[--ci 0.9] [--method fisher|lr] [--sided two|lower|upper] [--b 1,10] [--at 8760,...] "
    "[--mode M | --by-mode] [--json]": C(
        "reliability fit examples/life.csv --dist weibull --ci 0.9 --method lr --sided two "
        "--b 1,10 --at 8760 --json",
        f"reliability fit --simulate {SHORT_FLEET} --dist best --by-mode",
    ),
    "heatproof reliability plan --plan III-D [--theta1 H] [--json]": C(
        "reliability plan --plan III-D --theta1 500 --json"
    ),
    "heatproof reliability plan --custom --alpha 0.1 --beta 0.1 --d 2 [--fixed] [--json]": C(
        "reliability plan --custom --alpha 0.1 --beta 0.1 --d 2 --fixed --json"
    ),
    "heatproof reliability plan --list [--json]": C("reliability plan --list", figure="III-D"),
    "heatproof reliability decide --plan III-D --theta1 H --hours T --failures r "
    "[--failure-hours h1,h2,..] [--chart c.html] [--json]": C(
        "reliability decide --plan III-D --theta1 500 --hours 2000 --failures 2 "
        "--failure-hours 300,900 --chart c.html --json"
    ),
    "heatproof reliability decide --plan III-D --theta1 H --life FILE [--json]": C(
        "reliability decide --plan III-D --theta1 500 --life examples/life.csv --json"
    ),
    "heatproof reliability decide --plan III-D --theta1 500 --life examples/life.csv": C(
        "reliability decide --plan III-D --theta1 500 --life examples/life.csv",
        figure="ACCEPT (III-D) at τ = 2200 unit-h with 0 failures (fleet hour 383.6",
    ),
    "heatproof reliability fit examples/life.csv --dist best": SAME,
    "heatproof reliability fit examples/life.csv --at 8760": C(
        "reliability fit examples/life.csv --at 8760", figure="0.084"
    ),
    "heatproof reliability report FILE|--simulate --out report.html [--plan III-D --theta1 H]": C(
        "reliability report examples/life.csv --out report.html --plan III-D --theta1 500",
        f"reliability report --simulate {SHORT_FLEET} --out sim.html",
    ),
    "heatproof reliability coverage --fleets 500 [--method fisher|lr] [--json]": C(
        "reliability coverage --fleets 20 --method lr --json"
    ),
    "heatproof reliability coverage --fleets 500 --json": C(
        "reliability coverage --fleets 20 --json"
    ),
    "heatproof reliability simulate-fleet --out fleet.csv [--sim-units 100 --sim-alpha-h 6000 "
    "--sim-beta 1.6 --sim-enrol-h 1000 --sim-test-end-h 5000 --sim-removal-mean-h 20000 "
    "--sim-inspection-h H --sim-mode seal:15000:1.1 --seed 0]": C(
        "reliability simulate-fleet --out fleet.csv --sim-units 100 --sim-alpha-h 6000 "
        "--sim-beta 1.6 --sim-enrol-h 1000 --sim-test-end-h 5000 --sim-removal-mean-h 20000 "
        "--sim-inspection-h 500 --sim-mode seal:15000:1.1 --seed 0"
    ),
    "heatproof reliability mtbf --hours T --failures r [--terminated time|failure] [--json]": C(
        "reliability mtbf --hours 5000 --failures 2 --terminated failure --json"
    ),
    "heatproof reliability zero-failure --target-h 8760 --reliability 0.9 --confidence 0.9 "
    "--beta 2 --units 20 [--json]": C(
        "reliability zero-failure --target-h 8760 --reliability 0.9 --confidence 0.9 --beta 2 "
        "--units 20 --json"
    ),
    # docs/stands.md
    "heatproof stand serve --design FILE": C(
        "daq record --stand s1={stand} --run served --samples 3",
        stand=True,
        serve=("--design", str(ROOT / "designs" / "example-large.toml")),
    ),
    "heatproof stand serve --port 5020 [--time-factor 0|F] [--hypothesis none|gain --gain 0.3] "
    "[--seed N] [--authorised-operator 7]": C(
        "daq record --stand s1={stand} --run served --samples 3",
        figure="s1: 3 new samples, last acknowledged 2, 1 chunks",
        stand=True,
    ),
    "heatproof daq record": C("daq record --stand s1={stand} --run R --samples 4", stand=True),
    "heatproof daq record --stand s1=127.0.0.1:5020 --run R --samples N|--until-sample N|"
    "--duration-s S": C(
        "daq record --stand s1={stand} --run A --until-sample 6",
        "daq record --stand s1={stand} --run B --duration-s 1",
        "daq record --stand s1={stand} --run R --samples 3",
        figure="s1: 3 new samples",
        stand=True,
    ),
    "heatproof daq campaign NAME [--window-s --mc-trials --confidence --margin --revision]": C(
        "daq campaign c --window-s 900 --mc-trials 20000 --confidence 0.95 --margin 0.1 "
        "--revision B"
    ),
    "heatproof daq procedure": C(same_as=PROCEDURE),
    PROCEDURE: C(
        "daq campaign cal --json",
        "daq procedure procedures/quick-calibration.toml --stand {stand} --campaign {made} "
        "--serial SN-1",
        figure="procedure quick-calibration PASS",
        stand=True,
        slow=True,
    ),
    "heatproof daq finalize raw/R/s1 --campaign 1 --serial SN-1 --kind calibration": C(
        "daq record --stand s1={stand} --run R --samples 5",
        "daq campaign f --json",
        "daq finalize raw/R/s1 --campaign {made} --serial SN-1 --kind calibration",
        stand=True,
    ),
    # docs/storage.md
    "heatproof daq finalize RAW --campaign C --serial S --kind K": C(
        "daq record --stand s1={stand} --run R --samples 5",
        "daq campaign f --json",
        "daq finalize raw/R/s1 --campaign {made} --serial SN-2 --kind active",
        stand=True,
    ),
    "heatproof dossier seal C": C("daq campaign s --json", "dossier seal {made}"),
    "heatproof dossier verdict C": C("dossier verdict {null}"),
    # README.md, heat plants
    **{
        command: C(
            elsewhere="tests/deployment/test_plant_cli.py::test_assemble_operate_show_and_fit"
        )
        for command in (
            "heatproof plant assemble P1 HX-1 A --demand-kw 4",
            "heatproof plant operate P1 --hours 120 --step-s 3600",
            "heatproof plant show P1",
            "heatproof plant life HX-1 A --plant P1 --json",
            "heatproof plant operate",
            "heatproof plant life",
        )
    },
    "heatproof plant commission P1 --hypothesis gain --gain 0.3": C(
        elsewhere="tests/plants/test_commissioning.py::test_the_command_commissions_a_plant_and_refuses_an_unknown_one_in_one_line"
    ),
    # docs/plants.md, commissioning
    "heatproof plant commission NAME [--hypothesis gain --gain 0.3] [--seed N] [--procedure FILE] [--json]": C(
        "plant commission HX-1-A-plant-1 --hypothesis gain --gain 0.3 --seed 3 "
        "--procedure {root}/src/heatproof/plants/commissioning.toml --json"
    ),
    # docs/scaling.md
    "heatproof bench": C(
        elsewhere="tests/engines/test_bench.py::test_bench_quick_json_and_table_on_the_water_benchmark"
    ),
    "heatproof bench --quick": C(
        elsewhere="tests/engines/test_bench.py::test_bench_quick_json_and_table_on_the_water_benchmark"
    ),
    "heatproof bench --quick --only ingest": SAME,
    "heatproof fleet simulate --reactors 100 --days 2 --out telemetry": C(
        "fleet simulate --reactors 3 --days 1 --out telemetry", figure="files"
    ),
    "heatproof fleet analyze telemetry --life-csv life.csv": C(
        "fleet simulate --reactors 3 --days 1 --out telemetry",
        "fleet analyze telemetry --life-csv life.csv",
        figure="reactor-day",
    ),
    "heatproof fleet analyze telemetry --scheduler tcp://127.0.0.1:8786 --json": C(
        elsewhere="tests/engines/test_fleet_analytics.py::test_cli_analyze_through_the_scheduler_matches_in_process"
    ),
}

# values later runs of a case take from an earlier run's JSON output
HARVEST = {
    "made": lambda data: data["campaign_id"],
    "head": lambda data: data["head"],
    "old": lambda data: data["old"],
    "serial": lambda data: data["units"][0]["serial"],
}


def harvest(stdout: str, values: dict[str, str]) -> None:
    """Put into ``values`` what HARVEST finds in ``stdout`` when it is one JSON object."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return
    for key, pick in HARVEST.items():
        try:
            values[key] = str(pick(data))
        except (KeyError, IndexError, TypeError):
            continue


def runs_of(documented: str) -> tuple[str, ...]:
    """The command lines (after ``heatproof``) that run the ``documented`` command."""
    case = DOCUMENTED[documented]
    return case.runs or (documented.removeprefix("heatproof "),)


def invoke(argv: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run ``heatproof argv`` in this process through the console script's entry point; its exit
    status, stdout and stderr (``capsys``, ``monkeypatch`` are pytest's)."""
    from heatproof.cli import main

    monkeypatch.setattr(sys, "argv", ["heatproof", *argv])
    with pytest.raises(SystemExit) as done:
        main()
    out, err = capsys.readouterr()
    code = done.value.code
    return (code if isinstance(code, int) else int(code is not None)), out, err


@pytest.fixture
def place(tmp_path, demo_pristine, monkeypatch) -> dict[str, str]:
    """tmp_path made the current folder, holding a copy of the demo workspace as the demo left it
    (other tests add to the shared demo_run) as
    heatproof-data, a copy of the keys ($HEATPROOF_KEYS) and links to the shipped files; the
    placeholders' first values."""
    ws, summary = demo_pristine
    shutil.copytree(ws, tmp_path / "heatproof-data")
    shutil.copytree(os.environ["HEATPROOF_KEYS"], tmp_path / "keys")
    for name in SHIPPED:
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.setenv("HEATPROOF_KEYS", str(tmp_path / "keys"))
    monkeypatch.setenv("COLUMNS", "200")
    for name in ("HEATPROOF_WORKSPACE", "HEATPROOF_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    null, gain = summary["scenarios"]["null"], summary["scenarios"]["gain"]
    return {
        "null": str(null["campaign_id"]),
        "gain": str(gain["campaign_id"]),
        "run": str(gain["sealed_runs"][-1]),
        "root": str(ROOT),
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stand(request):
    """A simulated stand served on loopback by `heatproof stand serve` in its own process
    (lockstep, 10 s samples, the case's ``serve`` options); its host:port."""
    port = _free_port()
    case = DOCUMENTED[request.node.callspec.params["documented"]]
    serve = [*"stand serve --sample-s 10 --json --port".split(), str(port), *case.serve]
    server = subprocess.Popen(
        [sys.executable, "-m", "heatproof", *serve], stdout=subprocess.PIPE, text=True
    )
    try:
        assert json.loads(server.stdout.readline())["port"] == port
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def _params() -> list:
    running = sorted(k for k, case in DOCUMENTED.items() if not (case.elsewhere or case.same_as))
    marks = {True: [pytest.mark.slow], False: []}
    return [pytest.param(k, marks=marks[DOCUMENTED[k].slow], id=k) for k in running]


@pytest.mark.parametrize("documented", _params())
def test_the_documented_command_runs(documented, place, request, capsys, monkeypatch):
    case = DOCUMENTED[documented]
    values = dict(place)
    if case.stand:
        values["stand"] = request.getfixturevalue("stand")
    runs = runs_of(documented)
    for i, line in enumerate(runs, 1):
        code, out, err = invoke(fill(line, values), capsys, monkeypatch)
        expected = case.code if i == len(runs) else 0
        assert code == expected, f"heatproof {line}: exit {code}, not {expected}:\n{err}{out}"
        if code == 0 and "--json" in line.split():
            json.loads(out)  # one JSON object, as --json promises
        harvest(out, values)
    if case.figure is not None:
        shown = normalise(out + err)  # may give more digits than the doc rounds to
        assert normalise(case.figure) in shown, (
            f"heatproof {runs[-1]} does not print {case.figure!r}:\n{out}{err}"
        )


def sections_showing(documented: str) -> list[Section]:
    """The sections of README.md and docs/*.md that show the ``documented`` command."""
    return [section for section in SECTIONS if documented in section.commands]


SECTIONS = doc_sections()


@pytest.mark.parametrize(
    "documented", sorted(k for k, case in DOCUMENTED.items() if case.figure is not None)
)
def test_each_figure_is_the_one_the_docs_show_beside_the_command(documented):
    """An entry's figure is not typed in here alone: the section that shows the command shows it
    too, so a doc's number edited without the command printing it fails here or in the run."""
    figure = DOCUMENTED[documented].figure
    near = sections_showing(documented)
    assert any(shows(figure, section.text) for section in near), (
        f"{figure!r} is not in the section of {sorted({s.doc for s in near})} that shows {documented}"
    )


@pytest.mark.parametrize("documented", sorted(k for k, case in DOCUMENTED.items() if case.code))
def test_each_failure_exit_is_the_documented_one(documented):
    code = DOCUMENTED[documented].code
    said = re.compile(rf"exit(s| status)? {code}\b")
    near = sections_showing(documented)
    assert any(said.search(section.text.replace("*", "")) for section in near), (
        f"no section that shows {documented} says it exits {code}"
    )


def command_tokens(documented: str) -> list[str]:
    """What a test that runs the ``documented`` command must say: its subcommand words (as the
    CLI's groups know them), each --option, and each option's value when it is a plain word
    that is not a path (a --role, --only, --hypothesis...)."""
    import typer

    from heatproof.cli import app

    command, words = typer.main.get_command(app), []
    for token in documented.split()[1:]:
        sub = getattr(command, "commands", {}).get(token)
        if sub is None:
            break
        command = sub
        words.append(token)
    paths = {
        name
        for param in command.params
        if "Path" in str(param.type_descriptor.annotation)
        for name in param.opts
    }
    said = []
    for option, value in re.findall(WORD_OPTION, documented):
        said.append(option)
        if value and option not in paths:
            said.append(value)
    return words + said


def test_command_tokens_read_subcommands_options_and_word_values():
    assert command_tokens("heatproof bench --quick --only ingest") == [
        "bench",
        "--quick",
        "--only",
        "ingest",
    ]
    assert command_tokens("heatproof user add alice --role validator [--json]") == [
        "user",
        "add",
        "--role",
        "validator",
        "--json",
    ]


def strings_of(target: str) -> str:
    """The string constants of the function ``target`` (path::name) and of the functions of its
    module it calls by name (its helpers), joined by spaces."""
    path, name = target.split("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert name in functions, f"no {target}"
    called = {
        node.func.id
        for node in ast.walk(functions[name])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    return " ".join(
        str(node.value)
        for function in [functions[name], *(functions[c] for c in called & functions.keys())]
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@pytest.mark.parametrize(
    "documented", sorted(k for k, case in DOCUMENTED.items() if case.elsewhere)
)
def test_a_command_run_elsewhere_is_run_there_with_its_options(documented):
    said = normalise(strings_of(DOCUMENTED[documented].elsewhere))
    missing = [
        token
        for token in command_tokens(documented)
        if not re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", said)
    ]
    assert not missing, f"{DOCUMENTED[documented].elsewhere} never says {missing} of {documented}"


def test_a_command_run_alike_is_run():
    for documented, case in DOCUMENTED.items():
        if case.same_as:
            target = DOCUMENTED[case.same_as]
            assert not (target.elsewhere or target.same_as), (
                f"{documented}: {case.same_as} runs nothing"
            )


def _measured_figures():
    """scripts/measured_figures.py as a module."""
    spec = importlib.util.spec_from_file_location(
        "measured_figures", ROOT / "scripts" / "measured_figures.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


FIGURES = _measured_figures()
MEASURED = FIGURES.MEASURED
RECORDS = json.loads((ROOT / "docs" / "measured.json").read_text(encoding="utf-8"))


def test_measured_json_records_each_measured_command():
    assert [(r["command"], r["doc"], r["seed"]) for r in RECORDS] == [
        (e.command, e.doc, e.seed) for e in MEASURED
    ], "run scripts/measured_figures.py after changing its MEASURED"


@pytest.mark.parametrize("record", RECORDS, ids=[r["command"] for r in RECORDS])
def test_each_measured_figure_is_the_one_its_doc_shows(record):
    text = (ROOT / record["doc"]).read_text(encoding="utf-8")
    missing = [figure for figure in record["figures"] if not shows(figure, text)]
    assert not missing, f"{record['doc']} does not show {missing} ({record['command']})"


@pytest.mark.parametrize("entry", [e for e in MEASURED if e.cheap], ids=lambda e: e.command)
def test_a_cheap_measured_command_still_gives_its_recorded_figures(entry, tmp_path):
    record = next(r for r in RECORDS if r["command"] == entry.command)
    assert FIGURES.measure(entry, tmp_path) == record["figures"]


def test_null_campaigns_print_a_summary(capsys, monkeypatch):
    """`heatproof analysis null-campaigns` (short form) prints outcomes as words, never a dict."""
    short = "analysis null-campaigns --n 2 --hours 1 --sample-s 60 --processes 1"
    code, out, err = invoke(fill(short, {}), capsys, monkeypatch)
    assert code == 0, err
    head = out.splitlines()[0]
    assert (
        head.startswith("2 campaigns with gain 0.0 (thermography, ") and "POSITIVE fraction" in head
    )
    assert re.search(r"\): \d+ (POSITIVE|NEGATIVE|INCONCLUSIVE)", head), head
    assert "{" not in out and "Outcome." not in out, out
