"""Planck band radiance, IR-camera emissivity correction and grey-body power."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import constants
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import bernoulli

from heatproof.errors import InvalidInput
from heatproof.physics.materials import material
from heatproof.physics.radiation import (
    CAMERA_BAND_M,
    SIGMA_W_M2K4,
    band_radiance,
    camera_reading_k,
    radiated_power_w,
    true_temperature_k,
)

CASES = json.loads((Path(__file__).parents[1] / "data" / "heat_transfer_cases.json").read_text())[
    "cases"
]


def _planck(lam_m, t_k):
    c2 = constants.h * constants.c / constants.k
    return 2 * constants.h * constants.c**2 / lam_m**5 / np.expm1(c2 / (lam_m * t_k))


_BERNOULLI = bernoulli(60)


def _planck_tail(x):
    """Integral of u^3 / (e^u - 1) from x to infinity, x >= 2: sum over n of e^(-n x) (x^3/n +
    3x^2/n^2 + 6x/n^3 + 6/n^4) (Widger and Woodall, Bull. Am. Meteorol. Soc. 57 (1976) 1217)."""
    return math.fsum(
        math.exp(-n * x) * (x**3 / n + 3 * x**2 / n**2 + 6 * x / n**3 + 6 / n**4)
        for n in range(1, 200)
    )


def _planck_head(x):
    """Integral of u^3 / (e^u - 1) from 0 to x <= 2: u^3 / (e^u - 1) = sum B_n u^(n+2) / n!
    (Bernoulli numbers, converges for x < 2 pi), integrated term by term."""
    return math.fsum(
        b * x ** (n + 3) / ((n + 3) * math.factorial(n)) for n, b in enumerate(_BERNOULLI)
    )


def _series_band_radiance(t_k, band_m):
    """Band radiance (W/(m2 sr)) from two series, no numerical integration: with x = c2/(lambda T),
    the integral of B over the band is 2 k^4 T^4 / (h^3 c^2) times the integral of u^3 / (e^u - 1)
    from x(long) to x(short), split at x = 2; CODATA constants from scipy.constants."""
    h, c, k = constants.h, constants.c, constants.k
    x_short, x_long = (h * c / (k * lam * t_k) for lam in band_m)
    total = 0.0
    if x_long < 2.0:
        total += _planck_head(min(x_short, 2.0)) - _planck_head(x_long)
    if x_short > 2.0:
        total += _planck_tail(max(x_long, 2.0)) - _planck_tail(x_short)
    return 2 * k**4 * t_k**4 / (h**3 * c**2) * total


def _reference_reading_k(t_k, eps_band, eps_set, band_m, t_reflected_k=None):
    """Camera reading (K) solved by bracketing on the series radiance: eps_set L(Tc) +
    (1 - eps_set) L(Tr) = eps_band L(T) + (1 - eps_band) L(Tr); no reflection when Tr is None."""
    reflected = 0.0 if t_reflected_k is None else _series_band_radiance(t_reflected_k, band_m)
    seen = eps_band * _series_band_radiance(t_k, band_m) + (eps_set - eps_band) * reflected

    def balance(tc):
        return np.log(eps_set * _series_band_radiance(tc, band_m)) - np.log(seen)

    return brentq(balance, 20.0, 5e4, xtol=1e-12, rtol=4 * np.finfo(float).eps)


def _reference_true_k(t_camera_k, eps_set, eps_band_at, band_m, t_reflected_k=None):
    """True temperature (K) solved by bracketing on the series radiance for an emissivity model
    eps_band_at(T): eps_band(T) (L(T) - L(Tr)) = eps_set (L(Tc) - L(Tr))."""
    reflected = 0.0 if t_reflected_k is None else _series_band_radiance(t_reflected_k, band_m)
    excess = eps_set * (_series_band_radiance(t_camera_k, band_m) - reflected)

    def balance(t):
        return np.log(eps_band_at(t) * (_series_band_radiance(t, band_m) - reflected)) - np.log(
            excess
        )

    low = 20.0 if t_reflected_k is None else t_reflected_k * (1 + 1e-9)
    return brentq(balance, low, 5e4, xtol=1e-12, rtol=4 * np.finfo(float).eps)


@pytest.mark.parametrize("band", [CAMERA_BAND_M, (3e-6, 5e-6)])
@pytest.mark.parametrize("t_k", [60.0, 300.0, 1234.5, 2500.0, 12000.0, 40000.0])
def test_series_reference_agrees_with_adaptive_quadrature(band, t_k):
    """The two independent references for the camera tests agree with each other."""
    ref, _ = quad(_planck, *band, args=(t_k,), epsabs=0, epsrel=1e-13, limit=200)
    assert _series_band_radiance(t_k, band) == pytest.approx(ref, rel=1e-12)


# (true K, in-band emissivity, camera setting, band m, reflected K): inside the radiance table
# (100-10000 K) and outside it, with and without a reflection, settings below and above eps_band
CAMERA_CASES = [
    (1000.0, 0.95, 0.95, CAMERA_BAND_M, None),
    (947.7, 0.95, 0.42, CAMERA_BAND_M, None),
    (500.0, 0.7, 0.95, CAMERA_BAND_M, 300.0),
    (1500.0, 0.3, 0.9, CAMERA_BAND_M, 293.15),
    (320.0, 0.9, 0.6, CAMERA_BAND_M, 295.0),
    (80.0, 0.8, 0.5, CAMERA_BAND_M, None),
    (12000.0, 0.6, 0.9, CAMERA_BAND_M, None),
    (773.15, 0.85, 0.5, (3e-6, 5e-6), 298.15),
    (2200.0, 0.98, 0.2, (8e-6, 14e-6), None),
]


@pytest.mark.parametrize(("t_k", "eps_band", "eps_set", "band", "t_reflected_k"), CAMERA_CASES)
def test_camera_correction_matches_independent_band_radiances(
    t_k, eps_band, eps_set, band, t_reflected_k
):
    expected = _reference_reading_k(t_k, eps_band, eps_set, band, t_reflected_k)
    reading = camera_reading_k(t_k, eps_band, eps_set, band_m=band, t_reflected_k=t_reflected_k)
    assert reading == pytest.approx(expected, rel=1e-11)
    true = true_temperature_k(expected, eps_set, eps_band, band_m=band, t_reflected_k=t_reflected_k)
    assert true == pytest.approx(t_k, rel=1e-11)


@pytest.mark.parametrize("t_reflected_k", [None, 298.15])
def test_correction_with_temperature_dependent_emissivity_matches_independent_solution(
    t_reflected_k,
):
    """Alumina's tabulated in-band emissivity, the camera set to its total emissivity at 1500 K."""
    alumina = material("alumina")
    eps_set = float(alumina.eps_total_at(1500.0))
    for t_camera in (600.0, 1100.0, 1500.0):
        expected = _reference_true_k(
            t_camera, eps_set, alumina.eps_band_at, CAMERA_BAND_M, t_reflected_k
        )
        true = true_temperature_k(t_camera, eps_set, alumina.eps_band_at, t_reflected_k=t_reflected_k)
        assert true == pytest.approx(expected, rel=1e-11)


