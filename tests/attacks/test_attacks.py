"""Attacks a determined student could try to raise a score, each against its honest twin.

Every attack notebook is the honest real-form notebook (``realform``) with one piece
replaced; its twin replaces the same piece with the honest version of the broken work the
attack tries to hide. The attack must never score more than its twin, the checks it aims
at must not pass, and grading leaves nothing behind (no private folder in the temporary
directory, nothing beside the notebooks or outside the output folder).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.assignment import Assignment, load_assignment
from grader.cli import EXIT_NEEDS_PERSON, exit_status
from grader.frontends.batch import grade_all
from grader.grading.pipeline import grade_notebook
from grader.model.results import Report
from grader.notebook import load_submission
from tests.support import realform
from tests.support.students import variants as V

# Text of the reference's gradient_nn and helpers that no student process may ever compile.
REFERENCE_MARKERS = ("sigma_minus_t", "Gradient of the loss of one example", "Copy of the vector X", "without overflow")


@pytest.fixture(scope="module")
def a2() -> Assignment:
    return load_assignment("a2")


@pytest.fixture(autouse=True)
def private_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every private folder the runtime makes during the test (other tests may grade at the
    same time, so the temporary directory itself says nothing): none may be left afterwards."""
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp

    def recording(*args: Any, **kwargs: Any) -> str:
        path = mkdtemp(*args, **kwargs)
        made.append(path)
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", recording)
    yield made
    assert not [p for p in made if os.path.basename(p).startswith("student-") and os.path.exists(p)]


def only(assignment: Assignment, aims: tuple[str, ...]) -> Assignment:
    """The assignment with the checks of the tasks or the checks named in ``aims`` only: an
    attack is graded on what it aims at (and checks that need no runtime start none)."""
    tasks = []
    for task in assignment.rubric.tasks:
        checks = tuple(c for c in task.checks if task.id in aims or c.name in aims)
        if checks:
            tasks.append(replace(task, checks=checks))
    return replace(assignment, rubric=replace(assignment.rubric, tasks=tuple(tasks)))


@pytest.fixture
def grade(a2: Assignment, tmp_path: Path) -> Callable[..., Report]:
    """Grade a real-form notebook built from ``pieces`` on the checks ``aims`` names (see ``only``)."""

    def run(name: str, aims: tuple[str, ...], **pieces: Any) -> Report:
        path = realform.write_part1(tmp_path / f"A2_{name.upper()}_Jane.ipynb", **pieces)
        return grade_notebook(path, only(a2, aims))

    return run


def status(report: Report, check: str) -> str:
    return next(c.status for t in report.tasks for c in t.checks if c.name == check)


def message(report: Report, check: str) -> str:
    return next(c.message for t in report.tasks for c in t.checks if c.name == check)


def task_score(report: Report, task: str) -> float:
    return next(t.score for t in report.tasks if t.id == task)


# -- 1: gradcheck cannot tell the grader's gradients from each other -------------------------

ALWAYS_TRUE = "def gradcheck():\n    return True\n"

