"""Running one check: missing names, failures, student crashes and isolation, as outcomes.

A check never raises out of here: whatever the student's code does, the outcome is one of
passed, failed, error, timeout or missing, with a message a student can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from grader.checks.context import CheckFailed, Context, StudentCallFailed
from grader.checks.registry import CheckSpec
from grader.results import Counterexample, Diagnosis, Status


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
    """Run ``spec`` as submitted; if it fails and it names helpers to isolate, run it again
    with those helpers answered by the reference (values only, see Context.stub; the check
    may answer one in another correct way, see ``Context.answered_by_grader``) and keep the
    better verdict. A verdict that is still not a pass is handed to ``diagnose`` for the known mistakes it matches."""
    outcome = _run_check(spec, ctx)
    if diagnose is None or outcome.status in (Status.PASSED, Status.MISSING):
        return outcome
    return replace(outcome, diagnoses=_diagnose(diagnose, spec, ctx, outcome))


def _diagnose(diagnose: Diagnoser, spec: CheckSpec, ctx: Context, outcome: CheckOutcome) -> tuple[Diagnosis, ...]:
    """The diagnoser's findings; a diagnoser that fails claims nothing (the verdict stands)."""
    ctx._fatal = None
    try:
        return tuple(diagnose(spec, ctx, outcome))
    except Exception:  # noqa: BLE001 - a diagnosis is extra information, never a reason to fail grading
        return ()
    finally:
        ctx._fatal = None
        if ctx._defines:
            ctx.runtime.reset()
            ctx._defines = []


def _run_check(spec: CheckSpec, ctx: Context) -> CheckOutcome:
    if not ctx.submission.cells:
        return CheckOutcome(Status.MISSING, "nothing in the notebook could be read (see the problems above)")
    missing = [name for name in spec.needs if not ctx.has(name)]
    if missing:
        names = ", ".join(f"`{n}`" for n in missing)
        return CheckOutcome(Status.MISSING, f"{names} not defined in the notebook (or its definition failed)")
    if spec.runtime and ctx.runtime is None:
        return CheckOutcome(Status.ERROR, "the student runtime could not start, so this code was not run")

    outcome = _run_once(spec, ctx)
    if outcome.status == Status.PASSED or not spec.isolate or ctx.reference is None:
        return outcome

    isolated = _run_once(spec, ctx, replace=spec.isolate)
    if isolated.status != Status.PASSED:
        return outcome
    helpers = ", ".join(f"`{n}`" for n in spec.isolate)
    return CheckOutcome(
        Status.PASSED,
        f"passes with correct {helpers}; as submitted: {outcome.message} "
        "(that helper is graded in its own task)",
    )


def _run_once(spec: CheckSpec, ctx: Context, replace: tuple[str, ...] = ()) -> CheckOutcome:
    ctx._fatal = None
    ctx.notes = []
    try:
        for name in replace:
            ctx.reference_stub(name)
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
        if ctx._defines:
            ctx.runtime.reset()
            ctx._defines = []


def _call_counterexample(failure: StudentCallFailed) -> Counterexample | None:
    if not failure.inputs:
        return None
    return Counterexample(failure.inputs, "a result", failure.message)
