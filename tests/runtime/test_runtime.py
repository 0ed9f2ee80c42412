"""Building a namespace, calling into it, handles, helpers, defines, restarts."""

from __future__ import annotations

import os

import numpy as np
import pytest

from grader.runtime import Code, Handle, Limits, Opaque, Stub, StudentRuntime, as_tensor
from grader.runtime.protocol import STUB_FAILED
from tests.support.runtime import TORCH_STACK, statements_from_code

NET = """
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

class SmallNet(nn.Module):
    def __init__(self, n_out=3):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.fc = nn.Linear(2 * 2 * 2, n_out)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv(x)), 2)
        return self.fc(x.flatten(1))


class LazyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.LazyConv2d(2, 3)
        self.fc = nn.LazyLinear(3)

    def forward(self, x):
        return self.fc(torch.tanh(self.conv(x)).flatten(1))
"""

FUNCS = """
def double(x):
    return x * 2

def noisy(n):
    print("hello from python", n)
    import os
    os.write(1, b"hello from fd 1\\n")
    return n

def broken(x):
    y = x + 1
    return y / undefined_name

def uses_helper(x):
    return helper(x) + 1

def helper(x):
    return x * 10

def rand():
    import random, numpy, torch
    return [random.random(), float(numpy.random.rand()), float(torch.rand(1))]

def tensor_info(t):
    return [type(t).__module__ + "." + type(t).__name__, str(t.dtype), list(t.shape)]

def kw(a, b=1, *, c=2):
    return {"a": a, "b": b, "c": c}

def read_data():
    return open("data/points.txt").read()

def odd():
    class Weird(float):
        def __eq__(self, o): raise RuntimeError
    return {"matrix": np.matrix([[1.0]]), "weird": Weird(1.5), "gen": (i for i in []), "t": torch.ones(2)}
"""


@pytest.fixture(scope="module")
def rt():
    stmts = statements_from_code(NET, FUNCS, "counter = 41\ncounter += 1")
    with StudentRuntime(stmts, files={"data/points.txt": b"1 2 3"}, seed=7, preload=TORCH_STACK) as runtime:
        yield runtime


def test_the_namespace_is_built_and_named(rt):
    assert all(o.status == "ok" for o in rt.outcomes), rt.outcomes
    names = rt.names()
    assert names["np"] == "module" and names["SmallNet"] == "class"
    assert names["double"] == "function" and names["counter"] == "value"
    assert rt.call("double", 21).value == 42
    assert rt.call("double", np.arange(3)).value.tolist() == [0, 2, 4]
    assert rt.call("kw", 1, c=5).value == {"a": 1, "b": 1, "c": 5}
    assert rt.call("read_data").value == "1 2 3"  # files land in the private working directory


def test_a_call_reports_the_students_traceback(rt):
    r = rt.call("broken", 1)
    assert r.status == "error" and r.error.type == "NameError"
    assert "undefined_name" in r.error.message
    assert r.error.traceback == ("<cell 2>, line 13, in broken",)
    missing = rt.call("no_such_function")
    assert missing.status == "error" and missing.error.type == "NameError"


def test_output_is_captured_per_call_at_python_and_fd_level(rt):
    r = rt.call("noisy", 3)
    assert r.value == 3
    assert "hello from python 3" in r.output and "hello from fd 1" in r.output
    assert rt.call("double", 1).output == ""


def test_odd_return_types_are_reported_as_what_they_are(rt):
    r = rt.call("odd")
    v = r.value
    assert r.type_name == "dict"
    assert type(v["matrix"]) is np.ndarray and v["weird"] == 1.5 and type(v["weird"]) is float
    assert type(v["gen"]) is Opaque and v["gen"].type_name == "generator"
    assert type(v["t"]) is np.ndarray and v["t"].dtype == np.float32
    assert rt.call("SmallNet").type_name == "SmallNet" and type(rt.call("SmallNet").value) is Opaque


def test_tensor_arguments_arrive_as_tensors(rt):
    r = rt.call("tensor_info", as_tensor(np.zeros((2, 3))))
    assert r.value == ["torch.Tensor", "torch.float32", [2, 3]]
    r = rt.call("tensor_info", as_tensor(np.zeros(4), "int64"))
    assert r.value[1] == "torch.int64"


