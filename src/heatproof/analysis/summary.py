"""One honest summary of a verdict record, the same in text, JSON, HTML and the dossier.

It says the outcome; the one-sided bound that decides, against 1 + margin, and at which
confidence; what the headline two-sided interval is (and that it does not decide); every
blocking finding in plain words with its numbers; the warnings grouped once; whether any run was
simulated; the excluded runs; and, when the caller knows it, whether the evidence is sealed and
signed. It is computed from a verdict record as it is (never stored in it), so verdict files
keep their bytes.
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
    return {
        "outcome": record["outcome"],
        "campaign_id": record.get("campaign_id"),
        "design": record.get("design"),
        "method": config.get("method", "thermography"),
        "headline": f"{record['outcome']}: {deciding['sentence']}",
        "deciding": deciding,
        "interval": _interval(record.get("summary") or {}, confidence),
        "blocking": blocking,
        "warnings": _warnings(findings),
        "checked": _checked(record),
        "simulated": _simulated(record),
        "exclusions": _exclusions(record),
        "evidence": _evidence(evidence_status),
    }


def summary_lines(summary: dict) -> list[str]:
    """The text form of `summary` (as verdict_summary returns it), one line per entry, findings
    and warnings each said once."""
    lines = [_title(summary)]
    if summary["simulated"]["simulated"]:
        lines.append(f"  SIMULATED: {summary['simulated']['sentence']}")
    lines.append(f"  decided by: {summary['deciding']['sentence']}")
    if summary["interval"]:
        lines.append(f"  headline interval: {summary['interval']['sentence']}")
    if summary["blocking"]:
        lines.append(f"  blocking findings ({len(summary['blocking'])}):")
        lines += [f"    - {_finding_text(b)}" for b in summary["blocking"]]
    else:
        lines.append("  blocking findings: none")
    if summary["warnings"]:
        lines.append("  warnings (they do not change the outcome):")
        lines += [f"    - {_warning_text(w)}" for w in summary["warnings"]]
    lines.append(f"  checked: {', '.join(summary['checked']) or 'nothing listed for this method'}")
    lines.append(f"  exclusions: {_exclusions_text(summary['exclusions'])}")
    lines.append(f"  evidence: {summary['evidence']['sentence']}")
    return lines


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
    out = [
        {
            "code": f["code"],
            "where": _where(f["message"]),
            "text": f["message"],
            "numbers": f.get("numbers", {}),
        }
        for f in findings
        if f["severity"] == "blocking"
    ]
    said = {f"{f['code']}: {f['message']}" for f in findings}
    bound_sentences = len(_active(record))  # decide() ends its reasons with one per window
    reasons = record.get("reasons", [])
    structural = reasons[: len(reasons) - bound_sentences]
    out += [
        {"code": None, "where": None, "text": r, "numbers": {}} for r in structural if r not in said
    ]
    return out


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
    sentence = (
        f"runs {', '.join(str(r) for r in runs)} come from the physics twin, not a real reactor: "
        "this verdict shows what the analysis concludes on simulated data and is no evidence of "
        "excess heat"
        if runs
        else "no run is simulated"
    )
    return {"simulated": bool(runs), "runs": runs, "sentence": sentence}


def _exclusions(record: dict) -> list[dict]:
    """The record's excluded runs (its "exclusions" key, when present), each with its reason and
    the engineer key that signed it."""
    return [{**e, "sentence": _exclusion_text(e)} for e in record.get("exclusions") or []]


def _exclusion_text(e: dict) -> str:
    signer = e.get("signer_fingerprint")
    signed = f" (signed by engineer key {signer[:16]})" if signer else ""
    return f"run {e.get('run_id', '?')}: {e.get('reason', '(no reason given)')}{signed}"


def _exclusions_text(exclusions: list[dict]) -> str:
    if not exclusions:
        return "none (every run of the campaign was analysed)"
    return "; ".join(e["sentence"] for e in exclusions)


def _evidence(status: dict | None) -> dict:
    """Sealed, signed and validated from the caller's `status` (None: not looked at)."""
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
        else "verdict NOT signed (sign it: `heatproof dossier verdict CAMPAIGN_ID`)",
        "reproduced and signed by a validator" if validated else "no validator signature",
        f"signatures verified against {status.get('trust', 'the trust given')}"
        if checked
        else "signatures present, not verified here (run `heatproof verify`)",
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


def _finding_text(b: dict) -> str:
    numbers = numbers_text(b["numbers"])
    return b["text"] + (f" [{numbers}]" if numbers else "")


def _warning_text(w: dict) -> str:
    if w["count"] == 1:
        return f"{w['title']}: {w['messages'][0]}"
    places = "; ".join(w["places"])
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
