"""Judging the math, not the handout's edges (``grader.checks.fairness`` and the runner's re-runs).

- The handout's clamped ``sigm``: every student-style gradient form is the reference's once the
  sigmoid is exact, in the very region where the clamp breaks one of them; a wrong form stays
  wrong. So the exact re-run clears exactly the forms it should.
- Argument forms: a single-number argument is rewritten into a form the notebook uses, with
  its value kept, and nothing else is touched.
- The runner: the exact re-run only for wrong values of a helper the notebook defines, with
  a diagnosis a rubric may deduct for; the forms re-run only where forms were learnt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.assignments.a2 import strategies
from grader.assignments.a2.public import GRADIENT_ATOL, HANDOUT_SIGM
from grader.checks import CheckFailed, CheckOutcome, CheckSet, run_check
from grader.checks.compare import expect_close
from grader.checks.fairness import SCALAR_FORMS, CallForms, scalar_form
from grader.grading.scoring import score_tasks
from grader.model.results import Status
from grader.model.rubric import CheckPoints, Rubric, RubricError, TaskRubric
from reference import part1
from tests.support.students import variants as V


def _handout_sigm(x: Any) -> Any:
    return np.where(x > -20, 1.0 / (1.0 + np.exp(-x)), 0.0)


def _gradient(source: str, sigm: Any) -> Any:
    namespace: dict[str, Any] = {"np": np, "sigm": sigm}
    exec(source, namespace)  # noqa: S102 - the tests' own variants
    return namespace["gradient_nn"]



def _defined(source: str, name: str) -> Any:
    """``name`` as ``source`` defines it: the very code the re-run runs in the student's process."""
    namespace: dict[str, Any] = {}
    exec(source, namespace)  # noqa: S102 - the pack's own public source
    return namespace[name]


exact_sigmoid = _defined(HANDOUT_SIGM.source, HANDOUT_SIGM.name)

#: gradient_nn as students write it, each right in exact arithmetic.
CORRECT_FORMS = {
    "exp times sigm": V.GRAD_EXP_TIMES_SIGM,
    "-Y sigm(-Y Yo)": V.STYLE_GRADIENT,
    "cross-entropy": V.GRAD_CROSS_ENTROPY,
    "exp written out": V.GRAD_OUTER,
    "loops": V.GRAD_LOOPS,
    "einsum": V.GRAD_EINSUM,
    "renamed parameters": V.GRAD_RENAMED_PARAMETERS,
}
WRONG_FORMS = {
    "exp times sigm, no ReLU mask": V.BUG_EXP_TIMES_SIGM_NO_MASK,
    "-Y sigm(-Yo)": V.BUG_SIGMOID_ARGUMENT,
    "bo sign": V.BUG_BO_SIGN,
}


@st.composite
def clamp_region(draw: st.DrawFn) -> dict:
    """A network example moved into the region where the handout's sigm clamps: Y·Yo < −20
    (and above −700, where the handout's own loss is still finite)."""
    example = draw(strategies.network_example(hidden=(1, 20)))
    target = draw(st.floats(-strategies.MAX_OUTPUT + 1, -20.5))
    H = np.maximum(example["X"] @ example["Wi"] + example["bi"], 0)
    bo = target / example["Y"] - H @ example["Wo"]
    example["bo"] = np.array([bo]) if isinstance(example["bo"], np.ndarray) else float(bo)
    return example


def _agrees(function: Any, example: dict) -> bool:
    got = function(*(example[p] for p in ("X", "Y", "Wi", "bi", "Wo", "bo")))
    try:
        for g, want, name in zip(got, part1.gradient_nn(**example), "abcd"):
            expect_close(g, want, what=name, inputs=example, atol=GRADIENT_ATOL)
    except CheckFailed:
        return False
    return True


@settings(max_examples=60, deadline=None)
@given(clamp_region(), st.sampled_from(sorted(CORRECT_FORMS)))
def test_every_correct_form_is_the_reference_with_an_exact_sigmoid(example, form):
    with np.errstate(all="ignore"):
        assert _agrees(_gradient(CORRECT_FORMS[form], exact_sigmoid), example), form


