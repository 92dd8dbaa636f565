"""Public faces of packages whose names are imported from their modules on first use (PEP 562),
so that importing one module of a package does not import the rest (and their dependencies)."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, homes: dict[str, str]) -> tuple[list[str], Callable[[str], object]]:
    """``(__all__, __getattr__)`` for ``package`` (its ``__name__``), where ``homes`` maps each
    public name to the module of the package that defines it."""

    def __getattr__(name: str) -> object:
        """The public ``name``, imported from its module of this package on first use."""
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{homes[name]}"), name)

    return sorted(homes), __getattr__
