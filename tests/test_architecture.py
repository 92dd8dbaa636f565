"""The house's floors (docs/architecture.md) hold: the import contracts of pyproject.toml are kept
by the code, and they break when a core module imports an adapter or when a new package is given
no floor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(src: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts over the package ``heatproof`` found in ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_heatproof(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "src" / "heatproof",
        tmp_path / "heatproof",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return tmp_path


def test_the_code_keeps_every_contract():
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_core_module_importing_an_adapter_breaks_the_floors(tmp_path):
    src = copy_of_heatproof(tmp_path)
    water = src / "heatproof" / "physics" / "water.py"
    water.write_text(water.read_text() + "\nfrom heatproof.workspace import Workspace  # noqa\n")
    result = lint_imports(src)
    assert result.returncode == 1
    assert "heatproof.physics.water -> heatproof.workspace" in result.stdout
    assert "Four floors, top to bottom" in result.stdout and "BROKEN" in result.stdout


def test_a_package_without_a_floor_breaks_the_floors(tmp_path):
    src = copy_of_heatproof(tmp_path)
    (src / "heatproof" / "unplaced").mkdir()
    (src / "heatproof" / "unplaced" / "__init__.py").write_text('"""A package given no floor."""\n')
    result = lint_imports(src)
    assert result.returncode == 1
    assert "heatproof.unplaced" in result.stdout
