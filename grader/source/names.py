"""Global names a student's function reads that the rebuilt namespace does not have.

A check that fails on a ``NameError`` says more with "`softmax` is not defined — did you mean
`soft_max`?" or "`lrate` is defined only by a statement the grader does not run (cell 3:
experiment loop)".
"""

from __future__ import annotations

import ast
import builtins
import difflib
import symtable
from dataclasses import dataclass

from grader.source.classify import DEFINITIONS
from grader.source.policy import DEFAULT_POLICY, Policy
from grader.source.program import Program, Statement


@dataclass(frozen=True)
class UndefinedName:
    """A global name a function reads that the rebuilt namespace does not have."""

    name: str
    cell: int
    line: int  # 1-based in the cell
    suggestion: str | None = None  # a close defined name or builtin
    skipped_by: Statement | None = None  # the skipped statement that would have defined it

    @property
    def message(self) -> str:
        where = f"cell {self.cell}, line {self.line}: "
        if self.skipped_by is not None:
            by = self.skipped_by
            return (
                f"{where}`{self.name}` is defined only by a statement the grader does not run "
                f"(cell {by.cell}: {by.reason.category})."
            )
        if self.suggestion:
            return f"{where}`{self.name}` is not defined — did you mean `{self.suggestion}`?"
        return f"{where}`{self.name}` is not defined."


def undefined_names(
    program: Program, function_name: str, policy: Policy = DEFAULT_POLICY
) -> list[UndefinedName]:
    """Free global names of the function or class ``function_name`` that nothing run defines.

    Uses the last run definition (as the runtime would); empty when the program does not
    define ``function_name`` (the caller reports the missing definition). Reads in decorators,
    default arguments, annotations and base classes count, as do nested functions, classes
    and comprehensions; names bound locally, parameters and enclosing functions' names do not.
    """
    found = _find_definition(program, function_name)
    if found is None:
        return []
    statement, node, table = found
    reads = _global_reads(table)
    defined = program.defined | _globals_assigned_in_functions(program)
    known = defined | set(dir(builtins)) | policy.kernel_names
    candidates = sorted(defined) + sorted(n for n in dir(builtins) if not n.startswith("_"))
    skipped: dict[str, Statement] = {}
    for s in program.statements:
        if s.action == "skip":
            skipped.update({name: s for name in s.defines})
    result = []
    for name in dict.fromkeys(reads):
        if name in known:
            continue
        line = statement.line + _line_of(node, name) - 1
        if name in skipped:
            result.append(UndefinedName(name, statement.cell, line, skipped_by=skipped[name]))
        else:
            close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.65)
            result.append(UndefinedName(name, statement.cell, line, close[0] if close else None))
    return sorted(result, key=lambda u: (u.line, u.name))


def _find_definition(
    program: Program, name: str
) -> tuple[Statement, ast.AST, symtable.SymbolTable] | None:
    """The last run statement defining ``name``, the node to take lines from, the scope to scan.

    For a plain ``def``/``class`` statement the whole statement is scanned (its decorators,
    defaults and bases are read too); for one inside a block, only its own scope.
    """
    for statement in reversed(program.to_run):
        if name not in statement.defines:
            continue
        try:
            tree = ast.parse(statement.source)
            table = symtable.symtable(statement.source, statement.filename, "exec")
        except (SyntaxError, ValueError, RecursionError):
            continue
        top = tree.body[0] if len(tree.body) == 1 else None
        if isinstance(top, DEFINITIONS) and top.name == name:
            return statement, tree, table
        nodes = [n for n in ast.walk(tree) if isinstance(n, DEFINITIONS) and n.name == name]
        tables = [c for c in table.get_children() if c.get_name() == name]
        if nodes and tables:
            return statement, nodes[-1], tables[-1]
    return None


def _global_reads(table: symtable.SymbolTable) -> list[str]:
    names = [s.get_name() for s in table.get_symbols() if s.is_referenced() and s.is_global()]
    for child in table.get_children():
        names += _global_reads(child)
    return names


def _globals_assigned_in_functions(program: Program) -> set[str]:
    """Names that run functions bind with ``global x; x = ...``: defined once they are called."""
    names: set[str] = set()
    for statement in program.to_run:
        if "global" not in statement.source:  # parsing every statement per call is the slow part
            continue
        for node in ast.walk(ast.parse(statement.source)):
            if isinstance(node, ast.Global):
                names.update(node.names)
    return names


def _line_of(node: ast.AST, name: str) -> int:
    """First line (1-based, within the statement) where ``name`` appears in ``node``."""
    lines = [n.lineno for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name]
    return min(lines, default=getattr(node, "lineno", 1))
