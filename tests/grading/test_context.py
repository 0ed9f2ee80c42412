"""Context: bounded shrinking, hung functions remembered, repeated calls answered from memory."""

import pytest
from hypothesis import strategies as st

from grader.checks import CheckFailed, Context, StudentCallFailed
from grader.checks.context import SHRINK_RUNS, SHRINK_RUNS_AFTER_ERROR
from grader.notebook.model import Submission
from grader.runtime import CallResult, StudentError


class FakeRuntime:
    """Answers calls from a function, counting them."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = 0

    def call(self, target, *args, timeout=None, **kwargs):
        self.calls += 1
        return self.answer(target, *args)

    def define(self, source, values):
        return CallResult("ok")

    def reset(self):
        pass


def context(answer) -> Context:
    return Context(Submission(path=None, identity=None, cells=()), FakeRuntime(answer))


def test_a_property_failing_everywhere_stops_shrinking_after_its_budget():
    ctx = context(lambda target, x: CallResult("ok", value=x))
    runs = []

    def prop(x):
        runs.append(x)
        raise CheckFailed(f"wrong for {x}")

    with pytest.raises(CheckFailed) as failure:
        ctx.forall(st.integers(0, 10**6), prop, max_examples=20)
    assert len(runs) <= 1 + SHRINK_RUNS
    assert failure.value.message == f"wrong for {runs[-1]}"  # the smallest failure really seen


def test_a_student_error_is_reported_with_the_input_that_raised_it():
    error = StudentError("ValueError", "bad", ("<cell 3>, line 2, in f",))
    ctx = context(lambda target, x: CallResult("error", error=error))
    with pytest.raises(StudentCallFailed) as failure:
        ctx.forall(st.fixed_dictionaries({"x": st.integers(0, 100)}), lambda ex: ctx.call("f", ex["x"]))
    assert ctx.runtime.calls <= 1 + SHRINK_RUNS_AFTER_ERROR
    assert failure.value.inputs.startswith("x = ")
    assert failure.value.message == "`f` raised ValueError: bad (<cell 3>, line 2, in f)"


def test_a_function_that_hung_is_not_called_again_in_the_same_namespace():
    ctx = context(lambda target, *a: CallResult("timeout", detail="timed out after 10 s"))
    for _ in range(3):
        with pytest.raises(StudentCallFailed):
            ctx.call("f", 1)
        ctx._fatal = None  # a new check
    assert ctx.runtime.calls == 1
    ctx.define("f = lambda x: x")  # another namespace: called again
    with pytest.raises(StudentCallFailed):
        ctx.call("f", 1)
    assert ctx.runtime.calls == 2


def test_plain_data_calls_are_answered_once():
    import numpy as np

    ctx = context(lambda target, x: CallResult("ok", value=float(np.sum(x))))
    for _ in range(4):
        assert ctx.call("f", np.arange(3.0)) == 3.0
    assert ctx.call("f", np.arange(4.0)) == 6.0
    assert ctx.runtime.calls == 2


def test_shrinking_stops_after_its_time_bound_whatever_the_run_budget():
    import time

    from grader.checks.context import SHRINK_SECONDS

    ctx = context(lambda target, x: CallResult("ok", value=x))
    runs = []

    def prop(x):
        runs.append(x)
        time.sleep(SHRINK_SECONDS / 5)
        raise CheckFailed(f"wrong for {x}")

    with pytest.raises(CheckFailed):
        ctx.forall(st.integers(0, 10**6), prop, max_examples=20)
    # every run takes SHRINK_SECONDS / 5, so at most 6 start after the first failure
    assert 1 < len(runs) <= 1 + 6 < SHRINK_RUNS


# -- replayed examples -----------------------------------------------------------------------


def _same(a, b) -> bool:
    import numpy as np

    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    return a == b


def _check_strategies():
    from examples.toypack.hidden import LOGITS
    from grader.assignments.a2 import strategies

    return [
        strategies.network_example(),
        strategies.network_example(kink_margin=1e-3, hidden=(1, 8)),
        strategies.batch_example(),
        LOGITS,
    ]


@pytest.mark.parametrize("strategy", _check_strategies(), ids=repr)
@pytest.mark.parametrize("seed_", [0, 11])
def test_replayed_examples_are_those_hypothesis_gives_a_property_that_passes(strategy, seed_):
    """What a property does with its examples (calls, time, its own randomness) never changes
    which examples Hypothesis draws next while they pass: so they can be drawn once."""
    import copy
    import time

    import numpy as np
    from hypothesis import given, seed, settings

    from grader.checks.context import CHECK_SETTINGS, drawn_examples

    chosen = settings(CHECK_SETTINGS, max_examples=15)
    seen = []

    @chosen
    @seed(seed_)
    @given(strategy)
    def busy(example):
        seen.append(copy.deepcopy(example))
        np.random.default_rng().random(int(time.monotonic_ns() % 1000))
        time.sleep(0.002 * (len(seen) % 3))

    busy()
    assert len(seen) == 15
    assert _same(drawn_examples(strategy, seed_, chosen), seen)


def test_a_property_that_passes_is_replayed_without_drawing_again():
    draws = []

    @st.composite
    def counted(draw):
        draws.append(1)
        return draw(st.integers(0, 100))

    ctx = context(lambda target, x: CallResult("ok", value=x))
    first, second = [], []
    ctx.forall(counted(), first.append, max_examples=10)
    drawn = len(draws)
    ctx.forall(counted(), second.append, max_examples=10)
    assert len(draws) == drawn and first == second and len(first) == 10


def test_a_replayed_property_that_fails_reports_what_hypothesis_alone_reports():
    """The failure found while replaying is found again by Hypothesis, which shrinks it."""
    replayed, alone = context(lambda *a: CallResult("ok")), context(lambda *a: CallResult("ok"))

    def prop(x):
        if x > 500:
            raise CheckFailed(f"wrong for {x}")

    with pytest.raises(CheckFailed) as with_replay:
        replayed.forall(st.integers(0, 1000), prop)
    with pytest.raises(CheckFailed) as without:  # a lambda in a strategy is never replayed
        alone.forall(st.integers(0, 1000).map(lambda x: x), prop)
    assert with_replay.value.message == without.value.message == "wrong for 501"


@pytest.mark.parametrize("replayed", [True, False], ids=["replayed", "drawn"])
def test_a_verdict_only_run_stops_at_the_first_failure_unshrunk(replayed):
    """A re-run that asks only whether the check passes now (``verdict_only``) fails exactly
    where the full run first fails, and runs nothing after it; the full run shrinks."""
    strategy = st.integers(0, 1000) if replayed else st.integers(0, 1000).map(lambda x: x)

    def outcome(verdict_only):
        ctx, runs = context(lambda *a: CallResult("ok")), []
        ctx.verdict_only = verdict_only

        def prop(x):
            runs.append(x)
            if x > 500:
                raise CheckFailed(f"wrong for {x}")

        with pytest.raises(CheckFailed) as failure:
            ctx.forall(strategy, prop)
        return failure.value.message, runs

    (shrunk, full), (first, verdict) = outcome(False), outcome(True)
    assert shrunk == "wrong for 501" and len(full) > len(verdict)
    assert verdict[-1] > 500 and all(x <= 500 for x in verdict[:-1])  # stopped at its first failure
    assert first == f"wrong for {verdict[-1]}"
    assert verdict[-1] in full  # the full run met that same failure before shrinking it


def test_examples_do_not_depend_on_the_modules_a_process_imported(tmp_path, monkeypatch):
    """Hypothesis harvests literals from local modules; a module with new constants imported
    between two draws must not change what one seed gives (a batch worker's history, a grader
    edit)."""
    import importlib
    import sys

    from hypothesis import settings

    from grader.assignments.a2 import strategies
    from grader.checks.context import _DRAWN, CHECK_SETTINGS, drawn_examples

    chosen = settings(CHECK_SETTINGS, max_examples=40)
    before = drawn_examples(strategies.network_example(), 5, chosen)
    module = tmp_path / "odd_constants_module.py"
    module.write_text("ODD = [0.7071, -2.3456, 1.1e-7, 2.999, -0.001234, 17.5, 0.4, -1.25]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("odd_constants_module")
    try:
        _DRAWN.clear()
        after = drawn_examples(strategies.network_example(), 5, chosen)
    finally:
        sys.modules.pop("odd_constants_module", None)
    assert _same(before, after)
