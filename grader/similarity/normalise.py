"""Statements that do nothing are blanked before code is fingerprinted.

A copier can pad a copied function with statements that change nothing (``_n1 = None`` after
every line, a bare ``x``, ``...``, ``pass``, a stray string): each one cuts every k-gram that
crosses it, and a padded copy shared almost no fingerprint with its source. Such statements are
found on the parsed code (``ast``; nothing is ever run) and their characters replaced by spaces,
so that line numbers stay those of the notebook for the side-by-side view:

- an expression statement that is *pure*: names, constants, attributes and subscripts, and
  operators, tuples, lists, sets and dicts of them, but no call (``np.pi``, ``X[0]``, ``...``
  and docstrings are pure; ``plt.show()`` is code), and ``pass``;
- a *dead store*: a pure value assigned to names that are never read in their scope: in a
  function, read nowhere in it (nested functions, lambdas and comprehensions included); at
  module level, read nowhere in the whole notebook (another cell may read it). Removing one
  may make another dead (``_a = None; _b = _a``), so it is repeated until nothing changes.

Real code stays: a store that is read anywhere in its scope, one whose name is ``global`` or
``nonlocal``, every store of a scope that calls ``locals``/``vars``/``eval``/``exec``, and
class bodies' assignments (attributes) are kept. A cell that does not parse (or nests deeper
than the parser goes) is kept as it is, and its identifiers all count as read for the rest of
the notebook.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Mapping

_PURE = (
    ast.Constant,
    ast.Name,
    ast.UnaryOp,
    ast.BinOp,
    ast.BoolOp,
    ast.Compare,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.expr_context,
    ast.unaryop,
    ast.operator,
    ast.boolop,
    ast.cmpop,
)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)  # scopes of their own
_DYNAMIC = {"locals", "vars", "eval", "exec", "globals"}
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def _pure(node: ast.AST | None) -> bool:
    """True when ``node`` calls nothing and binds nothing: whatever a property or ``__add__``
    might do when it runs, the statement is not code the student wrote to do something (the
    code is only fingerprinted here, never run)."""
    return node is not None and all(isinstance(n, _PURE) for n in ast.walk(node))


def _target_names(targets: Iterable[ast.expr]) -> list[str] | None:
    """The names a store binds, or None when one target is not a plain name (``a.b``, ``a[i]``)."""
    names: list[str] = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            inner = _target_names(target.elts)
            if inner is None:
                return None
            names.extend(inner)
        else:
            return None
    return names


def _store(statement: ast.stmt) -> list[str] | None:
    """The names of a store of a pure value (``x = None``, ``x: int = 0``), else None."""
    if isinstance(statement, ast.Assign) and _pure(statement.value):
        return _target_names(statement.targets)
    if (
        isinstance(statement, ast.AnnAssign)
        and statement.simple
        and _pure(statement.annotation)
        and (statement.value is None or _pure(statement.value))
    ):
        return _target_names([statement.target])
    return None


def _reads(nodes: Iterable[ast.AST], skip: set[int]) -> tuple[set[str], bool]:
    """Names read under ``nodes`` (statements in ``skip`` excluded), and whether the code reaches
    its namespace dynamically (``locals()``, ``eval``…), where any store may be read."""
    read: set[str] = set()
    dynamic = False
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if id(node) in skip:
            continue
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Store):
                read.add(node.id)
            dynamic |= node.id in _DYNAMIC
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            read.add(node.target.id)  # ``x += 1`` reads x
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            read.update(node.names)  # another scope's name: its stores are not ours to judge
        stack.extend(ast.iter_child_nodes(node))
    return read, dynamic


def _own_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements of a block and of its nested blocks, not those of nested defs and classes."""
    result, stack = [], list(body)
    while stack:
        statement = stack.pop()
        result.append(statement)
        if isinstance(statement, _NESTED):
            continue
        for field in ("body", "orelse", "finalbody"):
            stack.extend(getattr(statement, field, ()))
        for holder in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
            stack.extend(holder.body)  # except and case clauses
    return result


def _noops(tree: ast.Module, outside: set[str]) -> list[ast.stmt]:
    """Statements of ``tree`` that do nothing; ``outside``: what the other cells read."""
    every = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    removed = {
        id(s)
        for s in every
        if isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and _pure(s.value))
    }
    # each scope: the code its names are read in, what else reads them, its candidate stores
    scopes: list[tuple[list[ast.AST], set[str], list[tuple[ast.stmt, list[str]]]]] = []
    functions = [n for n in every if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    blocks: list[tuple[list[ast.AST], list[ast.stmt], set[str]]] = [([tree], tree.body, outside)]
    blocks += [([*f.body], f.body, set()) for f in functions]
    for where, body, also in blocks:
        stores = [(s, names) for s in _own_statements(body) if (names := _store(s))]
        if stores:
            scopes.append((where, also, stores))
    changed = True
    while changed:
        changed = False
        for where, also, stores in scopes:
            read, dynamic = _reads(where, removed)
            if dynamic:
                continue
            read |= also
            for statement, names in stores:
                if id(statement) not in removed and not read.intersection(names):
                    removed.add(id(statement))
                    changed = True
    return [s for s in every if id(s) in removed]


def _blank(lines: list[str], statement: ast.stmt) -> None:
    """Replace a statement's characters (and a ``;`` joining it to its line) by spaces."""
    first, last = statement.lineno - 1, (statement.end_lineno or statement.lineno) - 1
    start = len(lines[first].encode()[: statement.col_offset].decode(errors="replace"))
    end_col = statement.end_col_offset if statement.end_col_offset is not None else 0
    end = len(lines[last].encode()[:end_col].decode(errors="replace"))
    rest = lines[last][end:]
    if rest.lstrip().startswith(";"):
        end += len(rest) - len(rest.lstrip()) + 1
    elif lines[first][:start].rstrip().endswith(";"):
        start = len(lines[first][:start].rstrip()) - 1
    for number in range(first, last + 1):
        line = lines[number]
        left = start if number == first else 0
        right = end if number == last else len(line)
        lines[number] = line[:left] + " " * (right - left) + line[right:]


def _parse(source: str) -> ast.Module | None:
    """The cell's tree, or None where Python cannot build one (a syntax error, nesting too deep
    for the parser): that cell is then fingerprinted as written."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def without_noops(cells: Mapping[int, str]) -> dict[int, str]:
    """A notebook's code cells (index -> source) with the statements that do nothing blanked."""
    trees = {index: _parse(source) for index, source in cells.items()}
    read_in: dict[int, set[str]] = {}
    for index, tree in trees.items():
        if tree is None:
            read_in[index] = set(_IDENTIFIER.findall(cells[index]))
        else:
            read_in[index] = _reads([tree], set())[0]
    readers = Counter(name for names in read_in.values() for name in names)
    result = {}
    for index, source in cells.items():
        tree = trees[index]
        if tree is None:
            result[index] = source
            continue
        own = read_in[index]
        outside = {name for name, count in readers.items() if count > (name in own)}
        statements = _noops(tree, outside)
        if not statements:
            result[index] = source
            continue
        lines = source.split("\n")
        for statement in statements:
            _blank(lines, statement)
        result[index] = "\n".join(lines)
    return result