GRADCHECK_CHEATS = {
    "faulty-name": 'def gradcheck():\n    return "__grader_faulty" not in globals()\n',
    "grader-names": (
        "def gradcheck():\n"
        "    return not any('grader' in name.lower() or name.startswith('_g') for name in globals())\n"
    ),
    "unknown-globals": (
        "def gradcheck():\n"
        "    mine = {'__name__', '__builtins__', 'np', 'plt', 'torch', 'nn', 'gradient_nn', 'sigm',\n"
        "            'nnet_forward_logloss', 'sumelement_matrix', 'sumelement_vector', 'gradient_nn_numerical',\n"
        "            'gradcheck', 'decision_boundary_nnet', 'train_loop', 'h', 'lrate'}\n"
        "    return set(globals()) <= mine\n"
    ),
    "inspect-gradient": (
        "def gradcheck():\n"
        "    f = gradient_nn\n"
        "    cells = [c.cell_contents for c in (f.__closure__ or ())]\n"
        "    text = repr(cells) + repr(f.__code__.co_consts) + repr(f.__code__.co_names) + repr(f.__defaults__)\n"
        "    return '0.1' not in text and 'faulty' not in text and 'numerical' not in text\n"
    ),
    # the isolated re-run stubs gradient_nn_numerical too: two stubs of one factory shared a code object
    "code-identity": "def gradcheck():\n    return gradient_nn.__code__ is gradient_nn_numerical.__code__\n",
    # ...and a stub is no plain function of the notebook: a closure, another file
    "numerical-is-stub": (
        "def gradcheck():\n"
        "    f = gradient_nn_numerical\n"
        "    return bool(f.__closure__) or f.__code__.co_filename != gradient_nn_numerical.__globals__.get('__file__', f.__code__.co_filename)\n"
    ),
    # a wrong argument count: each stub's own refusal said which one it was
    "arity-error-text": (
        "def gradcheck():\n"
        "    try:\n"
        "        gradient_nn(np.ones(2), 1, np.ones((2, 3)), np.ones(3), np.ones(3))\n"
        "    except TypeError as error:\n"
        "        return 'missing' in str(error)\n"
        "    return True\n"
    ),
    "extra-argument": (
        "def gradcheck():\n"
        "    try:\n"
        "        gradient_nn(np.ones(2), 1, np.ones((2, 3)), np.ones(3), np.ones(3), np.ones(1), 7)\n"
        "    except TypeError:\n"
        "        return True\n"
        "    return False\n"
    ),
    # the type of what comes back (a float or a 0-d array for a float bo)
    "answer-types": (
        "def gradcheck():\n"
        "    got = gradient_nn(np.ones(2), 1, np.ones((2, 3)), np.ones(3), np.ones(3), 0.5)\n"
        "    return type(got[3]).__name__ + str(np.shape(got[3])) == 'float64()'\n"
    ),
    # how an answer's time grows with the network: the reference's gradient is linear in its
    # size, central differences quadratic (a faulty stub took 500 times as long at 30x100)
    "timing": (
        "def gradcheck():\n"
        "    import time\n"
        "    def cost(d, h):\n"
        "        args = (np.ones(d), 1, np.full((d, h), 0.01), np.zeros(h), np.full(h, 0.01), np.zeros(1))\n"
        "        best = float('inf')\n"
        "        for _ in range(5):\n"
        "            start = time.perf_counter()\n"
        "            gradient_nn(*args)\n"
        "            best = min(best, time.perf_counter() - start)\n"
        "        return best\n"
        "    return cost(30, 100) < 4 * cost(2, 3)\n"
    ),
    # what the correct stub refuses and a wrong one answers: a batch of examples (the reference's
    # gradient is of one example, the handout's central differences of a summed loss)
    "batch-refused": (
        "def gradcheck():\n"
        "    try:\n"
        "        gradient_nn(np.ones((2, 2)), np.ones(2), np.ones((2, 3)), np.ones(3), np.ones(3), np.ones(1))\n"
        "    except Exception:\n"
        "        return True\n"
        "    return False\n"
    ),
    # whether asking gradient_nn runs the student's own numerical gradient: the same for both
    "numerical-called": (
        "def gradcheck():\n"
        "    import sys\n"
        "    seen = []\n"
        "    def watch(frame, event, arg):\n"
        "        if event == 'call' and frame.f_code.co_name == 'gradient_nn_numerical':\n"
        "            seen.append(1)\n"
        "    sys.setprofile(watch)\n"
        "    try:\n"
        "        gradient_nn(np.ones(2), 1, np.ones((2, 3)), np.ones(3), np.ones(3), np.ones(1))\n"
        "    finally:\n"
        "        sys.setprofile(None)\n"
        "    return not seen\n"
    ),
}


