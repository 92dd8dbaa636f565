"""One honest summary of a verdict record, the same in text, JSON, HTML and the dossier.

It says the outcome; the one-sided bound that decides, against 1 + margin, and at which
confidence; what the headline two-sided interval is (and that it does not decide); every
blocking finding in plain words with its numbers; the warnings grouped once; whether any run was
simulated; the excluded runs; and, when the caller knows it, whether the evidence is sealed and
signed. It is computed from a verdict record as it is (never stored in it), so verdict files
keep their bytes. A run file's record gets the same summary (run_file_summary), and one stored
run's analysis the same findings' words with its simulated flag, its exclusion and the campaign
verdict that alone decides (stored_run_summary).
"""

from __future__ import annotations

import re

from heatproof.analysis.verdict import REPORTED

# The checks each method's analysis runs (pitfalls.py), in plain words, for "no pitfall found".
_COMMON = ("steady state over each window", "GUM against Monte Carlo (JCGM 101 clause 8)")
_CAMPAIGN = (
    "dummy (calibration) runs read COP = 1",
    "calibration covers the active operating points",
    "excess energy above any chemical source of the charge (when the bounds are above 1 + margin)",
)
CHECKS = {
    "thermography": (
        *_COMMON,
        "camera emissivity setting against the in-band emissivity",
        "emissivity tables cover the surface temperature",
        "input instrument sees DC and every phase",
        *_CAMPAIGN,
    ),
    "calibrated": (
        *_COMMON,
        "dummy points follow one transfer function",
        "camera set as for the dummy",
        "the dummy's unit, or a stated unit-to-unit term",
        "room as warm as the dummy's",
        "input instrument sees DC and every phase",
        *_CAMPAIGN,
    ),
    "flow": (
        "run long enough for steady state",
        "flow above the meter's minimum",
        "outlet away from the boiling point",
        "input instrument sees DC and every phase",
        "GUM against Monte Carlo (JCGM 101 clause 8)",
        *_CAMPAIGN,
    ),
    "steam": (
        "run long enough for steady state",
        "steam quality measured",
        "outlet away from the boiling point",
        "input instrument sees DC and every phase",
        "GUM against Monte Carlo (JCGM 101 clause 8)",
        *_CAMPAIGN,
    ),
}

# Plain words for each warning code, said once per group.
WARNING_TITLES = {
    "gum_mc_disagree": "the GUM and Monte Carlo intervals disagree; the verdict uses Monte Carlo",
    "calibration_unchecked": "the transfer function passes exactly through the dummy points",
    "ambient_differs": "the room was warmer or colder than during the dummy runs",
    "steam_quality_not_measured": "steam quality not measured; only the conservative end is used",
    "outlet_at_saturation": "the outlet was at the boiling point",
    "reported_powers": "published powers taken at their word, beside the corrected method; they "
    "never decide",
}

_WHERE = re.compile(r"^(run [^:]{1,80}): ")


def verdict_summary(record: dict, evidence_status: dict | None = None) -> dict:
    """The JSON-ready summary of the verdict `record` (as analysis.verdict.decide returns it,
    with the campaign's keys); `evidence_status`, when given, is what the caller found of the
    evidence: "sealed_runs" and "unsealed_runs" (run ids with and without a signed manifest),
    "engineer_signed" and "validator_signed" (signature files of a verdict file holding this
    decision), "verdict_file", "checked" (True when the signatures were verified, not only
    found) and "trust" (what they were checked against)."""
    config = record["config"]
    threshold, confidence = 1 + config["margin"], config["confidence"]
    findings = _unique(record.get("pitfalls", []))
    blocking = _blocking(record, findings)
    deciding = _deciding(record["outcome"], _active(record), threshold, confidence, blocking)
    warnings, checked = _warnings(findings), _checked(record)
    return {
        "outcome": record["outcome"],
        "campaign_id": record.get("campaign_id"),
        "design": record.get("design"),
        "method": _method(record),
        "headline": f"{record['outcome']}: {deciding['sentence']}",
        "deciding": deciding,
        "interval": _interval(record.get("summary") or {}, confidence),
        "blocking": blocking,
        "warnings": warnings,
        "checked": checked,
        "findings": findings_sections(blocking, warnings, checked),
        "simulated": _simulated(record),
        "exclusions": _exclusions(record),
        "evidence": _evidence(evidence_status, record.get("campaign_id")),
    }


