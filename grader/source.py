"""Turn a notebook's code cells into the statements that rebuild the student's namespace.

Magics and shell escapes are neutralised, each cell is parsed on its own (a syntax error
costs that cell only), and every top-level statement is classified: ``run`` (imports,
definitions, cheap assignments) or ``skip`` with the reason (training, plotting, downloads...).

Neutralising. IPython's own ``TransformerManager`` turns ``%magics``, ``!shell``, ``x = !ls``
and ``obj?`` help into ``get_ipython()...`` calls, which are plain Python and are then skipped
like any statement that calls ``get_ipython()``. A cell magic that wraps Python
(``Policy.python_cell_magics``: ``%%time``, ``%%capture`` ...) keeps its body as the cell; any
other (``%%bash``, ``%%writefile`` ...) becomes one skipped statement. Nothing is executed here.

Order. Statements are kept in notebook (cell) order, not execution-count order: later
definitions overwrite earlier ones when the runtime executes them, as in "Restart & Run All".
Out-of-order execution is reported by ``grader.notebook`` as a fact about the submission.

Policy. A statement's ``reason`` is a category, optionally followed by ``: detail``.

=====================================  ======  ===============================================
statement                              action  reason
=====================================  ======  ===============================================
``import m``, ``from m import x``      run     import
``def`` / ``class`` (with decorators)  run     definition
``x = <cheap>`` (also ``+=``, ``:``)   run     cheap assignment
bare ``<allowed call>`` (seeding)      run     cheap call
``if`` / ``try`` / ``with`` whose      run     runnable block
parts are all runnable
``for`` / ``while``                    skip    experiment loop
call to a notebook function            skip    runs student code: ``train_loop()``
plotting (``plt.*``, ``imshow``...)    skip    plotting: ``plt.plot``
datasets, loaders, downloads           skip    download or dataset: ``DataLoader``
file access (``open``, ``loadmat``)    skip    file access: ``loadmat``
``print`` / ``display``                skip    printing: no effect on definitions
``input()``                            skip    user input
``exit``, ``eval``, ``subprocess``...  skip    system call
anything using ``get_ipython()``       skip    IPython magic / shell escape / cell magic /
                                               help
reads a name only skipped statements   skip    depends on ``x`` (cell 3: file access)
define
bare expression                        skip    expression: only displays a value
``del``, ``global``, ``assert``...     skip    no effect on definitions
anything else                          skip    not a definition or cheap assignment
=====================================  ======  ===============================================

An expression is *cheap* when it is made of literals, names, attribute access, subscripts,
arithmetic, comparisons, f-strings, lambdas, comprehensions over cheap iterables, and calls
that are cheap: a class the notebook defines (``ConvNet()``), a function matching
``Policy.cheap_calls`` (``numpy.*``, ``torch.*``, ``torchvision.transforms.*``, ``range``,
``dict``...; matched on the name with import aliases resolved, ``np.zeros`` →
``numpy.zeros``), or a method in ``Policy.cheap_methods`` on a cheap receiver
(``model.parameters()``, ``.to(device)``), with cheap arguments. ``Policy.denied_calls`` is
checked first. Run statements still run under the runtime's time limit, which records any
failure: the policy prefers running a harmless statement that defines a name over skipping it.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import symtable
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from IPython.core.inputtransformer2 import TransformerManager

from grader.problems import Problem

if TYPE_CHECKING:
    from grader.notebook import Cell, Submission


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a code cell, as the runtime will execute it."""

    cell: int  # 1-based notebook cell index
    line: int  # 1-based first line within the cell
    source: str  # the statement's Python source (magics already neutralised)
    action: str  # "run" | "skip"
    reason: str  # why: "import", "definition", "cheap assignment", "experiment loop", ...
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


# ---------------------------------------------------------------- policy (data a pack may extend)

CHEAP_CALLS: tuple[str, ...] = (
    # builtins that build values
    "abs", "all", "any", "bin", "bool", "bytes", "callable", "chr", "classmethod", "complex",
    "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset", "getattr",
    "hasattr", "hash", "hex", "id", "int", "isinstance", "issubclass", "len", "list", "map",
    "max", "min", "object", "oct", "ord", "pow", "property", "range", "repr", "reversed",
    "round", "set", "slice", "sorted", "staticmethod", "str", "sum", "tuple", "type", "zip",
    # numerical libraries (their file readers are denied: DENIED_CALLS is checked first)
    "numpy.*", "torch.*", "torchvision.transforms.*", "scipy.special.*", "math.*", "random.*",
    "collections.*", "functools.*", "itertools.*", "operator.*", "copy.*", "string.*",
    "time.time", "time.perf_counter", "warnings.filterwarnings", "warnings.simplefilter",
)  # fmt: skip

