"""A notebook's code cells as the statements that rebuild the student's namespace.

Each cell is neutralised (``grader.notebook.magics``: IPython syntax becomes calls of
``get_ipython()``, which are then skipped like any statement that calls it) and parsed on its
own: a syntax error costs that cell only. Every top-level statement is classified
(``grader.source.classify``): run, or skip with a ``Reason``.

Order. Statements are kept in notebook (cell) order, not execution-count order: later
definitions overwrite earlier ones when the runtime executes them, as in "Restart & Run All".
Out-of-order execution is reported by ``grader.notebook`` as a fact about the submission.
"""

from __future__ import annotations

import ast
import operator
import re
import symtable
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from grader.notebook.magics import neutralise
from grader.notebook.problems import Problem
from grader.source.classify import COMPREHENSIONS, DEFINITIONS, Classifier, module_level
from grader.source.policy import DEFAULT_POLICY, Policy
from grader.source.reasons import Action, Category, Reason

if TYPE_CHECKING:
    from grader.notebook.model import Cell, Submission


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a code cell, as the runtime will execute it."""

    cell: int  # 1-based notebook cell index
    line: int  # 1-based first line within the cell
    source: str  # the statement's Python source (magics already neutralised)
    action: Action
    reason: Reason  # why: import, definition, cheap assignment, experiment loop, ...
    defines: tuple[str, ...] = ()  # names bound by this statement

    @property
    def filename(self) -> str:
        """The name tracebacks show, so that a student finds the cell."""
        return f"<cell {self.cell}>"


@dataclass
class Program:
    statements: list[Statement] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def to_run(self) -> list[Statement]:
        return [s for s in self.statements if s.action == "run"]

    @property
    def defined(self) -> set[str]:
        """Names that the statements the runtime executes bind."""
        return {name for s in self.to_run for name in s.defines}


_Parsed = tuple[int, str, int, ast.Module | None]  # cell, neutralised text, line offset, tree


def build_program(
    submission_or_cells: Submission | Iterable[Cell] | Iterable[str],
    policy: Policy = DEFAULT_POLICY,
) -> Program:
    """Classify every top-level statement of the code cells; never raises on cell contents.

    Accepts a ``Submission``, its cells, or plain code strings (numbered as cells 1, 2, ...).
    How many cells there are is the reader's cap (``grader.notebook.model.ReadOptions.max_cells``);
    statements past ``Policy.max_statements`` are not classified.
    """
    cells = cast("Iterable[Cell | str]", getattr(submission_or_cells, "cells", submission_or_cells))
    program = Program()
    parsed: list[_Parsed] = []
    for number, item in enumerate(cells, start=1):
        if isinstance(item, str):
            parsed.append(_parse_cell(program, number, item, policy))
        elif item.cell_type == "code":
            parsed.append(_parse_cell(program, item.index, item.source, policy))
    classifier = Classifier(
        policy, _function_names(tree for *_, tree in parsed if tree is not None)
    )
    for cell, text, offset, tree in parsed:
        if tree is not None:
            _add_statements(program, classifier, cell, text, offset, tree)
    return program


def _parse_cell(program: Program, cell: int, source: str, policy: Policy) -> _Parsed:
    """Neutralise and parse one cell; a syntax error becomes a problem and no statements."""
    text, offset = neutralise(source, policy.python_cell_magics)
    try:
        return cell, text, offset, ast.parse(text)
    except SyntaxError as error:
        line = (error.lineno or 1) + offset
        shown = (error.text or "").strip()
        program.problems.append(
            Problem(
                "syntax-error",
                f"cell {cell}, line {line}: {error.msg}"
                + (f" — `{shown}`" if shown else "")
                + "; the grader ignores this cell.",
                cell=cell,
                line=line,
            )
        )
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        program.problems.append(
            Problem(
                "syntax-error",
                f"cell {cell}: not valid Python ({error}); the grader ignores this cell.",
                cell=cell,
            )
        )
    return cell, text, offset, None


def _function_names(trees: Iterable[ast.Module]) -> frozenset[str]:
    """Every function the notebook defines anywhere, so that a call before its cell is known."""
    return frozenset(
        node.name
        for tree in trees
        for top in tree.body
        for node in module_level(top)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _add_statements(
    program: Program, classifier: Classifier, cell: int, text: str, offset: int, tree: ast.Module
) -> None:
    lines = text.split("\n")
    budget = classifier.policy.max_statements
    for node in tree.body:
        if len(program.statements) >= budget:
            if not any(p.code == "statement-budget" for p in program.problems):
                program.problems.append(
                    Problem(
                        "statement-budget",
                        f"the notebook has more than {budget:,} statements; the rest were not read",
                        cell=cell,
                    )
                )
            return
        segment = _segment(lines, node)
        action: Action
        table: symtable.SymbolTable | None
        try:
            action, reason = classifier.classify(node)
            table = symtable.symtable(segment, f"<cell {cell}>", "exec")
        except SyntaxError as error:  # symtable is stricter than ast: `def f(a, a)`, `nonlocal`
            action, reason, table = "skip", Reason(Category.SYNTAX_ERROR), None
            line = _first_line(node) + offset + (error.lineno or 1) - 1
            program.problems.append(
                Problem(
                    "syntax-error", f"cell {cell}, line {line}: {error.msg}.", cell=cell, line=line
                )
            )
        except (RecursionError, ValueError):
            action, reason, table = "skip", Reason(Category.TOO_NESTED), None
        defines = _defines(node, table)
        # a skipped input explains a statement better than "not a definition ..." does
        undecided = action == "run" or reason.category == Category.UNSURE
        if undecided and table is not None and not isinstance(node, DEFINITIONS):
            action, reason = classifier.check_dependencies(
                _immediate_reads(node, table), action, reason
            )
        program.statements.append(
            Statement(cell, _first_line(node) + offset, segment, action, reason, defines)
        )
        classifier.record(node, action, reason, cell, defines)


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def _segment(lines: list[str], node: ast.stmt) -> str:
    """The statement's exact text; ast column offsets count UTF-8 bytes."""
    first, last = _first_line(node), node.end_lineno or node.lineno
    chunk = [line.encode() for line in lines[first - 1 : last]]
    start = 0 if first != node.lineno or not chunk else node.col_offset
    end = node.end_col_offset if node.end_col_offset is not None else len(chunk[-1])
    if len(chunk) == 1:
        return chunk[0][start:end].decode(errors="replace")
    return b"\n".join([chunk[0][start:], *chunk[1:-1], chunk[-1][:end]]).decode(errors="replace")