@settings(max_examples=30, deadline=None)
@given(clamp_region())
def test_the_clamp_alone_breaks_the_exp_times_sigm_form(example):
    """Why the re-run is needed: the same form with the handout's sigm is wrong there."""
    with np.errstate(all="ignore"):
        assert not _agrees(_gradient(V.GRAD_EXP_TIMES_SIGM, _handout_sigm), example)


def _clamped_examples(n: int) -> list[dict]:
    """Seeded examples with Y·Yo from −25 to −600, both labels, some units off."""
    rng = np.random.default_rng(7)
    examples = []
    for k in range(n):
        X, Wi, bi, Wo = rng.normal(size=2), rng.normal(size=(2, 5)), rng.normal(size=5), rng.normal(size=5)
        Y = (-1.0, 1.0)[k % 2]
        H = np.maximum(X @ Wi + bi, 0)
        target = -rng.uniform(25, 600)
        examples.append({"X": X, "Y": Y, "Wi": Wi, "bi": bi, "Wo": Wo, "bo": float(target / Y - H @ Wo)})
    return examples


@pytest.mark.parametrize("form", sorted(WRONG_FORMS))
def test_an_exact_sigmoid_clears_no_wrong_form(form):
    wrong = _gradient(WRONG_FORMS[form], exact_sigmoid)
    with np.errstate(all="ignore"):
        agreeing = [_agrees(wrong, example) for example in _clamped_examples(20)]
    assert not all(agreeing), form


def test_the_exact_sigmoid_is_exact_where_the_handout_clamps():
    x = np.array([-745.0, -700.0, -30.0, -20.0, 0.0, 30.0, 700.0])
    expected = np.array([np.exp(-745.0), np.exp(-700.0) / (1 + np.exp(-700.0)), np.exp(-30) / (1 + np.exp(-30)),
                         np.exp(-20) / (1 + np.exp(-20)), 0.5, 1 / (1 + np.exp(-30)), 1.0])  # fmt: skip
    assert np.allclose(exact_sigmoid(x), expected, rtol=1e-12, atol=0)
    assert exact_sigmoid(-30.0) > 0 and _handout_sigm(-30.0) == 0
    # what the handout's returns, for a number and for an array: only the clamp differs
    for value in (-30.0, 3.0, np.array([-30.0, 0.5]), np.array([[1.0], [-2.0]])):
        exact, handout = exact_sigmoid(value), _handout_sigm(value)
        assert type(exact) is type(handout) and np.shape(exact) == np.shape(handout)


# ---------------------------------------------------------------- argument forms


@given(st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from(sorted(SCALAR_FORMS)), st.sampled_from(sorted(SCALAR_FORMS)))
def test_a_single_number_keeps_its_value_in_any_form(value, first, second):
    start = SCALAR_FORMS[first](value)
    assert scalar_form(start) == first
    moved = SCALAR_FORMS[second](start)
    assert scalar_form(moved) == second
    assert float(np.ravel(moved)[0]) == value


def test_conform_rewrites_only_forms_the_notebook_never_uses():
    forms = CallForms("f", ("X", "Y", "bo"), callers=())
    convert = forms.conform([{"Y": "number", "bo": "shape (1,)"}])
    X = np.arange(2.0)
    got = convert((X, -1.0, 0.5))
    assert got[0] is X and got[1] == -1.0
    assert isinstance(got[2], np.ndarray) and got[2].shape == (1,) and got[2][0] == 0.5
    kept = np.array([0.25])
    assert convert((X, 1.0, kept))[2] is kept  # already the notebook's form
    assert convert((X, 1.0, 0.5))[1] == 1.0 and scalar_form(convert((X, 1.0, 0.5))[1]) == "number"
    assert forms.conform([])((X, 1.0, 0.5)) == (X, 1.0, 0.5)  # nothing learnt: nothing changed


# ---------------------------------------------------------------- the runner's re-runs