@pytest.mark.parametrize("band", [CAMERA_BAND_M, (3e-6, 5e-6), (8e-6, 14e-6), (1e-6, 20e-6)])
@pytest.mark.parametrize("t_k", [80.0, 250.0, 300.0, 773.15, 1500.0, 2500.0, 6000.0])
def test_band_radiance_matches_adaptive_quadrature(band, t_k):
    ref, _ = quad(_planck, *band, args=(t_k,), epsabs=0, epsrel=1e-13, limit=200)
    assert band_radiance(t_k, band) == pytest.approx(ref, rel=1e-9)


def test_band_radiance_is_vectorised():
    t = np.array([[300.0, 600.0], [900.0, 1200.0]])
    values = band_radiance(t)
    assert values.shape == (2, 2)
    assert values[1, 1] == pytest.approx(band_radiance(1200.0), rel=1e-15)
    # the 7.5-13 um band holds ~ 1/3 of the blackbody exitance at room temperature
    assert 0.30 < np.pi * band_radiance(300.0) / (SIGMA_W_M2K4 * 300.0**4) < 0.40


def test_camera_shows_true_temperature_when_set_to_the_in_band_emissivity():
    t = np.linspace(300.0, 1800.0, 7)
    assert np.allclose(camera_reading_k(t, 0.95, 0.95), t, rtol=0, atol=1e-9)
    assert np.allclose(camera_reading_k(t, 0.9, 0.9, t_reflected_k=295.0), t, rtol=0, atol=1e-8)


