"""Fuzz: mutated stand profiles, through `heatproof daq finalize --profile` (in-process) and through
the loader that every `--profile` option uses (heatproof.stand.profile.load_profile).

The CLI loads the profile before it opens the workspace: a refused profile is exit 2 with one line
"error: ..." and leaves the workspace as it was. A profile the loader accepts holds only sane
values (numbers finite and of their type, accuracies >= 0, ISO dates), never a silently kept text
or table where a number belongs.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
from pathlib import Path

import pytest
from cli_harness import check_outcome, run_cli, tree_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toml_mutations import mangled_bytes, mutated_docs, toml_text

from heatproof.errors import HeatproofError
from heatproof.stand.instruments import StandSpec, simulated_calibrations
from heatproof.stand.profile import StandProfile, load_profile
from heatproof.stand.registers import MAX_CORE_TC

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SPEC = StandSpec(name="rig-7")


def _stated(d: dict) -> dict:
    """A spec table as a profile states it: no name, no optional value left unstated (None)."""
    return {
        k: _stated(v) if isinstance(v, dict) else v
        for k, v in d.items()
        if k != "name" and v is not None
    }


STATED = _stated(SPEC.to_dict())  # a profile states every table and accuracy (issue 10)
BASES = [
    {
        "name": "rig-7",
        "spec": STATED,
        "calibrations": [c.to_dict() for c in simulated_calibrations(SPEC)],
    },
    {
        "name": "rig-8",
        "spec": {
            **STATED,
            "camera": {**STATED["camera"], "emissivity_set": 0.9, "stability_k": 0.2},
            "power": {**STATED["power"], "range_w": 5000.0},
        },
    },
    {"name": "rig-9", "spec": STATED},
]
FINALIZE = ["daq", "finalize", "raw/x/stand-1", "--campaign", "1", "--serial", "S"]


def finalize(tmp_path: Path, content: bytes) -> int:
    """`daq finalize --profile`: a profile the loader refuses is refused with the loader's one
    line and the workspace left as it was; an accepted one goes on to the workspace."""
    profile = tmp_path / "profile.toml"
    profile.write_bytes(content)
    try:
        load_profile(profile)
        refusal = None
    except HeatproofError as err:
        refusal = f"error: {err}\n"
    # an accepted profile meets a workspace path under a file (refused, never opened), so that
    # no database connection of an earlier example is left to touch the refused ones' workspace
    ws = tmp_path / "ws" if refusal else profile / "ws"
    args = [*FINALIZE, "--kind", "active", "--workspace", str(ws)]
    if refusal and not ws.exists():
        run_cli(args)  # creates the workspace that refused profiles must leave as it is
        gc.collect()  # and closes its database connection now, not during a later check
    before = tree_digest(ws)
    code, _, err = run_cli([*args, "--profile", str(profile)])
    check_outcome(code, err, allowed=(2,))
    if refusal is not None:
        assert err == refusal and tree_digest(ws) == before
    return code


def _real(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def assert_sane(p: StandProfile) -> None:
    """Every value of an accepted profile has its type and a physical range."""
    s = p.spec
    assert isinstance(p.name, str) and p.name and p.name == s.name
    assert type(s.core_thermocouples) is int and 1 <= s.core_thermocouples <= MAX_CORE_TC
    for part in (s.thermocouple, s.camera, s.power, s.ambient):
        for key, value in vars(part).items():
            if key not in ("band_m", "phases", "measures_dc") and value is not None:
                assert _real(value) and value >= 0, (key, value)
    low, high = s.camera.band_m
    assert _real(low) and _real(high) and 0 < low < high
    assert 0 < s.camera.emissivity_set <= 1 and s.power.range_w > 0
    assert type(s.power.phases) is int and s.power.phases >= 1
    assert type(s.power.measures_dc) is bool
    for c in p.calibrations:
        assert all(isinstance(v, str) and v for v in c.to_dict().values()), c
        assert dt.date.fromisoformat(c.calibrated_on) <= dt.date.fromisoformat(c.due_on)


def load(tmp_path: Path, content: bytes) -> StandProfile | None:
    """The loader on the content: a sane profile, or a HeatproofError of one line."""
    path = tmp_path / "profile.toml"
    path.write_bytes(content)
    try:
        profile = load_profile(path)
    except HeatproofError as err:
        assert "\n" not in str(err) and str(err), repr(str(err))
        return None
    assert_sane(profile)
    return profile


@pytest.mark.parametrize("doc", BASES, ids=lambda d: d["name"])
def test_the_examples_load(tmp_path, doc):
    assert load(tmp_path, toml_text(doc).encode()).name == doc["name"]
    finalize(tmp_path, toml_text(doc).encode())


@FUZZ
@given(doc=mutated_docs(BASES))
def test_mutated_profiles_load_sane_or_give_one_line(tmp_path, doc):
    load(tmp_path, toml_text(doc).encode())


@FUZZ
@given(content=mangled_bytes(BASES))
def test_mangled_profile_files_load_or_give_one_line(tmp_path, content):
    load(tmp_path, content)


@settings(FUZZ, max_examples=100)
@given(
    content=st.one_of(
        mutated_docs(BASES).map(lambda d: toml_text(d).encode()), mangled_bytes(BASES)
    )
)
def test_mutated_profiles_on_the_cli(tmp_path, content):
    finalize(tmp_path, content)
