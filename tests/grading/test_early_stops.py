"""The training checks cost what their verdict needs, and keep it.

``gradient_nn.sgd_converges`` runs its SGD one epoch per call: it passes at the first epoch
whose error is under the bar, fails after the last epoch or at the first NaN parameter; the
epochs chained give exactly the parameters of one uninterrupted run.

``train_loop.converges``, run again with a correct gradient (the isolated run), answers the
loop's 5,000 steps in the student's process with the handout's numerical gradient: the
reference (one round trip a call) answers only the probe.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import reference
from grader.assignment import load_assignment
from grader.assignments.a2 import public
from grader.assignments.a2.data import double_moon_arrays
from grader.checks import Context, run_check
from grader.notebook.model import Cell, Submission
from grader.runtime import StudentRuntime
from tests.support import realform
from tests.support.runtime import statements_from_code

TRUE_GRADIENT = inspect.getsource(reference.gradient_nn).replace("def gradient_nn(", "def true_gradient(")

#: gradient_nn as students get it wrong or slow: each scales the true gradient.
GRADIENTS = {
    "correct": "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return true_gradient(X, Y, Wi, bi, Wo, bo)\n",
    # 500 times too small: under the 10 % bar only from the fourth epoch on
    "slow": "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return [0.002 * g for g in true_gradient(X, Y, Wi, bi, Wo, bo)]\n",
    "ascent": "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return [-g for g in true_gradient(X, Y, Wi, bi, Wo, bo)]\n",
    "nan": "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return [g * np.nan for g in true_gradient(X, Y, Wi, bi, Wo, bo)]\n",
}


@pytest.fixture(scope="module")
def runtimes() -> Iterator[dict[str, StudentRuntime]]:
    started: dict[str, StudentRuntime] = {}
    try:
        for name, source in GRADIENTS.items():
            started[name] = StudentRuntime(statements_from_code("import numpy as np", TRUE_GRADIENT, source))
            started[name].start()
        yield started
    finally:
        for runtime in started.values():
            runtime.close()


def context(runtime: StudentRuntime) -> Context:
    submission = Submission(path=Path("A2_TEST_Jane.ipynb"), identity=None, cells=(Cell(1, "code", "x = 1"),))
    return Context(submission, runtime, names=runtime.names())


def sgd_check(runtime: StudentRuntime, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, list[float]]:
    """The check's status and message, and the error it measured after each epoch it ran."""
    errors: list[float] = []
    measure = public.training_error

    def spy(X: np.ndarray, Y: np.ndarray, params: list) -> float:
        errors.append(measure(X, Y, params))
        return errors[-1]

    monkeypatch.setattr(public, "training_error", spy)
    outcome = run_check(load_assignment("a2").checks["gradient_nn.sgd_converges"], context(runtime))
    return outcome.status, outcome.message, errors


def test_a_correct_gradient_passes_after_the_first_epoch(runtimes, monkeypatch):
    status, _, errors = sgd_check(runtimes["correct"], monkeypatch)
    assert status == "passed"
    assert len(errors) == 1 and errors[0] <= public.SGD_MAX_ERROR


def test_a_gradient_that_gets_under_the_bar_late_still_passes(runtimes, monkeypatch):
    status, _, errors = sgd_check(runtimes["slow"], monkeypatch)
    assert status == "passed"
    assert len(errors) == 4 and min(errors[:3]) > public.SGD_MAX_ERROR >= errors[3]


def test_a_wrong_gradient_runs_every_epoch_and_fails(runtimes, monkeypatch):
    status, message, errors = sgd_check(runtimes["ascent"], monkeypatch)
    assert status == "failed"
    assert len(errors) == public.SGD_EPOCHS
    assert message == f"after 5 epochs of SGD with your gradient, the training error is {errors[-1]:.1f}%"


def test_a_nan_parameter_fails_at_once_with_the_error_the_last_epoch_would_have(runtimes, monkeypatch):
    status, message, errors = sgd_check(runtimes["nan"], monkeypatch)
    assert status == "failed"
    assert errors == [100.0]
    assert message == "after 5 epochs of SGD with your gradient, the training error is 100.0%"