def test_handles_and_module_helpers(rt):
    net = rt.call("SmallNet", n_out=4, keep=True).value
    assert type(net) is Handle and net.type_name == "SmallNet"
    shapes = rt.call("@module_parameters", net).value
    assert shapes == [
        ["conv.weight", [2, 1, 3, 3]],
        ["conv.bias", [2]],
        ["fc.weight", [4, 8]],
        ["fc.bias", [4]],
    ]
    assert rt.call("@parameter_count", net).value == 18 + 2 + 32 + 4
    arrays = [np.full(s, 0.1, dtype=np.float32) for _, s in shapes]
    assert rt.call("@load_parameters", net, arrays).ok
    assert all(np.allclose(a, 0.1) for a in rt.call("@state_arrays", net).value)
    x = np.random.default_rng(0).normal(size=(5, 1, 6, 6))
    out = rt.call("@forward", net, as_tensor(x))
    assert out.ok and out.value.shape == (5, 4)
    assert np.allclose(rt.call("@forward", net, x).value, out.value)  # a plain array is float32
    direct = rt.call(net, as_tensor(x))  # a Handle is callable: nn.Module.__call__
    assert np.allclose(direct.value, out.value)
    assert rt.call_method(net, "train", False).ok
    bad = rt.call("@load_parameters", net, arrays[:1])
    assert bad.status == "error" and "parameters" in bad.error.message
    wrong_shape = rt.call("@load_parameters", net, [np.zeros((1, 1))] + arrays[1:])
    assert wrong_shape.status == "error" and "shape" in wrong_shape.error.message


def test_used_parameters_are_what_the_forward_pass_computes_with(rt):
    net = rt.call("SmallNet", n_out=4, keep=True).value
    x = as_tensor(np.zeros((2, 1, 6, 6)))
    assert rt.call("@used_parameters", net, x).value == [
        ["conv2d#0", [2, 1, 3, 3]],
        ["conv2d#0", [2]],
        ["linear#1", [4, 8]],
        ["linear#1", [4]],
    ]
    # a parameter nothing computes with is not counted, whatever the module says of itself
    assert rt.define(
        "class Padded(SmallNet):\n"
        "    def __init__(self):\n"
        "        super().__init__(4)\n"
        "        self.spare = nn.Parameter(torch.zeros(100))\n"
    ).ok
    padded = rt.call("Padded", keep=True).value
    assert rt.call("@parameter_count", padded).value == 18 + 2 + 32 + 4 + 100
    assert rt.call("@used_parameters", padded, x).value == rt.call("@used_parameters", net, x).value


def test_lazy_parameters_get_their_shapes_from_one_forward_pass(rt):
    lazy = rt.call("LazyNet", keep=True).value
    assert rt.call("@parameter_count", lazy).status == "error"  # no shape before a forward pass
    x = as_tensor(np.zeros((2, 1, 6, 6)))
    assert rt.call("@materialise", lazy, x).value is True
    assert rt.call("@module_parameters", lazy).value == [
        ["conv.weight", [2, 1, 3, 3]],
        ["conv.bias", [2]],
        ["fc.weight", [3, 32]],
        ["fc.bias", [3]],
    ]
    assert rt.call("@materialise", lazy, x).value is False  # once is enough
    net = rt.call("SmallNet", keep=True).value
    assert rt.call("@materialise", net, x).value is False  # a module without lazy layers is left alone


def test_defines_replace_names_and_survive_restarts_until_reset(rt):
    assert rt.call("uses_helper", 1).value == 11
    assert rt.define("def helper(x):\n    return x * scale", {"scale": 100}).ok
    assert rt.call("uses_helper", 1).value == 101
    net = rt.call("SmallNet", keep=True).value
    assert rt.call("exit_now").status == "error"  # not defined
    assert rt.define("import os\ndef exit_now():\n    os._exit(0)").ok
    assert rt.call("exit_now").status == "exited"  # the worker is gone ...
    assert rt.call("uses_helper", 1).value == 101  # ... its replacement has the defines
    stale = rt.call("@parameter_count", net)
    assert stale.status == "error" and "restarted" in stale.error.message
    rt.reset()
    assert rt.call("uses_helper", 1).value == 11
    assert rt.call("exit_now").status == "error"
    assert rt.define("scaled = w * 2", {"w": as_tensor(np.ones(3), "float64")}).ok
    assert rt.define("info = tensor_info(scaled)").ok
    assert rt.names()["info"] == "value"
    dies_if_flagged = (
        "import os\nif os.path.exists('flag'):\n    os._exit(1)\ndef die():\n    os._exit(3)"
    )
    assert rt.define(dies_if_flagged).ok
    assert rt.define("open('flag', 'w').close()").ok  # files outlive workers
    assert rt.call("die").status == "exited"  # the replay of the first define now kills
    dead = rt.call("double", 1)
    assert dead.status == "crashed" and "replaying" in dead.detail
    rt.reset()
    failed = rt.define("raise ValueError('bad define')")
    assert failed.status == "error" and failed.error.type == "ValueError"