CHEAP_METHODS: frozenset[str] = frozenset({
    # modules and tensors
    "parameters", "named_parameters", "children", "modules", "state_dict", "to", "cuda", "cpu",
    "float", "double", "half", "long", "int", "eval", "train", "requires_grad_", "numel", "size",
    "dim", "item", "tolist", "numpy", "detach", "clone", "copy", "reshape", "view", "flatten",
    "ravel", "repeat", "expand", "contiguous",
    "squeeze", "unsqueeze", "transpose", "permute", "astype", "sum", "mean", "std", "max", "min",
    # random generators (np.random.default_rng())
    "normal", "uniform", "integers", "random", "standard_normal", "choice", "permutation",
    "randn", "rand",
    # containers and strings
    "keys", "values", "items", "get", "append", "extend", "update", "format", "join", "split",
    "strip", "lower", "upper", "replace",
})  # fmt: skip

# (reason, fnmatch patterns): checked before CHEAP_CALLS, on the written and resolved names.
DENIED_CALLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("printing: no effect on definitions", ("print", "pprint.*", "display", "IPython.display.*")),
    ("user input", ("input", "getpass.*")),
    (
        "plotting",
        (
            "matplotlib.*", "seaborn.*", "*.imshow", "*.show", "*.plot", "*.scatter", "*.hist",
            "*.savefig", "*.subplots", "*.subplot", "*.figure", "*.legend", "*.title", "*.xlabel",
            "*.ylabel", "*.errorbar", "*.make_grid",
        ),
    ),
    (
        "download or dataset",
        (
            "torchvision.datasets.*", "torch.utils.data.*", "*.DataLoader", "torch.hub.*",
            "torchvision.models.*", "urllib.*", "*.urlretrieve", "requests.*", "wget.*",
            "gdown.*", "*.download", "iter", "next",
        ),
    ),
    (
        "file access",
        (
            "open", "scipy.io.*", "*.loadmat", "*.savemat", "PIL.Image.open", "*.imread",
            "*.imsave", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile",
            "numpy.save", "numpy.savez*", "numpy.savetxt", "torch.load", "torch.save", "pickle.*",
            "pandas.read_*", "os.*", "shutil.*", "pathlib.*", "glob.*", "zipfile.*", "tarfile.*",
        ),
    ),
    (
        "system call",
        ("subprocess.*", "sys.*", "exit", "quit", "eval", "exec", "compile", "__import__",
         "time.sleep", "breakpoint", "help"),
    ),
)  # fmt: skip

# Used when the notebook itself has no (runnable) import for the name.
CONVENTIONAL_ALIASES: dict[str, str] = {
    "np": "numpy",
    "plt": "matplotlib.pyplot",
    "nn": "torch.nn",
    "F": "torch.nn.functional",
    "optim": "torch.optim",
    "transforms": "torchvision.transforms",
    "datasets": "torchvision.datasets",
    "pd": "pandas",
}

PYTHON_CELL_MAGICS: frozenset[str] = frozenset({"time", "timeit", "capture", "prun"})

# Names an IPython kernel provides on top of Python's builtins.
KERNEL_NAMES: frozenset[str] = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit"})


@dataclass(frozen=True)
class Policy:
    """What counts as cheap or forbidden; an assignment pack extends it with ``dataclasses.replace``."""

    cheap_calls: tuple[str, ...] = CHEAP_CALLS  # fnmatch patterns on dotted names
    cheap_methods: frozenset[str] = CHEAP_METHODS
    denied_calls: tuple[tuple[str, tuple[str, ...]], ...] = DENIED_CALLS  # (reason, patterns)
    aliases: dict[str, str] = field(default_factory=lambda: dict(CONVENTIONAL_ALIASES), hash=False)
    python_cell_magics: frozenset[str] = PYTHON_CELL_MAGICS
    kernel_names: frozenset[str] = KERNEL_NAMES
    # Budgets of what is read (problems ``cell-budget``, ``statement-budget``): a notebook of
    # 100,000 cells must not cost minutes and gigabytes of the grader.
    max_cells: int = 5_000  # code cells parsed
    max_statements: int = 20_000  # top-level statements classified


DEFAULT_POLICY = Policy()

