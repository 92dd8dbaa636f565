"""Small helpers shared by the physics modules: scalar results and short error descriptions."""

from __future__ import annotations

import numpy as np


def scalar(x):
    """0-d arrays become numpy scalars, so float inputs give float outputs; arrays pass through."""
    return x[()] if isinstance(x, np.ndarray) else x


def describe(value) -> str:
    """Short repr for error messages: arrays longer than 4 are summarised by size and range."""
    if callable(value):
        return repr(value)
    arr = np.asarray(value, dtype=float)
    if arr.size <= 4:
        return repr(value)
    return f"array[{arr.size}] in [{np.nanmin(arr):.6g}, {np.nanmax(arr):.6g}]"
