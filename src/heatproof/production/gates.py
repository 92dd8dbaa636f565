"""The four gates of a design revision, decided from typed evidence (pure: no I/O).

G1 design validated, G2 reliability demonstrated, G3 production process validated, G4 mass
production released (DESIGN.md section 4). Each ``evaluate_g*`` returns a GateResult: the gate,
its outcome and every criterion with whether it holds, the reason in plain words with its
numbers, and the SHA-256 of the evidence it rests on. The services (heatproof.factory.gates)
gather the evidence from the records, the signed files and the ledger.

Outcomes, as in stage-gate practice:

- **go**: every criterion holds.
- **hold**: a gap that more evidence or a signature fills (a campaign not yet decided, no
  pre-registration, a POSITIVE awaiting its validator or its replication, too few pilot units, a
  demonstration still running, a missing gauge study or signature, the previous gate not open).
- **recycle**: the evidence says this revision does not meet the gate: back to design (G1: the
  latest qualifying campaign is NEGATIVE, excess heat excluded; G2: the demonstration rejects, or
  the B10 upper bound is below its target) or back to process development (G3: first-pass yield,
  Cpk, control or %GRR measured and short).
- **kill**: G1 only: at least KILL_NEGATIVES qualifying NEGATIVE campaigns and no qualifying
  POSITIVE on the revision.

G1 counts every campaign on the revision. A campaign *qualifies* when its decision rule was
pre-registered (signed before the first active sample), its verdict's configuration is the
pre-registered one (else the verdict is post hoc), its runs are sealed and its verdict is signed
by the engineer. Only a qualifying POSITIVE that a validator reproduced and signed opens G1; when
any other campaign on the revision is not POSITIVE (before or after it), a second qualifying,
validated POSITIVE on another stand by another validator is needed (independent replication).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from heatproof.errors import InvalidInput

KILL_NEGATIVES = 2  # qualifying NEGATIVE campaigns without any POSITIVE that kill a revision
CPK_TARGET = 1.33
GRR_LIMIT_PERCENT = 30.0
GATE_NAMES = {
    "G1": "design validated",
    "G2": "reliability demonstrated",
    "G3": "production process validated",
    "G4": "mass production released",
}


class GateOutcome(StrEnum):
    """A gate's outcome (the value is the word stored and printed)."""

    GO = "go"
    HOLD = "hold"
    RECYCLE = "recycle"
    KILL = "kill"


@dataclass(frozen=True)
class Criterion:
    """One criterion of a gate: its ``name``, whether it ``holds``, the ``detail`` in plain words
    with its numbers, and ``evidence_sha256``, the SHA-256 of what it rests on ("" for none)."""

    name: str
    holds: bool
    detail: str
    evidence_sha256: str = ""

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {
            "name": self.name,
            "holds": self.holds,
            "detail": self.detail,
            "evidence_sha256": self.evidence_sha256,
        }


@dataclass(frozen=True)
class GateResult:
    """A gate evaluated: ``gate`` (G1..G4), its ``outcome``, the ``criteria`` (go when all hold),
    the ``reason`` (the criterion that determined the outcome, named first with its detail: for
    a recycle or a kill the criterion that recycles or kills, else the first blocking one; or
    why it is go), ``notes``: the
    evidence counted without being a criterion itself (G1: each campaign), and ``facts``: numbers
    a later step reads (G2: demonstrated_mtbf_h, the field trend's threshold)."""

    gate: str
    outcome: GateOutcome
    criteria: tuple[Criterion, ...]
    reason: str
    notes: tuple[Criterion, ...] = ()
    facts: dict = field(default_factory=dict)

    @property
    def open(self) -> bool:
        """True when the outcome is go."""
        return self.outcome is GateOutcome.GO

    def to_dict(self) -> dict:
        """JSON-ready form (the record a signed gate decision holds)."""
        return {
            "gate": self.gate,
            "name": GATE_NAMES[self.gate],
            "outcome": self.outcome.value,
            "reason": self.reason,
            "criteria": [c.to_dict() for c in self.criteria],
            "notes": [c.to_dict() for c in self.notes],
            "facts": dict(self.facts),
        }


