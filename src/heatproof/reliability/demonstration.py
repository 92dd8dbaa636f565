"""Reliability demonstration tests for a constant failure rate (MTBF) and Weibull zero-failure tests.

Time is total unit test time in multiples of theta1, the lower test MTBF (the value the
consumer must not accept); theta0 = d * theta1 is the upper test MTBF (the producer's goal).
A plan accepts when the total time reaches accept_tau[r] with r failures, and rejects when the
r-th failure arrives at a total time <= reject_tau[r]; a fixed-duration plan is the special case
with one accept time and rejection at c + 1 failures.

The operating characteristic is computed exactly: between consecutive boundary times failures
form a Poisson process, so the state (failures so far) evolves by Poisson transitions, absorbed
on reaching a rejecting count. This gives P(accept), P(reject) and the expected test time with
no simulation and no Wald approximation. Other times are in hours: a name with the unit suffix
_h is in hours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import numpy as np
from scipy import stats

from heatproof.errors import InvalidInput
from heatproof.reliability.lifedata import LifeData


class DemonstrationOutcome(StrEnum):
    """What a demonstration test's decision says: accept, reject or continue testing (the value
    is the text printed and written to JSON)."""

    ACCEPT = "accept"
    REJECT = "reject"
    CONTINUE = "continue"


@dataclass(frozen=True, eq=False)
class Plan:
    """The demonstration plan `name`, of `kind` sequential or fixed (times in multiples of theta1):
    nominal risks alpha and beta, discrimination ratio d = theta0 / theta1, boundaries accept_tau
    and reject_tau (see the module's docstring) and the `source` it comes from."""

    name: str
    kind: str  # "sequential" or "fixed"
    alpha: float  # nominal producer's risk: P(reject | MTBF = theta0)
    beta: float  # nominal consumer's risk: P(accept | MTBF = theta1)
    d: float  # discrimination ratio theta0 / theta1
    accept_tau: np.ndarray  # (R,) accept with r failures once total time >= accept_tau[r]
    reject_tau: np.ndarray  # (R+1,) reject if failure r arrives at <= reject_tau[r]; -inf none
    source: str = ""

    def __post_init__(self) -> None:
        a, b = self.accept_tau, self.reject_tau
        if b.size != a.size + 1 or a.size == 0:
            raise InvalidInput(f"plan {self.name}: give R accept times and R+1 reject times")
        if np.any(a[1:] < a[:-1]) or np.any(b[1:] < b[:-1]):
            raise InvalidInput(f"plan {self.name}: accept and reject boundaries must not decrease")
        if self.d <= 1 or not (0 < self.alpha < 1 and 0 < self.beta < 1):
            raise InvalidInput(f"plan {self.name}: need d > 1 and risks in (0, 1)")

    @property
    def reject_failures(self) -> int:
        """Failures that reject whatever the time."""
        return int(self.accept_tau.size)

    @property
    def truncation_tau(self) -> float:
        """Total time at which the plan ends whatever happens (multiples of theta1)."""
        return float(self.accept_tau[-1])

    def to_dict(self) -> dict:
        """JSON-ready form (None for an infinite boundary)."""

        def num(x: float) -> float | None:
            return float(x) if math.isfinite(x) else None

        return {
            "name": self.name,
            "kind": self.kind,
            "alpha_nominal": self.alpha,
            "beta_nominal": self.beta,
            "discrimination_ratio": self.d,
            "reject_failures": self.reject_failures,
            "truncation_time_theta1": self.truncation_tau,
            "boundaries_theta1": [
                {
                    "failures": r,
                    "reject_if_time_le": num(self.reject_tau[r]),
                    "accept_if_time_ge": num(a),
                }
                for r, a in enumerate(self.accept_tau.tolist())
            ],
            "source": self.source,
        }


def fixed_duration(
    name: str,
    alpha: float,
    beta: float,
    d: float,
    duration_tau: float,
    accept_max: int,
    source: str = "",
) -> Plan:
    """The fixed-duration plan `name`: accept if at most accept_max failures in duration_tau, for
    nominal risks alpha and beta at discrimination ratio d, from `source`."""
    accept = np.full(accept_max + 1, float(duration_tau))
    reject = np.concatenate([np.full(accept_max + 1, -np.inf), [np.inf]])
    return Plan(name, "fixed", alpha, beta, d, accept, reject, source)


@dataclass(frozen=True)
class OperatingPoint:
    """Exact operating characteristic at a true MTBF of theta_ratio * theta1: p_accept, p_reject
    and expected_tau, the expected total test time (multiples of theta1)."""

    theta_ratio: float
    p_accept: float
    p_reject: float
    expected_tau: float  # expected total test time, multiples of theta1


def operating_characteristic(plan: Plan, theta_ratio: float) -> OperatingPoint:
    """P(accept), P(reject) and expected test time of the plan when the true MTBF is
    theta_ratio * theta1."""
    if not theta_ratio > 0:
        raise InvalidInput(f"theta_ratio={theta_ratio} must be positive (true MTBF / theta1)")
    lam = 1.0 / theta_ratio
    a, b = plan.accept_tau, plan.reject_tau
    big_r = plan.reject_failures
    cuts = np.unique(np.concatenate([[0.0], a, b[np.isfinite(b) & (b > 0)]]))
    cuts = cuts[cuts <= plan.truncation_tau]
    p = np.zeros(big_r)
    p[0] = 1.0
    jump = np.arange(big_r)[None, :] - np.arange(big_r)[:, None]
    accepted = rejected = ett = 0.0
    for t0, t1 in zip(cuts[:-1], cuts[1:], strict=True):
        m = lam * (t1 - t0)
        first_reject = int(np.argmax(b >= t1))  # reaching this count in (t0, t1] rejects
        live = np.arange(big_r) < first_reject
        trans = np.where((jump >= 0) & live[None, :], stats.poisson.pmf(jump, m), 0.0)
        gap = np.maximum(first_reject - np.arange(big_r), 1)
        rejected += float(p @ np.where(live, stats.poisson.sf(gap - 1, m), 0.0))
        mean_time = np.cumsum(stats.poisson.sf(np.arange(big_r), m)) / lam
        ett += float(p @ np.where(live, mean_time[gap - 1], 0.0))
        p = p @ trans
        done = a <= t1 * (1 + 1e-12)
        accepted += float(p[done].sum())
        p[done] = 0.0
    return OperatingPoint(theta_ratio, accepted, rejected, ett)


@dataclass(frozen=True)
class Risks:
    """True risks of a plan from its exact operating characteristic: alpha_true = P(reject |
    theta0), beta_true = P(accept | theta1), and the expected test times expected_tau_theta0 and
    expected_tau_theta1 (multiples of theta1)."""

    alpha_true: float  # P(reject | theta0)
    beta_true: float  # P(accept | theta1)
    expected_tau_theta0: float
    expected_tau_theta1: float


def true_risks(plan: Plan) -> Risks:
    """The plan's true risks and expected test times, from its exact operating characteristic."""
    at0 = operating_characteristic(plan, plan.d)
    at1 = operating_characteristic(plan, 1.0)
    return Risks(at0.p_reject, at1.p_accept, at0.expected_tau, at1.expected_tau)


def oc_curve(plan: Plan, ratios=None) -> list[OperatingPoint]:
    """Operating characteristic of the plan at each true MTBF / theta1 of ratios (41 points from
    0.5 to 2 d when None)."""
    ratios = np.geomspace(0.5, 2.0 * plan.d, 41) if ratios is None else ratios
    return [operating_characteristic(plan, float(r)) for r in ratios]


def custom_fixed(alpha: float, beta: float, d: float) -> Plan:
    """Shortest fixed-duration plan whose true risks do not exceed alpha and beta at
    discrimination ratio d.

    For c allowed failures the duration meeting beta exactly is chi2(1-beta; 2c+2)/2 theta1; the
    smallest c for which that duration also meets alpha is taken.
    """
    _check_risks(alpha, beta, d)
    for c in range(2000):
        t_beta = stats.chi2.ppf(1 - beta, 2 * c + 2) / 2
        if t_beta <= d * stats.chi2.ppf(alpha, 2 * c + 2) / 2:
            return fixed_duration(
                f"custom fixed a={alpha:g} b={beta:g} d={d:g}",
                alpha,
                beta,
                d,
                float(t_beta),
                c,
                "custom (chi-square)",
            )
    raise InvalidInput(f"d={d} is too close to 1 for alpha={alpha}, beta={beta}; raise d")


def custom_sequential(alpha: float, beta: float, d: float) -> Plan:
    """Wald probability-ratio sequential plan, truncated at the matching fixed plan.

    Lines: accept at tau >= (r ln d - ln B)/(1 - 1/d), reject at tau <= (r ln d - ln A)/(1 - 1/d),
    A = (1 - beta)/alpha, B = beta/(1 - alpha); truncated at the duration and reject count of
    `custom_fixed(alpha, beta, d)`. Truncation moves the true risks away from nominal: read
    them from `true_risks`.
    """
    fixed = custom_fixed(alpha, beta, d)
    big_r, t_max = fixed.reject_failures, fixed.truncation_tau
    slope, k = math.log(d), 1.0 - 1.0 / d
    r = np.arange(big_r + 1)
    accept = np.minimum((r[:-1] * slope - math.log(beta / (1 - alpha))) / k, t_max)
    reject = (r * slope - math.log((1 - beta) / alpha)) / k
    reject = np.where(reject > 0, np.minimum(reject, t_max), -np.inf)
    reject[-1] = np.inf
    name = f"custom sequential a={alpha:g} b={beta:g} d={d:g}"
    return Plan(name, "sequential", alpha, beta, d, accept, reject, "custom (Wald SPRT, truncated)")


def _check_risks(alpha: float, beta: float, d: float) -> None:
    if not (0 < alpha < 0.5 and 0 < beta < 0.5):
        raise InvalidInput(f"alpha={alpha}, beta={beta} must lie in (0, 0.5); give e.g. 0.1")
    if not d > 1:
        raise InvalidInput(f"d={d} must exceed 1 (discrimination ratio theta0/theta1)")


# --- decisions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Outcome of the plan named `plan` at a point of a running test (times in multiples of
    theta1): the decision (accept, reject or continue) with the test run to total time tau,
    decided_at_tau where it was reached (None while continuing), the `failures` counted up to
    that point, the reason, the path of (tau, failures) at each counted failure, and
    failures_after, the failures recorded after the decision (they do not change it)."""

    plan: str
    decision: DemonstrationOutcome
    tau: float  # total test time considered
    failures: int
    decided_at_tau: float | None  # where the decision was reached (None while continuing)
    reason: str
    path: tuple[tuple[float, int], ...] = field(default=())  # (tau, failures) at each failure
    failures_after: int = 0  # recorded after the decision point, not counted

    def to_dict(self, theta1_h: float | None = None) -> dict:
        """JSON-ready form; with theta1_h (h) the times also in hours."""
        out = {
            "plan": self.plan,
            "decision": self.decision.value,
            "failures": self.failures,
            "failures_after_decision": self.failures_after,
            "test_time_theta1": self.tau,
            "decided_at_theta1": self.decided_at_tau,
            "reason": self.reason,
        }
        if theta1_h is not None:
            out["theta1_h"] = theta1_h
            out["test_time_h"] = self.tau * theta1_h
            out["decided_at_h"] = (
                None if self.decided_at_tau is None else self.decided_at_tau * theta1_h
            )
        return out


def decide(plan: Plan, tau: float, failures: int) -> Decision:
    """Decision of the plan at total time tau with `failures` so far (the boundaries checked at
    this point).

    Rejection is meant to be checked at each failure; to replay a test in time order use
    `decide_path` with the time of every failure.
    """
    if tau < 0 or failures < 0:
        raise InvalidInput(f"test time={tau} and failures={failures} must be >= 0")
    big_r = plan.reject_failures
    if failures >= big_r:
        return Decision(
            plan.name,
            DemonstrationOutcome.REJECT,
            tau,
            failures,
            tau,
            f"{failures} failures reach the reject count {big_r}",
        )
    if tau <= plan.reject_tau[failures]:
        return Decision(
            plan.name,
            DemonstrationOutcome.REJECT,
            tau,
            failures,
            tau,
            f"{failures} failures by {tau:.4g} theta1 (reject line {plan.reject_tau[failures]:.4g})",
        )
    a = float(plan.accept_tau[failures])
    if tau >= a:
        return Decision(
            plan.name,
            DemonstrationOutcome.ACCEPT,
            tau,
            failures,
            a,
            f"{failures} failures and time {tau:.4g} >= accept line {a:.4g} theta1",
        )
    nxt = plan.reject_tau[failures + 1]
    more = f"; a failure before {nxt:.4g} theta1 rejects" if np.isfinite(nxt) and nxt > tau else ""
    reason = f"accept at {a:.4g} theta1 ({a - tau:.4g} more) if no further failure{more}"
    return Decision(plan.name, DemonstrationOutcome.CONTINUE, tau, failures, None, reason)


def decide_path(plan: Plan, failure_tau, tau_now: float) -> Decision:
    """Replay a test of the plan in time order: failure_tau are the total times at each failure,
    tau_now the total time so far (multiples of theta1)."""
    times = np.sort(np.asarray(failure_tau, dtype=float))
    if times.size and (times[0] < 0 or times[-1] > tau_now * (1 + 1e-12)):
        raise InvalidInput(f"failure times must lie in [0, current test time {tau_now:.6g}]")
    path: list[tuple[float, int]] = [(0.0, 0)]
    r = 0
    for t in times:
        a = float(plan.accept_tau[r])
        if a <= t:
            why = f"accept line {a:.4g} theta1 reached with {r} failures"
            outcome = DemonstrationOutcome.ACCEPT
            return Decision(plan.name, outcome, tau_now, r, a, why, tuple(path), times.size - r)
        r += 1
        path.append((float(t), r))
        if r >= plan.reject_failures or t <= plan.reject_tau[r]:
            why = f"failure {r} at {t:.4g} theta1 (reject line {plan.reject_tau[r]:.4g})"
            outcome = DemonstrationOutcome.REJECT
            return Decision(
                plan.name, outcome, tau_now, r, float(t), why, tuple(path), times.size - r
            )
    last = decide(plan, tau_now, r)
    return Decision(
        plan.name, last.decision, tau_now, r, last.decided_at_tau, last.reason, tuple(path)
    )


# --- Weibull zero-failure test ----------------------------------------------------------------


@dataclass(frozen=True)
class ZeroFailurePlan:
    """`units` to test, each for test_h hours with no failure, to demonstrate R(target_h) >=
    reliability at the `confidence` for a Weibull shape beta, by `method`."""

    units: int
    test_h: float
    target_h: float
    reliability: float
    confidence: float
    beta: float
    method: str = "zero-failure binomial test with known Weibull shape (Weibayes): n (t/T)^beta ln R = ln(1-C)"

    @property
    def total_unit_h(self) -> float:
        """Total unit test time (h): units * test_h."""
        return self.units * self.test_h

    def to_dict(self) -> dict:
        """JSON-ready form with the total unit hours."""
        return {**self.__dict__, "total_unit_h": self.total_unit_h}


def zero_failure_plan(
    target_h: float,
    reliability: float,
    confidence: float,
    beta: float,
    units: int | None = None,
    test_h: float | None = None,
) -> ZeroFailurePlan:
    """Weibull zero-failure test demonstrating R(target_h) >= reliability at the `confidence` for a
    Weibull shape beta: give `units` to get the test duration, or `test_h` to get units."""
    if not (target_h > 0 and 0 < reliability < 1 and 0 < confidence < 1 and beta > 0):
        raise InvalidInput("need target_h > 0, reliability and confidence in (0, 1), beta > 0")
    need = math.log(1 - confidence) / math.log(reliability)  # = n (t/T)^beta
    if (units is None) == (test_h is None):
        raise InvalidInput(
            "give exactly one of units (to plan the duration) or test_h (to plan the units)"
        )
    if units is not None and units < 1:
        raise InvalidInput(f"units={units} must be >= 1")
    if test_h is not None and test_h <= 0:
        raise InvalidInput(f"test_h={test_h} must be positive")
    try:
        if units is not None:
            t = target_h * (need / units) ** (1 / beta)
            plan = ZeroFailurePlan(units, t, target_h, reliability, confidence, beta)
        else:
            n = math.ceil(need / (test_h / target_h) ** beta - 1e-12)
            plan = ZeroFailurePlan(n, float(test_h), target_h, reliability, confidence, beta)
    except (OverflowError, ZeroDivisionError):
        plan = None
    if plan is None or not math.isfinite(plan.total_unit_h):
        raise InvalidInput(
            f"the zero-failure test for beta={beta:g} needs more units or hours than a float "
            "holds; give a Weibull shape within 0.1-20 and test hours nearer target_h"
        )
    return plan


# --- a running fleet test -------------------------------------------------------------------


def fleet_test_time(data: LifeData) -> tuple[np.ndarray, np.ndarray]:
    """Total unit hours T(c) of the life data at clock breakpoints c (hours accrue evenly over
    [start, end]).

    Without clock columns all units are taken to start together at clock 0.
    """
    start = data.start_h if data.has_clock else np.zeros(data.n)
    end = data.end_h if data.has_clock else data.hours
    span = end - start
    if np.any(span < 0):
        raise InvalidInput("a unit ends before it starts; check the start and end columns")
    rate = np.divide(data.hours, span, out=np.zeros(data.n), where=span > 0)
    clock = np.unique(np.concatenate([[0.0], start, end]))
    total = (rate[None, :] * np.clip(clock[:, None] - start[None, :], 0.0, span[None, :])).sum(
        axis=1
    )
    return clock, total


@dataclass(frozen=True)
class LifeDecision:
    """A fleet test replayed from its life data: the `decision` (times in multiples of theta1),
    the fleet clock hour at which it was reached (decided_at_clock_h, None while continuing) and
    at which the data end (end_clock_h), clock_origin (UTC date and time of clock hour 0, None
    when the clock was given in hours) and clock_given (False when no start/end columns were
    given and every unit was taken to start at clock hour 0)."""

    decision: Decision
    decided_at_clock_h: float | None
    end_clock_h: float
    clock_origin: datetime | None
    clock_given: bool

    def at_time(self, clock_h: float | None) -> datetime | None:
        """The UTC date and time of fleet clock hour clock_h (None without a clock origin)."""
        if clock_h is None or self.clock_origin is None:
            return None
        return self.clock_origin + timedelta(hours=clock_h)


def replay_life(plan: Plan, theta1_h: float, data: LifeData) -> LifeDecision:
    """Replay a fleet test of the plan from its life `data` with lower test MTBF theta1_h (h):
    where and when (fleet clock hour) the decision was reached, and the failures after it.

    A failure counts when it was recorded (its end time); removals and running units add hours.
    """
    if not theta1_h > 0:
        raise InvalidInput(f"theta1={theta1_h} must be a positive MTBF in hours")
    clock, total = fleet_test_time(data)
    fail_clock = (data.end_h if data.has_clock else data.hours)[data.failed]
    fail_tau = np.interp(fail_clock, clock, total) / theta1_h
    decision = decide_path(plan, fail_tau, float(total[-1]) / theta1_h)
    at = decision.decided_at_tau
    when = None if at is None else float(np.interp(at * theta1_h, total, clock))
    return LifeDecision(decision, when, float(clock[-1]), data.clock_origin, data.has_clock)


def decide_life(plan: Plan, theta1_h: float, data: LifeData) -> tuple[Decision, float | None]:
    """Replay a fleet test of the plan from its life `data` with lower test MTBF theta1_h (h);
    returns the decision and its fleet clock hour (`replay_life` tells the rest)."""
    life = replay_life(plan, theta1_h, data)
    return life.decision, life.decided_at_clock_h
