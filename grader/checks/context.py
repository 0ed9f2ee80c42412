"""What a check sees: the submission, the student runtime, the reference, and a seed.

Every value a check gets from the student crossed the wire as plain data; comparisons are
made here, in the grader's process, never inside the runtime.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from grader.checks.display import show, show_inputs
from grader.model.results import Counterexample, Status
from grader.notebook.model import Submission
from grader.runtime import Stub

#: How checks explore inputs: reproducible from the grading seed, nothing written to disk
#: (no example database), no deadline (a student's slow loop is not a failure). No "explain"
#: phase: it re-runs a failing student function many times to say which argument mattered,
#: which a report does not print.
CHECK_SETTINGS = settings(
    max_examples=25,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    deadline=None,
    database=None,
    derandomize=False,
    print_blob=False,
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),  # a slow or picky student function is not a grader error
)



def _examples_from_the_seed_alone() -> None:
    """Hypothesis seeds generation with literals it harvests from the "local" modules a process
    has imported: the grader's own source when it is installed editable, the tests', whatever a
    batch worker loaded before. The examples a seed gives would then depend on a process's
    history and on every edit of the grader; a verdict must depend on the seed alone. The
    global constants (0, ±inf, boundary values) stay. Private API, so guarded: a Hypothesis
    without it has nothing to turn off."""
    from hypothesis.internal.conjecture import providers

    if hasattr(providers, "_get_local_constants") and hasattr(providers, "Constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty
        providers.CONSTANTS_CACHE.cache.clear()


_examples_from_the_seed_alone()


class CheckFailed(AssertionError):
    """The student's work does not do what the task asks; carries the smallest failing input.

    The counterexample may be given as a function that makes it: shrinking raises a failure
    per example it tries and reports one, and rendering arrays costs more than comparing them.
    """

    def __init__(
        self, message: str, counterexample: Counterexample | Callable[[], Counterexample] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self._counterexample = counterexample

    @property
    def counterexample(self) -> Counterexample | None:
        if callable(self._counterexample):
            self._counterexample = self._counterexample()
        return self._counterexample


class StudentCallFailed(Exception):
    """A call into the student's code raised, hung, exited, crashed or ran out of memory."""

    def __init__(self, target: str, result: Any, inputs: str = "") -> None:
        self.target = target
        self.result = result  # grader.runtime.CallResult
        self.inputs = inputs
        super().__init__(self.message)

    @property
    def status(self) -> Status:
        return Status.TIMEOUT if self.result.status == "timeout" else Status.ERROR

    @property
    def message(self) -> str:
        r = self.result
        if r.status == "error" and r.error is not None:
            where = f" ({r.error.traceback[-1]})" if r.error.traceback else ""
            said = f": {r.error.message}" if r.error.message else ""
            return f"`{self.target}` raised {r.error.type}{said}{where}"
        return f"`{self.target}` {r.detail or r.status}"


