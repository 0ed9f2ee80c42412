"""Inputs from the assignment's own domain, for the A2 properties.

Shapes and scales are those the handout uses: one example X in R^2, labels in {-1, +1},
h from 1 to 20 hidden units, every parameter at the scale of N(0, 1), and ``bo`` either a
float or an array of shape (1,) (the handout's gradcheck uses the latter). Pre-activations
are kept away from the ReLU kink, where a gradient is not defined and a fair grader accepts
any convention, and the output below the size where the handout's own loss overflows.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

D = 2  # input dimension of the double moon
MAX_HIDDEN = 20
#: |Yo| beyond which the handout's own loss log(1 + exp(−Y·Yo)) overflows in float64 (exp
#: overflows past 709): outside the domain the assignment computes in, a gradient written with
#: exp is judged only where the handout's forward pass is finite.
MAX_OUTPUT = 700.0


def _normal_scale(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, shape, elements=st.floats(-3.0, 3.0, allow_nan=False, width=64))


@st.composite
def network_example(draw: st.DrawFn, *, kink_margin: float = 1e-6, hidden: tuple[int, int] = (1, MAX_HIDDEN)) -> dict:
    """One example and the parameters of a network: keyword arguments of ``gradient_nn``."""
    h = draw(st.integers(*hidden))
    X = draw(_normal_scale((D,)))
    Y = draw(st.sampled_from([-1.0, 1.0]))
    Wi = draw(_normal_scale((D, h)))
    bi = draw(_normal_scale((h,)))
    Wo = draw(_normal_scale((h,)))
    bo_value = draw(st.floats(-3.0, 3.0, allow_nan=False))
    bo = draw(st.sampled_from([bo_value, np.array([bo_value])]))
    assume(np.all(np.abs(X @ Wi + bi) > kink_margin))
    assume(abs(np.maximum(X @ Wi + bi, 0) @ Wo + bo_value) < MAX_OUTPUT)
    return {"X": X, "Y": Y, "Wi": Wi, "bi": bi, "Wo": Wo, "bo": bo}


@st.composite
def batch_example(draw: st.DrawFn) -> dict:
    """A batch X (N x 2) with labels Y (N,): keyword arguments of ``nnet_forward_logloss``."""
    example = draw(network_example())
    n = draw(st.integers(1, 16))
    example["X"] = draw(_normal_scale((n, D)))
    example["Y"] = draw(arrays(np.float64, (n,), elements=st.sampled_from([-1.0, 1.0])))
    return example


def inactive_example(seed: int) -> tuple[dict, np.ndarray]:
    """An example where some hidden units are off and the others on (pre-activations <= -1 and
    >= 1), and which are off: through those, nothing may flow back to Wi, bi and Wo. Some on,
    so that a gradient cannot tell the example from any other by every unit being off."""
    off = np.arange(5) % 2 == seed % 2  # two or three of the five, never all
    return _units_off(seed, off), off


def every_unit_off(seed: int) -> dict:
    """An example where every hidden unit is off (what the diagnosis of a gradient probes)."""
    return _units_off(seed, np.ones(5, dtype=bool))


def _units_off(seed: int, off: np.ndarray) -> dict:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=D)
    Wi = rng.normal(size=(D, len(off)))
    bi = np.where(off, -np.abs(X @ Wi) - 1.0, np.abs(X @ Wi) + 1.0)  # pre-activations <= -1 off, >= 1 on
    return {"X": X, "Y": 1.0, "Wi": Wi, "bi": bi, "Wo": rng.normal(size=len(off)), "bo": np.array([0.3])}


def cifar_batch(n: int, seed: int) -> np.ndarray:
    """A batch shaped like normalised CIFAR-10 images (n x 3 x 32 x 32, values in [-1, 1])."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, 3, 32, 32)).astype(np.float32)
