"""Reading what the student returned as numbers: whatever came back, a failure that says what
it was, never an error of the grader's own."""

from __future__ import annotations

import numpy as np
import pytest

from grader.assignments.a2.public import convnet_parameters
from grader.checks.compare import as_array
from grader.checks.context import CheckFailed


@pytest.mark.parametrize("value", [[1, 2.5], (3,), 4, 0.5, np.arange(3)])
def test_numbers_read_as_float_arrays(value):
    assert as_array(value, what="grad").dtype == np.float64


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (10**400, "numbers a float can hold"),
        ([10**400] * 3, "numbers a float can hold"),
        ([[1, 2], [3]], "should be numbers"),
        ("0.5", "should be numbers"),
        (True, "should be numbers"),
    ],
)
def test_what_is_not_a_float_array_fails_the_check(value, said):
    with pytest.raises(CheckFailed, match=said):
        as_array(value, what="grad")


class _Answers:
    """A Context stand-in whose student process answers every call with ``value``."""

    seed = 0

    def __init__(self, value):
        self.value = value

    def call(self, *args, **kwargs):
        return self.value


def test_parameter_shapes_that_are_not_whole_numbers_fail_the_check():
    assert convnet_parameters(_Answers([["conv1.weight", [16, 3, 5, 5]]]), object()) == [("conv1.weight", (16, 3, 5, 5))]
    for lie in ([["conv1.weight", ["x", "y"]]], [["conv1.weight", [16.0, 3]]], [["conv1.weight"]], [7]):
        with pytest.raises(CheckFailed, match="shapes of whole numbers"):
            convnet_parameters(_Answers(lie), object())
