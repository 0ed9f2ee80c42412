"""Rebuilding the program from code cells: magics neutralised, statements classified, names checked."""

from __future__ import annotations

import ast
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.notebook import load_submission
from grader.source import (
    DEFAULT_POLICY,
    Category,
    UndefinedName,
    build_program,
    neutralise,
    notebook_arguments,
    notebook_calls,
    undefined_names,
)
from tests.support.nbfactory import write_notebook

PRELUDE = (
    "import numpy as np\n"
    "import torch\n"
    "import torch.nn as nn\n"
    "import torch.optim as optim\n"
    "import torchvision\n"
    "import torchvision.transforms as transforms\n"
    "import matplotlib.pyplot as plt\n"
    "from scipy.io import loadmat\n"
    "from torch.utils.data import DataLoader\n"
    "from PIL import Image\n"
    "class ConvNet(nn.Module):\n    pass\n"
    "def train_loop(X, Y, h, lr):\n    return [], []\n"
    "def gradcheck():\n    return True\n"
    "model = ConvNet()\n"
)


def classify(statement: str) -> tuple[str, str]:
    """(action, reason) of the last statement of a cell that follows the prelude cell."""
    program = build_program([PRELUDE, statement])
    assert program.problems == []
    last = [s for s in program.statements if s.cell == 2][-1]
    return last.action, last.reason.text


# ---------------------------------------------------------------- neutralising IPython syntax

MAGICS = [
    "%matplotlib inline",
    "%load_ext autoreload\n%autoreload 2",
    "!pip install torch torchvision",
    "!wget http://example.com/data.mat",
    "files = !ls -la",
    "np.zeros?",
    "np.zeros??",
    "?np.zeros",
    "%timeit np.zeros(3)",
    "x = %time np.zeros(3)",
    "%%bash\nrm -rf /\nls",
    "%%writefile helper.py\nimport os\nos.system('rm -rf /')",
    "%%html\n<b>hi</b>",
    "%%sh\npip install x",
    "%cd /tmp",
    "!!ls",
]


@pytest.mark.parametrize("cell", MAGICS)
def test_magics_and_shell_escapes_are_skipped_never_run(cell):
    program = build_program([cell])
    assert program.problems == []
    assert program.statements and program.to_run == []
    for statement in program.statements:
        ast.parse(statement.source)  # plain Python now, that only calls get_ipython()
        assert (
            statement.source.startswith("get_ipython()") or " = get_ipython()" in statement.source
        )


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("%matplotlib inline", "IPython magic: %matplotlib"),
        ("!pip install torch", "shell escape: !pip install torch"),
        ("files = !ls", "shell escape: !ls"),
        ("np.zeros?", "help"),
        ("%%bash\nls", "cell magic: %%bash"),
        ("%%writefile a.py\nx = 1", "cell magic: %%writefile"),
    ],
)
def test_magic_reasons_say_what_was_skipped(cell, reason):
    (statement,) = build_program(["import numpy as np", cell]).statements[1:]
    assert statement.reason.text == reason and statement.action == "skip"


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 3", "%%capture captured"])
def test_python_cell_magics_keep_their_body(magic):
    program = build_program([f"{magic}\nh = 7\nlrate = 0.02\ntrain_loop()"])
    assert [(s.line, s.source, s.action) for s in program.statements] == [
        (2, "h = 7", "run"),
        (3, "lrate = 0.02", "run"),
        (4, "train_loop()", "skip"),
    ]


def test_magic_lines_among_python_keep_line_numbers():
    program = build_program(["\n%matplotlib inline\nimport numpy as np\n!ls\nh = 7"])
    assert [(s.line, s.action) for s in program.statements] == [
        (2, "skip"),
        (3, "run"),
        (4, "skip"),
        (5, "run"),
    ]


def test_shell_escape_inside_a_function_is_only_a_call_in_its_body():
    (statement,) = build_program(["def setup():\n    !pip install x\n    return 1"]).statements
    assert statement.action == "run" and "get_ipython().system('pip install x')" in statement.source


