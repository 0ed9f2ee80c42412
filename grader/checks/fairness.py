"""What a check may re-run before it blames the student: the handout's numerical edges, and
argument forms the notebook itself never uses (DESIGN principle 4).

A pack declares both on a check (``CheckSet.check(exact=..., forms=...)``); the runner
(``grader.checks.runner``) re-runs a check that failed as submitted:

- with each ``ExactHelper`` bound to its exact version (public source, defined in the student's
  process), so a gradient that is right in exact arithmetic but meets a provided helper's clamp
  passes, with a diagnosis that names the weakness (a rubric may ``deduct`` for it);
- with the graded functions called in the forms the notebook's own calls use (``CallForms``,
  learnt by observing the notebook's callers), so a function that fails only on a form the
  notebook never passes it passes, with a note.

A function that is wrong on its own terms fails either way.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.util
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from grader.checks.context import Context
    from grader.source import Program


@dataclass(frozen=True)
class ExactHelper:
    """A provided helper that is exact in mathematics but not in floating point as handed out
    (a sigmoid clamped to 0 below −20): re-run with ``source``, its exact version, a failure it
    alone causes is the handout's edge, not the student's mistake.

    ``source`` is public code (the student may read it), defining ``name``: it runs in the
    student's process like the handed-out helper it replaces, called as often as that one is
    (every step of an SGD run) and returning what it returns, not a round trip to the grader
    for each call."""

    name: str  # as the notebook calls it
    source: str  # defines ``name``, exactly
    code: str  # the diagnosis a passing re-run carries; a rubric may deduct for it
    label: str
    weakness: str  # what goes wrong with the handed-out version, and how to write it exactly


#: The form of one argument whose value is a single number: how it is written matters to
#: code that indexes it (``loss[0]``) or reads ``.shape``, not to the mathematics.
SCALAR_FORMS = {
    "number": lambda v: float(np.ravel(v)[0]),
    "0-d array": lambda v: np.asarray(np.ravel(v)[0], dtype=float),
    "shape (1,)": lambda v: np.asarray(v, dtype=float).reshape(1),
}


def scalar_form(value: Any) -> str | None:
    """``value``'s form among SCALAR_FORMS; None for anything else (arrays of several values)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, np.number)):
        return "number"
    if isinstance(value, np.ndarray) and value.size == 1 and np.issubdtype(value.dtype, np.number):
        return "0-d array" if value.ndim == 0 else "shape (1,)" if value.shape == (1,) else None
    return None


#: One call's forms: parameter name -> form, for its single-number arguments.
Forms = Mapping[str, str]


def forms_of(parameters: Sequence[str], args: Sequence[Any], kwargs: Mapping[str, Any]) -> dict[str, str]:
    """The forms of one call's single-number arguments, by the handout's parameter names."""
    given = dict(zip(parameters, args)) | dict(kwargs)
    return {name: form for name, value in given.items() if (form := scalar_form(value)) is not None}


@dataclass(frozen=True)
class CallForms:
    """How the notebook itself calls ``function``: the forms of its single-number arguments.

    ``parameters``: the handout's order (checks call positionally, as notebooks do).
    ``callers``: pack code that runs one of the notebook's own callers of ``function``
    (``ctx.call("check_all")``); the function is observed there, and the forms of its last
    call are the notebook's. ``handout``: the forms of the handout's own calls, used when no
    caller could be run (not defined, or it failed before calling).
    """

    function: str
    parameters: tuple[str, ...]
    callers: tuple[Callable[[Context], Any], ...]
    handout: tuple[Forms, ...] = ()
    label: str = field(default="", compare=False)  # who calls it, for the note ("its checker")

    def conform(self, used: Sequence[Forms]) -> Callable[[tuple], tuple]:
        """Arguments rewritten into the forms the notebook uses: a single-number argument in a
        form it never uses takes the first form it does; everything else is left as it is."""

        def convert(args: tuple) -> tuple:
            out = list(args)
            for i, (name, value) in enumerate(zip(self.parameters, args)):
                form = scalar_form(value)
                seen = [f[name] for f in used if name in f]
                if form is not None and seen and form not in seen:
                    out[i] = SCALAR_FORMS[seen[0]](value)
            return tuple(out)

        return convert


def notebook_forms(ctx: Context, forms: CallForms) -> tuple[Forms, ...]:
    """The forms the notebook's own calls of ``forms.function`` use (once per submission)."""
    from grader.checks.context import StudentCallFailed

    key = ("fairness.forms", forms.function)
    if key not in ctx.shared:
        seen: list[dict[str, str]] = []

        def record(args: tuple, kwargs: dict, local: object) -> None:
            seen.append(forms_of(forms.parameters, args, kwargs))

        for caller in forms.callers:
            ctx.fresh()
            try:
                ctx.stub(forms.function, record, "forms observed", inner=forms.function, observe=True)
                caller(ctx)
            except StudentCallFailed:
                pass  # what it called before failing was still observed
            finally:
                ctx._fatal = None
                ctx.fresh()
        ctx.shared[key] = tuple(f for f in seen if f) or forms.handout
    return ctx.shared[key]


def describe(forms: Forms) -> str:
    return ", ".join(f"`{name}` as a {form}" if form == "number" else f"`{name}` of {form}" for name, form in forms.items())


def rewritten_helpers(program: Program, handout: str | None, names: Iterable[str]) -> frozenset[str]:
    """The provided helpers among ``names`` that the notebook defines otherwise than the
    handout's module ``handout`` does (compared as code: comments, docstrings and layout aside),
    so that a re-run that passes with a correct one can say which helper the student rewrote.
    Empty where the handout's code is not at hand (the student's side).

    The handout is read as source, never imported: its own imports (torch, pyplot) would cost
    the grader seconds for a comparison of text."""
    given = _module_source(handout) if handout else None
    if given is None:
        return frozenset()
    theirs = {name: source for s in program.to_run for name in s.defines if (source := s.source)}
    found = set()
    for name in names:
        if name in theirs and (ours := _as_code(given, name)) is not None and _as_code(theirs[name], name) != ours:
            found.add(name)
    return frozenset(found)


def _module_source(module: str) -> str | None:
    """The source of ``module`` as found on the path (its parent packages are imported, not it)."""
    try:
        spec = importlib.util.find_spec(module)
        loader = spec.loader if spec is not None else None
        return loader.get_source(module) if isinstance(loader, importlib.abc.InspectLoader) else None
    except (ImportError, ValueError, OSError):
        return None


def _as_code(source: str, name: str) -> str | None:
    """The definition of ``name`` in ``source`` as an AST dump without docstrings."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                node.body = body[1:] or [ast.Pass()]
            return ast.dump(node, annotate_fields=False, include_attributes=False)
    return None