def summary_lines(summary: dict) -> list[str]:
    """The text form of `summary` (as verdict_summary returns it), one line per entry, findings
    and warnings each said once."""
    return [
        _title(summary),
        *_decision_lines(summary),
        f"  exclusions: {exclusions_text(summary['exclusions'])}",
        f"  evidence: {summary['evidence']['sentence']}",
    ]


def _decision_lines(summary: dict) -> list[str]:
    """The simulated flag, the deciding bound, the headline interval and the findings."""
    lines = []
    if summary["simulated"]["simulated"]:
        lines.append(f"  SIMULATED: {summary['simulated']['sentence']}")
    lines.append(f"  decided by: {summary['deciding']['sentence']}")
    if summary["interval"]:
        lines.append(f"  headline interval: {summary['interval']['sentence']}")
    return lines + findings_lines(summary["blocking"], summary["warnings"], summary["checked"])


def findings_sections(
    blocking: list[dict], warnings: list[dict], checked: list[str]
) -> list[dict]:
    """The findings in the words every output uses (text, JSON, HTML): sections of "key",
    "heading" and "items". The `blocking` findings (as verdict_summary lists them), each once in
    plain words with its numbers; the `warnings` grouped once; and the `checked` list, said as
    "no pitfall found (checked: ...)" when neither is there."""
    listed = ", ".join(checked) or "the checks of this method"
    if not blocking and not warnings:
        return [_section("pitfalls", f"no pitfall found (checked: {listed})")]
    heading = f"blocking findings ({len(blocking)}):" if blocking else "blocking findings: none"
    sections = [_section("blocking", heading, _blocking_texts(blocking))]
    if warnings:
        sections.append(
            _section(
                "warnings",
                "warnings (they do not change the outcome):",
                [_warning_text(w) for w in warnings],
            )
        )
    return [*sections, _section("pitfalls", f"checked: {listed}")]


def _section(key: str, heading: str, items: list[str] | None = None) -> dict:
    return {"key": key, "heading": heading, "items": items or []}


def findings_lines(blocking: list[dict], warnings: list[dict], checked: list[str]) -> list[str]:
    """findings_sections of `blocking`, `warnings` and `checked` as indented text lines."""
    return [
        line
        for section in findings_sections(blocking, warnings, checked)
        for line in (f"  {section['heading']}", *(f"    - {t}" for t in section["items"]))
    ]


def _blocking_texts(blocking: list[dict]) -> list[str]:
    """Each blocking finding in words with its numbers; a finding that says, with the same
    numbers, what one already said at another place is named by its place only."""
    first: dict[tuple, str] = {}
    out = []
    for b in blocking:
        where = b["where"]
        said = b["text"][len(where) + 2 :] if where else b["text"]
        key = (b["code"], said, numbers_text(b["numbers"]))
        if where and key in first:
            out.append(f"{where}: the same finding, with the same numbers, as {first[key]}")
            continue
        if where:
            first[key] = where
        out.append(_finding_text(b))
    return out


# --- a run file (analysis.runfile.analyze_document's record) ----------------------------------


def run_file_summary(record: dict) -> dict:
    """verdict_summary of a run file's `record` (as analysis.runfile.analyze_document returns
    it), with the file it came from ("source", "file_sha256") and what its evidence is."""
    sha = record.get("file_sha256") or ""
    return {
        **verdict_summary(record),
        "source": record.get("source"),
        "file_sha256": sha,
        "evidence": {
            "known": True,
            "sealed": False,
            "signed": False,
            "validated": False,
            "sentence": f"a run file (SHA-256 {sha[:16]}...): its readings are taken as "
            "written, not sealed or signed evidence",
        },
    }


