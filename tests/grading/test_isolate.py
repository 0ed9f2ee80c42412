"""The isolate re-run rule (``grader.checks.runner``), on stand-in contexts, no notebook.

A check that fails as submitted and names helpers to ``isolate`` is run again with those
helpers answered by the reference. It passes, saying "passes with correct …", only when
that second run passes; otherwise the verdict as submitted stands, its message untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.checks import run_check
from grader.checks.context import CheckFailed, StudentCallFailed
from grader.checks.registry import CheckSpec

HELPER = "sumelement_vector"
SAID = "passes with correct"


@dataclass
class StandIn:
    """The part of ``Context`` the runner touches: names, the reference, stubs, the runtime."""

    reference: object | None = field(default_factory=object)
    stubbed: list[str] = field(default_factory=list)  # reference_stub calls, in order
    runs: list[tuple[str, ...]] = field(default_factory=list)  # what each run had stubbed
    submission: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(cells=["x = 1"]))
    runtime: None = None
    notes: list[str] = field(default_factory=list)
    rewritten: frozenset[str] = frozenset()
    _fatal: object = None
    _defines: list[str] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return True

    def reference_stub(self, name: str) -> None:
        self.stubbed.append(name)


def _verdict(status: str, message: str):
    """A check body that ends with ``status`` (and ``message``) in every run."""

    def body(ctx: StandIn) -> None:
        if status == "failed":
            raise CheckFailed(message)
        if status in ("error", "timeout"):
            error = SimpleNamespace(type="RuntimeError", message=message, traceback=[])
            raise StudentCallFailed(HELPER, SimpleNamespace(status=status, error=error, detail=message))
        ctx.notes.append(message)

    return body


def check(as_submitted: tuple[str, str], isolated: tuple[str, str], isolate=(HELPER,)) -> CheckSpec:
    """A check whose run as submitted ends as ``as_submitted`` and whose isolated run (the
    helpers stubbed by the reference) ends as ``isolated``."""
    first, second = _verdict(*as_submitted), _verdict(*isolated)

    def func(ctx: Any) -> None:  # a StandIn where the runner passes a Context
        ctx.runs.append(tuple(ctx.stubbed))
        (second if ctx.stubbed else first)(ctx)

    return CheckSpec("task.check", "1.4", func, needs=("gradcheck",), isolate=isolate, runtime=False)


def test_a_failure_that_the_reference_helper_fixes_passes_and_says_so():
    ctx = StandIn()
    outcome = run_check(check(("failed", "wrong for h = 3"), ("passed", "")), ctx)
    assert outcome.status == "passed"
    assert outcome.message == (
        f"{SAID} `{HELPER}`; as submitted: wrong for h = 3 (that helper is graded in its own task)"
    )
    assert ctx.runs == [(), (HELPER,)]  # once as submitted, once with the helper stubbed


def test_a_failure_the_reference_helper_does_not_fix_keeps_its_own_message():
    ctx = StandIn()
    outcome = run_check(check(("failed", "wrong as submitted"), ("failed", "wrong isolated")), ctx)
    assert (outcome.status, outcome.message) == ("failed", "wrong as submitted")
    assert ctx.runs == [(), (HELPER,)]


def test_a_pass_is_not_run_again():
    ctx = StandIn()
    outcome = run_check(check(("passed", "fine"), ("passed", "")), ctx)
    assert (outcome.status, outcome.message) == ("passed", "fine")
    assert ctx.runs == [()] and ctx.stubbed == []


def test_without_the_reference_or_helpers_to_isolate_there_is_no_second_run():
    no_reference = StandIn(reference=None)
    outcome = run_check(check(("failed", "wrong"), ("passed", "")), no_reference)
    assert (outcome.status, outcome.message, no_reference.runs) == ("failed", "wrong", [()])
    nothing_to_isolate = StandIn()
    outcome = run_check(check(("failed", "wrong"), ("passed", ""), isolate=()), nothing_to_isolate)
    assert (outcome.status, outcome.message, nothing_to_isolate.runs) == ("failed", "wrong", [()])


def test_every_helper_named_is_answered_by_the_reference():
    ctx = StandIn()
    outcome = run_check(check(("failed", "wrong"), ("passed", ""), isolate=("a", "b")), ctx)
    assert outcome.message.startswith(f"{SAID} `a`, `b`; as submitted: wrong")
    assert ctx.stubbed == ["a", "b"]


STATUSES = st.sampled_from(["passed", "failed", "error", "timeout"])


@given(
    as_submitted=STATUSES,
    isolated=STATUSES,
    isolate=st.sampled_from([(), (HELPER,)]),
    with_reference=st.booleans(),
)
def test_the_reference_is_credited_exactly_when_the_isolated_run_passes(
    as_submitted, isolated, isolate, with_reference
):
    ctx = StandIn(reference=object() if with_reference else None)
    spec = check((as_submitted, "as submitted"), (isolated, "isolated"), isolate=isolate)
    outcome = run_check(spec, ctx)
    rerun = as_submitted != "passed" and bool(isolate) and with_reference
    credited = rerun and isolated == "passed"
    assert (SAID in outcome.message) == credited
    assert len(ctx.runs) == (2 if rerun else 1)
    if credited:
        assert outcome.status == "passed"
    else:
        assert outcome.status == as_submitted
        assert "isolated" not in outcome.message


@pytest.mark.parametrize("status", ["error", "timeout"])
def test_a_crash_the_reference_helper_fixes_passes_and_says_so(status):
    outcome = run_check(check((status, "ZeroDivisionError"), ("passed", "")), StandIn())
    assert outcome.status == "passed"
    assert outcome.message.startswith(f"{SAID} `{HELPER}`; as submitted: ")
