"""Comparing what the student returned with what was expected, and saying it in a few lines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from grader.checks.context import CheckFailed
from grader.checks.display import show, show_inputs
from grader.model.results import Counterexample


def as_array(got: Any, *, what: str) -> np.ndarray:
    """The student's value as a float array, or a failure that says what came back instead."""
    if isinstance(got, np.ndarray) and got.dtype.kind in "biuf":
        return got.astype(np.float64)
    if isinstance(got, (int, float, list, tuple)) and not isinstance(got, bool):
        try:
            return np.asarray(got, dtype=np.float64)
        except OverflowError:  # an int past float64's range: a number, not one that compares
            raise CheckFailed(f"{what} should be numbers a float can hold, got {_describe(got)}") from None
        except (TypeError, ValueError):
            pass
    raise CheckFailed(f"{what} should be numbers, got {_describe(got)}")


def _describe(value: Any) -> str:
    type_name = getattr(value, "type_name", None)
    if type_name:
        return f"a {type_name} object"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype}"
    return f"a {type(value).__name__}: {show(value)}"


def expect_close(
    got: Any,
    expected: np.ndarray | float,
    *,
    what: str,
    inputs: Mapping[str, Any],
    rtol: float = 1e-6,
    atol: float = 1e-8,
    strict_shape: bool = False,
) -> None:
    """Fail with a counterexample unless ``got`` equals ``expected`` within tolerance.

    Shapes that differ only by length-1 axes (``(h,)`` vs ``(1, h)``, a scalar vs ``(1,)``)
    are the same values; ``strict_shape`` is for the checks whose subject is the shape.
    """
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, what=what)
    if arr.shape != expected.shape:
        if strict_shape or arr.size != expected.size or np.squeeze(arr).shape != np.squeeze(expected).shape:
            raise CheckFailed(
                f"{what} has shape {arr.shape}, expected {expected.shape}",
                lambda: Counterexample(show_inputs(inputs), f"shape {expected.shape}", f"shape {arr.shape}"),
            )
        arr = arr.reshape(expected.shape)
    if not np.all(np.isfinite(arr)):
        raise CheckFailed(
            f"{what} contains NaN or infinity",
            lambda: Counterexample(show_inputs(inputs), show(expected), show(arr)),
        )
    if not np.allclose(arr, expected, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(arr - expected)))
        raise CheckFailed(
            f"{what} is wrong (largest difference {worst:.3g})",
            lambda: Counterexample(show_inputs(inputs), show(expected), show(arr)),
        )
