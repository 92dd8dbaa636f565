"""Fixtures of the stand tests: fast simulated stands (2 s samples, 2 K/s ramps) on loopback."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from heatproof.twin.reactor import HeatSource
from heatproof.twin.simulate import DEMO_CONTROLLER
from heatproof.twin.simulated_stand import SimulatedStandConfig

PROCEDURES = Path(__file__).resolve().parents[2] / "procedures"


def fast_config(seed: int = 1, source: HeatSource | None = None) -> SimulatedStandConfig:
    controller = dataclasses.replace(DEMO_CONTROLLER, ramp_k_per_s=2.0)
    return SimulatedStandConfig(
        source=source or HeatSource(), seed=seed, sample_s=2.0, controller=controller
    )


@pytest.fixture(scope="session")
def procedures_dir() -> Path:
    return PROCEDURES


@pytest.fixture(scope="session")
def stand_config():
    """Factory of fast simulated-stand configurations."""
    return fast_config
