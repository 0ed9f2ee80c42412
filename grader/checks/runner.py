"""Running one check: missing names, failures, student crashes and isolation, as outcomes.

A check never raises out of here: whatever the student's code does, the outcome is one of
passed, failed, error, timeout or missing, with a message a student can act on.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from grader.checks.context import CheckFailed, Context, StudentCallFailed
from grader.checks.fairness import CallForms, Forms, describe, notebook_forms
from grader.checks.registry import CheckSpec
from grader.common import bounds
from grader.model.results import Counterexample, Diagnosis, Status


@dataclass(frozen=True)
class CheckOutcome:
    status: Status  # running gives passed | failed | error | timeout | missing
    message: str = ""
    counterexample: Counterexample | None = None
    diagnoses: tuple[Diagnosis, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))


#: An assignment pack's catalogue of known mistakes: given a check that did not pass, the
#: mistakes the student's work matches (an empty tuple claims nothing).
Diagnoser = Callable[[CheckSpec, Context, CheckOutcome], tuple[Diagnosis, ...]]


def run_check(spec: CheckSpec, ctx: Context, diagnose: Diagnoser | None = None) -> CheckOutcome:
    """Run ``spec`` as submitted; if it fails, give it the re-runs it declares (see
    ``_second_runs``) and keep the first that passes. A verdict that is still not a pass is
    handed to ``diagnose`` for the known mistakes it matches.

    A check that runs no student code is bounded by ``_trusted_budget``: no budget of the
    student runtime covers it."""
    if spec.runtime:
        return _judged(spec, ctx, diagnose)
    return _trusted_budget(lambda: _judged(spec, ctx, diagnose), bounds.TRUSTED_CHECK_SECONDS)


class _OverBudget(BaseException):
    """Raised by the timer into a trusted check: not an ``Exception``, so that neither the
    check's nor the diagnoser's handlers take it for a verdict."""


def _trusted_budget(run: Callable[[], CheckOutcome], seconds: float) -> CheckOutcome:
    """``run()``, or a ``timeout`` outcome once it is past ``seconds`` of wall clock: stopped
    by a timer where one can be set (the main thread; regexes check signals), else said when it
    returns. The batch goes on either way."""
    started = time.monotonic()
    try:
        with _timer(seconds):
            outcome = run()
    except _OverBudget:
        outcome = None
    if outcome is not None and time.monotonic() - started <= seconds:
        return outcome
    return CheckOutcome(
        Status.TIMEOUT,
        f"the grader's own reading of this notebook (no code of the notebook runs in this check) "
        f"went past its {seconds:g} s budget and was stopped: a person should look at this task's "
        "text and outputs",
    )


@contextmanager
def _timer(seconds: float) -> Iterator[None]:
    """Raise ``_OverBudget`` after ``seconds``, in the main thread and where no other real-time
    timer is running (one is never overridden); elsewhere nothing."""
    if threading.current_thread() is not threading.main_thread() or signal.getitimer(signal.ITIMER_REAL)[0]:
        yield
        return

    def stop(*_: object) -> None:
        raise _OverBudget

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _judged(spec: CheckSpec, ctx: Context, diagnose: Diagnoser | None) -> CheckOutcome:
    outcome = _run_check(spec, ctx)
    if diagnose is None or outcome.status in (Status.PASSED, Status.MISSING):
        return outcome
    return replace(outcome, diagnoses=_diagnose(diagnose, spec, ctx, outcome))


def _diagnose(diagnose: Diagnoser, spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> tuple[Diagnosis, ...]:
    """The diagnoser's findings; a diagnoser that fails claims nothing (the verdict stands)."""
    ctx._fatal = None
    try:
        # the function is diagnosed as the notebook calls it, like the re-run that judged it
        ctx.conform = {f.function: f.conform(forms) for f, forms in _notebook_forms(spec, ctx)}
        return tuple(diagnose(spec, ctx, outcome))
    except Exception:  # noqa: BLE001 - a diagnosis is extra information, never a reason to fail grading
        return ()
    finally:
        ctx._fatal = None
        ctx.conform = {}
        if ctx._defines:
            ctx.runtime.reset()
            ctx._defines = []
            ctx._stubs = {}