def _result(
    gate: str,
    criteria: list[Criterion],
    failing: GateOutcome,
    notes: Sequence[Criterion] = (),
    facts: dict | None = None,
    deciding: Criterion | None = None,
) -> GateResult:
    """go when every ``criteria`` of ``gate`` holds, else ``failing``, with ``notes`` and
    ``facts``; the reason names ``deciding``, the criterion that determined ``failing`` (None:
    the first blocking one), as "fails '<criterion>': <what it found>"."""
    blocking = [c for c in criteria if not c.holds]
    if not blocking:
        reason = f"{gate} {GATE_NAMES[gate]}: every criterion holds"
        return GateResult(gate, GateOutcome.GO, tuple(criteria), reason, tuple(notes), facts or {})
    why = deciding if deciding is not None and not deciding.holds else blocking[0]
    reason = f"fails '{why.name}': {why.detail}"  # the criterion as named, then what it found
    return GateResult(gate, failing, tuple(criteria), reason, tuple(notes), facts or {})


@dataclass(frozen=True)
class PreviousGate:
    """The gate before: its ``gate`` name, its ``computed`` outcome on the evidence now, the
    ``signed`` outcome of its latest signed decision (None: never decided) and that decision
    file's ``decision_sha256``."""

    gate: str
    computed: GateOutcome
    signed: GateOutcome | None = None
    decision_sha256: str = ""


def previous_open(previous: PreviousGate) -> Criterion:
    """The criterion "the previous gate is open": signed go and still go on the evidence now
    (``previous``)."""
    g = previous.gate
    name = f"{g} open"
    if previous.signed is not GateOutcome.GO:
        signed = "never decided" if previous.signed is None else f"signed {previous.signed}"
        detail = (
            f"{g} is {previous.computed} on the evidence and {signed}; it must be open (signed "
            f"go) first: `heatproof gate decide DESIGN REV {g}`"
        )
        return Criterion(name, False, detail, previous.decision_sha256)
    if previous.computed is not GateOutcome.GO:
        detail = (
            f"{g} was signed go but is {previous.computed} on the evidence now (new evidence "
            f"since); decide {g} again"
        )
        return Criterion(name, False, detail, previous.decision_sha256)
    return Criterion(name, True, f"{g} signed go and still go", previous.decision_sha256)


# --- G1 design validated ------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignEvidence:
    """What one campaign on the revision brings to G1.

    ``campaign_id`` and ``name``; ``outcome`` of its latest signed verdict (POSITIVE, NEGATIVE,
    INCONCLUSIVE; None: not decided with evidence); ``active_runs`` recorded; the configuration
    hash it was analysed with (``verdict_config_sha256``) and the pre-registered one
    (``preregistered_config_sha256``, None: never pre-registered); ``registered_at`` and
    ``first_active_at`` (the first active sample; aware datetimes, None when absent); whether its
    runs are ``sealed``, the verdict ``engineer_signed``; ``validator_fingerprint`` of a
    validator's valid signature of the verdict (None: not validated); the ``stands`` of its runs;
    ``verdict_sha256`` of the verdict file and the verdict's time ``decided_at``;
    ``exclusions_after_verdict``, the runs the verdict excludes whose exclusion was made after
    the campaign's first verdict (an exclusion made once a result was seen can cherry-pick)."""

    campaign_id: int
    name: str
    outcome: str | None
    active_runs: int = 0
    verdict_config_sha256: str = ""
    preregistered_config_sha256: str | None = None
    registered_at: datetime | None = None
    first_active_at: datetime | None = None
    sealed: bool = False
    engineer_signed: bool = False
    validator_fingerprint: str | None = None
    stands: tuple[str, ...] = ()
    verdict_sha256: str = ""
    decided_at: datetime | None = None
    exclusions_after_verdict: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        """'campaign <id> (<name>)'."""
        return f"campaign {self.campaign_id} ({self.name})"

    @property
    def post_hoc(self) -> bool:
        """True when the verdict's configuration differs from the pre-registered one."""
        return (
            self.outcome is not None
            and self.preregistered_config_sha256 is not None
            and self.verdict_config_sha256 != self.preregistered_config_sha256
        )

    def problems(self) -> list[str]:
        """Why this campaign does not qualify (empty when it does)."""
        if self.outcome is None:
            return ["no signed verdict"]
        out = []
        if self.preregistered_config_sha256 is None:
            out.append("its decision rule was never pre-registered")
        elif self.registered_at is None or (
            self.first_active_at is not None and self.registered_at >= self.first_active_at
        ):
            out.append(
                f"pre-registered at {_when(self.registered_at)}, not before its first active "
                f"sample at {_when(self.first_active_at)}"
            )
        if self.post_hoc:
            out.append(
                f"post hoc: the verdict's configuration {self.verdict_config_sha256[:12]}... "
                f"differs from the pre-registered {str(self.preregistered_config_sha256)[:12]}..."
            )
        if self.exclusions_after_verdict:
            runs = ", ".join(str(r) for r in self.exclusions_after_verdict)
            out.append(
                f"post hoc: run(s) {runs} excluded after the campaign's first verdict; runs "
                "dropped once a result was seen can pick the result, so this verdict cannot "
                "decide G1 (a new campaign, pre-registered, can)"
            )
        if not self.sealed:
            out.append("its runs are not all sealed")
        if not self.engineer_signed:
            out.append("its verdict has no valid engineer signature")
        return out

    @property
    def qualifies(self) -> bool:
        """True when the campaign counts as evidence that can decide G1."""
        return not self.problems()


