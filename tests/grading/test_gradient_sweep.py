"""The four gradient_nn.grad_* checks share one sweep of drawn examples and keep their verdicts."""

import numpy as np
import pytest

import reference
from grader.assignment import load_assignment
from grader.checks import Context, run_check
from grader.checks.context import CHECK_SETTINGS
from grader.notebook.model import Submission
from grader.runtime import CallResult, StudentError

GRADIENT_CHECKS = (
    "gradient_nn.grad_Wi",
    "gradient_nn.grad_bi",
    "gradient_nn.grad_Wo",
    "gradient_nn.grad_bo",
)


class GradientRuntime:
    """Answers gradient_nn with the reference's gradients, ``wrong`` of them pushed off."""

    def __init__(self, wrong=(), error=False):
        self.wrong, self.error, self.calls = set(wrong), error, 0

    def call(self, target, *args, timeout=None, **kwargs):
        self.calls += 1
        if self.error:
            return CallResult("error", error=StudentError("ValueError", "bad", ()))
        grads = [np.array(g, dtype=float) for g in reference.gradient_nn(*args, **kwargs)]
        for k in self.wrong:
            grads[k] = grads[k] + 0.5
        return CallResult("ok", value=grads)

    def define(self, source, values):
        return CallResult("ok")

    def reset(self):
        pass


@pytest.fixture(scope="module")
def checks():
    assignment = load_assignment("a2")
    return [assignment.checks[name] for name in GRADIENT_CHECKS]


def grade(checks, runtime, monkeypatch) -> tuple[list[str], int]:
    """The four statuses, and how many property runs (one per sweep or check that drew)."""
    ctx = Context(
        Submission(path=None, identity=None, cells=("x",)),
        runtime,
        reference,
        names={"gradient_nn": "function"},
    )
    drawn = []
    forall = Context.forall
    monkeypatch.setattr(
        Context, "forall", lambda self, *a, **k: (drawn.append(1), forall(self, *a, **k))[1]
    )
    return [run_check(spec, ctx).status for spec in checks], len(drawn)


def test_a_correct_gradient_is_drawn_for_once_and_passes_all_four(checks, monkeypatch):
    runtime = GradientRuntime()
    statuses, draws = grade(checks, runtime, monkeypatch)
    assert statuses == ["passed"] * 4
    assert draws == 1
    # one call per drawn example for the four checks together (examples the strategy rejects
    # make no call), never one round of examples per check
    assert 0 < runtime.calls <= CHECK_SETTINGS.max_examples


def test_one_wrong_gradient_fails_its_own_check_only(checks, monkeypatch):
    statuses, draws = grade(checks, GradientRuntime(wrong={3}), monkeypatch)
    assert statuses == ["passed", "passed", "passed", "failed"]
    assert draws == 2  # the sweep, then grad_bo's own search for its smallest failure


def test_every_gradient_wrong_fails_all_four(checks, monkeypatch):
    statuses, _ = grade(checks, GradientRuntime(wrong={0, 1, 2, 3}), monkeypatch)
    assert statuses == ["failed"] * 4


def test_a_gradient_that_raises_is_reported_by_each_check(checks, monkeypatch):
    statuses, _ = grade(checks, GradientRuntime(error=True), monkeypatch)
    assert statuses == ["error"] * 4