#: The check's SGD as it was, every epoch in one call.
ONE_RUN = """
def one_run_sgd(X, Y, h, lr, epochs, seed):
    import numpy
    rng = numpy.random.default_rng(int(seed))
    Wi = rng.standard_normal((X.shape[1], int(h)))
    bi = numpy.zeros(int(h)); Wo = numpy.zeros(int(h)); bo = 0.0
    for i in rng.integers(len(X), size=int(epochs) * len(X)):
        gWi, gbi, gWo, gbo = gradient_nn(X[i], Y[i], Wi, bi, Wo, bo)
        Wi = Wi - lr * numpy.asarray(gWi, dtype=float).reshape(Wi.shape)
        bi = bi - lr * numpy.asarray(gbi, dtype=float).reshape(bi.shape)
        Wo = Wo - lr * numpy.asarray(gWo, dtype=float).reshape(Wo.shape)
        bo = bo - lr * float(numpy.ravel(gbo)[0])
    return [Wi, bi, Wo, bo]
"""


def test_the_epochs_chained_give_the_parameters_of_one_run(runtimes):
    """Epoch by epoch, bit for bit what one run of every epoch gives in the same runtime."""
    X, Y, _, _ = double_moon_arrays()
    h, lr, epochs, seed = 7, 0.02, 3, 5
    ctx = context(runtimes["correct"])
    ctx.define(public._SGD_SOURCE + ONE_RUN)
    params = None
    for epoch in range(epochs):
        params = ctx.call("_grader_sgd", X, Y, h, lr, epochs, seed, epoch, params)
    one_run = ctx.call("one_run_sgd", X, Y, h, lr, epochs, seed)
    ctx.fresh()
    assert params is not None
    for got, want in zip(params, one_run):
        assert np.array_equal(got, want)


FORWARD = inspect.getsource(reference.sigm) + "\n\n" + inspect.getsource(reference.nnet_forward_logloss)
NO_RETURN = realform.TRAIN_LOOP.replace("    return tr_error, val_error\n", "")


class CountingReference:
    """The reference's gradient_nn, counting the calls the grader answers with it."""

    def __init__(self) -> None:
        self.calls = 0

    def gradient_nn(self, *args: object, **kwargs: object) -> object:
        self.calls += 1
        return reference.gradient_nn(*args, **kwargs)


def train_loop_check(loop: str) -> tuple[str, str, int]:
    """The check's status and message with a wrong (ascent) gradient, and the reference's calls."""
    code = statements_from_code("import numpy as np", TRUE_GRADIENT, FORWARD, GRADIENTS["ascent"], loop)
    counting = CountingReference()
    with StudentRuntime(code) as runtime:
        ctx = context(runtime)
        ctx.reference = counting  # type: ignore[assignment]  # the part of the reference the check uses
        outcome = run_check(load_assignment("a2").checks["train_loop.converges"], ctx)
    return outcome.status, outcome.message, counting.calls


def test_the_isolated_run_answers_every_step_in_the_students_process():
    status, message, calls = train_loop_check(realform.TRAIN_LOOP)
    assert status == "passed"
    # the ascent gradient's steps are no true gradient's: the loop is judged with a correct one
    assert message.startswith("passes with correct `gradient_nn`; as submitted: train_loop's step 1 used a gradient")
    # the probe, then the sampled steps each run checks in the grader: none of the loop's
    # 5,000 steps was a round trip
    assert calls <= 1 + 2 * (2 * public.TRACE_SAMPLE + 2)


def test_a_loop_that_fails_otherwise_fails_with_a_correct_gradient_too():
    status, message, calls = train_loop_check(NO_RETURN)
    assert status == "failed"
    assert message == "train_loop should return (tr_error, val_error)"
    assert calls == 1


def test_the_numerical_gradient_the_isolated_run_defines_is_the_public_one(runtimes):
    """What the student's process runs is the function the public checks use in the grader."""
    ctx = context(runtimes["correct"])
    ctx.define(public.numerical_gradient_source())
    rng = np.random.default_rng(5)
    args = (rng.standard_normal(2), 1.0, rng.standard_normal((2, 7)), rng.standard_normal(7), rng.standard_normal(7), 0.0)
    got = ctx.call("_grader_numerical_gradient", *args)
    ctx.fresh()
    for g, want in zip(got, public.handout_numerical_gradient(*args)):
        assert np.array_equal(g, want)