def _when(t: datetime | None) -> str:
    return "never" if t is None else t.isoformat(timespec="seconds")


def _order(c: CampaignEvidence) -> tuple:
    return (c.decided_at is None, c.decided_at or datetime.min, c.campaign_id)


def _campaign_note(c: CampaignEvidence) -> Criterion:
    problems = c.problems()
    stands = ", ".join(c.stands) or "no stand"
    if c.outcome is None:
        detail = f"{c.active_runs} active run(s), not decided with evidence"
    else:
        validated = (
            f"validated by {c.validator_fingerprint[:16]}..."
            if c.validator_fingerprint
            else "not validated"
        )
        status = "qualifies" if not problems else "does not qualify: " + "; ".join(problems)
        detail = f"{c.outcome} on {stands}, {validated}; {status}"
    return Criterion(c.label, not problems, detail, c.verdict_sha256)


def _independent(a: CampaignEvidence, b: CampaignEvidence) -> bool:
    return (
        a.validator_fingerprint != b.validator_fingerprint
        and not set(a.stands) & set(b.stands)
        and bool(a.stands)
        and bool(b.stands)
    )


def _opening(campaigns: list[CampaignEvidence]) -> tuple[Criterion, list[CampaignEvidence]]:
    """The criterion "a qualifying, validated POSITIVE" and the POSITIVEs that open."""
    positives = [c for c in campaigns if c.outcome == "POSITIVE"]
    opening = [c for c in positives if c.qualifies and c.validator_fingerprint]
    if opening:
        best = opening[-1]
        detail = (
            f"{best.label} is POSITIVE, pre-registered before its first active sample, analysed "
            f"as registered, sealed, signed by the engineer and by validator "
            f"{str(best.validator_fingerprint)[:16]}..."
        )
        return Criterion("validated POSITIVE", True, detail, best.verdict_sha256), opening
    if not positives:
        detail = f"none of the {len(campaigns)} campaign(s) on the revision is POSITIVE"
        return Criterion("validated POSITIVE", False, detail), []
    why = [
        f"{c.label}: "
        + "; ".join(c.problems() or ["no validator signature (`heatproof dossier countersign`)"])
        for c in positives
    ]
    detail = "no POSITIVE can open G1: " + " | ".join(why)
    return Criterion("validated POSITIVE", False, detail, positives[-1].verdict_sha256), []


def _replication(campaigns: list[CampaignEvidence], opening: list[CampaignEvidence]) -> Criterion:
    name = "independent replication"
    others = [c for c in campaigns if c.outcome is not None and c.outcome != "POSITIVE"]
    if not others:
        return Criterion(
            name, True, "not needed: no campaign on the revision is other than POSITIVE"
        )
    against = ", ".join(f"{c.label} {c.outcome}" for c in others)
    for i, a in enumerate(opening):
        for b in opening[i + 1 :]:
            if _independent(a, b):
                detail = (
                    f"needed ({against}): {a.label} on {', '.join(a.stands)} and {b.label} on "
                    f"{', '.join(b.stands)}, by two validators"
                )
                return Criterion(name, True, detail, b.verdict_sha256)
    if len(opening) >= 2:
        detail = (
            f"needed ({against}): the validated POSITIVEs share a stand or a validator; a "
            "replication must run on another stand and be reproduced by another validator"
        )
    elif opening:
        detail = (
            f"needed ({against}): a lone POSITIVE after non-POSITIVE campaigns needs another "
            "pre-registered, validated POSITIVE on another stand by another validator"
        )
    else:
        detail = (
            f"needed ({against}): two pre-registered, validated POSITIVEs on different stands "
            "by different validators; there is none yet"
        )
    return Criterion(name, False, detail)