def test_neutralise_reports_the_line_offset():
    assert neutralise("%%time\nx = 1") == ("x = 1\n", 1)
    assert neutralise("\n\nx = 1")[1] == 2
    text, offset = neutralise("%%bash\nls")
    assert offset == 0 and text.startswith("get_ipython().run_cell_magic('bash'")


# ---------------------------------------------------------------- parsing cell by cell


def test_syntax_error_costs_its_cell_only():
    program = build_program(["a = 1", "b = 2\n\ndef broken(:\n    pass", "c = 3"])
    assert [s.source for s in program.statements] == ["a = 1", "c = 3"]
    (problem,) = program.problems
    assert problem.code == "syntax-error" and problem.cell == 2 and problem.line == 3
    assert problem.message.startswith("cell 2, line 3: invalid syntax")


def test_syntax_error_line_counts_a_kept_cell_magic_line():
    (problem,) = build_program(["%%time\nx = 1\nx = = 2"]).problems
    assert problem.line == 3


def test_compile_time_errors_that_ast_accepts_are_syntax_problems():
    program = build_program(["def f(a, a):\n    pass\nx = 1"])
    assert [(s.action, s.reason.text) for s in program.statements] == [
        ("skip", "syntax error"),
        ("run", "cheap assignment"),
    ]
    (problem,) = program.problems
    assert (
        problem.code == "syntax-error"
        and problem.line == 1
        and "duplicate argument" in problem.message
    )


def test_null_bytes_are_a_syntax_problem():
    program = build_program(["x = 1\x00", "y = 2"])
    assert [p.code for p in program.problems] == ["syntax-error"]
    assert [s.source for s in program.statements] == ["y = 2"]


def test_statement_source_line_and_cell():
    cells = ["x = 1; y = 'é'\n\n@decorator\ndef f(a,\n      b):\n    return a\nz = f(1, 2)"]
    program = build_program(cells)
    assert [(s.cell, s.line, s.source) for s in program.statements] == [
        (1, 1, "x = 1"),
        (1, 1, "y = 'é'"),
        (1, 3, "@decorator\ndef f(a,\n      b):\n    return a"),
        (1, 7, "z = f(1, 2)"),
    ]
    assert program.statements[0].filename == "<cell 1>"


def test_submission_cells_keep_their_notebook_numbers(tmp_path):
    path = write_notebook(
        tmp_path / "A2_DOE_Jane.ipynb",
        [("markdown", "# Title"), "import numpy as np", ("markdown", "text"), "h = 7 +"],
        run=True,
    )
    program = build_program(load_submission(path))
    assert [(s.cell, s.source) for s in program.statements] == [(2, "import numpy as np")]
    assert program.problems[0].cell == 4


def test_redefinitions_are_kept_in_cell_order_last_wins():
    program = build_program(
        ["def sigm(x):\n    return 0", "lrate = 1", "def sigm(x):\n    return 1"]
    )
    defs = [s for s in program.to_run if "sigm" in s.defines]
    assert [s.cell for s in defs] == [1, 3]
    namespace: dict = {}
    for statement in program.to_run:
        exec(compile(statement.source, statement.filename, "exec"), namespace)  # noqa: S102 -- the test's own code
    assert namespace["sigm"](0) == 1


# ---------------------------------------------------------------- the classification policy