def _defines(node: ast.stmt, table: symtable.SymbolTable | None) -> tuple[str, ...]:
    if table is None or isinstance(node, ast.Delete):
        return ()
    return tuple(s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported())


def _immediate_reads(node: ast.stmt, table: symtable.SymbolTable) -> list[str]:
    """Global names a statement reads while it executes (not inside lambdas or functions)."""
    names = [s.get_name() for s in table.get_symbols() if s.is_referenced()]
    if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
        names.append(node.target.id)
    pending = list(table.get_children())
    while pending:
        child = pending.pop()
        if child.get_type() == "class" or child.get_name() in COMPREHENSIONS:
            names += [
                s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()
            ]
            pending += child.get_children()
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- how the notebook calls things


def notebook_calls(
    program: Program, names: Iterable[str], limit: int = 5
) -> dict[str, list[tuple[tuple, dict]]]:
    """For each of ``names``, the arguments of the notebook's own calls of it that are
    constants, in notebook order, without repeats: ``Net(10)`` → ``[((10,), {})]``;
    ``Net(n_channels)`` after ``n_channels = 3`` → ``[((3,), {})]``;
    ``Net(3*32*32, len(classes))`` → ``[((3072, 10), {})]``.

    A check that must instantiate a student's class calls it the way the notebook does, so a
    constructor with a parameter of the student's own (``def __init__(self, num_outputs)``)
    is not a failure. An argument is a constant expression (see ``_constant``) in which a name
    stands for the constant a module-level assignment gave it before that statement (or,
    for a call in a function body, later); the notebook's code is read, never run.
    """
    found: dict[str, list[tuple[tuple, dict]]] = {name: [] for name in names}
    constants: dict[str, object] = {}
    before: list[dict[str, object]] = []
    for statement in program.statements:
        before.append(dict(constants))
        _bind_constants(statement, constants)
    for statement, known in zip(program.statements, before):
        wanted = {n for n, calls in found.items() if n in statement.source and len(calls) < limit}
        if not wanted:
            continue
        try:
            tree = ast.parse(statement.source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        scope = ChainMap(known, constants)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            calls = found.get(node.func.id)
            if node.func.id not in wanted or calls is None or len(calls) >= limit:
                continue
            try:
                args = tuple(_constant(a, scope) for a in node.args)
                kwargs = {k.arg: _constant(k.value, scope) for k in node.keywords if k.arg}
            except _NotConstant:
                continue
            if len(kwargs) == len(node.keywords) and (args, kwargs) not in calls:
                calls.append((args, kwargs))
    return found


#: One call as the notebook writes it, arguments as source: positional, then (keyword, source).
WrittenCall = tuple[tuple[str, ...], tuple[tuple[str, str], ...]]


def notebook_arguments(program: Program, names: Iterable[str]) -> dict[str, WrittenCall]:
    """For each of ``names``, the notebook's own call of it with the most arguments, each a name
    or a literal (the first such): ``fit(step, model, opt)`` → ``(("step", "model", "opt"),
    ())``; ``check(f, g, tol=1e-6)`` → ``(("f", "g"), (("tol", "1e-06"),))``.

    A check calls a graded function with the handout's arguments; a function with parameters of
    the student's own (``def fit(step, model, opt)``) is called again with the notebook's own
    arguments after those (see ``grader.checks.runner``). Only names and literals are kept, as
    source: what the notebook computes in place is not read."""
    wanted = set(names)
    found: dict[str, WrittenCall] = {}
    for statement in program.statements:
        if not any(n in statement.source for n in wanted):
            continue
        try:
            tree = ast.parse(statement.source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)) or node.func.id not in wanted:
                continue
            values = [*node.args, *(k.value for k in node.keywords)]
            had = found.get(node.func.id, ((), ()))
            if len(values) <= len(had[0]) + len(had[1]):
                continue
            if all(_written_plainly(v) for v in values) and all(k.arg for k in node.keywords):
                found[node.func.id] = (
                    tuple(ast.unparse(a) for a in node.args),
                    tuple((str(k.arg), ast.unparse(k.value)) for k in node.keywords),
                )
    return found