def evaluate_g1(campaigns: Sequence[CampaignEvidence]) -> GateResult:
    """G1 design validated, from every campaign on the revision (``campaigns``, any order); see
    the module docstring for the rules and the outcomes."""
    ordered = sorted(campaigns, key=_order)
    notes = [_campaign_note(c) for c in ordered]
    undecided = [c for c in ordered if c.outcome is None and c.active_runs > 0]
    decided = [c for c in ordered if c.outcome is not None]
    if undecided:
        detail = "undecided: " + ", ".join(
            f"{c.label} (`heatproof dossier verdict {c.campaign_id}`)" for c in undecided
        )
    elif not decided:
        detail = "no campaign on the revision is decided with signed evidence yet"
    else:
        detail = f"{len(decided)} campaign(s) decided with signed evidence"
    every = Criterion("every campaign decided", not undecided and bool(decided), detail)
    opening_c, opening = _opening(decided)
    qualified = [c for c in decided if c.qualifies]
    negatives = [c for c in qualified if c.outcome == "NEGATIVE"]
    latest = qualified[-1] if qualified else None
    excluded = latest is not None and latest.outcome == "NEGATIVE"
    not_excluded = Criterion(
        "excess heat not excluded",
        not excluded,
        f"the latest qualifying campaign, {latest.label}, is NEGATIVE: excess heat excluded"
        if excluded
        else "the latest qualifying campaign is not NEGATIVE",
        latest.verdict_sha256 if latest else "",
    )
    killed = len(negatives) >= KILL_NEGATIVES and not any(
        c.outcome == "POSITIVE" for c in qualified
    )
    positives = sum(c.outcome == "POSITIVE" for c in qualified)
    counts = f"{len(negatives)} qualifying NEGATIVE and {positives} qualifying POSITIVE campaign(s)"
    alive = Criterion(
        "not killed",
        not killed,
        f"{counts}: the revision is killed (at {KILL_NEGATIVES} NEGATIVE without a POSITIVE)"
        if killed
        else f"{counts} (killed at {KILL_NEGATIVES} NEGATIVE without a POSITIVE)",
    )
    criteria = [every, opening_c, _replication(decided, opening), not_excluded, alive]
    if killed:
        return _result("G1", criteria, GateOutcome.KILL, notes, deciding=alive)
    if excluded:
        return _result("G1", criteria, GateOutcome.RECYCLE, notes, deciding=not_excluded)
    return _result("G1", criteria, GateOutcome.HOLD, notes)


# --- G2 reliability demonstrated ----------------------------------------------------------------


@dataclass(frozen=True)
class ReliabilityEvidence:
    """What the revision's recorded life data shows, by ``method`` "mil781" (a MIL-HDBK-781A
    plan ``plan`` at lower test MTBF ``theta1_h``, h, with its ``decision``: accept, reject or
    continue) or "b10" (the B10 life's lower bound ``b10_lower_h``, h, and upper bound
    ``b10_upper_h`` against ``b10_target_h``, h). ``units`` with life data, ``failures``, total
    ``operating_h`` (h); ``demonstrated_mtbf_h`` (h), the MTBF the field trend is held against
    (theta1 of an accepted plan, else the chi-square lower bound); ``detail`` the decision's own
    words and ``data_sha256`` the hash of the life data used."""

    method: str
    units: int
    failures: int
    operating_h: float
    detail: str = ""
    data_sha256: str = ""
    plan: str | None = None
    theta1_h: float | None = None
    decision: str | None = None
    b10_lower_h: float | None = None
    b10_upper_h: float | None = None
    b10_target_h: float | None = None
    demonstrated_mtbf_h: float | None = None

    def __post_init__(self) -> None:
        if self.method not in ("mil781", "b10"):
            raise InvalidInput(f"method={self.method!r} is not one of mil781|b10")