CLASSIFICATION = [
    # imports and definitions
    ("import os", "run", "import"),
    ("from collections import OrderedDict as OD", "run", "import"),
    ("def f(x):\n    return train_loop(x)", "run", "definition"),
    ("@torch.no_grad()\ndef f(x):\n    return x", "run", "definition"),
    (
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()",
        "run",
        "definition",
    ),
    ("sigm2 = lambda x: 1 / (1 + np.exp(-x))", "run", "cheap assignment"),
    # cheap assignments
    ("lrate = 0.02", "run", "cheap assignment"),
    ("h = 7", "run", "cheap assignment"),
    ("batch_size, epochs = 64, 10", "run", "cheap assignment"),
    ("classes = ('plane', 'car', 'bird')", "run", "cheap assignment"),
    ("lrs = [2, 0.2, 0.02, 0.002]", "run", "cheap assignment"),
    ("hs = {h: [] for h in [1, 2, 5]}", "run", "cheap assignment"),
    ("name = f'h={7}'", "run", "cheap assignment"),
    ("eps = 1e-6 * 2 ** -3", "run", "cheap assignment"),
    ("Wi = np.random.randn(2, 7)", "run", "cheap assignment"),
    ("Wo = np.zeros(7)", "run", "cheap assignment"),
    ("X = np.array([[1.0, 2.0]])", "run", "cheap assignment"),
    ("rng = np.random.default_rng(0)", "run", "cheap assignment"),
    (
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')",
        "run",
        "cheap assignment",
    ),
    ("criterion = nn.CrossEntropyLoss()", "run", "cheap assignment"),
    (
        (
            "transform = transforms.Compose([transforms.ToTensor(), "
            "transforms.Normalize((0.5,) * 3, (0.5,) * 3)])"
        ),
        "run",
        "cheap assignment",
    ),
    ("net = ConvNet()", "run", "cheap assignment"),
    ("net = ConvNet().to(torch.device('cpu'))", "run", "cheap assignment"),
    ("optimizer = optim.SGD(model.parameters(), lr=0.01)", "run", "cheap assignment"),
    ("n = sum(p.numel() for p in model.parameters())", "run", "cheap assignment"),
    ("counter = 0\ncounter += 1", "run", "cheap assignment"),
    ("results = {}\nresults['a'] = 1", "run", "cheap assignment"),
    ("steps = list(range(10))", "run", "cheap assignment"),
    # bare calls and blocks
    ("np.random.seed(0)", "run", "cheap call"),
    ("torch.manual_seed(0)", "run", "cheap call"),
    (
        "if torch.cuda.is_available():\n    dev = 'cuda'\nelse:\n    dev = 'cpu'",
        "run",
        "runnable block",
    ),
    (
        "try:\n    import google.colab\n    COLAB = True\nexcept ImportError:\n    COLAB = False",
        "run",
        "runnable block",
    ),
    ("with torch.no_grad():\n    w = torch.zeros(3)", "run", "runnable block"),
    ("if True:\n    def g():\n        return 1", "run", "runnable block"),
    # skipped: loops and student code
    ("for lr in [2, 0.2]:\n    train_loop(1, 2, 7, lr)", "skip", "experiment loop"),
    ("while True:\n    break", "skip", "experiment loop"),
    ("gradcheck()", "skip", "runs student code: gradcheck()"),
    ("tr, va = train_loop(1, 2, 7, 0.02)", "skip", "runs student code: train_loop()"),
    ("ok = [gradcheck() for _ in range(5)]", "skip", "runs student code: gradcheck()"),
    # skipped: plotting, data, files, printing, input
    ("plt.plot([1, 2])", "skip", "plotting: plt.plot"),
    ("fig, ax = plt.subplots(1, 2)", "skip", "plotting: plt.subplots"),
    ("plt.imshow(np.zeros((3, 3)))", "skip", "plotting: plt.imshow"),
    ("plt.show()", "skip", "plotting: plt.show"),
    (
        "trainset = torchvision.datasets.CIFAR10(root='./data', download=True)",
        "skip",
        "download or dataset: torchvision.datasets.CIFAR10",
    ),
    ("loader = DataLoader([1, 2], batch_size=4)", "skip", "download or dataset: DataLoader"),
    ("batch = next(iter([1]))", "skip", "download or dataset: next"),
    (
        "import urllib.request\nurllib.request.urlretrieve('http://x', 'p.png')",
        "skip",
        "download or dataset: urllib.request.urlretrieve",
    ),
    ("import requests\nr = requests.get('http://x')", "skip", "download or dataset: requests.get"),
    ("data = loadmat('double_moon_train1000.mat')", "skip", "file access: loadmat"),
    ("img = Image.open('peppers.png')", "skip", "file access: Image.open"),
    ("f = open('x.txt')", "skip", "file access: open"),
    ("arr = np.load('x.npy')", "skip", "file access: np.load"),
    ("import imageio\nim = imageio.imread('x.png')", "skip", "file access: imageio.imread"),
    (
        "print('SUCCESS' if gradcheck() else 'FAILURE')",
        "skip",
        "printing: no effect on definitions",
    ),
    ("name = input('name?')", "skip", "user input: input"),
    ("import os\nos.system('ls')", "skip", "file access: os.system"),
    # skipped: no effect on definitions
    ("model", "skip", "expression: only displays a value"),
    ("model.conv1.weight.shape", "skip", "expression: only displays a value"),
    ("'a docstring'", "skip", "expression: only displays a value"),
    ("del model", "skip", "no effect on definitions"),
    ("global h", "skip", "no effect on definitions"),
    ("assert True", "skip", "no effect on definitions"),
    ("pass", "skip", "no effect on definitions"),
    ("raise ValueError('x')", "skip", "not a definition or cheap assignment"),
    ("if True:\n    plt.show()", "skip", "plotting: plt.show"),
    ("with open('x') as f:\n    pass", "skip", "file access: open"),
    ("x = some_unknown_function(3)", "skip", "not a definition or cheap assignment"),
    ("out = model(torch.zeros(1, 3, 32, 32))", "skip", "not a definition or cheap assignment"),
]