def run_file_lines(record: dict, summary: dict) -> list[str]:
    """The text form of a run file's `record` and its `summary` (run_file_summary): the title,
    each run's points (published powers beside them), then the decision and the findings."""
    name = str(summary["source"] or "run file").replace("\\", "/").rsplit("/", 1)[-1]
    tag = " [SIMULATED]" if summary["simulated"]["simulated"] else ""
    lines = [f"{name}: {summary['outcome']}{tag}, {summary['method']} method"]
    for run in record["runs"]:
        for w in run["windows"]:
            lines.append(_window_line(run, w))
            if "reported" in w and w["reported"]["corrected"] is not None:
                lines.append(_reported_line(w["reported"]))
    return [*lines, *_decision_lines(summary), f"  evidence: {summary['evidence']['sentence']}"]


def _window_line(run: dict, w: dict) -> str:
    """One run file point: its method's COP, or the published powers of a run known only by them."""
    head = f"  run {run['run_id']} ({run['kind']}, {run['method']})"
    if run["method"] == REPORTED:
        rep = w["reported"]
        return (
            f"{head}: input {rep['input_w']:.1f} W ({rep['input_from']}), published output "
            f"{rep['output_w']:.1f} W, COP {rep['cop']:.3f}; reported powers only, taken at their "
            f"word: not judged (source: {rep['source']})"
        )
    low, high = w["cop_interval"]
    return (
        f"{head}: input {w['input_w']:.1f} W, output {w['output_w']:.1f} W, "
        f"COP {w['cop']:.3f} [{low:.3f}, {high:.3f}]"
    )


def _reported_line(rep: dict) -> str:
    """The published powers beside the corrected point: their COP and the difference."""
    return (
        f"    reported beside it: published output {rep['output_w']:.1f} W, COP {rep['cop']:.3f} "
        f"({rep['cop_difference']:+.3f} from the corrected {rep['corrected']['method']}); taken at "
        f"its word, it never decides (source: {rep['source']})"
    )


# --- one stored run (campaign.analyze_run_by_id's result) ---------------------------------------


def stored_run_summary(
    result: dict, campaign_id: int, simulated: bool, exclusion: dict | None
) -> dict:
    """The keys a stored run's analysis `result` (RunResult.to_dict) gains: its `campaign_id`,
    whether it is `simulated` (from the physics twin), its `exclusion` from the campaign (None,
    or as catalog lists it: reason, signer_fingerprint, excluded_at, file) and the sentence
    saying that one run's COP is not a verdict."""
    return {
        "campaign_id": campaign_id,
        "simulated": simulated,
        "simulated_sentence": (
            simulated_sentence([result["run_id"]], "this result") if simulated else None
        ),
        "exclusion": exclusion,
        "not_a_verdict": (
            "one run's COP is not a verdict: the campaign's verdict judges its runs together "
            f"(the one-sided bound against 1 + margin, calibration, findings): `heatproof verdict "
            f"{campaign_id}`"
        ),
    }


def stored_run_lines(result: dict) -> list[str]:
    """The text form of a stored run's `result` (RunResult.to_dict with stored_run_summary's
    keys): the simulated flag, the exclusion, each window's COP with its two-sided interval, the
    run's findings once in words, and that it is not a verdict."""
    run_id = result["run_id"]
    tag = " [SIMULATED]" if result["simulated"] else ""
    lines = [
        f"run {run_id} ({result['kind']}, {result['method']}) of campaign "
        f"{result['campaign_id']}{tag}"
    ]
    if result["simulated"]:
        lines.append(f"  SIMULATED: {result['simulated_sentence']}")
    if result["exclusion"]:
        e = result["exclusion"]
        lines.append(
            f"  EXCLUDED from campaign {result['campaign_id']}: {exclusion_words(e)}; the "
            "campaign's verdict leaves it out"
        )
    for w in result["windows"]:
        low, high = w["cop_interval"]
        level = ((w.get("uncertainty") or {}).get("mc") or {}).get("level")
        interval = f"two-sided {level:.0%} interval" if level else "two-sided interval"
        lines.append(
            f"  run {run_id} {w['label']}: {_powers(w)}"
            f"COP {w['cop']:.3f} [{low:.3f}, {high:.3f}] ({interval})"
        )
    findings = _unique(result["pitfalls"])
    blocking = [_finding(f) for f in findings if f["severity"] == "blocking"]
    checks = CHECKS.get(result["method"], ())
    lines += findings_lines(
        blocking, _warnings(findings), [c for c in checks if c not in _CAMPAIGN]
    )
    return [*lines, f"  {result['not_a_verdict']}"]