_RUN, _SKIP = "run", "skip"
_UNSURE = "not a definition or cheap assignment"
_COMPREHENSIONS = frozenset({"listcomp", "setcomp", "dictcomp", "genexpr"})
_MAGIC_KINDS = {
    "run_line_magic": "IPython magic",
    "run_cell_magic": "cell magic",
    "system": "shell escape",
    "getoutput": "shell escape",
}


# ---------------------------------------------------------------- building the program


def build_program(
    submission_or_cells: Submission | Iterable[Cell] | Iterable[str],
    policy: Policy = DEFAULT_POLICY,
) -> Program:
    """Classify every top-level statement of the code cells; never raises on cell contents.

    Accepts a ``Submission``, its cells, or plain code strings (numbered as cells 1, 2, ...).
    """
    cells = getattr(submission_or_cells, "cells", submission_or_cells)
    program = Program()
    parsed = []
    code_cells = 0
    for number, item in enumerate(cells, start=1):
        if not isinstance(item, str) and item.cell_type != "code":
            continue
        code_cells += 1
        if code_cells > policy.max_cells:
            continue
        if isinstance(item, str):
            parsed.append(_parse_cell(program, number, item, policy))
        else:
            parsed.append(_parse_cell(program, item.index, item.source, policy))
    if code_cells > policy.max_cells:
        program.problems.append(
            Problem(
                "cell-budget",
                f"the notebook has {code_cells:,} code cells; only the first "
                f"{policy.max_cells:,} were read",
            )
        )
    state = _State(policy, _function_names(tree for *_, tree in parsed if tree is not None))
    for cell, text, offset, tree in parsed:
        if tree is not None:
            _add_statements(program, state, cell, text, offset, tree)
    return program


def _parse_cell(
    program: Program, cell: int, source: str, policy: Policy
) -> tuple[int, str, int, ast.Module | None]:
    """Neutralise and parse one cell; a syntax error becomes a problem and no statements."""
    text, offset = neutralise(source, policy)
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
        for node in _module_level(top)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _module_level(node: ast.stmt) -> Iterable[ast.stmt]:
    """``node`` and the statements in its blocks that run at module level (not in defs)."""
    yield node
    if not isinstance(node, _DEFINITIONS):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                yield from _module_level(child)
            elif isinstance(
                child, (ast.excepthandler, getattr(ast, "match_case", ast.excepthandler))
            ):
                for inner in child.body:
                    yield from _module_level(inner)


def _add_statements(
    program: Program, state: _State, cell: int, text: str, offset: int, tree: ast.Module
) -> None:
    lines = text.split("\n")
    for node in tree.body:
        if len(program.statements) >= state.policy.max_statements:
            if not any(p.code == "statement-budget" for p in program.problems):
                program.problems.append(
                    Problem(
                        "statement-budget",
                        f"the notebook has more than {state.policy.max_statements:,} statements;"
                        " the rest were not read",
                        cell=cell,
                    )
                )
            return
        segment = _segment(lines, node)
        try:
            action, reason = _classify(node, state)
            table = symtable.symtable(segment, f"<cell {cell}>", "exec")
        except SyntaxError as error:  # symtable is stricter than ast: `def f(a, a)`, `nonlocal`
            action, reason, table = _SKIP, "syntax error", None
            line = _first_line(node) + offset + (error.lineno or 1) - 1
            program.problems.append(
                Problem(
                    "syntax-error", f"cell {cell}, line {line}: {error.msg}.", cell=cell, line=line
                )
            )
        except (RecursionError, ValueError):
            action, reason, table = _SKIP, "too deeply nested to analyse", None
        defines = _defines(node, table)
        undecided = action == _RUN or reason == _UNSURE  # a skipped input explains it better
        if undecided and table is not None and not isinstance(node, _DEFINITIONS):
            action, reason = state.check_dependencies(_immediate_reads(node, table), action, reason)
        statement = Statement(cell, _first_line(node) + offset, segment, action, reason, defines)
        program.statements.append(statement)
        state.record(node, statement)