def test_low_emissivity_setting_inflates_the_reading():
    t = np.array([500.0, 1000.0, 1500.0])
    reading = camera_reading_k(t, 0.95, 0.4)
    assert np.all(reading > t)
    # exact relation eps_set L(Tc) = eps_band L(T)
    assert np.allclose(0.4 * band_radiance(reading), 0.95 * band_radiance(t), rtol=1e-12)


@pytest.mark.parametrize("t_reflected_k", [None, 293.15, 340.0])
def test_camera_and_true_temperature_arrays_match_independent_solutions(t_reflected_k):
    t = np.linspace(350.0, 2200.0, 200)
    eps_band = np.linspace(0.6, 0.98, 200)
    reading = camera_reading_k(t, eps_band, 0.5, t_reflected_k=t_reflected_k)
    back = true_temperature_k(reading, 0.5, eps_band, t_reflected_k=t_reflected_k)
    assert np.max(np.abs(back - t)) < 1e-8
    for i in (0, 57, 133, 199):
        expected = _reference_reading_k(t[i], eps_band[i], 0.5, CAMERA_BAND_M, t_reflected_k)
        assert reading[i] == pytest.approx(expected, rel=1e-11)


def test_reflection_balance_holds_exactly():
    t, tr, eb, es = 420.0, 300.0, 0.7, 0.95
    tc = camera_reading_k(t, eb, es, t_reflected_k=tr)
    lhs = es * band_radiance(tc) + (1 - es) * band_radiance(tr)
    rhs = eb * band_radiance(t) + (1 - eb) * band_radiance(tr)
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_round_trip_with_temperature_dependent_emissivity():
    alumina = material("alumina")

    def eps(t_k):
        return 0.97 - 1e-4 * (np.asarray(t_k) - 300.0) + 0 * alumina.eps_band_at(t_k)

    t = np.linspace(400.0, 1600.0, 50)
    reading = camera_reading_k(t, eps, 0.6)
    assert np.allclose(0.6 * band_radiance(reading), eps(t) * band_radiance(t), rtol=1e-12)
    back = true_temperature_k(reading, 0.6, eps)
    assert np.max(np.abs(back - t)) < 1e-8


def test_callable_emissivity_closing_over_an_array_and_2d_shapes():
    """The Monte Carlo form: eps_band(t) scales the table by one factor per trial (an array of the
    input's shape), evaluated on the whole array at every Newton step."""
    alumina = material("alumina")
    rng = np.random.default_rng(3)
    t = rng.uniform(400.0, 1700.0, (40, 50))
    factor = rng.uniform(0.9, 1.1, t.shape)

    def eps(t_k):
        return np.minimum(factor * alumina.eps_band_at(t_k), 1.0)

    reading = camera_reading_k(t, eps, 0.7, t_reflected_k=298.15)
    back = true_temperature_k(reading, 0.7, eps, t_reflected_k=298.15)
    assert back.shape == t.shape
    assert np.max(np.abs(back - t)) < 1e-8


def test_each_point_converges_on_its_own():
    """A point's result does not depend on the other points solved with it."""
    t = np.array([310.0, 955.5, 2400.0])
    eps_band = np.array([0.3, 0.8, 0.99])
    reading = camera_reading_k(t, eps_band, 0.6, t_reflected_k=300.0)
    alone = [camera_reading_k(*a, 0.6, t_reflected_k=300.0) for a in zip(t, eps_band, strict=True)]
    assert reading.tolist() == alone
    back = true_temperature_k(reading, 0.6, lambda t_k: 0.9 - 1e-4 * (t_k - 300.0))
    alone = [true_temperature_k(r, 0.6, lambda t_k: 0.9 - 1e-4 * (t_k - 300.0)) for r in reading]
    assert back.tolist() == alone


@settings(max_examples=60, deadline=None)
@given(
    t_k=st.floats(250.0, 2500.0),
    eps_band=st.floats(0.05, 1.0),
    eps_set=st.floats(0.05, 1.0),
)
def test_round_trip_property(t_k, eps_band, eps_set):
    reading = camera_reading_k(t_k, eps_band, eps_set)
    assert true_temperature_k(reading, eps_set, eps_band) == pytest.approx(t_k, abs=1e-8)


