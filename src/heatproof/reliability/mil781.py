"""MIL-HDBK-781A test plans, embedded from data/mil781_plans.csv (provenance in its columns).

Sequential plans I-D..VIII-D carry their published accept/reject boundaries (the plain Wald
lines do not reproduce them); fixed-duration plans IX-D..XXI-D their duration and accept number.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from heatproof.errors import NotFound
from heatproof.reliability.demonstration import Plan, fixed_duration


@dataclass(frozen=True)
class PublishedPlan:
    """A handbook plan with the figures the table prints next to it: the true risks as printed
    (alpha_true_published, beta_true_published; None where not printed or flagged a typo) and as
    recomputed (alpha_true_tabulated, beta_true_tabulated), the expected test times
    expected_tau_theta0 and expected_tau_theta1 (multiples of theta1), and the verification
    note."""

    plan: Plan
    alpha_true_published: float | None  # fraction; None where not printed or flagged a typo
    beta_true_published: float | None
    alpha_true_tabulated: float  # the CSV's recomputed true risks (fraction)
    beta_true_tabulated: float
    expected_tau_theta0: float | None
    expected_tau_theta1: float | None
    verification: str


def _pct(text: str) -> float | None:
    """A published percentage as a fraction; None if absent or flagged as a typo."""
    if not text or "typo" in text:
        return None
    return float(text) / 100.0


def _opt(text: str) -> float | None:
    return float(text) if text else None


def _boundaries(text: str, reject_failures: int) -> tuple[np.ndarray, np.ndarray]:
    """Parse 'r:reject/accept;...' ('-' = none) into accept (R,) and reject (R+1,) arrays."""
    accept = np.full(reject_failures, np.nan)
    reject = np.full(reject_failures + 1, -np.inf)
    for item in text.split(";"):
        r, rest = item.split(":")
        rej, acc = rest.split("/")
        r = int(r)
        if r < reject_failures:
            accept[r] = float(acc)
            reject[r] = -math.inf if rej.strip() == "-" else float(rej)
    reject[reject_failures] = math.inf
    if np.isnan(accept).any():
        raise ValueError("incomplete boundary table")
    return accept, reject


def _row_to_plan(row: dict[str, str]) -> PublishedPlan:
    name = row["plan"]
    alpha, beta, d = (
        float(row[k]) for k in ("alpha_nominal", "beta_nominal", "discrimination_ratio_d")
    )
    source = f"MIL-HDBK-781A plan {name}; {row['source']}"
    if row["type"].startswith("sequential"):
        accept, reject = _boundaries(
            row["boundaries_r:reject_if_time_le/accept_if_time_ge"], int(row["reject_failures"])
        )
        plan = Plan(name, "sequential", alpha, beta, d, accept, reject, source)
    else:
        plan = fixed_duration(
            name,
            alpha,
            beta,
            d,
            float(row["duration_or_truncation_time_theta1"]),
            int(row["accept_failures_max"]),
            source,
        )
    return PublishedPlan(
        plan=plan,
        alpha_true_published=_pct(row["alpha_true_published_pct"]),
        beta_true_published=_pct(row["beta_true_published_pct"]),
        alpha_true_tabulated=float(row["alpha_true_computed"]),
        beta_true_tabulated=float(row["beta_true_computed"]),
        expected_tau_theta0=_opt(row["expected_test_time_at_theta0"]),
        expected_tau_theta1=_opt(row["expected_test_time_at_theta1"]),
        verification=row["verification"],
    )


def parse_plans(text: str) -> dict[str, PublishedPlan]:
    """Plans from the CSV text, keyed by name (I-D ... XXI-D)."""
    return {row["plan"]: _row_to_plan(row) for row in csv.DictReader(io.StringIO(text))}


@lru_cache(maxsize=1)
def published_plans() -> dict[str, PublishedPlan]:
    """The embedded MIL-HDBK-781A plans by name."""
    text = (
        resources.files("heatproof.reliability")
        .joinpath("data/mil781_plans.csv")
        .read_text("utf-8")
    )
    return parse_plans(text)


def plan_by_name(name: str) -> Plan:
    """A MIL-HDBK-781A plan by name, e.g. 'III-D' (case and the '-D' suffix are optional)."""
    key = name.strip().upper()
    key = key if key.endswith("-D") else f"{key}-D"
    plans = published_plans()
    if key not in plans or not re.fullmatch(r"[IVX]+-D", key):
        raise NotFound(
            f"plan={name!r} is not a MIL-HDBK-781A plan; choose one of {', '.join(plans)}"
        )
    return plans[key].plan