def neutralise(source: str, policy: Policy = DEFAULT_POLICY) -> tuple[str, int]:
    """IPython syntax → plain Python that only *calls* ``get_ipython()``; never executes anything.

    Returns the text and how many lines of the cell precede it (a kept ``%%time`` line, blank
    lines), so that cell line = text line + offset. A backslash-continued magic may shorten the
    text by its continuation lines.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    offset = 0
    while len(lines) > 1 and not lines[0].strip():
        lines, offset = lines[1:], offset + 1
    first = lines[0].strip()
    if first.startswith("%%") and first[2:].split(" ")[0] in policy.python_cell_magics:
        lines, offset = lines[1:], offset + 1
    text = "\n".join(lines)
    try:
        with warnings.catch_warnings():  # it warns about odd line breaks (\x1c, \u2028...)
            warnings.simplefilter("ignore")
            return TransformerManager().transform_cell(text), offset
    except Exception:  # noqa: BLE001 -- IPython's transformer may fail on arbitrary text; keep it as is
        return text, offset


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
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
        if child.get_type() == "class" or child.get_name() in _COMPREHENSIONS:
            names += [
                s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()
            ]
            pending += child.get_children()
    return list(dict.fromkeys(names))


# ---------------------------------------------------------------- classification


class _State:
    """What the statements so far have bound: notebook functions and classes, import aliases."""

    def __init__(self, policy: Policy, functions: frozenset[str]) -> None:
        self.policy = policy
        self.functions = functions  # every function name defined anywhere in the notebook
        self.kinds: dict[str, str] = {}  # name → "function" | "class" | "value" (run statements)
        self.aliases: dict[str, str] = {}  # name → module path, from run imports
        self.skipped_by: dict[str, Statement] = {}  # names bound only by skipped statements

    def record(self, node: ast.stmt, statement: Statement) -> None:
        if statement.action == _SKIP:
            for name in statement.defines:
                if name not in self.kinds:
                    self.skipped_by[name] = statement
            return
        for name in statement.defines:
            self.kinds[name] = "value"
            self.aliases.pop(name, None)
            self.skipped_by.pop(name, None)
        for inner in _module_level(node):
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
            elif (
                isinstance(inner, ast.Assign)
                and isinstance(inner.value, ast.Lambda)
                and all(isinstance(t, ast.Name) for t in inner.targets)
            ):
                self.kinds.update({t.id: "function" for t in inner.targets})

    def check_dependencies(self, reads: list[str], action: str, reason: str) -> tuple[str, str]:
        for name in reads:
            if name in self.skipped_by:
                by = self.skipped_by[name]
                return _SKIP, f"depends on `{name}` (cell {by.cell}: {category(by.reason)})"
        return action, reason

    def resolve(self, dotted: str) -> str:
        root, _, rest = dotted.partition(".")
        if root in self.aliases:
            module = self.aliases[root]
        elif root in self.policy.aliases and root not in self.kinds:
            module = self.policy.aliases[root]
        else:
            return dotted
        return f"{module}.{rest}" if rest else module


def _classify(node: ast.stmt, state: _State) -> tuple[str, str]:
    """(action, reason) for one statement, by the policy in the module docstring."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _RUN, "import"
    if isinstance(node, _DEFINITIONS):
        return _RUN, "definition"
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
        return _SKIP, "experiment loop"
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        parts = [node.value] + [t for t in targets if not isinstance(t, ast.Name)]
        return _verdict(_first_reason(parts, state), "cheap assignment")
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Call) or _uses_ipython(node.value):
            return _verdict(_cheap(node.value, state), "cheap call")
        return _SKIP, "expression: only displays a value"
    if isinstance(node, ast.If):
        reason = _cheap(node.test, state) or _block_reason(node.body + node.orelse, state)
        return _verdict(reason, "runnable block")
    if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
        reason = _first_reason([h.type for h in node.handlers if h.type], state) or _block_reason(
            node.body + [s for h in node.handlers for s in h.body] + node.orelse + node.finalbody,
            state,
        )
        return _verdict(reason, "runnable block")
    if isinstance(node, (ast.With, ast.AsyncWith)):
        reason = _first_reason([item.context_expr for item in node.items], state)
        return _verdict(reason or _block_reason(node.body, state), "runnable block")
    if isinstance(node, (ast.Delete, ast.Global, ast.Nonlocal, ast.Assert, ast.Pass)):
        return _SKIP, "no effect on definitions"
    return _SKIP, _UNSURE


def category(reason: str) -> str:
    """The category of a skip reason, through dependencies to their cause.

    "plotting: plt.plot" → "plotting"; "depends on `x` (cell 2: file access)" → "file access".
    """
    if reason.startswith("depends on "):
        return reason.rsplit(": ", 1)[-1].rstrip(")")
    return reason.split(":")[0]


def _verdict(reason: str | None, run_reason: str) -> tuple[str, str]:
    return (_RUN, run_reason) if reason is None else (_SKIP, reason)


