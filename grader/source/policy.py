"""What the grader may run while it rebuilds a namespace: data an assignment pack extends.

A call is *cheap* when its name, with import aliases resolved (``np.zeros`` → ``numpy.zeros``),
matches ``cheap_calls``, or it is a method in ``cheap_methods`` on a cheap receiver
(``model.parameters()``); ``denied_calls`` is checked first and names the category of what it
denies. A pack passes its own ``Policy`` (``dataclasses.replace(DEFAULT_POLICY, ...)``) to
``grader.source.build_program``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.notebook.magics import PYTHON_CELL_MAGICS
from grader.source.reasons import Category

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

# (category, fnmatch patterns): checked before CHEAP_CALLS, on the written and resolved names.
# A denied call is skipped with "category: the name as written" ("plotting: plt.plot").
DENIED_CALLS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Category.PRINTING, ("print", "pprint.*", "display", "IPython.display.*")),
    (Category.USER_INPUT, ("input", "getpass.*")),
    (
        Category.PLOTTING,
        (
            "matplotlib.*", "seaborn.*", "*.imshow", "*.show", "*.plot", "*.scatter", "*.hist",
            "*.savefig", "*.subplots", "*.subplot", "*.figure", "*.legend", "*.title", "*.xlabel",
            "*.ylabel", "*.errorbar", "*.make_grid",
        ),
    ),
    (
        Category.DOWNLOAD,
        (
            "torchvision.datasets.*", "torch.utils.data.*", "*.DataLoader", "torch.hub.*",
            "torchvision.models.*", "urllib.*", "*.urlretrieve", "requests.*", "wget.*",
            "gdown.*", "*.download", "iter", "next",
        ),
    ),
    (
        Category.FILE_ACCESS,
        (
            "open", "scipy.io.*", "*.loadmat", "*.savemat", "PIL.Image.open", "*.imread",
            "*.imsave", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.fromfile",
            "numpy.save", "numpy.savez*", "numpy.savetxt", "torch.load", "torch.save", "pickle.*",
            "pandas.read_*", "os.*", "shutil.*", "pathlib.*", "glob.*", "zipfile.*", "tarfile.*",
        ),
    ),
    (
        Category.SYSTEM_CALL,
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

# Names an IPython kernel provides on top of Python's builtins.
KERNEL_NAMES: frozenset[str] = frozenset({"get_ipython", "display", "In", "Out", "exit", "quit"})


@dataclass(frozen=True)
class Policy:
    """What counts as cheap or forbidden; an assignment pack extends it with ``dataclasses.replace``."""

    cheap_calls: tuple[str, ...] = CHEAP_CALLS  # fnmatch patterns on dotted names
    cheap_methods: frozenset[str] = CHEAP_METHODS
    denied_calls: tuple[tuple[str, tuple[str, ...]], ...] = DENIED_CALLS  # (category, patterns)
    aliases: dict[str, str] = field(default_factory=lambda: dict(CONVENTIONAL_ALIASES), hash=False)
    python_cell_magics: frozenset[str] = PYTHON_CELL_MAGICS
    kernel_names: frozenset[str] = KERNEL_NAMES
    # Budget of what is classified (problem ``statement-budget``). The cells themselves are
    # capped where the notebook is read (``ReadOptions.max_cells``, ``too-many-cells``).
    max_statements: int = 20_000  # top-level statements classified


DEFAULT_POLICY = Policy()
