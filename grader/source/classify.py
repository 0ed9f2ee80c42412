"""Classify one top-level statement: run it or skip it, and why (table in ``reasons``).

An expression is *cheap* when it is made of literals, names, attribute access, subscripts,
arithmetic, comparisons, f-strings, lambdas, comprehensions over cheap iterables, and calls
that are cheap: a class the notebook defines (``Net()``), a function the ``Policy``
allows, or an allowed method on a cheap receiver, with cheap arguments. Run statements still
run under the runtime's time limit, which records any failure: the policy prefers running a
harmless statement that defines a name over skipping it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from fnmatch import fnmatchcase

from grader.source.policy import Policy
from grader.source.reasons import Action, Category, Reason

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr"})

_UNSURE = Reason(Category.UNSURE)
_MAGIC_KINDS = {
    "run_line_magic": Category.IPYTHON_MAGIC,
    "run_cell_magic": Category.CELL_MAGIC,
    "system": Category.SHELL_ESCAPE,
    "getoutput": Category.SHELL_ESCAPE,
}
# Denied categories whose detail says why rather than which call.
_FIXED_DETAILS: dict[str, str] = {Category.PRINTING: "no effect on definitions"}


class Classifier:
    """Classifies statements in notebook order, remembering what the earlier ones bound:
    notebook functions and classes, import aliases, names only skipped statements bind."""

    def __init__(self, policy: Policy, functions: frozenset[str]) -> None:
        self.policy = policy
        self.functions = functions  # every function name defined anywhere in the notebook
        self.kinds: dict[str, str] = {}  # name → "function" | "class" | "value" (run statements)
        self.aliases: dict[str, str] = {}  # name → module path, from run imports
        # names bound only by skipped statements → (cell, reason) of the last one
        self.skipped_by: dict[str, tuple[int, Reason]] = {}

    def classify(self, node: ast.stmt) -> tuple[Action, Reason]:
        """(action, reason) for one statement, by the table in ``grader.source.reasons``."""
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return "run", Reason(Category.IMPORT)
        if isinstance(node, DEFINITIONS):
            return "run", Reason(Category.DEFINITION)
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return "skip", Reason(Category.EXPERIMENT_LOOP)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            parts = [node.value] + [t for t in targets if not isinstance(t, ast.Name)]
            return _verdict(self._first_reason(parts), Category.CHEAP_ASSIGNMENT)
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Call) or _uses_ipython(node.value):
                return _verdict(self._cheap(node.value), Category.CHEAP_CALL)
            return "skip", Reason(Category.EXPRESSION, "only displays a value")
        if isinstance(node, ast.If):
            reason = self._cheap(node.test) or self._block_reason(node.body + node.orelse)
            return _verdict(reason, Category.RUNNABLE_BLOCK)
        if isinstance(node, (ast.Try, ast.TryStar)):
            handled = [s for h in node.handlers for s in h.body]
            body = node.body + handled + node.orelse + node.finalbody
            reason = self._first_reason([h.type for h in node.handlers if h.type])
            reason = reason or self._block_reason(body)
            return _verdict(reason, Category.RUNNABLE_BLOCK)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            reason = self._first_reason([item.context_expr for item in node.items])
            return _verdict(reason or self._block_reason(node.body), Category.RUNNABLE_BLOCK)
        if isinstance(node, (ast.Delete, ast.Global, ast.Nonlocal, ast.Assert, ast.Pass)):
            return "skip", Reason(Category.NO_EFFECT)
        return "skip", _UNSURE

    def check_dependencies(
        self, reads: list[str], action: Action, reason: Reason
    ) -> tuple[Action, Reason]:
        """Skip a statement that reads a name only skipped statements bind, saying which."""
        for name in reads:
            if name in self.skipped_by:
                cell, cause = self.skipped_by[name]
                return "skip", cause.because_of(name, cell)
        return action, reason

    def record(
        self, node: ast.stmt, action: Action, reason: Reason, cell: int, defines: tuple[str, ...]
    ) -> None:
        """Remember what a classified statement binds, for the statements after it."""
        if action == "skip":
            for name in defines:
                if name not in self.kinds:
                    self.skipped_by[name] = (cell, reason)
            return
        for name in defines:
            self.kinds[name] = "value"
            self.aliases.pop(name, None)
            self.skipped_by.pop(name, None)
        for inner in module_level(node):
            if isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.kinds[inner.name] = "function"
            elif isinstance(inner, ast.ClassDef):
                self.kinds[inner.name] = "class"
            elif isinstance(inner, ast.Import):
                for alias in inner.names:
                    if alias.asname:
                        self.aliases[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.aliases[root] = root
            elif isinstance(inner, ast.ImportFrom) and inner.module and not inner.level:
                for alias in inner.names:
                    self.aliases[alias.asname or alias.name] = f"{inner.module}.{alias.name}"
            elif isinstance(inner, ast.Assign) and isinstance(inner.value, ast.Lambda):
                names = [t.id for t in inner.targets if isinstance(t, ast.Name)]
                if len(names) == len(inner.targets):
                    self.kinds.update(dict.fromkeys(names, "function"))

    def resolve(self, dotted: str) -> str:
        """``np.zeros`` → ``numpy.zeros`` by the notebook's imports, else the usual aliases."""
        root, _, rest = dotted.partition(".")
        if root in self.aliases:
            module = self.aliases[root]
        elif root in self.policy.aliases and root not in self.kinds:
            module = self.policy.aliases[root]
        else:
            return dotted
        return f"{module}.{rest}" if rest else module

    def _block_reason(self, body: list[ast.stmt]) -> Reason | None:
        for statement in body:
            action, reason = self.classify(statement)
            if action == "skip":
                return reason
        return None

    def _first_reason(self, nodes: Iterable[ast.AST | None]) -> Reason | None:
        for node in nodes:
            reason = self._cheap(node) if node is not None else None
            if reason is not None:
                return reason
        return None

    def _cheap(self, node: ast.AST) -> Reason | None:
        """None when evaluating ``node`` is cheap and harmless, else the reason to skip it."""
        if isinstance(node, ast.Call):
            return self._call_reason(node)
        if isinstance(node, ast.Lambda):
            return self._first_reason([*node.args.defaults, *node.args.kw_defaults])
        if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
            return _UNSURE
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            for generator in node.generators:
                parts += [generator.iter, *generator.ifs]
            return self._first_reason(parts)
        if isinstance(node, ast.expr):
            return self._first_reason(
                child
                for child in ast.iter_child_nodes(node)
                if isinstance(child, (ast.expr, ast.keyword))
            )
        return None

    def _call_reason(self, call: ast.Call) -> Reason | None:
        arguments = self._first_reason([*call.args, *(k.value for k in call.keywords)])
        dotted = _dotted(call.func)
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(receiver, ast.Call) and _dotted(receiver.func) == "get_ipython":
            return _ipython_reason(call)
        if _uses_ipython(call):
            return Reason(Category.IPYTHON_MAGIC)
        if dotted is not None and "." not in dotted:
            kind = self.kinds.get(dotted, "function" if dotted in self.functions else None)
            if kind == "function":
                return Reason(Category.STUDENT_CODE, f"{dotted}()")
            if kind == "class":
                return arguments
        if dotted is not None:
            names = {dotted, self.resolve(dotted)}
            for category, patterns in self.policy.denied_calls:
                if any(fnmatchcase(name, pattern) for name in names for pattern in patterns):
                    return Reason(category, _FIXED_DETAILS.get(category, dotted))
            if any(fnmatchcase(name, p) for name in names for p in self.policy.cheap_calls):
                return arguments
        if isinstance(call.func, ast.Attribute) and call.func.attr in self.policy.cheap_methods:
            return self._cheap(call.func.value) or arguments
        return _UNSURE


