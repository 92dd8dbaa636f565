"""Methods against independent references: iapws for water, numpy for fits, pint for units."""

from __future__ import annotations

import numpy as np
import pytest
from iapws import IAPWS97

from heatproof.analysis import methods as m
from heatproof.analysis import pitfalls, thermography
from heatproof.analysis.config import AnalysisConfig
from heatproof.analysis.quantities import measurement, quantity
from heatproof.analysis.thermography import Surface
from heatproof.analysis.uncertainty import Model, Normal, Rectangular, evaluate
from heatproof.analysis.windows import Window
from heatproof.errors import InvalidInput
from heatproof.stand.instruments import AmbientSpec, PowerAnalyzerSpec, StandSpec
from heatproof.twin.reactor import ReactorDesign


def _at_means(term: m.Term) -> float:
    return float(term.power_w({term.key(k): np.array([d.mean]) for k, d in term.inputs.items()})[0])


def test_units_are_read_with_pint():
    assert quantity("850 degC", "K", "t") == pytest.approx(1123.15)
    assert quantity("2 L/min", "m^3/s", "q") == pytest.approx(2e-3 / 60)
    assert quantity("0.1 %", "", "f") == pytest.approx(1e-3)
    t = measurement({"value": "20 degC", "u": "0.5 degC"}, "K", "t")
    assert (t.mean, t.std) == (pytest.approx(293.15), pytest.approx(0.5))
    r = measurement({"value": 5, "unit": "kW", "half_width": 0.01}, "W", "p")
    assert isinstance(r, Rectangular) and r.half_width == pytest.approx(10.0)
    with pytest.raises(InvalidInput, match="no unit"):
        quantity(812, "W", "power")
    with pytest.raises(InvalidInput, match="compatible"):
        quantity("3 kg", "W", "power")


def test_flow_power_matches_iapws():
    q, t_in, t_out, p = 3e-5, 293.15, 313.15, 2e5
    term = m.flow_output("f", Normal(q, 0), Normal(t_in, 0), Normal(t_out, 0), Normal(p, 0))
    w_in, w_out = IAPWS97(T=t_in, P=p / 1e6), IAPWS97(T=t_out, P=p / 1e6)
    expected = w_in.rho * q * (w_out.h - w_in.h) * 1e3
    assert _at_means(term) == pytest.approx(expected, rel=1e-9)


def test_steam_power_matches_iapws_saturation():
    q, t_in, p, x = 1e-6, 288.15, 101325.0, 0.8
    term = m.steam_output("s", Normal(q, 0), Normal(t_in, 0), Normal(p, 0), Normal(x, 0.0))
    w_in = IAPWS97(T=t_in, P=p / 1e6)
    h_out = IAPWS97(P=p / 1e6, x=x).h
    assert _at_means(term) == pytest.approx(w_in.rho * q * (h_out - w_in.h) * 1e3, rel=1e-6)


def test_waveform_power_includes_dc():
    theta = np.linspace(0, 4 * np.pi, 64, endpoint=False)
    v = 100 * np.sin(theta) + 10.0
    i = 2 * np.sin(theta) + 0.5
    term = m.waveform_power("w", v, i, PowerAnalyzerSpec(0.001, 0.0, 0.0), cycles=2)
    assert _at_means(term) == pytest.approx(100.0 + 5.0)  # AC 100*2/2 plus DC 10*0.5
    assert term.details["dc_power_w"] == pytest.approx(5.0)


def test_cable_loss_is_subtracted_from_the_input():
    phase = m.phase_power("p", Normal(1000.0, 0.0), PowerAnalyzerSpec(0.001, 0.0005, 3000.0))
    cable = m.cable_loss("c", Normal(4.0, 0.0), Normal(0.5, 0.0))
    model = m.power_model([phase, cable], "input_w")
    values = {k: np.array([d.mean]) for k, d in model.inputs.items()}
    assert model.outputs(values, 1)["input_w"][0] == pytest.approx(1000.0 - 8.0)
    assert phase.inputs["error_w"].half_width == pytest.approx(1.0 + 1.5)


