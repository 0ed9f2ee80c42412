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


def inactive_example(seed: int) -> dict:
    """An example where every hidden unit is off: gradients of Wi and bi must vanish."""
    rng = np.random.default_rng(seed)
    h = 5
    X = rng.normal(size=D)
    Wi = rng.normal(size=(D, h))
    bi = -np.abs(X @ Wi) - 1.0  # every pre-activation <= -1
    return {"X": X, "Y": 1.0, "Wi": Wi, "bi": bi, "Wo": rng.normal(size=h), "bo": np.array([0.3])}


def cifar_batch(n: int, seed: int) -> np.ndarray:
    """A batch shaped like normalised CIFAR-10 images (n x 3 x 32 x 32, values in [-1, 1])."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, 3, 32, 32)).astype(np.float32)