@pytest.mark.parametrize(("statement", "action", "reason"), CLASSIFICATION)
def test_classification_policy(statement, action, reason):
    assert classify(statement) == (action, reason)


def test_a_call_to_a_function_defined_in_a_later_cell_is_student_code():
    program = build_program(["later()", "def later():\n    pass"])
    assert (program.statements[0].action, program.statements[0].reason.text) == (
        "skip",
        "runs student code: later()",
    )


def test_only_module_level_functions_count_as_student_code():
    program = build_program(["class K:\n    def fit(self):\n        pass", "fit(1)", "K().fit()"])
    assert [s.reason.text for s in program.statements[1:]] == [
        "not a definition or cheap assignment"
    ] * 2
    program = build_program(["if True:\n    def fit():\n        pass", "fit()"])
    assert program.statements[1].reason.text == "runs student code: fit()"


def test_imports_inside_functions_are_not_aliases():
    program = build_program(["def f():\n    import mylib as np", "z = np.zeros(3)"])
    assert program.statements[1].action == "run"


def test_prelude_itself_runs():
    program = build_program([PRELUDE])
    assert [s.action for s in program.statements] == ["run"] * len(program.statements)


def test_a_name_defined_only_by_skipped_statements_makes_its_readers_skip():
    program = build_program(
        ["from scipy.io import loadmat", "data = loadmat('x.mat')\nXtr = data['X']\nN = 3"]
    )
    reader = program.statements[2]
    assert reader.action == "skip" and reader.reason.text == "depends on `data` (cell 2: file access)"
    assert program.statements[3].action == "run"


def test_a_skipped_input_explains_better_than_an_unsure_skip():
    cells = [
        "import torch.nn as nn\nfrom scipy.io import loadmat",
        "train = loadmat('t.mat')\nXtr, Ytr = train['X'], train['Y'].flatten().tolist().pop()",
        "pooled = nn.MaxPool2d(15, stride=1)(Xtr)\nplt.plot(Xtr)",
    ]
    program = build_program(cells)
    assert [s.reason.text for s in program.statements[3:]] == [
        "depends on `train` (cell 2: file access)",
        "depends on `Xtr` (cell 2: file access)",
        "plotting: plt.plot",
    ]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["import matplotlib.pyplot as plt\nplt.plot([1])"], Category.PLOTTING),
        (["for i in range(3):\n    pass"], Category.EXPERIMENT_LOOP),
        (["from scipy.io import loadmat\nx = loadmat('x.mat')", "y = x['X']"], Category.FILE_ACCESS),
        (["def train_loop():\n    pass", "train_loop()"], Category.STUDENT_CODE),
    ],
)
def test_reason_categories(cells, expected):
    """A skipped statement's category, through dependencies to their cause, is a value."""
    assert build_program(cells).statements[-1].reason.category == expected