def test_stubs_are_answered_by_the_grader_with_values_only(rt):
    seen = []

    def grader_helper(args, kwargs, local):
        seen.append((args, kwargs, local))
        return np.asarray(args[0]) * 1000 + local

    assert rt.define(stubs={"helper": Stub(grader_helper, inner="double")}).ok
    assert rt.call("uses_helper", np.arange(3.0)).value.tolist() == [1, 1003, 2005]
    (args, kwargs, local), = seen
    assert args[0].tolist() == [0, 1, 2] and kwargs == {} and local.tolist() == [0, 2, 4]
    assert rt.call("exit_now").status == "error"  # a restart replays the stub's define
    assert rt.define("import os\ndef exit_now():\n    os._exit(0)").ok
    assert rt.call("exit_now").status == "exited"
    assert rt.call("uses_helper", 1).value == 1003
    # the stub holds no grader code: a callback is answered only while its define is in force
    holds = "def holds():\n    f = helper\n    return [f.__module__, f.__name__, f.__code__.co_filename]"
    assert rt.define(holds).ok
    module, name, filename = rt.call("holds").value
    assert (module, name) == ("__main__", "helper") and "reference" not in filename
    # an argument that is not plain data, and a failing grader function, are the student's error
    assert rt.define(stubs={"helper": Stub(lambda args, kwargs, local: args[0])}).ok
    net = rt.call("SmallNet", keep=True).value
    failing = rt.call("helper", net)  # a module reaches the stub: it cannot cross
    assert failing.status == "error" and "numbers, arrays" in failing.error.message
    assert rt.define(stubs={"helper": Stub(lambda args, kwargs, local: 1 / 0)}).ok
    bad = rt.call("uses_helper", 1)
    # one fixed text whatever failed on the grader's side: no exception of its code is told
    assert bad.status == "error" and bad.error.message == STUB_FAILED and "ZeroDivision" not in repr(bad.error)
    rt.reset()
    assert rt.call("uses_helper", 1).value == 11


def test_a_tracing_stub_reports_every_call_as_a_row(rt):
    seen = []
    assert rt.define(stubs={"helper": Stub(lambda a, k, l: seen.append((a, l)), "double", observe=True, trace=True)}).ok
    assert rt.define(
        "import numpy as np\n"
        "def loop(n):\n"
        "    w = np.zeros(2)\n"
        "    for i in range(n):\n"
        "        g = uses_helper(i)\n"
        "        w += 1  # updated in place after the call: the row keeps the value it had\n"
        "    return float(w[0])"
    ).ok
    assert rt.call("loop", 4).value == 4.0
    (args, rows), = seen
    assert args == (3,)
    assert rows.tolist() == [[i, 2 * i] for i in range(4)]  # each call's argument, then its result
    assert rt.call("loop", 0).value == 0.0 and len(seen) == 1  # no call: nothing observed


def test_an_observing_stub_reports_the_last_call_with_the_reply(rt):
    seen = []
    assert rt.define(stubs={"helper": Stub(lambda a, k, l: seen.append((a, k, l)), "double", observe=True)}).ok
    assert rt.define("def twice(x):\n    return uses_helper(x) + uses_helper(x + 1)").ok
    assert rt.call("twice", 1).value == (2 + 1) + (4 + 1)  # double answered, in the student's process
    assert seen == [((2,), {}, None)]  # the last call only, once the request is over
    rt.reset()


