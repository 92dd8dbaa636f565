"""Shared fixtures for the reliability tests (reference files copied unchanged into tests/data)."""

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def life_cases() -> dict:
    return json.loads((DATA / "life_data_cases.json").read_text())


@pytest.fixture(scope="session")
def plans_csv_text() -> str:
    return (DATA / "mil781_plans.csv").read_text()