def test_a_name_bound_by_a_run_statement_first_is_available():
    program = build_program(["lr = 0.1\nfor lr in [1, 2]:\n    pass\nlr2 = lr * 2"])
    assert [s.action for s in program.statements] == ["run", "skip", "run"]


def test_comprehension_variables_do_not_depend_on_loop_variables():
    program = build_program(["for i in range(3):\n    pass\nsquares = [i * i for i in range(3)]"])
    assert program.statements[1].action == "run"


def test_plain_aliases_resolve_without_imports_and_imports_override():
    assert classify("z = np.zeros(3)")[0] == "run"
    program = build_program(["import mylib as np", "z = np.zeros(3)"])
    assert program.statements[1].action == "skip"


def test_policy_is_data_a_pack_extends():
    program = build_program(["import sklearn.datasets\nX = sklearn.datasets.make_moons(10)"])
    assert program.statements[1].action == "skip"
    policy = dataclasses.replace(
        DEFAULT_POLICY, cheap_calls=(*DEFAULT_POLICY.cheap_calls, "sklearn.*")
    )
    program = build_program(
        ["import sklearn.datasets\nX = sklearn.datasets.make_moons(10)"], policy
    )
    assert program.statements[1].action == "run"
    policy = dataclasses.replace(
        DEFAULT_POLICY, denied_calls=(("slow", ("numpy.linalg.*",)), *DEFAULT_POLICY.denied_calls)
    )
    program = build_program(["import numpy as np\nu = np.linalg.svd(np.eye(3))"], policy)
    assert program.statements[1].reason.text == "slow: np.linalg.svd"


# ---------------------------------------------------------------- defines


@pytest.mark.parametrize(
    ("statement", "defines"),
    [
        ("import numpy as np", ("np",)),
        ("import os.path", ("os",)),
        ("from torch import nn, optim as o", ("nn", "o")),
        ("def f():\n    return 1", ("f",)),
        ("@dec\nclass K:\n    x = 1", ("K",)),
        ("a, (b, *c) = 1, (2, 3)", ("a", "b", "c")),
        ("x: int = 3", ("x",)),
        ("n += 1", ("n",)),
        ("d['k'] = 1", ()),
        ("model.fc = None", ()),
        ("if c:\n    dev = 1\nelse:\n    dev2 = 2", ("dev", "dev2")),
        ("try:\n    import google.colab\nexcept ImportError:\n    pass", ("google",)),
        ("with ctx() as (f, g):\n    h = 1", ("f", "g", "h")),
        ("for i, (x, y) in []:\n    z = x", ("i", "x", "y", "z")),
        ("squares = [j * j for j in range(3)]", ("squares",)),
        ("total = (k := 3) + 1", ("total", "k")),
        ("del a", ()),
        ("print(1)", ()),
    ],
)
def test_defines(statement, defines):
    (s,) = build_program([statement]).statements
    assert set(s.defines) == set(defines)


# ---------------------------------------------------------------- undefined names


def test_undefined_names_with_suggestions():
    program = build_program(
        [
            "import numpy as np",
            "def sigm(x):\n    return 1 / (1 + np.exp(-x))",
            "def forward(X, Wi, bi):\n    H = np.maximum(0, X @ Wi + bi)\n    return sigmoid(H), lenght(H)",
        ]
    )
    found = undefined_names(program, "forward")
    assert [(u.name, u.cell, u.line, u.suggestion) for u in found] == [
        ("lenght", 3, 3, "len"),
        ("sigmoid", 3, 3, "sigm"),
    ]
    assert found[1].message == "cell 3, line 3: `sigmoid` is not defined — did you mean `sigm`?"
    assert undefined_names(program, "sigm") == []


def test_undefined_name_without_any_close_match():
    program = build_program(["def f():\n    return qwxz"])
    (u,) = undefined_names(program, "f")
    assert u.suggestion is None and u.message == "cell 1, line 2: `qwxz` is not defined."