def test_transfer_fit_matches_numpy_and_propagates_covariance():
    t = np.array([700.0, 800.0, 900.0, 1000.0, 1100.0])
    p = 0.002 * (t - 600) ** 2 + 3 * (t - 600)
    fit = m.fit_transfer(t, np.zeros(5), p, np.full(5, 2.0), degree=2)
    assert fit.power_w(850.0) == pytest.approx(0.002 * 250**2 + 750, rel=1e-9)
    assert fit.chi2 == pytest.approx(0.0, abs=1e-12)
    x = (t - fit.center_k) / fit.scale_k
    _, cov = np.polyfit(x, p, 2, w=np.full(5, 0.5), cov="unscaled")
    assert np.allclose(fit.covariance, cov)
    term = m.calibrated_output(fit, Normal(850.0, 0.0))
    model = Model(
        lambda **v: term.power_w({term.key(k): a for k, a in v.items()}),
        dict(term.inputs),
        correlations=dict(term.correlations),
    )
    result = evaluate(model, level=0.95, seed=1, trials=200_000)
    basis = np.array([((850 - fit.center_k) / fit.scale_k) ** k for k in (2, 1, 0)])
    assert result.gum.u == pytest.approx(float(np.sqrt(basis @ cov @ basis)), rel=1e-6)
    assert result.mc.u == pytest.approx(result.gum.u, rel=0.02)


def test_gum_mc_disagreement_is_a_named_warning():
    model = Model(lambda x: x**2, {"x": Normal(0.5, 0.5)})  # strongly non-linear: GUM fails here
    found = pitfalls.gum_mc_disagree(
        evaluate(model, level=0.95, seed=1, trials=100_000).comparison, "run 1"
    )
    assert found is not None and found.severity == pitfalls.WARNING
    assert len(found.numbers["gum_interval"]) == 2 and len(found.numbers["mc_interval"]) == 2
    linear = Model(lambda x: 2 * x, {"x": Normal(0.5, 0.5)})
    assert (
        pitfalls.gum_mc_disagree(evaluate(linear, level=0.95, seed=1, trials=400_000).comparison)
        is None
    )


def test_camera_setting_finding_names_total_emissivity():
    f = pitfalls.camera_emissivity(0.55, 0.95, 960.0, 0.55, "run 1")
    assert f.blocking and "total emissivity" in f.message
    assert pitfalls.camera_emissivity(0.95, 0.95, 960.0, 0.55) is None


def test_monte_carlo_noise_alone_is_not_called_a_disagreement():
    # a linear model: the GUM is exact, so any difference is the Monte Carlo's own noise
    linear = Model(lambda x: 2 * x, {"x": Normal(0.5, 0.5)})
    c = evaluate(linear, level=0.99, seed=1, trials=20_000).comparison
    assert not c.agree and c.d_low > c.delta  # clause 8 alone would call this a disagreement
    assert c.mc_endpoint_u > 0 and not c.distinguishable
    assert pitfalls.gum_mc_disagree(c) is None


def test_a_stand_with_an_ideal_analyzer_and_room_thermometer_is_analysed():
    # zero-width accuracies are point masses, as in run files, not an error
    d = ReactorDesign()
    ideal = StandSpec(ambient=AmbientSpec(tolerance_k=0.0), power=PowerAnalyzerSpec(0.0, 0.0))
    window = Window(0, 0.0, 1e5, 1500.0, 0.01, 960.0, 0.01, 298.15, 0.001, 1.5e8, 0.1)
    shell = thermography.shell_section(Surface(d.diameter_m, d.area_m2, d.material), ideal, window)
    model = thermography.cop_model(window, shell, ideal, AnalysisConfig())
    result = evaluate(model, level=0.99, seed=1, trials=20_000)
    assert result.gum.u > 0 and 0.5 < result.mc.y < 2.0


def test_a_transfer_fit_survives_its_record():
    fit = m.fit_transfer(
        [800.0, 900.0, 1000.0, 1100.0], [0.5] * 4, [700.0, 1000.0, 1400.0, 1900.0], [2.0] * 4, 2
    )
    again = m.TransferFit.from_dict(fit.to_dict())
    assert again == fit and again.power_w(950.0) == fit.power_w(950.0)