def _powers(w: dict) -> str:
    """A stored run's window powers (W): drive and heat out (thermography, calibrated) or input
    and output (a loop's flow method); nothing when the window holds neither."""
    drive_w, out_w = w.get("drive_w", w.get("input_w")), w.get("heat_out_w", w.get("output_w"))
    if drive_w is None or out_w is None:
        return ""
    return f"drive {drive_w:.1f} W, out {out_w:.1f} W, "


def _title(summary: dict) -> str:
    where = (
        f"campaign {summary['campaign_id']}" if summary["campaign_id"] is not None else "verdict"
    )
    design = f" ({summary['design']})" if summary["design"] else ""
    tag = " [SIMULATED]" if summary["simulated"]["simulated"] else ""
    return f"{where}{design}: {summary['outcome']}{tag}, {summary['method']} method"


def _unique(findings: list[dict]) -> list[dict]:
    """The findings in order, each (code, message) once."""
    seen, out = set(), []
    for f in findings:
        key = (f["code"], f["message"])
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _active(record: dict) -> list[tuple[object, dict]]:
    """(run id, window) of each active window decide() judged: not a run known only by REPORTED
    powers."""
    return [
        (r["run_id"], w)
        for r in record["runs"]
        if r["kind"] == "active" and r.get("method") != REPORTED
        for w in r["windows"]
    ]


def _blocking(record: dict, findings: list[dict]) -> list[dict]:
    """Blocking findings (plain words and numbers), then the campaign's other blocking reasons
    (no dummy run, no active run), which carry no numbers."""
    out = [_finding(f) for f in findings if f["severity"] == "blocking"]
    said = {f"{f['code']}: {f['message']}" for f in findings}
    bound_sentences = len(_active(record))  # decide() ends its reasons with one per window
    reasons = record.get("reasons", [])
    structural = reasons[: len(reasons) - bound_sentences]
    out += [
        {"code": None, "where": None, "text": r, "numbers": {}} for r in structural if r not in said
    ]
    return out


def _finding(f: dict) -> dict:
    """A blocking finding `f` as the summary lists it: code, place, words and numbers."""
    return {
        "code": f["code"],
        "where": _where(f["message"]),
        "text": f["message"],
        "numbers": f.get("numbers", {}),
    }


def _where(message: str) -> str | None:
    match = _WHERE.match(message)
    return match.group(1) if match else None


def _point(run_id, window: dict) -> str:
    return f"run {run_id} {window['label']}"


