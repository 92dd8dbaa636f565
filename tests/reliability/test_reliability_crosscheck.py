"""Cross-check against the `reliability` package (a test extra, so this test never skips)."""

import numpy as np
import pytest
from reliability.Fitters import Fit_Weibull_2P

from heatproof.reliability.bounds import b_life, parameter_bounds
from heatproof.reliability.fits import fit
from heatproof.reliability.lifedata import life_data_from_times


def test_weibull_2p_and_b10_bounds_match_reliability_package():
    rng = np.random.default_rng(8)
    life = 3000.0 * rng.weibull(1.4, 400)
    cens = rng.uniform(0, 3000.0, 400)
    fails, right = life[life <= cens], cens[life > cens]
    ours = fit(life_data_from_times(fails, right))
    ref = Fit_Weibull_2P(
        failures=fails,
        right_censored=right,
        CI=0.9,
        show_probability_plot=False,
        print_results=False,
    )
    assert ours.params["alpha"] == pytest.approx(ref.alpha, rel=1e-5)
    assert ours.params["beta"] == pytest.approx(ref.beta, rel=1e-5)
    assert ours.loglik == pytest.approx(ref.loglik, abs=1e-6)
    b = parameter_bounds(ours, 0.9, "fisher")
    assert (b["alpha"].lower, b["alpha"].upper) == pytest.approx(
        (ref.alpha_lower, ref.alpha_upper), rel=1e-4
    )
    lo, est, hi = ref.distribution.CDF(CI_type="time", CI_y=np.array([0.1]), show_plot=False)
    b10 = b_life(ours, 0.1, 0.9, "fisher")
    assert (b10.lower, b10.estimate, b10.upper) == pytest.approx(
        (float(lo), float(est), float(hi)), rel=1e-4
    )
