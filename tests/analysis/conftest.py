"""Shared helpers for the analysis tests: the example run files, analysed with fewer Monte Carlo trials."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest

from heatproof.analysis.runfile import analyze_document

RUNFILES = Path(__file__).resolve().parents[2] / "runfiles"
TEST_TRIALS = 20_000


def load_example(name: str) -> dict:
    with open(RUNFILES / name, "rb") as f:
        doc = tomllib.load(f)
    doc["campaign"]["mc_trials"] = TEST_TRIALS
    return doc


def analyze(doc: dict) -> dict:
    return analyze_document(copy.deepcopy(doc), "test", "test")


def codes(record: dict, severity: str | None = None) -> list[str]:
    return [p["code"] for p in record["pitfalls"] if severity is None or p["severity"] == severity]


@pytest.fixture
def example():
    return load_example