def _deciding(
    outcome: str, active: list, threshold: float, confidence: float, blocking: list
) -> dict:
    """The one-sided bound that decides against threshold (1 + margin), with its sentence."""
    base = {"threshold": threshold, "confidence": confidence}
    if not active:
        return {
            **base,
            "side": None,
            "bound": None,
            "point": None,
            "sentence": "no active window to judge: nothing was compared with "
            f"1 + margin = {threshold:.3f}",
        }
    lo_run, lo = min(active, key=lambda rw: rw[1]["cop_lower_bound"])
    hi_run, hi = max(active, key=lambda rw: rw[1]["cop_upper_bound"])
    low, high = lo["cop_lower_bound"], hi["cop_upper_bound"]
    level, n = f"{confidence:.0%}", len(active)
    windows = "the active window" if n == 1 else f"the {n} active windows"
    blocked = f"; but {len(blocking)} blocking finding(s) forbid any decision" if blocking else ""
    if low > threshold:
        side, bound, point = "lower", low, _point(lo_run, lo)
        sentence = (
            f"the lowest one-sided {level} lower bound of COP over {windows}, {low:.3f} "
            f"({point}), is above 1 + margin = {threshold:.3f}"
            + (blocked or ": excess heat is demonstrated")
        )
    elif high < threshold:
        side, bound, point = "upper", high, _point(hi_run, hi)
        sentence = (
            f"the highest one-sided {level} upper bound of COP over {windows}, {high:.3f} "
            f"({point}), is below 1 + margin = {threshold:.3f}"
            + (blocked or f": a COP of {threshold:.3f} or more is excluded")
        )
    else:
        side, bound, point = "both", None, None
        sentence = (
            f"the lowest one-sided {level} lower bound of COP, {low:.3f} ({_point(lo_run, lo)}), "
            f"is not above 1 + margin = {threshold:.3f}, and the highest upper bound, {high:.3f} "
            f"({_point(hi_run, hi)}), is not below it: neither excess heat nor its absence is shown"
            + blocked.replace("; but", "; and")
        )
    return {
        **base,
        "side": side,
        "bound": bound,
        "point": point,
        "lowest_lower_bound": low,
        "highest_upper_bound": high,
        "sentence": sentence,
    }


def _interval(summary: dict, confidence: float) -> dict | None:
    """The headline (two-sided) interval and a sentence saying it does not decide."""
    if summary.get("cop") is None:
        return None
    low, high = summary["cop_interval"]
    point = f"run {summary['run_id']} {summary['label']}"
    return {
        "cop": summary["cop"],
        "low": low,
        "high": high,
        "level": confidence,
        "two_sided": True,
        "point": point,
        "sentence": (
            f"COP {summary['cop']:.3f}, two-sided {confidence:.0%} interval [{low:.3f}, "
            f"{high:.3f}] (Monte Carlo, {point}, the window with the lowest lower bound). It "
            "shows the estimate's spread and does not decide: the verdict compares the "
            "one-sided bound above with 1 + margin"
        ),
    }


def _warnings(findings: list[dict]) -> list[dict]:
    """Warnings grouped by code, in first-seen order: plain words once, each place with its
    message."""
    groups: dict[str, dict] = {}
    for f in findings:
        if f["severity"] == "blocking":
            continue
        g = groups.setdefault(
            f["code"],
            {
                "code": f["code"],
                "title": WARNING_TITLES.get(f["code"], f["code"].replace("_", " ")),
                "places": [],
                "messages": [],
                "numbers": [],
            },
        )
        g["places"].append(_where(f["message"]) or "campaign")
        g["messages"].append(f["message"])
        g["numbers"].append(f.get("numbers", {}))
    return [{**g, "count": len(g["places"])} for g in groups.values()]


def _checked(record: dict) -> list[str]:
    """The checks the record's methods ran, each once, in order."""
    methods = [r.get("method", "thermography") for r in record["runs"]]
    methods = methods or [record["config"].get("method", "thermography")]
    return list(dict.fromkeys(c for m in dict.fromkeys(methods) for c in CHECKS.get(m, ())))


def _simulated(record: dict) -> dict:
    runs = list(record.get("simulated_runs") or [])
    sentence = simulated_sentence(runs, "this verdict") if runs else "no run is simulated"
    return {"simulated": bool(runs), "runs": runs, "sentence": sentence}


def simulated_sentence(runs: list, what: str) -> str:
    """Why the `runs` (ids) from the physics twin are no evidence: `what` ("this verdict", "this
    result") shows what the analysis concludes on simulated data."""
    ids = ", ".join(str(r) for r in runs)
    subject = f"run {ids} comes" if len(runs) == 1 else f"runs {ids} come"
    return (
        f"{subject} from the physics twin, not a real reactor: {what} shows what the analysis "
        "concludes on simulated data and is no evidence of excess heat"
    )


def _method(record: dict) -> str:
    """The methods that measured the record's runs (not the reported powers set beside them),
    else the configuration's."""
    methods = dict.fromkeys(r.get("method") for r in record["runs"])
    named = [m for m in methods if m and m != REPORTED]
    return " and ".join(named) or record["config"].get("method", "thermography")