def test_name_defined_only_by_a_skipped_statement_is_explained():
    program = build_program(
        [
            "def step(w):\n    return w - lrate * grad",
            "grad = 1.0",
            "for lrate in [2, 0.2]:\n    step(1.0)",
        ]
    )
    (u,) = undefined_names(program, "step")
    assert u.name == "lrate" and u.skipped_by is program.statements[2]
    assert u.message == (
        "cell 1, line 2: `lrate` is defined only by a statement the grader does not run "
        "(cell 3: experiment loop)."
    )


SCOPING = [
    # (definition, names reported)
    ("def f(x):\n    y = x + 1\n    return y", []),
    ("def f(x):\n    return x + g", ["g"]),
    ("def f(x, n=default_n):\n    return x", ["default_n"]),
    ("def f(x: Arr) -> Ret:\n    return x", ["Arr", "Ret"]),
    ("@deco\ndef f():\n    pass", ["deco"]),
    (
        "def f():\n    def inner():\n        return outer_var + z\n    outer_var = 1\n    return inner",
        ["z"],
    ),
    ("def f(xs):\n    return [x * k for x in xs]", ["k"]),
    ("def f(xs):\n    return {x: v for x, v in xs}", []),
    ("def f():\n    return lambda t: t + u", ["u"]),
    (
        "class K(Base):\n    a = 1\n    b = a + c\n    def m(self):\n        return a",
        ["Base", "a", "c"],
    ),
    ("def f():\n    global counter\n    counter = 1", []),
    ("def f():\n    import math\n    return math.pi", []),
    ("def f():\n    try:\n        pass\n    except Exception as e:\n        return e", []),
    ("def f():\n    return len(range(3)), get_ipython, display", []),
    ("def f():\n    for i in range(3):\n        pass\n    return i", []),
    ("def f(*args, **kw):\n    return args, kw, f", []),
]


@pytest.mark.parametrize(("definition", "reported"), SCOPING)
def test_scoping(definition, reported):
    program = build_program([definition])
    name = "K" if definition.startswith("class") or "class K" in definition else "f"
    assert sorted(u.name for u in undefined_names(program, name)) == sorted(reported)


def test_globals_other_functions_assign_are_defined():
    program = build_program(["def setup():\n    global W\n    W = 1", "def use():\n    return W"])
    assert undefined_names(program, "use") == []


def test_function_defined_inside_a_block_is_found():
    program = build_program(["if True:\n    def f():\n        return missing_name"])
    (u,) = undefined_names(program, "f")
    assert u.name == "missing_name" and u.line == 3


def test_the_last_definition_is_the_one_checked():
    program = build_program(
        ["def f():\n    return a_name", "a_name = 1", "def f():\n    return b_name"]
    )
    assert [u.name for u in undefined_names(program, "f")] == ["b_name"]


def test_unknown_function_has_no_undefined_names():
    assert undefined_names(build_program(["x = 1"]), "nowhere") == []


def test_undefined_name_dataclass_message_forms():
    assert UndefinedName("a", 1, 2, "b").message.endswith("`a` is not defined — did you mean `b`?")


# ---------------------------------------------------------------- robustness


@settings(max_examples=60)
@given(st.lists(st.text(), max_size=4))
def test_build_program_never_raises_on_arbitrary_text(cells):
    program = build_program(cells)
    for statement in program.statements:
        assert statement.action in ("run", "skip") and statement.reason.text
    for name in {n for s in program.statements for n in s.defines}:
        undefined_names(program, name)


PYTHONISH = st.lists(
    st.sampled_from(
        ["x", "=", "(", ")", "def", "f", ":", "\n", "    ", "%", "!", "?", "%%time", "import", "np",
         "for", "in", "[", "]", "lambda", ",", "1", "'", "#", "class", "@", "global", ".", "return"]
    ),
    max_size=30,
).map(" ".join)  # fmt: skip


@settings(max_examples=60)
@given(st.lists(PYTHONISH, max_size=4))
def test_build_program_never_raises_on_python_like_text(cells):
    program = build_program(cells)
    for name in {n for s in program.statements for n in s.defines}:
        undefined_names(program, name)