def _demonstration(ev: ReliabilityEvidence) -> tuple[Criterion, GateOutcome]:
    data = f"{ev.units} units, {ev.failures} failure(s) in {ev.operating_h:.6g} h"
    if ev.method == "mil781":
        name = f"MIL-HDBK-781A plan {ev.plan} accepts"
        detail = f"{ev.decision} at theta1 = {ev.theta1_h:.6g} h ({data}): {ev.detail}"
        failing = GateOutcome.RECYCLE if ev.decision == "reject" else GateOutcome.HOLD
        return Criterion(name, ev.decision == "accept", detail, ev.data_sha256), failing
    lower, upper, target = ev.b10_lower_h, ev.b10_upper_h, ev.b10_target_h
    holds = lower is not None and target is not None and lower >= target
    detail = (
        f"B10 lower bound {_h(lower)} vs target {_h(target)} (upper bound {_h(upper)}; {data})"
        + (f": {ev.detail}" if ev.detail else "")
    )
    short = upper is not None and target is not None and upper < target
    failing = GateOutcome.RECYCLE if short else GateOutcome.HOLD
    return Criterion("B10 lower bound above target", holds, detail, ev.data_sha256), failing


def _h(value: float | None) -> str:
    return "none" if value is None else f"{value:.6g} h"


def evaluate_g2(previous: PreviousGate, evidence: ReliabilityEvidence | None) -> GateResult:
    """G2 reliability demonstrated: the ``previous`` gate (G1) open and the ``evidence`` of the
    revision's recorded life data (None: no life data recorded) accepted. A rejected plan, or a
    B10 upper bound below target, recycles; a plan still running, or too little data, holds."""
    criteria = [previous_open(previous)]
    if evidence is None or evidence.units == 0:
        criteria.append(
            Criterion(
                "life data recorded",
                False,
                "no field or endurance life data of this revision's units is recorded",
            )
        )
        return _result("G2", criteria, GateOutcome.HOLD)
    criteria.append(
        Criterion(
            "life data recorded",
            True,
            f"{evidence.units} units of the revision, {evidence.failures} failure(s), "
            f"{evidence.operating_h:.6g} operating h (from the records)",
            evidence.data_sha256,
        )
    )
    demo, failing = _demonstration(evidence)
    criteria.append(demo)
    if not criteria[0].holds:
        failing = GateOutcome.HOLD  # the previous gate decides first
    facts = {"demonstrated_mtbf_h": evidence.demonstrated_mtbf_h}
    deciding = demo if failing is GateOutcome.RECYCLE else None
    return _result("G2", criteria, failing, facts=facts, deciding=deciding)


# --- G3 production process validated ------------------------------------------------------------


@dataclass(frozen=True)
class CharacteristicEvidence:
    """One key characteristic of the pilot lot: its ``name``, ``n`` values, ``cpk`` and the
    one-sided ``cpk_lower`` confidence bound at ``level``; whether its control chart is
    ``in_control`` and the rule ``firings`` (each named with its points); ``percent_grr`` of its
    gauge R&R study (None: no study) and the ``sha256`` of the values."""

    name: str
    n: int
    cpk: float | None
    cpk_lower: float | None
    level: float
    in_control: bool
    firings: tuple[str, ...] = ()
    percent_grr: float | None = None
    sha256: str = ""


@dataclass(frozen=True)
class PilotEvidence:
    """The pilot lot: ``units`` tested end of line (a valid first attempt each), ``first_pass``
    of them passing at the first attempt, the ``required_units`` (the design's N) and
    ``fpy_target`` (0..1); the key ``characteristics``; ``cpk_target`` and ``grr_limit_percent``;
    ``judge_lower_bound`` judges the Cpk's lower confidence bound instead of its estimate;
    ``sha256`` of the end-of-line results used."""

    units: int
    first_pass: int
    required_units: int
    fpy_target: float
    characteristics: tuple[CharacteristicEvidence, ...]
    cpk_target: float = CPK_TARGET
    grr_limit_percent: float = GRR_LIMIT_PERCENT
    judge_lower_bound: bool = False
    sha256: str = ""

    @property
    def fpy(self) -> float:
        """First-pass yield: first_pass / units (0 without units)."""
        return self.first_pass / self.units if self.units else 0.0


def _num(x: float | None) -> str:
    return "none" if x is None else f"{x:.4g}"


