"""Plain data as a student reads it: arrays rounded, long ones elided."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def show(value: Any) -> str:
    """A short, readable rendering of plain data (arrays rounded, long ones elided)."""
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=4, suppress=True, threshold=40, edgeitems=3, linewidth=88):
            text = np.array2string(value, separator=", ")
        return text if value.ndim == 0 else f"{text}  (shape {value.shape})"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)) and len(value) <= 8:
        inner = ", ".join(show(v) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    text = repr(value)
    return text if len(text) <= 300 else text[:300] + "…"


def show_inputs(inputs: Mapping[str, Any]) -> str:
    return "\n".join(f"{name} = {show(value)}" for name, value in inputs.items())