# ---------------------------------------------------------------- how the notebook calls a class


@pytest.mark.parametrize(
    ("cells", "calls"),
    [
        (["net = ConvNet(10)"], [((10,), {})]),
        (["n_channels = 3", "net = ConvNet(n_channels).to(device)"], [((3,), {})]),
        (["num_inputs = 3*32*32\nnum_outputs = 10", "net = ConvNet(num_inputs, num_outputs)"], [((3072, 10), {})]),
        (["a, b = 3, 10", "ConvNet(a, num_outputs=b)"], [((3,), {"num_outputs": 10})]),
        (["classes = ('plane', 'car', 'bird')", "net = ConvNet(len(classes))"], [((3,), {})]),
        (["ConvNet(3 * 32 * 32, 10)", "ConvNet(3072, 10)"], [((3072, 10), {})]),  # the same call once
        (["n = 3", "ConvNet(n)", "n = 4", "ConvNet(n)"], [((3,), {}), ((4,), {})]),  # the value at each call
        (["def make():\n    return ConvNet(k)", "k = 5"], [((5,), {})]),  # a body runs later
        (["n: int = 3", "ConvNet(n)"], [((3,), {})]),
    ],
)
def test_the_notebooks_calls_with_constant_arguments_are_read(cells, calls):
    assert notebook_calls(build_program(cells), ["ConvNet"]) == {"ConvNet": calls}


@pytest.mark.parametrize(
    "cells",
    [
        ["ConvNet(undefined_name)"],
        ["n = load_data()", "ConvNet(n)"],  # not a constant
        ["n = 3", "for n in range(5):\n    pass", "ConvNet(n)"],  # rebound to something else
        ["ConvNet(**options)"],
        ["ConvNet(*sizes)"],
        ["ConvNet(10 ** 10 ** 10)"],  # too large to be an argument, and never computed
        ["ConvNet(1 / 0)"],
        ["ConvNet(nn.Tanh)"],
        ["ConvNet(b'bytes', 1j)"],  # cannot cross to the runtime as it is
    ],
)
def test_a_call_whose_arguments_are_not_constants_is_not_read(cells):
    assert notebook_calls(build_program(cells), ["ConvNet"]) == {"ConvNet": []}


def test_the_calls_of_several_names_are_read_at_once_each_up_to_the_limit():
    program = build_program(["Net(3072, 10)", "k = 1", "for i in range(9):\n    ConvNet(i)", *[f"ConvNet({n})" for n in range(9)]])
    assert notebook_calls(program, ["Net", "ConvNet", "train"], limit=3) == {
        "Net": [((3072, 10), {})],
        "ConvNet": [((0,), {}), ((1,), {}), ((2,), {})],
        "train": [],
    }


@pytest.mark.parametrize(
    ("cells", "written"),
    [
        (["for epoch in range(2):\n    train(epoch, convnet, optimizer)"], (("epoch", "convnet", "optimizer"), ())),
        (["test(network)", "test(convnet, test_loader)"], (("convnet", "test_loader"), ())),  # the fullest call
        (["if gradcheck(gradient_nn, gradient_nn_numerical):\n    print('SUCCESS')"], (("gradient_nn", "gradient_nn_numerical"), ())),
        (["train(1, net, device='cpu', steps=-3)"], (("1", "net"), (("device", "'cpu'"), ("steps", "-3")))),
        (["train(1, net, opt)", "train(2, net, optimizers[0])"], (("1", "net", "opt"), ())),  # not a name: not read
    ],
)
def test_the_notebooks_calls_are_read_as_written(cells, written):
    assert notebook_arguments(build_program(cells), ["train", "test", "gradcheck"]) == {
        name: written for name in ("train", "test", "gradcheck") if any(name + "(" in c for c in cells)
    }


@pytest.mark.parametrize("cells", [["train()"], ["train(net.cuda())"], ["train(*args)"], ["train(**options)"], ["train(f(x))"]])
def test_calls_with_computed_arguments_are_not_written_again(cells):
    assert notebook_arguments(build_program(cells), ["train"]) == {}