def _characteristic(
    p: PilotEvidence, c: CharacteristicEvidence
) -> tuple[list[Criterion], list[Criterion]]:
    """The criteria of one characteristic and those of them that failed on a measured value
    (a missing value or study is a gap, not a shortfall)."""
    judged = c.cpk_lower if p.judge_lower_bound else c.cpk
    which = "lower bound" if p.judge_lower_bound else "estimate"
    cpk = Criterion(
        f"{c.name}: Cpk >= {p.cpk_target:g}",
        judged is not None and judged >= p.cpk_target,
        f"Cpk {_num(c.cpk)}, {c.level:.0%} lower confidence bound {_num(c.cpk_lower)} "
        f"({c.n} values; the {which} is judged against {p.cpk_target:g})",
        c.sha256,
    )
    firings = "; ".join(c.firings) if c.firings else "no rule fired"
    state = "in" if c.in_control else "out of"
    control = Criterion(
        f"{c.name}: in control", c.in_control, f"{state} control: {firings}", c.sha256
    )
    grr_name = f"{c.name}: %GRR <= {p.grr_limit_percent:g} %"
    if c.percent_grr is None:
        detail = "no gauge R&R study of this characteristic at the end-of-line station"
        grr = Criterion(grr_name, False, detail)
    else:
        detail = f"%GRR {c.percent_grr:.3g} % (limit {p.grr_limit_percent:g} %)"
        grr = Criterion(grr_name, c.percent_grr <= p.grr_limit_percent, detail)
    short = [
        criterion
        for criterion, measured in (
            (cpk, judged is not None),
            (control, True),
            (grr, c.percent_grr is not None),
        )
        if measured and not criterion.holds
    ]
    return [cpk, control, grr], short


def evaluate_g3(previous: PreviousGate, pilot: PilotEvidence | None) -> GateResult:
    """G3 production process validated: the ``previous`` gate (G2) open and the ``pilot`` lot
    (None: none built) large enough, its first-pass yield at target, every key characteristic
    capable (Cpk), in control and measured by a system with %GRR within the limit. Missing
    evidence holds; a measured shortfall recycles (improve the process, build a new pilot)."""
    criteria = [previous_open(previous)]
    if pilot is None:
        criteria.append(Criterion("pilot lot", False, "no pilot lot tested end of line"))
        return _result("G3", criteria, GateOutcome.HOLD)
    criteria.append(
        Criterion(
            f"pilot lot >= {pilot.required_units} units",
            pilot.units >= pilot.required_units,
            f"{pilot.units} units tested end of line (valid first attempts)",
            pilot.sha256,
        )
    )
    fpy = Criterion(
        f"first-pass yield >= {pilot.fpy_target:.1%}",
        pilot.units > 0 and pilot.fpy >= pilot.fpy_target,
        f"{pilot.first_pass} of {pilot.units} passed at the first attempt (FPY {pilot.fpy:.1%})",
        pilot.sha256,
    )
    criteria.append(fpy)
    short = [fpy] if pilot.units > 0 and not fpy.holds else []
    if not pilot.characteristics:
        criteria.append(Criterion("key characteristics", False, "no key characteristic measured"))
    for c in pilot.characteristics:
        found, measured_short = _characteristic(pilot, c)
        criteria += found
        short += measured_short
    if short and criteria[0].holds:
        return _result("G3", criteria, GateOutcome.RECYCLE, deciding=short[0])
    return _result("G3", criteria, GateOutcome.HOLD)


# --- G4 mass production released ----------------------------------------------------------------

RELEASE_ROLES = ("quality", "manager")


def evaluate_g4(previous: Sequence[PreviousGate], signatures: dict[str, str | None]) -> GateResult:
    """G4 mass production released: every gate of ``previous`` (G1, G2, G3) open and the
    ``signatures`` of the quality and manager roles (role -> signer's fingerprint, None or absent:
    not signed). Anything missing holds."""
    criteria = [previous_open(p) for p in previous]
    gates = {p.gate for p in previous}
    for gate in ("G1", "G2", "G3"):
        if gate not in gates:
            criteria.append(Criterion(f"{gate} open", False, f"{gate} was not evaluated"))
    for role in RELEASE_ROLES:
        fp = signatures.get(role)
        criteria.append(
            Criterion(
                f"{role} signature",
                bool(fp),
                f"signed by {role} key {fp[:16]}..."
                if fp
                else f"not signed by {role}: `heatproof gate release DESIGN REV --role {role}`",
            )
        )
    return _result("G4", criteria, GateOutcome.HOLD)