def test_scalar_inputs_give_scalar_outputs():
    reading = camera_reading_k(1000.0, 0.9, 0.5)
    assert np.ndim(reading) == 0
    assert reading == pytest.approx(_reference_reading_k(1000.0, 0.9, 0.5, CAMERA_BAND_M), rel=1e-11)
    true = true_temperature_k(1100.0, 0.5, 0.9)
    assert np.ndim(true) == 0
    assert _reference_reading_k(true, 0.9, 0.5, CAMERA_BAND_M) == pytest.approx(1100.0, rel=1e-11)


def test_lugano_error_direction_and_size():
    """Camera set to alumina's TOTAL emissivity while its in-band emissivity is ~0.95.

    The camera shows 1500 K with eps_set = eps_total(1500 K) ~ 0.42: the surface is really ~950 K,
    and the radiated power computed from the displayed temperature is over-estimated ~4.7-fold.
    """
    alumina = material("alumina")
    t_shown, t_room = 1500.0, 298.15
    eps_set = alumina.eps_total_at(t_shown)
    assert 0.38 < eps_set < 0.45
    t_true = true_temperature_k(t_shown, eps_set, alumina.eps_band_at)
    assert 900.0 < t_true < 1000.0  # the displayed temperature is ~550 K too high
    claimed = radiated_power_w(t_shown, t_room, eps_set, 1.0)
    actual = radiated_power_w(t_true, t_room, alumina.eps_total_at(t_true), 1.0)
    assert 4.0 < claimed / actual < 5.5
    # and the camera model agrees forward: a 947.7 K alumina surface displays 1500 K
    assert camera_reading_k(t_true, alumina.eps_band_at, eps_set) == pytest.approx(
        t_shown, abs=1e-8
    )


def test_radiated_power_against_incropera_example_9_3():
    case = next(c for c in CASES if c["id"] == "Incropera-Ex9-3")
    inputs = case["inputs"]
    q = radiated_power_w(
        inputs["Ts_C"] + 273.15,
        inputs["Tsur_C"] + 273.15,
        inputs["emissivity"],
        np.pi * inputs["D_m"],
    )
    assert q == pytest.approx(case["published"]["q_rad_W_m"], rel=2e-3)  # published to 3 digits


def test_radiated_power_against_own_reactor_table():
    case = next(c for c in CASES if c["id"] == "Own-reactor-cylinder")
    area = np.pi * 0.033 * 0.20
    for row in case["results"]:
        for eps, expected in row["Q_rad_W_by_emissivity"].items():
            q = radiated_power_w(row["Ts_C"] + 273.15, 298.15, float(eps), area)
            assert q == pytest.approx(expected, rel=1e-3)  # table gives 4 significant digits


@pytest.mark.parametrize(
    "call",
    [
        lambda: band_radiance(-5.0),
        lambda: band_radiance(300.0, (13e-6, 7.5e-6)),
        lambda: camera_reading_k(1000.0, 1.3, 0.5),
        lambda: camera_reading_k(1000.0, 0.9, 0.0),
        lambda: true_temperature_k(np.array([900.0, np.nan]), 0.5, 0.9),
        lambda: true_temperature_k(300.0, 0.9, 0.3, t_reflected_k=900.0),
        lambda: radiated_power_w(1000.0, 300.0, 0.5, -1.0),
    ],
)
def test_bad_input_raises_invalid_input(call):
    with pytest.raises(InvalidInput):
        call()


def test_tabulated_band_radiance_matches_adaptive_quadrature_across_the_table():
    # inside 100-10000 K the radiance comes from a Hermite table; its edges and random interior
    # points must agree with adaptive quadrature as closely as the Gauss-Legendre path does
    edges = [np.nextafter(t, t + d) for t in (100.0, 1e4) for d in (-1.0, 0.0, 1.0)]
    t_k = np.r_[edges, np.random.default_rng(3).uniform(100, 1e4, 40)]
    for band in (CAMERA_BAND_M, (3e-6, 5e-6)):
        values = band_radiance(t_k, band)
        for t, value in zip(t_k, values, strict=True):
            ref, _ = quad(_planck, *band, args=(t,), epsabs=0, epsrel=1e-13, limit=200)
            assert value == pytest.approx(ref, rel=2e-13)
