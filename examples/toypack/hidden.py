"""The toy's hidden check: a property against the reference (instructor grading only)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader.api import CheckSet, Context, expect_close

CHECKS = CheckSet()

#: Vectors of 1 to 6 logits, large enough to overflow a naive exp.
LOGITS = hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-800, 800))


@CHECKS.check("2", "softmax.matches_reference", needs=("softmax",))
def softmax_matches_reference(ctx: Context) -> None:
    """softmax(z) equals the reference's, even where exp(z) overflows."""

    def prop(z: np.ndarray) -> None:
        expect_close(ctx.call("softmax", z=z), ctx.solution.softmax(z), what="softmax", inputs={"z": z})

    ctx.forall(LOGITS, prop, max_examples=20)