@dataclass
class StandIn:
    """The part of ``Context`` the runner touches, with a sigm the check can see bound."""

    defined: tuple[str, ...] = ("sigm",)
    reference: object | None = None
    submission: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(cells=["x = 1"]))
    runtime: None = None
    notes: list[str] = field(default_factory=list)
    defines: dict[str, Any] = field(default_factory=dict)
    shared: dict = field(default_factory=dict)
    conform: dict = field(default_factory=dict)
    rewritten: frozenset = frozenset()
    _fatal: object = None
    _defines: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.defined

    def define(self, source: str) -> None:
        exec(source, self.defines)  # noqa: S102 - the pack's own public source


def _spec(behaviour: str):
    """A check that fails as submitted in the way ``behaviour`` says, and passes once sigm is exact."""
    checks = CheckSet()

    @checks.check("1.2", "c", exact=(HANDOUT_SIGM,), uses_reference=False, runtime=False)
    def c(ctx) -> None:
        if "sigm" in ctx.defines:
            value = ctx.defines["sigm"](-30.0)
            assert value > 0
            return
        if behaviour == "wrong":
            raise CheckFailed("grad_s_bo is wrong (largest difference 1)")
        raise RuntimeError("the student's code raised")  # stands for an error outcome

    return checks["c"]


def test_wrong_values_that_an_exact_helper_clears_pass_with_its_diagnosis():
    outcome = run_check(_spec("wrong"), StandIn())
    assert outcome.status == Status.PASSED
    assert "exact `sigm`" in outcome.message and "grad_s_bo is wrong" in outcome.message
    assert [d.code for d in outcome.diagnoses] == [HANDOUT_SIGM.code]


def test_no_exact_rerun_for_an_error_or_a_helper_the_notebook_lacks():
    assert run_check(_spec("error"), StandIn()).status == Status.ERROR
    lacking = run_check(_spec("wrong"), StandIn(defined=()))
    assert lacking.status == Status.FAILED and lacking.diagnoses == ()


def _task(deduct: tuple = ()) -> Rubric:
    return Rubric("A", "", (TaskRubric("1.2", "t", "code", (CheckPoints("c", 3.0, "hidden", deduct=deduct),)),))


@pytest.mark.parametrize(("deduct", "score", "status"), [((), 3.0, Status.PASSED), (((HANDOUT_SIGM.code, 1.0),), 2.0, Status.PARTIAL)])
def test_the_rubric_decides_what_the_weakness_costs(deduct, score, status):
    outcome = run_check(_spec("wrong"), StandIn())
    (task,) = score_tasks(_task(deduct), {"c": outcome})
    assert (task.score, task.checks[0].status) == (score, status)


def test_a_rubric_cannot_deduct_for_what_a_check_never_diagnoses():
    checks = CheckSet()
    checks.check("1.2", "c", uses_reference=False)(lambda ctx: None)
    with pytest.raises(RubricError, match="never diagnoses"):
        checks.validate(_task(((HANDOUT_SIGM.code, 1.0),)))
    plain = CheckOutcome(Status.PASSED)
    (task,) = score_tasks(_task(((HANDOUT_SIGM.code, 1.0),)), {"c": plain})
    assert task.score == 3.0  # a plain pass loses nothing


# ---------------------------------------------------------------- rewritten helpers


def test_a_rewritten_helper_is_told_from_the_handouts_own():
    import inspect

    from grader.checks.fairness import rewritten_helpers
    from grader.source import build_program
    from reference import handout

    same = '"""a docstring of their own"""\n' + inspect.getsource(handout.sigm).replace("# Returns", "# returns")
    same = same.replace("def sigm(x):\n", 'def sigm(x):\n    """sigmoid"""\n')
    changed = "def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):\n    return 0, 0, 0\n"
    program = build_program([same, changed, "import numpy as np"])
    names = ("sigm", "nnet_forward_logloss", "sumelement_vector")  # the last one not defined
    assert rewritten_helpers(program, "reference.handout", names) == {"nnet_forward_logloss"}
    assert rewritten_helpers(program, None, names) == frozenset()  # the student's side