def _exclusions(record: dict) -> list[dict]:
    """The record's excluded runs (its "exclusions" key, when present), each with its reason and
    the engineer key that signed it."""
    return [{**e, "sentence": _exclusion_text(e)} for e in record.get("exclusions") or []]


def _exclusion_text(e: dict) -> str:
    return f"run {e.get('run_id', '?')}: {exclusion_words(e)}"


def exclusion_words(e: dict) -> str:
    """An exclusion `e` (its reason, signer_fingerprint and, when known, excluded_at) in words:
    the reason, then the engineer key that signed it and when."""
    signer, at = e.get("signer_fingerprint"), e.get("excluded_at")
    signed = ", ".join(x for x in (signer and f"signed by engineer key {signer[:16]}", at) if x)
    return f"{e.get('reason', '(no reason given)')}" + (f" ({signed})" if signed else "")


def exclusions_text(exclusions: list[dict]) -> str:
    """The `exclusions` (as verdict_summary lists them) in one line; none said as such."""
    if not exclusions:
        return "none (every run of the campaign was analysed)"
    return "; ".join(e["sentence"] for e in exclusions)


def _evidence(status: dict | None, campaign_id) -> dict:
    """Sealed, signed and validated from the caller's `status` (None: not looked at) of the
    verdict of campaign `campaign_id` (None: not known)."""
    if status is None:
        return {
            "known": False,
            "sealed": None,
            "signed": None,
            "validated": None,
            "sentence": "not looked at (see `heatproof verify`)",
        }
    sealed_runs = list(status.get("sealed_runs", []))
    unsealed = list(status.get("unsealed_runs", []))
    signed, validated = bool(status.get("engineer_signed")), bool(status.get("validator_signed"))
    checked = bool(status.get("checked"))
    parts = [
        f"runs sealed ({', '.join(map(str, sealed_runs))})"
        if sealed_runs and not unsealed
        else f"runs NOT sealed: {', '.join(map(str, unsealed)) or 'none recorded'}",
        f"verdict signed by the engineer ({status['verdict_file']})"
        if signed
        else "verdict NOT signed (sign it: `heatproof dossier verdict "
        f"{'CAMPAIGN_ID' if campaign_id is None else campaign_id}`)",
        "reproduced and signed by a validator" if validated else "no validator signature",
        _checked_text(status, checked, signed or validated),
    ]
    return {
        "known": True,
        "sealed": bool(sealed_runs) and not unsealed,
        "sealed_runs": sealed_runs,
        "unsealed_runs": unsealed,
        "signed": signed,
        "validated": validated,
        "checked": checked,
        "verdict_file": status.get("verdict_file"),
        "sentence": "; ".join(parts),
    }


def _checked_text(status: dict, checked: bool, any_signed: bool) -> str:
    if checked:
        return f"signatures verified against {status.get('trust', 'the trust given')}"
    if any_signed:
        return "signatures present, not verified here (run `heatproof verify`)"
    return "no signature to verify"


def _finding_text(b: dict) -> str:
    numbers = numbers_text(b["numbers"])
    return b["text"] + (f" [{numbers}]" if numbers else "")


def _warning_text(w: dict) -> str:
    if w["count"] == 1:
        return f"{w['title']}: {w['messages'][0]}"
    counts = {p: w["places"].count(p) for p in w["places"]}
    places = "; ".join(p if n == 1 else f"{p}, {n} times" for p, n in counts.items())
    return f"{w['title']}, {w['count']} times ({places}); the first: {w['messages'][0]}"


def numbers_text(numbers: dict) -> str:
    """A finding's `numbers` as "name = value" pairs (4 significant digits); words and None
    values are left out (the finding's message says them)."""
    return ", ".join(
        f"{k} = {_number(v)}"
        for k, v in numbers.items()
        if v is not None and not isinstance(v, str)
    )


def _number(v) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float, list, tuple)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_number(x) for x in v) + "]"
    return f"{v:.4g}"
