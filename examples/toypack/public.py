"""The toy's public check: known values, no reference (it runs in the student's self-check)."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.api import CheckSet, Context, expect_close

CHECKS = CheckSet()

#: Inputs and the values the handout states for them.
KNOWN: tuple[tuple[dict[str, Any], list], ...] = (
    ({"x": [1.0, -2.0, 3.0], "k": 2.0}, [2.0, -4.0, 6.0]),
    ({"x": [[0.5, 0.0], [1.0, 4.0]], "k": -1.0}, [[-0.5, 0.0], [-1.0, -4.0]]),
)


@CHECKS.check("1", "scale.known_values", needs=("scale",), uses_reference=False)
def scale_known_values(ctx: Context) -> None:
    """scale(x, k) gives the handout's values."""
    for inputs, expected in KNOWN:
        arguments = {"x": np.array(inputs["x"]), "k": inputs["k"]}
        expect_close(ctx.call("scale", **arguments), np.array(expected), what="scale", inputs=arguments)