@dataclass
class Context:
    """Everything a check may use. ``reference`` is None on the student's side."""

    submission: Submission
    runtime: Any  # grader.runtime.StudentRuntime, or None when it could not start
    reference: ModuleType | None = None
    seed: int = 0
    hypothesis: settings = CHECK_SETTINGS
    names: Mapping[str, str] = field(default_factory=dict)  # student namespace: name -> kind
    calls: Mapping[str, list[tuple[tuple, dict]]] = field(default_factory=dict)  # see instantiate()
    #: function name -> the arguments the notebook's own call gives it, as written (see
    #: grader.source.notebook_arguments and the runner's re-run with them)
    arguments: Mapping[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a passing check wants said
    _fatal: StudentCallFailed | None = None
    _defines: list[str] = field(default_factory=list)  # this check's changes; the runner undoes them
    _stubs: dict[str, tuple] = field(default_factory=dict)  # this check's stubs, see fresh(keep_stubs=)
    _ended: dict[tuple, StudentCallFailed] = field(default_factory=dict)  # per submission, see _call
    _answers: dict[tuple, Any] = field(default_factory=dict)  # per submission, see _call
    shared: dict[tuple, Any] = field(default_factory=dict)  # per submission: what several checks compute once
    #: function name -> its arguments rewritten into the forms the notebook uses (a re-run,
    #: see grader.checks.fairness); empty: called as the check calls it
    conform: dict[str, Callable[[tuple], tuple]] = field(default_factory=dict)
    #: trusted source a re-run surrounds the check with (see grader.checks.runner): defined
    #: again in every fresh namespace the check asks for
    surroundings: list[str] = field(default_factory=list)
    #: provided helpers the notebook defines otherwise than the handout (said by re-runs)
    rewritten: frozenset[str] = frozenset()
    #: a re-run that asks only whether the check passes now (see grader.checks.runner): a
    #: property stops at its first failure, which is raised unshrunk
    verdict_only: bool = False

    @property
    def solution(self) -> ModuleType:
        """The reference solution, for a check that compares with it (the instructor's side)."""
        if self.reference is None:
            raise RuntimeError("this check compares with the reference, which only the instructor's side has")
        return self.reference

    # -- calling the student -------------------------------------------------------------
    def call(self, target: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call into the runtime and return the plain value, or raise StudentCallFailed."""
        return self._call(target, args, kwargs, timeout).value

    def call_with_output(self, target: Any, *args: Any, timeout: float | None = None, **kwargs: Any) -> tuple[Any, str]:
        """Call and also return what the call printed (for functions that report by printing)."""
        result = self._call(target, args, kwargs, timeout)
        return result.value, result.output

    def _call(self, target: Any, args: tuple, kwargs: dict, timeout: float | None) -> Any:
        """One call into the runtime, failing as StudentCallFailed.

        After a call hangs or kills its worker, further calls in the same check fail at once
        with the same outcome (Hypothesis would otherwise retry the hang while shrinking), and
        so do later checks' calls of the same function in the same namespace: a function that
        hung once costs its timeout once per submission, not once per check.
        """
        if self._fatal is not None:
            raise self._fatal
        if isinstance(target, str) and target in self.conform:
            args = self.conform[target](args)
        key = (_target_name(target), tuple(self._defines))
        if key in self._ended:
            self._fatal = self._ended[key]
            raise self._fatal
        # Checks of one task draw the same examples (same strategy, same seed): a plain-data
        # call already answered in this namespace is answered again from memory.
        # Not while a stub observes the call: its grader side must see this call's arguments.
        observed = any(d.startswith("observe ") for d in self._defines)
        memo = (*key, _digest((args, kwargs))) if isinstance(target, str) and not kwargs.get("keep") and not observed else None
        result = self._answers.get(memo) if memo else None
        if result is None:
            result = self.runtime.call(target, *args, timeout=timeout, **kwargs)
            if memo and memo[2] is not None and result.status in ("ok", "error"):
                self._answers[memo] = result
        if result.ok:
            return result
        failure = StudentCallFailed(_target_name(target), result)
        if result.status != "error":
            self._fatal = self._ended[key] = failure
        raise failure

    def keep(self, target: str, *args: Any, **kwargs: Any) -> Any:
        """Call and keep the result inside the runtime (a model instance): returns a Handle."""
        return self.call(target, *args, keep=True, **kwargs)

    def instantiate(self, name: str, *defaults: tuple) -> tuple[Any, str]:
        """Create the student's class ``name`` inside the runtime, as the notebook itself calls it.

        Tries the notebook's own calls with constant arguments (``Net(10)``, ``Net(n_out)``
        after ``n_out = 10``: ``grader.source.notebook_calls``), then each of
        the pack's ``defaults`` argument tuples; returns the kept instance and the call that made
        it (``"Net(10)"``). If every way fails, the first failure is raised.
        """
        ways = [*self.calls.get(name, ()), *(((*d,), {}) for d in defaults)]
        failures: list[StudentCallFailed] = []
        for args, kwargs in dict.fromkeys((a, tuple(sorted(k.items()))) for a, k in ways) or [((), ())]:
            try:
                return self.keep(name, *args, **dict(kwargs)), _call_text(name, args, dict(kwargs))
            except StudentCallFailed as failure:
                failures.append(failure)
                if failure.status != Status.ERROR:
                    break
        raise failures[0]

    def define(self, source: str, values: Mapping[str, Any] | None = None) -> None:
        """Run trusted source in the student's namespace (undone after the check)."""
        self._fresh_namespace()
        self._defines.append(source)
        result = self.runtime.define(source, values or {})
        if result.status == "error":  # the grader's own source failed: a grader bug
            raise RuntimeError(f"the grader could not prepare the runtime: {result.error}")
        if not result.ok:  # the student's process died or hung under it
            raise StudentCallFailed("the student's runtime", result)

    def stub(
        self,
        name: str,
        answer: Callable[[tuple, dict, Any], Any],
        label: str,
        inner: str | None = None,
        observe: bool = False,
        trace: bool = False,
    ) -> None:
        """Bind ``name`` in the student's namespace to a function the grader answers with
        ``answer(args, kwargs, local)`` (see grader.runtime.Stub): only values cross, so no
        reference code enters the student's process. ``observe``: ``inner`` answers, the grader
        only sees the last call's arguments (see Stub); ``trace``: and every call's numbers. Undone after the check; ``label`` says
        what it computes (calls answered from memory are told apart by it)."""
        self._fresh_namespace()
        self._defines.append(f"{'observe' if observe else 'stub'} {name}: {label}")
        self._stubs[name] = (answer, label, inner, observe, trace)
        result = self.runtime.define(stubs={name: Stub(answer, inner, observe, trace)})
        if result.status == "error":
            raise RuntimeError(f"the grader could not prepare the runtime: {result.error}")
        if not result.ok:
            raise StudentCallFailed("the student's runtime", result)

    def reference_stub(self, name: str) -> None:
        """``name`` answered by the reference solution's function of that name."""
        function = getattr(self.solution, name)
        self.stub(name, lambda args, kwargs, local: function(*args, **kwargs), f"reference {name}")

    def answered_by_grader(self, name: str) -> bool:
        """Whether ``name`` is a stub in this check (each call of it a round trip to the grader)."""
        return any(d.startswith(f"stub {name}:") for d in self._defines)

    def fresh(self, *, keep_stubs: bool = False) -> None:
        """Undo this check's defines now: the next call runs in the namespace as built (and
        surrounded as a re-run surrounds it, see ``surroundings``). ``keep_stubs``: with this check's stubs bound again (and nothing else it defined), so
        that two scenarios run in the same surroundings, neither remembering the other."""
        stubs = dict(self._stubs) if keep_stubs else {}
        if self._defines:
            self.runtime.reset()
            self._defines = []
        self._stubs = {}
        for source in self.surroundings:
            self.define(source)
        for name, (answer, label, inner, observe, trace) in stubs.items():
            self.stub(name, answer, label, inner, observe, trace)

    def _fresh_namespace(self) -> None:
        """A check's first define starts from the namespace as built, in a new worker: what
        earlier checks' calls left in it (a ``__warningregistry__``, a module attribute) must
        not tell one of the grader's defines from another."""
        if not self._defines:
            self.runtime.reset()
            self._stubs = {}

    def note(self, message: str) -> None:
        """Say something next to a pass (a parsed accuracy, a figure found)."""
        self.notes.append(message)

    def has(self, name: str) -> bool:
        return name in self.names

    # -- properties ----------------------------------------------------------------------
    def forall(
        self,
        strategy: st.SearchStrategy,
        prop: Callable[[Any], None],
        *,
        max_examples: int | None = None,
    ) -> None:
        """Run ``prop`` on examples drawn from ``strategy``; the failure Hypothesis shrinks to is raised.

        Shrinking is bounded: after the first failure, ``SHRINK_RUNS`` more examples run
        (fewer when the student's code raised: a smaller input adds little to a traceback),
        for at most ``SHRINK_SECONDS``, then the smallest failure seen so far is reported.
        Unbounded, Hypothesis spends tens of seconds per check shrinking a function that fails
        on every input; most of it drawing candidates, so the run count alone is no bound.

        The examples are first replayed from those Hypothesis drew for a property that passed
        them all (``drawn_examples``): the same examples in the same order, without the cost of
        drawing them (3 to 7 ms each). On the first that fails, Hypothesis runs as it would
        have, meets the same failure (the student's calls answered from memory) and shrinks it.
        With ``verdict_only`` (a re-run that asks only whether the check passes now) the first
        failure is raised as it is: nothing would read a smaller one.
        """
        chosen = settings(self.hypothesis, max_examples=max_examples or self.hypothesis.max_examples)
        replay = drawn_examples(strategy, self.seed, chosen)
        if replay is not None:
            failed = _first_failure(prop, replay)
            if failed is None:
                return
            if self.verdict_only:
                failure, example = failed
                if isinstance(failure, StudentCallFailed) and not failure.inputs:
                    failure.inputs = show_inputs(example) if isinstance(example, Mapping) else show(example)
                raise failure
        smallest: list[BaseException] = []
        runs_after_failure = [0]
        first_failure = [0.0]

        @chosen
        @seed(self.seed)
        @given(strategy)
        def property_(example: Any) -> None:
            if smallest:
                budget = SHRINK_RUNS_AFTER_ERROR if isinstance(smallest[-1], StudentCallFailed) else SHRINK_RUNS
                budget = 0 if self.verdict_only else budget
                if runs_after_failure[0] >= budget or time.monotonic() - first_failure[0] > SHRINK_SECONDS:
                    raise _StopShrinking  # a BaseException: Hypothesis lets it through at once
                runs_after_failure[0] += 1
            try:
                prop(example)
            except StudentCallFailed as failure:
                if not failure.inputs:
                    failure.inputs = show_inputs(example) if isinstance(example, Mapping) else show(example)
                first_failure[0] = first_failure[0] or time.monotonic()
                smallest.append(failure)
                raise
            except CheckFailed as failure:
                first_failure[0] = first_failure[0] or time.monotonic()
                smallest.append(failure)
                raise

        try:
            property_()
        except _StopShrinking:
            raise smallest[-1] from None
        except BaseExceptionGroup as group:  # several distinct failures: report the first
            raise group.exceptions[0] from None


#: (strategy, seed, settings) -> the examples a property that passes them all is given, in order.
_DRAWN: dict[tuple[str, int, str], list[Any]] = {}


def drawn_examples(strategy: st.SearchStrategy, seed_: int, chosen: settings) -> list[Any] | None:
    """The examples Hypothesis gives a property that passes them all, drawn once per process.

    They depend on the strategy, the seed and the settings alone, never on what the property
    does with them (Hypothesis adapts only to failures): ``tests/grading/test_context.py``
    holds it to that. None for a strategy whose description may not tell it from another (a
    lambda's closure, an object's address), which is then drawn every time.
    """
    description = repr(strategy)
    if "lambda" in description or " at 0x" in description:
        return None
    key = (description, seed_, repr(chosen))
    if key not in _DRAWN:
        examples: list[Any] = []

        @chosen
        @seed(seed_)
        @given(strategy)
        def record(example: Any) -> None:
            examples.append(copy.deepcopy(example))

        record()
        _DRAWN[key] = examples
    return _DRAWN[key]


def _first_failure(prop: Callable[[Any], None], examples: list[Any]) -> tuple[Exception, Any] | None:
    """What ``prop`` raises on the first of ``examples`` it fails, and that example (each run
    on a copy: a property may change its own); None if it passes them all."""
    for example in examples:
        try:
            prop(copy.deepcopy(example))
        except Exception as failure:  # noqa: BLE001 - whatever it was, Hypothesis meets it again on this example
            return failure, example
    return None


class _StopShrinking(BaseException):
    """Ends a property's shrinking; what to report is kept by ``forall``."""


#: Examples that really run after a property's first failure, while Hypothesis shrinks it.
SHRINK_RUNS = 60
SHRINK_RUNS_AFTER_ERROR = 5
#: ...and for at most this long (wall clock): a report waits no longer for a smaller example.
SHRINK_SECONDS = 0.5


def _digest(value: Any) -> str | None:
    """A key for plain-data arguments; None when they hold anything else (handles, tensors)."""
    digest = hashlib.sha256()

    def walk(v: Any) -> bool:
        if isinstance(v, np.ndarray):
            digest.update(f"a{v.dtype.str}{v.shape}".encode())
            digest.update(np.ascontiguousarray(v).tobytes())
        elif v is None or isinstance(v, (bool, int, float, str)):
            digest.update(f"{type(v).__name__}:{v!r};".encode())
        elif isinstance(v, (list, tuple)):
            digest.update(f"{type(v).__name__}[{len(v)}".encode())
            return all(walk(x) for x in v)
        elif isinstance(v, dict):
            digest.update(f"d{len(v)}".encode())
            return all(walk(k) and walk(x) for k, x in sorted(v.items()))
        else:
            return False
        return True

    return digest.hexdigest() if walk(value) else None


def _call_text(name: str, args: tuple, kwargs: dict) -> str:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _target_name(target: Any) -> str:
    return target if isinstance(target, str) else getattr(target, "type_name", "object")