def _run_check(spec: CheckSpec, ctx: Context) -> CheckOutcome:
    if not ctx.submission.cells:
        return CheckOutcome(Status.MISSING, "nothing in the notebook could be read (see the problems above)")
    if spec.runtime and ctx.runtime is None:  # first: without a runtime no name is known
        return CheckOutcome(
            Status.ERROR,
            "the student runtime did not run (it could not start, or a budget stopped it: see the "
            "problems), so this code was not run",
        )
    missing = [name for name in spec.needs if not ctx.has(name)]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        return CheckOutcome(Status.MISSING, f"{names} not defined in the notebook (or its definition failed)")

    outcome = _run_once(spec, ctx)
    if outcome.status == Status.PASSED:
        return outcome
    for second_run in (_isolated, _with_exact_helpers, _in_notebook_forms, _with_notebook_arguments):
        cleared = second_run(spec, ctx, outcome)
        if cleared is not None:
            return cleared
    return outcome


def _isolated(spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> CheckOutcome | None:
    """Helpers answered by the reference (values only, see Context.stub; the check may answer
    one in another correct way, see ``Context.answered_by_grader``): a failure that goes away
    is the helper's, graded in its own task (DESIGN principle 3)."""
    if not spec.isolate or ctx.reference is None:
        return None

    def prepare() -> None:
        for name in spec.isolate:
            ctx.reference_stub(name)

    if _run_once(spec, ctx, prepare=prepare, verdict_only=True).status != Status.PASSED:
        return None
    helpers = ", ".join(f"`{n}`" for n in spec.isolate)
    return CheckOutcome(
        Status.PASSED,
        f"passes with correct {helpers}{_rewritten(ctx, spec.isolate)}; as submitted: {outcome.message} "
        "(that helper is graded in its own task)",
    )


def _rewritten(ctx: Context, names: Iterable[str]) -> str:
    """Which of ``names`` the notebook rewrote: where to look first when a re-run passes."""
    found = [f"`{n}`" for n in names if n in ctx.rewritten]
    return f" (the notebook rewrote {', '.join(found)})" if found else ""


def _with_exact_helpers(spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> CheckOutcome | None:
    """The notebook's provided helpers that degenerate in floating point, made exact: wrong
    values that go away are the handout's edge, not the student's mathematics. Only values
    that were wrong (an error or a hang is no clamp), and only helpers the notebook defines
    (an exact one must not stand in for a missing one)."""
    helpers = [h for h in spec.exact if ctx.has(h.name)]
    if not helpers or outcome.status != Status.FAILED:
        return None

    def prepare() -> None:
        for h in helpers:
            ctx.define(h.source)

    if _run_once(spec, ctx, prepare=prepare, verdict_only=True).status != Status.PASSED:
        return None
    names = ", ".join(f"`{h.name}`" for h in helpers)
    return CheckOutcome(
        Status.PASSED,
        f"passes with an exact {names}{_rewritten(ctx, (h.name for h in helpers))}; "
        f"with the notebook's: {outcome.message} (on the input shown)",
        outcome.counterexample,
        tuple(Diagnosis(h.code, h.label, h.weakness) for h in helpers),
    )


def _notebook_forms(spec: CheckSpec, ctx: Context) -> list[tuple[CallForms, tuple[Forms, ...]]]:
    """The forms the notebook's own calls use, for each function ``spec`` declares forms of
    and the notebook defines (learnt once per submission); none where none could be learnt."""
    declared = [f for f in spec.forms if ctx.has(f.function)]
    try:
        used = [(f, notebook_forms(ctx, f)) for f in declared]
    except Exception:  # noqa: BLE001 - no forms learnt: the verdict as submitted stands
        return []
    finally:
        ctx._fatal = None
    return [(f, forms) for f, forms in used if forms]


def _in_notebook_forms(spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> CheckOutcome | None:
    """The graded functions called only in the forms the notebook's own calls use: a failure
    on a form the notebook never passes is no mistake in the notebook. Still failing, the
    failure in the notebook's own form is reported where the first was an error."""
    used = _notebook_forms(spec, ctx)
    conform = {f.function: f.conform(forms) for f, forms in used}
    if not conform:
        return None

    def prepare() -> None:
        ctx.conform = conform

    try:
        # its failure is read only where the first run's was an error
        again = _run_once(spec, ctx, prepare=prepare, verdict_only=outcome.status != Status.ERROR)
    finally:
        ctx.conform = {}
    if again.status != Status.PASSED:
        # an error on a form the notebook never uses says less than what its own form shows
        return again if outcome.status == Status.ERROR and again.status == Status.FAILED else None
    said = "; ".join(
        f"`{f.function}` called as {f.label or 'the notebook'} calls it ({describe(forms[0])})" for f, forms in used
    )
    return CheckOutcome(
        Status.PASSED,
        f"passes with {said}; with a form the notebook never uses: {outcome.message}",
    )


#: A call that gave a function fewer arguments than it requires (Python's own TypeError).
_TOO_FEW_ARGUMENTS = re.compile(r"missing \d+ required (?:positional |keyword-only )?arguments?")


def _with_notebook_arguments(spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> CheckOutcome | None:
    """A graded function with parameters of the student's own (``def fit(step, model, opt)``,
    ``def check(f, g)``) that the check's call left missing, given what the notebook's own
    call passes there (names, read when it is called: the check's stubs and globals where the
    notebook's are). It is called as the notebook calls it, not as the handout would."""
    if outcome.status != Status.ERROR or not _TOO_FEW_ARGUMENTS.search(outcome.message):
        return None
    written = {name: ctx.arguments[name] for name in spec.needs if name in ctx.arguments}
    if not written:
        return None

    def prepare() -> None:
        ctx.surroundings = [_called_as_written(name, call) for name, call in written.items()]
        for source in ctx.surroundings:
            ctx.define(source)

    if _run_once(spec, ctx, prepare=prepare, verdict_only=True).status != Status.PASSED:
        return None
    said = "; ".join(f"`{name}({', '.join([*args, *(f'{k}={v}' for k, v in kwargs)])})`" for name, (args, kwargs) in written.items())
    return CheckOutcome(Status.PASSED, f"passes called as the notebook calls it: {said}; as the handout calls it: {outcome.message}")


def _called_as_written(name: str, call: tuple[tuple[str, ...], tuple[tuple[str, str], ...]]) -> str:
    """Source that binds ``name`` to the notebook's function given, after a call's own
    arguments, the rest of what the notebook's ``call`` passes (each evaluated when called)."""
    args, kwargs = call
    given = ", ".join(f"lambda: {a}" for a in args)
    named = ", ".join(f"{k!r}: lambda: {v}" for k, v in kwargs)
    return (
        f"_grader_as_written_{name} = {name}\n"
        f"def {name}(*args, **kwargs):\n"
        f"    rest = [value() for value in ({given}{',' if len(args) == 1 else ''})[len(args):]]\n"
        f"    named = {{k: value() for k, value in {{{named}}}.items() if k not in kwargs}}\n"
        f"    return _grader_as_written_{name}(*args, *rest, **named, **kwargs)\n"
    )


def _run_once(
    spec: CheckSpec, ctx: Context, prepare: Callable[[], Any] | None = None, verdict_only: bool = False
) -> CheckOutcome:
    """Run the check once; ``verdict_only`` for a re-run whose failure nobody reads (its
    properties stop at their first failure, unshrunk: the status is the same)."""
    ctx._fatal = None
    ctx.notes = []
    ctx.verdict_only = verdict_only
    try:
        if prepare is not None:
            prepare()
        spec.func(ctx)
    except CheckFailed as failure:
        return CheckOutcome(Status.FAILED, failure.message, failure.counterexample)
    except StudentCallFailed as failure:
        return CheckOutcome(failure.status, failure.message, _call_counterexample(failure))
    except Exception as bug:  # noqa: BLE001 - a check must never take the batch down
        return CheckOutcome(Status.ERROR, f"the grader could not run this check ({type(bug).__name__}: {bug})")
    else:
        return CheckOutcome(Status.PASSED, "; ".join(ctx.notes))
    finally:
        ctx._fatal = None
        ctx.verdict_only = False
        ctx.surroundings = []
        if ctx._defines:
            ctx.runtime.reset()
            ctx._defines = []
            ctx._stubs = {}


def _call_counterexample(failure: StudentCallFailed) -> Counterexample | None:
    if not failure.inputs:
        return None
    return Counterexample(failure.inputs, "a result", failure.message)
