"""The CPU ledger: the student's own code is told from the runtime's work in the same processes."""

from __future__ import annotations

import numpy as np
import pytest

from grader.runtime import Stub, StudentRuntime, protocol
from tests.support.runtime import statements_from_code

CODE = """
import numpy as np

def burn(n):
    total = 0
    for i in range(n):
        total += i * i
    return total

built = burn(300_000)

def ask(n):
    for _ in range(n):
        answer(np.ones(3))

def answer(x):
    return x

def spin():
    while True:
        pass
"""


@pytest.fixture(scope="module")
def rt():
    with StudentRuntime(statements_from_code(CODE)) as runtime:
        yield runtime


def test_the_build_and_a_call_are_the_students_own_time(rt):
    built = rt.cpu.student
    assert built > 0  # the statement ``built = burn(...)``
    processes = rt.cpu.processes
    assert rt.call("burn", 3_000_000, timeout=120).ok
    student, total = rt.cpu.student - built, rt.cpu.processes - processes
    assert 0 < student <= total
    assert student >= 0.8 * total  # the worker did little else: its fork and one request


def test_callbacks_are_the_runtimes_time_not_the_students(rt):
    rt.define(stubs={"answer": Stub(lambda args, kwargs, local: np.zeros(3))})
    try:
        rt.call("ask", 10)
        student, processes = rt.cpu.student, rt.cpu.processes
        assert rt.call("ask", 500, timeout=120).ok  # a call killed for its time would be all the student's
        assert rt.cpu.student - student < 0.5 * (rt.cpu.processes - processes)
    finally:
        rt.reset()


def test_a_call_killed_for_its_time_counts_what_it_ran(rt):
    student = rt.cpu.student
    assert rt.call("spin", timeout=0.5).status == "timeout"
    assert rt.cpu.student > student
    assert rt.cpu.processes >= rt.cpu.student
    assert rt.call("burn", 10).ok  # a fresh worker: the ledger starts it from zero


@pytest.mark.parametrize(
    "reply",
    [{}, {"cpu": None}, {"cpu": [1.0]}, {"cpu": [1, 2]}, {"cpu": [-1.0, 2.0]}, {"cpu": [float("nan"), 1.0]},
     {"cpu": [1.0, float("inf")]}, {"cpu": "1.0 2.0"}],
)  # fmt: skip
def test_cpu_figures_a_reply_falsifies_count_as_nothing(reply):
    assert protocol.reply_cpu(reply) == (0.0, 0.0)
    assert protocol.reply_cpu({"cpu": [0.25, 2.5]}) == (0.25, 2.5)