def _block_reason(body: list[ast.stmt], state: _State) -> str | None:
    for statement in body:
        action, reason = _classify(statement, state)
        if action == _SKIP:
            return reason
    return None


def _first_reason(nodes: Iterable[ast.AST | None], state: _State) -> str | None:
    for node in nodes:
        reason = _cheap(node, state) if node is not None else None
        if reason is not None:
            return reason
    return None


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


def _cheap(node: ast.AST, state: _State) -> str | None:
    """None when evaluating ``node`` is cheap and harmless, else the reason to skip it."""
    if isinstance(node, ast.Call):
        return _call_reason(node, state)
    if isinstance(node, ast.Lambda):
        return _first_reason(node.args.defaults + node.args.kw_defaults, state)
    if isinstance(node, (ast.Await, ast.Yield, ast.YieldFrom)):
        return _UNSURE
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        for generator in node.generators:
            parts += [generator.iter, *generator.ifs]
        return _first_reason(parts, state)
    if isinstance(node, ast.expr):
        return _first_reason(
            (
                child
                for child in ast.iter_child_nodes(node)
                if isinstance(child, (ast.expr, ast.keyword))
            ),
            state,
        )
    return None


def _call_reason(call: ast.Call, state: _State) -> str | None:
    arguments = _first_reason([*call.args, *(k.value for k in call.keywords)], state)
    dotted = _dotted(call.func)
    receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
    if isinstance(receiver, ast.Call) and _dotted(receiver.func) == "get_ipython":
        return _ipython_reason(call)
    if _uses_ipython(call):
        return "IPython magic"
    if dotted is not None and "." not in dotted:
        kind = state.kinds.get(dotted, "function" if dotted in state.functions else None)
        if kind == "function":
            return f"runs student code: {dotted}()"
        if kind == "class":
            return arguments
    if dotted is not None:
        names = {dotted, state.resolve(dotted)}
        for reason, patterns in state.policy.denied_calls:
            if any(fnmatchcase(name, pattern) for name in names for pattern in patterns):
                return f"{reason}: {dotted}" if ":" not in reason else reason
        if any(fnmatchcase(name, p) for name in names for p in state.policy.cheap_calls):
            return arguments
    if isinstance(call.func, ast.Attribute) and call.func.attr in state.policy.cheap_methods:
        return _cheap(call.func.value, state) or arguments
    return _UNSURE


def _ipython_reason(call: ast.Call) -> str:
    """``get_ipython().system('pip install x')`` → "shell escape: !pip install x"."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if method == "run_line_magic" and args and args[0] in ("pinfo", "pinfo2"):
        return "help"
    kind = _MAGIC_KINDS.get(method, "IPython magic")
    if method in ("system", "getoutput") and args:
        return f"{kind}: !{args[0]}"
    if method == "run_line_magic" and args:
        return f"{kind}: %{args[0]}"
    if method == "run_cell_magic" and args:
        return f"{kind}: %%{args[0]}"
    return kind


# ---------------------------------------------------------------- how the notebook calls things


def literal_calls(program: Program, name: str, limit: int = 5) -> list[tuple[tuple, dict]]:
    """The arguments of the notebook's own calls of ``name`` whose arguments are all literals,
    in notebook order, without repeats: ``ConvNet(10)`` → ``[((10,), {})]``.

    A check that must instantiate a student's class calls it the way the notebook does, so a
    constructor with a parameter of the student's own (``def __init__(self, num_outputs)``)
    is not a failure.
    """
    found: list[tuple[tuple, dict]] = []
    for statement in program.statements:
        if name not in statement.source:
            continue
        try:
            tree = ast.parse(statement.source)
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name):
                continue
            try:
                args = tuple(ast.literal_eval(a) for a in node.args)
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except (ValueError, TypeError, SyntaxError, RecursionError):
                continue
            if len(kwargs) == len(node.keywords) and (args, kwargs) not in found:
                found.append((args, kwargs))
            if len(found) >= limit:
                return found
    return found


# ---------------------------------------------------------------- undefined names


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
                f"(cell {by.cell}: {category(by.reason)})."
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
    skipped = {}
    for s in program.statements:
        if s.action == _SKIP:
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
        if isinstance(top, _DEFINITIONS) and top.name == name:
            return statement, tree, table
        nodes = [n for n in ast.walk(tree) if isinstance(n, _DEFINITIONS) and n.name == name]
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