def test_each_worker_starts_from_the_same_seed(rt):
    first = rt.call("rand").value
    rt.reset()
    assert rt.call("rand").value == first
    assert rt.call("@seed", 7).ok


def test_build_outcomes_record_errors_and_keep_going():
    stmts = statements_from_code(
        "a = 1\nb = 1 / 0\nc = 3",
        "def f():\n    return g()\n\ndef g():\n    return [][1]",
        "d = f()",
        "import sys\nsys.exit(2)",
        "e = 5\nprint('e is', e)",
        "import builtins\nbuiltins.len = None\nbuiltins.isinstance = None",
        "f2 = f",
    )
    with StudentRuntime(stmts, preload=TORCH_STACK) as rt:
        status = [o.status for o in rt.outcomes]
        assert status == ["ok", "error", "ok", "ok", "ok", "error", "ok", "exited"] + ["ok"] * 6
        err = rt.outcomes[5].error
        assert err.type == "IndexError"
        assert err.traceback == (
            "<cell 3>, line 1, in <module>",
            "<cell 2>, line 2, in f",
            "<cell 2>, line 5, in g",
        )
        assert rt.outcomes[7].detail == "exited with status 2"
        assert rt.outcomes[9].output == "e is 5\n" and rt.outcomes[8].output == ""
        names = rt.names()
        assert (
            {"a", "c", "e", "f", "g", "f2"} <= set(names) and "b" not in names and "d" not in names
        )
        assert (
            rt.call("f2").error.type == "IndexError"
        )  # builtins patches did not outlive their statement


def test_a_statement_that_hangs_or_kills_the_process_costs_only_itself():
    stmts = statements_from_code(
        "x = 1",
        "while True:\n    pass",  # interrupted by the statement's alarm
        "import re\nre.match(r'(a+)+$', 'a' * 64 + 'b')",  # hangs in C: the builder is killed and rebuilt
        "import os\nos._exit(3)",
        "import numpy\nhuge = numpy.ones(50 * 1024**3 // 8)",
        "y = x + 1",
    )
    limits = Limits(statement_timeout=0.5)
    with StudentRuntime(stmts, limits=limits, preload=TORCH_STACK) as rt:
        by_source = {o.statement.source: o for o in rt.outcomes}
        assert by_source["while True:\n    pass"].status == "timeout"
        assert by_source["re.match(r'(a+)+$', 'a' * 64 + 'b')"].status == "timeout"
        assert by_source["re.match(r'(a+)+$', 'a' * 64 + 'b')"].detail == "timed out after 0.5 s"
        assert by_source["os._exit(3)"].status == "exited"
        assert by_source["os._exit(3)"].detail == "exited with status 3"
        assert by_source["huge = numpy.ones(50 * 1024**3 // 8)"].status == "memory"
        assert (
            by_source["huge = numpy.ones(50 * 1024**3 // 8)"].detail
            == "ran out of memory (limit 2.0 GiB)"
        )
        assert by_source["y = x + 1"].status == "ok"
        assert set(rt.names()) >= {"x", "y", "re", "os"}


def test_a_syntax_error_is_a_build_error_in_its_cell():
    stmt = Code(4, 3, "def f(:\n    pass")
    with StudentRuntime([stmt], preload=TORCH_STACK) as rt:
        (outcome,) = rt.outcomes
        assert outcome.status == "error" and outcome.error.type == "SyntaxError"
        assert outcome.error.traceback == ("<cell 4>, line 3",)


def test_runtimes_can_be_open_at_once_and_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    def run(n):
        with StudentRuntime(statements_from_code(f"def f():\n    return {n}"), preload=TORCH_STACK) as rt:
            return rt.call("f").value

    with ThreadPoolExecutor(3) as pool:
        assert list(pool.map(run, range(6))) == list(range(6))


def test_close_removes_the_private_directory():
    code = "import os\nopen('out.txt', 'w').write('x')\ndef listing():\n    return os.listdir()"
    rt = StudentRuntime(statements_from_code(code), preload=TORCH_STACK)
    rt.start()
    workdir = rt.workdir
    assert rt.call("listing").value == ["out.txt"]  # in its tmpfs, where it has a disk quota
    rt.close()
    assert not os.path.exists(workdir)
    rt.close()  # idempotent