def module_level(node: ast.stmt) -> Iterable[ast.stmt]:
    """``node`` and the statements in its blocks that run at module level (not in defs)."""
    yield node
    if not isinstance(node, DEFINITIONS):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from module_level(child)
            elif isinstance(child, (ast.ExceptHandler, ast.match_case)):
                for inner in child.body:
                    yield from module_level(inner)


def _verdict(reason: Reason | None, run: Category) -> tuple[Action, Reason]:
    return ("run", Reason(run)) if reason is None else ("skip", reason)


def _uses_ipython(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "get_ipython" for n in ast.walk(node))


def _dotted(node: ast.AST) -> str | None:
    """``np.random.seed`` for the expression ``np.random.seed``; None for computed callees."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _ipython_reason(call: ast.Call) -> Reason:
    """``get_ipython().system('pip install x')`` → "shell escape: !pip install x"."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if method == "run_line_magic" and args and args[0] in ("pinfo", "pinfo2"):
        return Reason(Category.HELP)
    kind = _MAGIC_KINDS.get(method, Category.IPYTHON_MAGIC)
    if method in ("system", "getoutput") and args:
        return Reason(kind, f"!{args[0]}")
    if method == "run_line_magic" and args:
        return Reason(kind, f"%{args[0]}")
    if method == "run_cell_magic" and args:
        return Reason(kind, f"%%{args[0]}")
    return Reason(kind)
