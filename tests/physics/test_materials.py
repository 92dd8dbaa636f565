"""Emissivity material models."""

import numpy as np
import pytest

from heatproof.errors import InvalidInput
from heatproof.physics.materials import MATERIALS, Material, material


def test_required_materials_exist_with_sources():
    for name in ("alumina", "inconel600-oxidised", "ss304-oxidised"):
        m = material(name)
        assert m.name == name
        assert "not certified" in m.source


def test_alumina_total_emissivity_falls_while_in_band_stays_high():
    al = material("alumina")
    assert al.eps_total_at(400.0) == pytest.approx(0.8, abs=0.05)
    assert al.eps_total_at(1600.0) == pytest.approx(0.4, abs=0.05)
    t = np.linspace(*al.valid_range_k, 50)
    assert np.all(np.diff(al.eps_total_at(t)) <= 0)
    assert np.allclose(al.eps_band_at(t), 0.95, atol=0.03)
    # the gap the Lugano error lives in: in-band exceeds total by > 2x at 1500 K
    assert al.eps_band_at(1500.0) / al.eps_total_at(1500.0) > 2


def test_interpolation_range_and_coverage():
    m = material("ss304-oxidised")
    low, high = m.valid_range_k
    assert m.eps_total_at(low) == m.eps_total[0]
    assert m.eps_total_at(high + 500) == m.eps_total[-1]  # held, and flagged by covers()
    assert m.covers(np.array([low - 1, low, high, high + 1])).tolist() == [False, True, True, False]
    mid = 0.5 * (m.t_k[1] + m.t_k[2])
    assert m.eps_total_at(mid) == pytest.approx(0.5 * (m.eps_total[1] + m.eps_total[2]))


def test_all_tables_are_physical():
    for m in MATERIALS.values():
        assert np.all(np.diff(m.t_k) > 0)
        assert all(0 < e <= 1 for e in m.eps_total + m.eps_band)


def test_unknown_material_lists_known_names():
    with pytest.raises(InvalidInput, match="alumina"):
        material("unobtainium")


def test_bad_tables_are_rejected():
    with pytest.raises(InvalidInput):
        Material("bad", (300.0, 200.0), (0.5, 0.5), (0.5, 0.5), "test")
    with pytest.raises(InvalidInput):
        Material("bad", (300.0, 400.0), (0.5, 1.5), (0.5, 0.5), "test")
