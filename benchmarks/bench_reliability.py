"""Benchmark (not a test): Weibull 2P MLE on 10^5 units, 70 % right-censored.

heatproof.reliability.fits.fit against the `reliability` package's Fit_Weibull_2P on the same
data, in the same run: estimates compared and the speed ratio reported.

    .venv/bin/python benchmarks/bench_reliability.py [--units 100000] [--repeat 3]

or `run(quick)` from `heatproof bench` (skipped with a clear error without the package).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy import optimize

from heatproof.reliability.bounds import parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import life_data_from_times

ALPHA_H, BETA = 5000.0, 1.8


def make_data(units: int, censored: float, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Weibull lives with uniform random censoring times scaled so `censored` of units are censored."""
    rng = np.random.default_rng(seed)
    life = ALPHA_H * rng.weibull(BETA, units)
    u = rng.uniform(0.0, 1.0, units)
    scale = optimize.brentq(lambda c: np.mean(life > u * c) - censored, 1.0, 1e7)
    cens = u * scale
    failed = life <= cens
    return life[failed], cens[~failed]


def best_of(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def run(quick: bool) -> list[dict]:
    """Rows for `heatproof bench`: our fit with Fisher bounds (s) against the `reliability`
    package's Fit_Weibull_2P on the same data, in this run."""
    from reliability.Fitters import Fit_Weibull_2P

    units, repeat = (20_000, 1) if quick else (100_000, 3)
    failures, right = make_data(units, 0.7)
    data = life_data_from_times(failures, right)
    ours, _ = best_of(lambda: parameter_bounds(fit(data, "weibull"), 0.95, "fisher"), repeat)
    theirs, _ = best_of(
        lambda: Fit_Weibull_2P(
            failures=failures,
            right_censored=right,
            show_probability_plot=False,
            print_results=False,
            method="MLE",
        ),
        repeat,
    )
    return [
        {
            "path": f"reliability.fits.fit weibull + Fisher bounds, {units} units",
            "value": ours,
            "unit": "s",
            "baseline": "reliability.Fit_Weibull_2P (MLE)",
            "baseline_value": theirs,
            "ratio": ours / theirs,
        }
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--censored", type=float, default=0.7)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    failures, right = make_data(args.units, args.censored)
    data = life_data_from_times(failures, right)

    def ours():
        f = fit(data, "weibull")
        return f, parameter_bounds(f, 0.95, "fisher")

    t_ours, (f, b) = best_of(ours, args.repeat)
    result = {
        "units": args.units,
        "failures": int(failures.size),
        "censored_fraction": right.size / args.units,
        "truth": {"alpha": ALPHA_H, "beta": BETA},
        "heatproof": {
            "alpha": f.params["alpha"],
            "beta": f.params["beta"],
            "loglik": f.loglik,
            "ci95_alpha": [b["alpha"].lower, b["alpha"].upper],
            "seconds": t_ours,
        },
    }
    try:
        from reliability.Fitters import Fit_Weibull_2P
    except ImportError:
        result["reliability"] = "package not installed (pip install reliability)"
    else:

        def theirs():
            return Fit_Weibull_2P(
                failures=failures,
                right_censored=right,
                show_probability_plot=False,
                print_results=False,
                method="MLE",
            )

        t_ref, ref = best_of(theirs, args.repeat)
        result["reliability"] = {
            "alpha": ref.alpha,
            "beta": ref.beta,
            "loglik": ref.loglik,
            "ci95_alpha": [ref.alpha_lower, ref.alpha_upper],
            "seconds": t_ref,
            "optimizer": getattr(ref, "optimizer", None),
        }
        result["relative_difference"] = {
            "alpha": abs(f.params["alpha"] - ref.alpha) / ref.alpha,
            "beta": abs(f.params["beta"] - ref.beta) / ref.beta,
        }
        result["speed_ratio_reliability_over_heatproof"] = t_ref / t_ours
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