def _written_plainly(node: ast.expr) -> bool:
    """A name, or a literal number, string, bool or None: source that may be written again."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None)))


#: A statement that may bind module-level constants: ``n = 3``, ``a, b = 3, 10``, ``n: int = 3``.
_ASSIGNS_NAMES = re.compile(r"[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*(:[^=\n]*)?=(?!=)")


def _bind_constants(statement: Statement, constants: dict[str, object]) -> None:
    """What ``statement`` does to the module-level constants: ``n = 3`` and ``a, b = 3, 10`` bind
    them; any other binding of a name makes it unknown."""
    for bound in statement.defines:
        constants.pop(bound, None)
    if not statement.defines or not _ASSIGNS_NAMES.match(statement.source):
        return
    try:
        (node,) = ast.parse(statement.source).body
    except (SyntaxError, ValueError, RecursionError):
        return
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets, value = [node.target], node.value
    else:
        return
    try:
        result = _constant(value, constants)
    except _NotConstant:
        return
    for target in targets:
        if isinstance(target, ast.Name):
            constants[target.id] = result
        elif (
            isinstance(target, ast.Tuple)
            and isinstance(result, (tuple, list))
            and len(result) == len(target.elts)
            and all(isinstance(t, ast.Name) for t in target.elts)
        ):
            constants.update({cast(ast.Name, t).id: v for t, v in zip(target.elts, result)})


class _NotConstant(Exception):
    """An expression the grader does not evaluate from the notebook's text."""


#: What a constant may hold: values that cross to the runtime as they are.
_SCALARS = (bool, int, float, str, type(None))
_NUMBERS = (bool, int, float)
_OPERATORS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}  # fmt: skip
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
#: Builtins a constant may call: pure, on constants only (``len(classes)``, ``int(3072 / 2)``).
_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len, "int": int, "float": float, "abs": abs, "min": min, "max": max, "round": round,
}  # fmt: skip
_MAX_MAGNITUDE = 2**63  # larger numbers are no constructor argument, and 10**10**10 is no constant


def _constant(node: ast.expr, names: Mapping[str, object]) -> object:
    """The value of a constant expression: literals (numbers, strings, True, None), tuples and
    lists of them, arithmetic on numbers, the builtins in ``_BUILTINS``, and ``names``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, _SCALARS):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_constant(e, names) for e in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _number(_UNARY[type(node.op)](_number(_constant(node.operand, names))))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _number(_constant(node.left, names)), _number(_constant(node.right, names))
        if isinstance(node.op, ast.Pow) and abs(right) > 64:
            raise _NotConstant
        try:
            return _number(_OPERATORS[type(node.op)](left, right))
        except (ArithmeticError, ValueError) as error:
            raise _NotConstant from error
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _BUILTINS
        and node.func.id not in names
        and not node.keywords
    ):
        args = [_constant(a, names) for a in node.args]
        try:
            result = _BUILTINS[node.func.id](*args)
        except (TypeError, ValueError, ArithmeticError) as error:
            raise _NotConstant from error
        return _number(result) if isinstance(result, _NUMBERS) else result
    raise _NotConstant


def _number(value: object) -> float | int:
    """``value`` if it is a real number of a sensible size (complex, huge and NaN are not)."""
    if not isinstance(value, _NUMBERS) or not abs(value) < _MAX_MAGNITUDE:
        raise _NotConstant
    return value