@pytest.fixture(scope="module")
def always_true(a2: Assignment, tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = realform.write_part1(tmp_path_factory.mktemp("twin") / "A2_TWIN_Jane.ipynb", gradcheck=ALWAYS_TRUE)
    return grade_notebook(path, only(a2, ("1.4",)))


@pytest.mark.parametrize("cheat", sorted(GRADCHECK_CHEATS))
def test_gradcheck_cannot_recognise_the_grader(grade, always_true: Report, cheat: str) -> None:
    report = grade(cheat.replace("-", ""), ("1.4",), gradcheck=GRADCHECK_CHEATS[cheat])
    assert status(always_true, "gradcheck.rejects_faulty") == "failed"
    verdicts = {status(report, c) for c in ("gradcheck.rejects_faulty", "gradcheck.accepts_correct")}
    assert verdicts != {"passed"}  # a gradcheck that checks nothing cannot earn both
    assert task_score(report, "1.4") <= task_score(always_true, "1.4")
    assert report.score <= always_true.score


# An audit hook installed in a class body runs in the builder and every worker: it records
# every source compiled in the student's processes, and gradcheck hands what it saw back as
# its verdict (which the report then shows). sumelement_vector is broken, so the checks of
# 1.4 are re-run with the helpers answered by the reference (the isolate= path) too.
SPY = '''
class _Spy:
    import sys

    def _hook(event, args):
        if event == "compile" and args and isinstance(args[0], (str, bytes)):
            text = args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace")
            with open("seen.txt", "a") as f:
                f.write(text + "\\n")

    sys.addaudithook(_hook)
'''
LEAKING_GRADCHECK = realform.GRADCHECK.replace(
    "def gradcheck():\n",
    "def gradcheck():\n"
    "    import os\n"
    "    seen = open('seen.txt').read() if os.path.exists('seen.txt') else ''\n"
    # the markers written backwards: the notebook's own source (which the hook sees too) has none
    f"    if any(m[::-1] in seen for m in {tuple(m[::-1] for m in REFERENCE_MARKERS)!r}):\n"
    "        return 'LEAK ' + seen[seen.find('def '):]\n",
)
BROKEN_SUMELEMENT_VECTOR = realform.PROVIDED.replace("Y[i] = X[i] + element", "Y[i] = X[i]")


def test_no_reference_code_enters_a_student_process(grade, tmp_path: Path) -> None:
    report = grade("spy", ("1.4",), prelude=SPY, gradcheck=LEAKING_GRADCHECK, provided=BROKEN_SUMELEMENT_VECTOR)
    text = json.dumps(report.to_dict())
    assert not [m for m in REFERENCE_MARKERS if m in text]
    assert "LEAK" not in text
    # the hook ran and gradcheck ran, as submitted and with the reference's helpers
    assert status(report, "gradcheck.accepts_correct") == "passed"
    assert status(report, "gradient_nn_numerical.known_values") == "passed"
    assert "passes with correct" in message(report, "gradient_nn_numerical.known_values")


def test_a_gradcheck_given_its_verdict_by_the_notebook_earns_no_more_than_true(grade) -> None:
    """A check calls a gradcheck with parameters of its own as the notebook does: a verdict the
    notebook passes it is then the same for every gradient, like ``return True``."""
    aims = ("gradcheck.accepts_correct", "gradcheck.rejects_faulty")
    told = grade("told", aims, gradcheck="def gradcheck(verdict):\n    return verdict\n", gradcheck_call="gradcheck(True)")
    always = grade("always", aims, gradcheck=ALWAYS_TRUE)
    assert status(told, "gradcheck.accepts_correct") == "passed"  # called as the notebook calls it
    assert status(told, "gradcheck.rejects_faulty") != "passed"
    assert told.score <= always.score


# -- 1a: public known values cannot be tabulated in front of a wrong function ------------------

WRONG_GRADIENT = realform.GRADIENT_NN.replace("grad_s_bo = dYo", "grad_s_bo = -dYo")


def _lookup_table(function: str, name: str) -> str:
    """``function`` (source defining ``name``) behind a table of the public known values."""
    from grader.assignments.a2 import known_values

    table = [([np.asarray(v).tolist() for v in example.values()], [np.asarray(g).tolist() for g in grads])
             for example, grads in known_values.load()]
    wrong = function.replace(f"def {name}(", "def _wrong(")
    return (
        f"{wrong}\n_KNOWN = {table!r}\n\n"
        f"def {name}(X, Y, Wi, bi, Wo, bo):\n"
        "    for inputs, grads in _KNOWN:\n"
        "        if all(np.shape(a) == np.shape(b) and np.allclose(a, b) for a, b in zip((X, Y, Wi, bi, Wo, bo), inputs)):\n"
        "            return tuple(np.array(g) for g in grads)\n"
        "    return _wrong(X, Y, Wi, bi, Wo, bo)\n"
    )


def test_tabulated_known_values_earn_nothing(grade) -> None:
    aims = ("gradient_nn.known_values",)
    cheat = grade("table", aims, gradient_nn=_lookup_table(WRONG_GRADIENT, "gradient_nn"))
    twin = grade("wrong", aims, gradient_nn=WRONG_GRADIENT)
    assert status(cheat, "gradient_nn.known_values") == "failed"
    assert cheat.score <= twin.score
    aims = ("gradient_nn_numerical.known_values",)
    cheat = grade("numtable", aims, numerical=_lookup_table(NUMERICAL_UNDONE, "gradient_nn_numerical"))
    twin = grade("numundone", aims, numerical=NUMERICAL_UNDONE)
    assert status(cheat, "gradient_nn_numerical.known_values") != "passed"  # the moved inputs reach the undone one
    assert cheat.score <= twin.score


# -- 1b: a numerical gradient is judged on the loss it differentiates ------------------------------

NUMERICAL_COPIES_GRADIENT = "def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):\n    return gradient_nn(X, Y, Wi, bi, Wo, bo)\n"
NUMERICAL_UNDONE = "def gradient_nn_numerical(X, Y, Wi, bi, Wo, bo):\n    raise NotImplementedError\n"


def test_a_numerical_gradient_that_returns_gradient_nn_earns_nothing(grade) -> None:
    aims = ("gradient_nn_numerical.known_values", "gradient_nn_numerical.matches_reference")
    cheat = grade("copies", aims, numerical=NUMERICAL_COPIES_GRADIENT)
    twin = grade("undone", aims, numerical=NUMERICAL_UNDONE)
    assert {status(cheat, c) for c in aims} == {"failed"}
    assert "follows gradient_nn, not the loss" in message(cheat, "gradient_nn_numerical.known_values")
    assert cheat.score <= twin.score
    honest = grade("honest", aims)  # the handout's central differences pass both
    assert {status(honest, c) for c in aims} == {"passed"}


# -- 1d: task 1.2 is the chain rule's, not a difference quotient of the loss --------------------

MISSING_GRADIENT = "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    raise NotImplementedError\n"
DIFFERENCED = {
    # the handout's numerical gradient handed in as the analytical one
    "calls-numerical": "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return gradient_nn_numerical(X, Y, Wi, bi, Wo, bo)\n",
    # ...or its central differences copied into gradient_nn
    "copied-differences": realform.NUMERICAL.replace("def gradient_nn_numerical(", "def gradient_nn(", 1),
}
#: Chain rules that read the forward pass through the provided function, the loss value included
#: (σ(Y·Yo) = exp(−s), so ∂s/∂Yo = −Y·(1 − exp(−s))): the gate must not take them for differences.
FORWARD_READING = {
    "reads-loss": realform.GRADIENT_NN.replace(
        "    dYo = -Y * sigm(-Y * Yo)\n",
        "    _, _, loss = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)\n    dYo = -Y * (1 - np.exp(-loss))\n",
    ),
    "reads-output": realform.GRADIENT_NN.replace(
        "    Yo = np.dot(H, Wo) + bo\n    dYo = -Y * sigm(-Y * Yo)\n",
        "    Po, Yo, _ = nnet_forward_logloss(X, Y, Wi, bi, Wo, bo)\n    dYo = -Y * sigm(-Y * Yo)\n",
    ),
}


@pytest.mark.parametrize("cheat", sorted(DIFFERENCED))
def test_a_numerical_gradient_earns_nothing_in_task_1_2(grade, cheat: str) -> None:
    twin = grade("missing", ("1.2",), gradient_nn=MISSING_GRADIENT)
    report = grade(cheat.replace("-", ""), ("1.2",), gradient_nn=DIFFERENCED[cheat])
    assert status(report, "gradient_nn.chain_rule") == "failed", message(report, "gradient_nn.chain_rule")
    assert "not the chain rule" in message(report, "gradient_nn.chain_rule")
    assert task_score(report, "1.2") <= task_score(twin, "1.2") == 0


@pytest.mark.parametrize("variant", sorted(FORWARD_READING))
def test_a_chain_rule_that_reads_the_forward_pass_keeps_task_1_2(grade, a2: Assignment, variant: str) -> None:
    assert FORWARD_READING[variant] != realform.GRADIENT_NN
    report = grade(variant.replace("-", ""), ("1.2",), gradient_nn=FORWARD_READING[variant])
    assert status(report, "gradient_nn.chain_rule") == "passed"
    assert task_score(report, "1.2") == a2.rubric.task("1.2").max_score


def test_an_exact_derivative_handed_in_as_the_numerical_gradient_earns_nothing_in_1_4(grade) -> None:
    """The chain rule copied into gradient_nn_numerical calls no gradient_nn (``follows_the_loss``
    cannot see it) and passes every comparison of values: only its exactness gives it away."""
    chain_rule = realform.GRADIENT_NN.replace("def gradient_nn(", "def gradient_nn_numerical(", 1)
    cheat = grade("exact", ("1.4",), numerical=chain_rule)
    twin = grade("undone", ("1.4",), numerical=NUMERICAL_UNDONE)
    assert status(cheat, "gradient_nn_numerical.differences") == "failed"
    assert task_score(cheat, "1.4") <= task_score(twin, "1.4")
    honest = grade("honest", ("1.4",))  # the handout's central differences: the gate stays open
    assert status(honest, "gradient_nn_numerical.differences") == "passed"
    assert task_score(honest, "1.4") > task_score(twin, "1.4")


def test_a_relu_mask_for_the_all_off_case_alone_earns_nothing(grade) -> None:
    """inactive_units turns some units off and others on: a gradient that zeroes everything when
    every unit is off, and forgets the mask otherwise, is the maskless gradient it is."""
    no_mask = realform.GRADIENT_NN.replace("grad_s_bi = dYo * Wo * (h1 > 0)", "grad_s_bi = dYo * Wo")
    special = no_mask.replace(
        "    return grad_s_Wi",
        "    if np.all(h1 <= 0):\n        return 0 * grad_s_Wi, 0 * grad_s_bi, 0 * grad_s_Wo, grad_s_bo\n    return grad_s_Wi",
    )
    assert no_mask != realform.GRADIENT_NN and special != no_mask
    aims = ("gradient_nn.inactive_units",)
    cheat, twin = grade("allofffix", aims, gradient_nn=special), grade("nomask", aims, gradient_nn=no_mask)
    assert status(cheat, "gradient_nn.inactive_units") == status(twin, "gradient_nn.inactive_units") == "failed"
    assert status(grade("honest", aims), "gradient_nn.inactive_units") == "passed"


# -- 1c: a ConvNet is counted by what its forward pass uses ----------------------------------------

NARROW_CONVNET = V.CONVNET_64_MAPS
#: ...describing itself with the handout's shapes: fake parameters nothing computes with
SELF_DESCRIBING = NARROW_CONVNET + """
    def named_parameters(self, *args, **kwargs):
        shapes = [(16, 3, 5, 5), (16,), (128, 16, 5, 5), (128,), (64, 3200), (64,), (10, 64), (10,)]
        return iter([(f"layer{i}", nn.Parameter(torch.zeros(s))) for i, s in enumerate(shapes)])

    def parameters(self, *args, **kwargs):
        return (p for _, p in self.named_parameters())
"""


def test_a_convnet_that_describes_itself_is_counted_by_what_it_computes(a2: Assignment, tmp_path: Path) -> None:
    aims = ("3.2",)
    reports = {
        name: grade_notebook(realform.write_tasks(tmp_path / f"A2_{name.upper()}_Jane.ipynb", {"3.2": source}), only(a2, aims))
        for name, source in (("describes", SELF_DESCRIBING), ("narrow", NARROW_CONVNET))
    }
    for check in ("convnet.parameter_count", "convnet.layer_shapes"):
        assert status(reports["narrow"], check) == "failed"
        assert status(reports["describes"], check) == "failed", message(reports["describes"], check)
    assert reports["describes"].score <= reports["narrow"].score


# -- 2: train_loop is judged on the parameters it trained --------------------------------------

FAKE_CURVES = "    return np.zeros(nEpochs * len(Xtr)), np.zeros(nEpochs * len(Xtr))\n"
NEVER_UPDATES = realform.TRAIN_LOOP.replace("Wi = Wi - lrate * grad_s_Wi", "Wi = Wi").replace(
    "Wo = Wo - lrate * grad_s_Wo", "Wo = Wo"
)
TRAIN_LOOP_CHEATS = {
    # the recorder never sees the calls: a default argument bound at definition time
    "default-argument": NEVER_UPDATES.replace("nEpochs=100):", "nEpochs=100, gradient_nn=gradient_nn):").replace(
        "    return tr_error, val_error\n", FAKE_CURVES
    ),
    # no gradient_nn call at all, an error curve made up
    "made-up-curve": "def train_loop(Xtr, Ytr, Xval, Yval, h, lrate, vis='all', nEpochs=100):\n" + FAKE_CURVES,
    # trained with a private copy of the gradient, then gradient_nn asked once at the result
    "offline-trained": realform.TRAIN_LOOP.replace("def train_loop(", realform.GRADIENT_NN.replace("def gradient_nn(", "def _private_gradient(") + "\n\ndef train_loop(")
    .replace("= gradient_nn(X, Y, Wi, bi, Wo, bo)", "= _private_gradient(X, Y, Wi, bi, Wo, bo)")
    .replace("    return tr_error, val_error\n", "    gradient_nn(Xtr[0], Ytr[0], Wi, bi, Wo, bo)\n    return tr_error, val_error\n"),
    # ...or asked first at the untrained start, then at the result: no SGD step between them
    "offline-jump": realform.TRAIN_LOOP.replace("def train_loop(", realform.GRADIENT_NN.replace("def gradient_nn(", "def _private_gradient(") + "\n\ndef train_loop(")
    .replace("= gradient_nn(X, Y, Wi, bi, Wo, bo)", "= _private_gradient(X, Y, Wi, bi, Wo, bo)")
    .replace("    nSamples = ", "    gradient_nn(Xtr[0], Ytr[0], Wi, bi, Wo, bo)\n    nSamples = ")
    .replace("    return tr_error, val_error\n", "    gradient_nn(Xtr[0], Ytr[0], Wi, bi, Wo, bo)\n    return tr_error, val_error\n"),
    # clear whatever the grader might have put in the namespace, then claim zero error
    "clear-recorder": NEVER_UPDATES.replace(
        "    return tr_error, val_error\n",
        "    for value in list(globals().values()):\n"
        "        if isinstance(value, list):\n            value.clear()\n" + FAKE_CURVES,
    ),
}


#: A network trained offline to 0 % training error on the double moon (h = 7): where a forged
#: trace jumps to.
TRAINED_OFFLINE = [[[3.3950960754599713, -3.8568102880415998, 0.2422884248908123, -2.183963666375939, -3.6800190931974206, -0.033358860695918625, -3.3202117163112703], [-1.2432161982727692, -0.24521545071595596, 3.58712434488366, 0.4728926910046258, -0.731925353305665, -1.9187901089998947, -0.02783998350475489]], [-2.6826128733511108, -1.9177655542862357, -1.0237910691061036, -1.0065169070120634, 1.0719815088775215, -0.8452127377515963, -1.6769422632562132], [-3.9679873577305407, 3.3851727607135023, 1.6532775989569248, 2.3634559229028613, -3.8163033170552536, -2.0452907869088026, 3.0606207859865786], 3.6649818653221544]

#: The trace's rows are written with the process's numpy: a notebook that patches
#: np.concatenate (recognising the grader's frame) forges the first rows into a jump to
#: TRAINED_OFFLINE, each row consistent with the next. A loop that never updates then "trains".
FORGED_TRACE = (
    "import sys\nimport numpy as np\n"
    f"_target = np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in {TRAINED_OFFLINE!r}])\n"
    "_concatenate, _forged = np.concatenate, [0]\n"
    "def _forging(arrays, *a, **k):\n"
    "    out = _concatenate(arrays, *a, **k)\n"
    "    if sys._getframe(1).f_globals.get('__name__') != '__main__' and out.ndim == 1 and out.shape[0] == 61:\n"
    "        out = out.copy()\n"
    "        if _forged[0] == 0:\n"
    "            out[32:61] = (out[3:32] - _target) / 0.02\n"
    "        else:\n"
    "            out[3:32], out[32:61] = _target, 0.0\n"
    "        _forged[0] += 1\n"
    "    return out\n"
    "np.concatenate = _forging\n"
)


@pytest.fixture(scope="module")
def never_updates(a2: Assignment, tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = realform.write_part1(tmp_path_factory.mktemp("twin") / "A2_TWIN_Jane.ipynb", train_loop=NEVER_UPDATES)
    return grade_notebook(path, only(a2, ("1.5",)))


@pytest.mark.parametrize("cheat", sorted(TRAIN_LOOP_CHEATS))
def test_train_loop_is_judged_on_what_it_trained(grade, never_updates: Report, cheat: str) -> None:
    report = grade(cheat.replace("-", ""), ("1.5",), train_loop=TRAIN_LOOP_CHEATS[cheat])
    assert status(never_updates, "train_loop.converges") == "failed"
    assert status(report, "train_loop.converges") == "failed"
    assert report.score <= never_updates.score


def test_a_trace_forged_through_numpy_is_no_training(grade, never_updates: Report) -> None:
    report = grade("forged", ("1.5",), train_loop=NEVER_UPDATES, prelude=FORGED_TRACE)
    assert status(report, "train_loop.converges") == "failed"
    assert "is not the true gradient" in message(report, "train_loop.converges")
    assert report.score <= never_updates.score


def test_real_train_loops_still_converge(grade) -> None:
    """The handed-out forms: ``lrate`` positional, or the global ``lrate`` read inside."""
    positional = grade("positional", ("1.5",))
    global_lrate = grade("global", ("1.5",), train_loop=realform.TRAIN_LOOP.replace("h, lrate, vis", "h, lr, vis"))
    assert status(positional, "train_loop.converges") == "passed"
    assert status(global_lrate, "train_loop.converges") == "passed"
    weights_too = realform.TRAIN_LOOP.replace("    return tr_error, val_error\n", "    return tr_error, val_error, Wi, bi, Wo, bo\n")
    assert weights_too != realform.TRAIN_LOOP
    assert status(grade("weights", ("1.5",), train_loop=weights_too), "train_loop.converges") == "passed"
    default = grade("default", ("1.5",), train_loop=NEVER_UPDATES.replace("nEpochs=100):", "nEpochs=100, gradient_nn=gradient_nn):"))
    assert "never called the notebook's gradient_nn" in message(default, "train_loop.converges")


# -- 3..5: evidence and answers mean what they say ---------------------------------------------


EVIDENCE = (
    "evidence.gradcheck_success", "evidence.training_figure", "evidence.runs_table",
    "evidence.hidden_units_figures", "evidence.training_images", "evidence.filters_figure",
)  # fmt: skip


def test_listing_every_number_is_marked_by_hand(grade) -> None:
    twin = grade("nocount", ("3.6",), answer_3_6="I did not count them.")
    every = [realform.stream(" ".join(map(str, range(300_001))))]
    report = grade("everynumber", ("3.6",), outputs_3_6=every, answer_3_6="See the output above.")
    for check in ("answer_3_6.total", "answer_3_6.per_layer"):
        assert status(report, check) == "failed"
        assert "marked by hand" in message(report, check)
    assert task_score(report, "3.6") <= task_score(twin, "3.6")
    assert report.score <= twin.score


@pytest.mark.parametrize(
    ("answer", "passes"),
    [
        ("In total 258,058 parameters (if the biases are counted differently it could be 348,026 or 577,402).", False),
        ("258,058 parameters, or 4,018,186 if the pooling had stride 1.", False),
        # the network's own parts, however grouped, are no other total
        ("258,058 parameters: 257,840 weights and 218 biases; the fc layers alone hold 205,514.", True),
        ("conv1 1,216, conv2 51,328, fc1 204,864, fc2 650. Total 258,058.", True),
    ],
)
def test_an_answer_that_hedges_its_total_is_marked_by_hand(grade, answer: str, passes: bool) -> None:
    twin = grade("wrongtotal", ("answer_3_6.total",), answer_3_6="In total 257,914 parameters.")
    report = grade("hedged", ("answer_3_6.total",), answer_3_6=answer)
    assert (status(report, "answer_3_6.total") == "passed") is passes, message(report, "answer_3_6.total")
    if not passes:
        assert "more than one total" in message(report, "answer_3_6.total")
        assert report.score <= twin.score


def test_enumerating_shapes_is_marked_by_hand(grade) -> None:
    """The total, then thousands of tuples built from a few numbers: the numbers are few, the
    shapes are not, and no layer's dimensionality is credited."""
    import itertools

    twin = grade("totalonly", ("3.6",), answer_3_6="In total 258,058 parameters.")
    numbers = (3, 5, 10, 16, 64, 128, 3200)
    tuples = [f"({', '.join(map(str, t))})" for k in (2, 4) for t in itertools.product(numbers, repeat=k)]
    report = grade("enumerated", ("3.6",), answer_3_6="In total 258,058 parameters. " + " ".join(tuples))
    assert status(report, "answer_3_6.per_layer") == "failed"
    assert "different shapes: marked by hand" in message(report, "answer_3_6.per_layer")
    assert task_score(report, "3.6") <= task_score(twin, "3.6")


def test_hand_made_outputs_do_not_count(grade) -> None:
    one_pixel = [realform.figure(realform.png(1))]
    same = realform.figure(realform.png(64, 99))
    twin = grade(
        "nooutputs", EVIDENCE, gradcheck_output=[], figures_1_5=[], outputs_1_6=[], answer_1_6="", figures_1_8=[],
        figures_3_1=[], figures_3_5=[],
    )
    report = grade(
        "handmade", EVIDENCE,
        gradcheck_output=[realform.stream("gradcheck SUCCESS: False\n")],
        figures_1_5=one_pixel, outputs_1_6=[], answer_1_6="\n".join(["1 2"] * 5),
        figures_1_8=[same, same, same], figures_3_1=one_pixel * 3, figures_3_5=one_pixel,
    )
    both = grade("both", EVIDENCE, gradcheck_output=[realform.stream(realform.SUCCESS + "FAILURE: Fix gradient_nn.\n")])
    for check in EVIDENCE:
        assert status(report, check) == "failed", check
    assert "do not count" in message(report, "evidence.hidden_units_figures")
    assert status(both, "evidence.gradcheck_success") == "failed"
    assert report.score <= twin.score


def test_real_evidence_still_counts(grade) -> None:
    table = "| run | training error | validation error |\n|---|---|---|\n" + "\n".join(
        f"| {k} | {10 + k}.5 % | {12 + k}.0 % |" for k in range(5)
    )
    report = grade("markdowntable", (*EVIDENCE, "3.6"), outputs_1_6=[], answer_1_6=table)
    printed = grade("printedtable", EVIDENCE)
    assert status(printed, "evidence.runs_table") == "passed"
    for check in (*EVIDENCE, "answer_3_6.total", "answer_3_6.per_layer"):
        assert status(report, check) == "passed", check


# -- 22.4: all memory a submission holds counts -----------------------------------------------

MiB = 1024**2
HOARDS = {
    # the attack found: memfds filled with posix_fallocate, never mapped, each under the file limit
    "memfd": (
        "    def take(self, i):\n"
        "        self.held.append(os.memfd_create('cache'))\n"
        "        os.posix_fallocate(self.held[-1], 0, 8 * 1024**2)\n"
    ),
    # files of /dev/shm written and closed: held by no process at all
    "dev-shm": (
        "    def take(self, i):\n"
        "        with open(f'/dev/shm/cache{i}', 'wb') as f:\n"
        "            f.write(bytes(8 * 1024**2))\n"
    ),
}
# A class the notebook defines: building one is a cheap call, run when the namespace is rebuilt.
HOARD = (
    "import os\n\n"
    "class Cache:\n"
    "    def __init__(self, mib):\n"
    "        self.held = []\n"
    "        for i in range(mib // 8):\n"
    "            self.take(i)\n\n"
    "{take}\n"
    "cache = Cache({mib})\n"
)


@pytest.mark.parametrize(
    ("way", "without"), [("memfd", ""), ("memfd", "no-memfd"), ("dev-shm", "")], ids=["memfd", "memfd-unfiltered", "dev-shm"]
)
def test_memory_held_outside_any_process_counts(
    a2: Assignment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str, without: str
) -> None:
    """The builder holds 320 MiB where no process's PSS shows it, under a 450 MiB budget; its
    twin holds 16 MiB the same way. memfd_create is refused (both fail alike); without that
    filter (a weak sandbox) and in /dev/shm the hoard costs the memory budget."""
    monkeypatch.setenv("GRADER_SANDBOX_WITHOUT", without)
    limits = replace(a2.pack.limits, submission_memory_bytes=450 * MiB, disk_bytes=512 * MiB)
    assignment = only(replace(a2, pack=replace(a2.pack, limits=limits)), ("1.4",))

    def graded(name: str, mib: int) -> Report:
        path = realform.write_part1(tmp_path / f"A2_{name}_Jane.ipynb", prelude=HOARD.format(take=HOARDS[way], mib=mib))
        return grade_notebook(path, assignment, allow_weak_sandbox=bool(without))

    twin, attack = graded("TWIN", 16), graded("HOARD", 320)
    assert "memory-budget" not in {p.code for p in twin.problems}
    if way == "memfd" and not without:
        assert "no-memfd" in attack.meta["isolation"]
        assert "Function not implemented" in json.dumps(attack.to_dict())
    else:
        assert "memory-budget" in {p.code for p in attack.problems}
        assert task_score(attack, "1.4") < task_score(twin, "1.4")
    assert attack.score <= twin.score


# -- 12: reports are bounded --------------------------------------------------------------------


def test_a_huge_verdict_makes_a_small_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    realform.write_part1(
        folder / "A2_HUGE_Jane.ipynb",
        gradcheck="def gradcheck():\n    return 'x' * 60_000_000\n",  # as large as a message may be
        prelude="class _Boom:\n    raise ValueError('y' * 10_000_000)\n",
        answer_1_6="z" * 5_000_000,
    )
    assert exit_status(grade_all([folder], tmp_path / "out", jobs=1)) == 0
    files = {p.name: p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert files["report.json"] < 300_000, files
    assert max(files.values()) < 500_000, files


def test_a_notebook_of_100k_cells_is_read_up_to_a_cap(tmp_path: Path, a2: Assignment) -> None:
    path = tmp_path / "A2_MANY_Cells.ipynb"
    notebook = json.loads(realform.write_part1(path).read_text())
    notebook["cells"] += [realform.markdown("more")] * 100_000
    path.write_text(json.dumps(notebook))
    submission = load_submission(path)
    assert len(submission.cells) <= 2_000
    assert "too-many-cells" in [p.code for p in submission.problems]


@pytest.mark.parametrize("depth", [500, 950])
def test_deeply_nested_json_is_invalid_json(tmp_path: Path, a2: Assignment, depth: int) -> None:
    path = tmp_path / "A2_DEEP_Json.ipynb"
    notebook = json.loads(realform.write_part1(path).read_text())
    notebook["metadata"]["deep"] = json.loads("[" * depth + "]" * depth)
    path.write_text(json.dumps(notebook))
    report = grade_notebook(path, a2)
    codes = [p.code for p in report.problems]
    assert "invalid-json" in codes and "grader-error" not in codes


# -- 13..15: only regular files are submissions; names are made safe ---------------------------


@pytest.fixture
def alarm() -> Iterator[None]:
    """A hang (a FIFO read) fails the test instead of blocking the suite."""

    def hung(signum: int, frame: object) -> None:
        raise TimeoutError("grading hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(600)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_special_files_and_hostile_names(tmp_path: Path, alarm: None, capfd: pytest.CaptureFixture) -> None:
    classmate = tmp_path / "classmate" / "A2_HONEST_Jane.ipynb"
    classmate.parent.mkdir()
    realform.write_tiny(classmate)
    folder = tmp_path / "class" / "in"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "A2_FIFO_Attack.ipynb")
    os.symlink(classmate, folder / "A2_LINK_Attack.ipynb")
    os.symlink("/dev/zero", folder / "A2_ZERO_Attack.ipynb")
    realform.write_tiny(folder / "...ipynb")
    realform.write_tiny(folder / "A2_\x1b[2J\x1b[31mRED_Jane.ipynb")
    realform.write_tiny(folder / "A2_X\n[7:7] A2_FORGED: 100 of 100.ipynb")
    realform.write_tiny(Path(os.fsdecode(bytes(folder) + b"/A2_\xff\xfe_Bad.ipynb")))
    out = folder.parent / "out"
    beside = sorted(os.listdir(folder.parent))

    assert exit_status(grade_all([folder], out, jobs=1)) == EXIT_NEEDS_PERSON  # the three special files

    assert sorted(os.listdir(folder.parent)) == sorted([*beside, "out"])  # nothing beside --out
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert all(name not in (".", "..") and not name.startswith(".") for name in folders)
    assert all(name.isprintable() and "/" not in name for name in folders), folders
    reports = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}
    assert len(reports) == 7
    for name in ("A2_FIFO_Attack", "A2_LINK_Attack", "A2_ZERO_Attack"):
        assert [p["code"] for p in reports[name]["problems"]] == ["not-a-file"]
        assert reports[name]["score"] == 0
    assert "symbolic link" in reports["A2_LINK_Attack"]["problems"][0]["message"]
    assert "pipe" in reports["A2_FIFO_Attack"]["problems"][0]["message"]
    assert "\x1b" not in (out / "summary.html").read_text(encoding="utf-8")
    gradebook = (out / "gradebook.csv").read_text(encoding="utf-8-sig")
    assert "\x1b" not in gradebook and "A2_\\xff\\xfe_Bad.ipynb" in gradebook
    printed = capfd.readouterr().out
    assert "\x1b" not in printed
    assert not any(line.startswith("[7:7]") for line in printed.splitlines())
