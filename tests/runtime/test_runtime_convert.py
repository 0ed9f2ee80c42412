"""Student return values become plain data, or an Opaque, and never crash the conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from grader.runtime import Opaque
from grader.runtime.convert import safe_repr, to_plain
from grader.runtime.protocol import encode


class HostileFloat(float):
    def __eq__(self, other):
        raise RuntimeError("no eq")

    def __float__(self):
        raise RuntimeError("no float")

    __hash__ = float.__hash__


class BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


class BadArray:
    def __array__(self, *a):
        raise RuntimeError("no array")

    def __len__(self):
        raise RuntimeError("no len")


class MyArray(np.ndarray):
    pass


class MyTuple(tuple):
    def __iter__(self):
        raise RuntimeError("no iter")


def check(value, expected_type_name):
    plain, name = to_plain(value)
    assert name == expected_type_name
    encode(plain)  # whatever came out can cross the wire
    return plain


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_arrays_and_their_subclasses_become_exact_ndarrays():
    out = check(np.arange(4.0).view(MyArray), "test_runtime_convert.MyArray")
    assert type(out) is np.ndarray and out.tolist() == [0, 1, 2, 3]
    out = check(np.matrix([[1, 2]]), "numpy.matrix")
    assert type(out) is np.ndarray and out.shape == (1, 2)
    out = check(np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "numpy.ma.core.MaskedArray")
    assert type(out) is np.ndarray


def test_numbers_keep_their_value_and_report_their_type():
    assert check(np.float32(1.5), "numpy.float32") == 1.5
    assert check(np.int64(7), "numpy.int64") == 7 and type(to_plain(np.int64(7))[0]) is int
    assert check(np.bool_(True), "numpy.bool_") is True
    assert math.isnan(check(float("nan"), "float"))
    assert check(HostileFloat(2.5), "test_runtime_convert.HostileFloat") == 2.5
    assert type(to_plain(HostileFloat(2.5))[0]) is float
    assert check(True, "bool") is True
    assert check(complex(1, 2), "complex") == np.array(1 + 2j)


def test_long_doubles_cross_as_float64():
    """A gradient computed in np.longdouble is numbers: it crosses at the precision the grader
    compares at, never as an object the wire refuses (the student's error, it was said)."""
    value, name = to_plain(np.longdouble(1.5))
    assert (value, type(value), name) == (1.5, float, "numpy.longdouble")
    array, _ = to_plain((np.full(3, 0.25, dtype=np.longdouble), np.clongdouble(1 + 2j)))
    assert array[0].dtype == np.float64 and np.array_equal(array[0], [0.25] * 3)
    assert array[1].dtype == np.complex128 and array[1] == 1 + 2j
    encode(array)  # the wire takes them


def test_tensors_are_detached_to_arrays():
    t = torch.ones(2, 3, requires_grad=True) * 2
    out = check(t, "torch.Tensor")
    assert type(out) is np.ndarray and out.dtype == np.float32 and out.shape == (2, 3)
    out = check(torch.nn.Parameter(torch.zeros(2)), "torch.nn.parameter.Parameter")
    assert out.tolist() == [0, 0]
    assert check(torch.ones(2, dtype=torch.bfloat16), "torch.Tensor").dtype == np.float32


def test_containers_convert_recursively():
    out = check((np.zeros(2), [1, {"a": torch.ones(1)}]), "tuple")
    assert type(out) is tuple and type(out[1][1]["a"]) is np.ndarray


def test_what_is_not_plain_data_becomes_opaque():
    gen = (i for i in range(3))
    out = check(gen, "generator")
    assert type(out) is Opaque and out.type_name == "generator" and "generator" in out.repr
    out = check(BadRepr(), "test_runtime_convert.BadRepr")
    assert type(out) is Opaque and "repr failed" in out.repr
    assert type(check(BadArray(), "test_runtime_convert.BadArray")) is Opaque
    assert type(check({1: 2}, "dict")) is Opaque  # non-str keys
    assert type(check(np.array([object()]), "numpy.ndarray")) is Opaque
    assert type(check(torch.nn.Linear(2, 2), "torch.nn.modules.linear.Linear")) is Opaque


def test_hostile_containers_do_not_crash_the_conversion():
    assert (
        type(check(MyTuple((1, 2)), "test_runtime_convert.MyTuple")) is tuple
    )  # tuple's own iterator is used
    loop: list = []
    loop.append(loop)
    assert type(check(loop, "list")) is Opaque  # nested beyond the depth cap
    assert type(check([0] * 2_000_000, "list")) is Opaque  # beyond the node budget


def test_repr_is_truncated():
    assert len(safe_repr("x" * 10_000)) <= 503
