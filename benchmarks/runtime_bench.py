"""Time the student runtime: start-up, call overhead, a stub's callback, a ConvNet forward pass,
restart after a crash.

Run from the repository root: ``.venv/bin/python benchmarks/runtime_bench.py``. Prints a table
with each figure, its target and the ratio (figure / target; below 1 meets the target).
"""

from __future__ import annotations

import ast
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from grader.assignments.a2 import PACK
from grader.runtime import Code, Stub, StudentRuntime, as_tensor

NOTEBOOK = [
    """
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import matplotlib.pyplot as plt
""",
    """
def add(a, b):
    return a + b

def crash():
    import ctypes
    ctypes.string_at(0)

def numerical(X, Y, Wi, bi, Wo, bo):
    return np.zeros(np.shape(Wi)), np.zeros(3), np.zeros(3), np.zeros(1)

def ask(n):  # n calls of gradient_nn with a gradcheck's draws: five arrays out, four back
    rng = np.random.default_rng(0)
    for _ in range(n):
        gradient_nn(rng.standard_normal(2), 1, rng.standard_normal((2, 3)), rng.standard_normal(3),
                    rng.standard_normal(3), rng.standard_normal(1))

def gradient_nn(*args):
    return numerical(*args)
""",
    """
class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 5)
        self.conv2 = nn.Conv2d(16, 128, 5)
        self.fc1 = nn.Linear(128 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.max_pool2d(torch.tanh(self.conv2(x)), 2)
        x = torch.tanh(self.fc1(x.flatten(1)))
        return self.fc2(x)
""",
]


def statements() -> list[Code]:
    out = []
    for cell, text in enumerate(NOTEBOOK, 1):
        lines = text.splitlines()
        for node in ast.parse(text).body:
            source = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            out.append(Code(cell, node.lineno, source))
    return out


def timed(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    stmts = statements()
    rows: list[tuple[str, float, float | None]] = []

    t = time.perf_counter()
    rt = StudentRuntime(stmts, preload=PACK.preload)
    rt.start()
    rt.call("add", 1, 2)
    rows.append(("first start (zygote + build + first call)", time.perf_counter() - t, None))

    def fresh() -> None:
        with StudentRuntime(stmts, preload=PACK.preload) as r:
            assert r.call("add", 1, 2).value == 3

    rows.append(
        ("later start (build + first call + close)", statistics.median(timed(fresh, 10)), 0.3)
    )

    a, b = np.ones(10), np.arange(10.0)
    rt.call("add", a, b)
    per_call = timed(lambda: rt.call("add", a, b), 500)
    rows.append(("call overhead, two 10-element arrays", statistics.median(per_call), 0.002))

    rt.call("ask", 10)
    local = statistics.median(timed(lambda: rt.call("ask", 1000), 3))
    answer = (np.ones((2, 3)), np.ones(3), np.ones(3), np.ones(1))
    rt.define(stubs={"gradient_nn": Stub(lambda args, kwargs, local: answer)})
    rt.call("ask", 10)
    asked = statistics.median(timed(lambda: rt.call("ask", 1000), 3))
    rows.append(("callback round trip (a gradcheck's stub call)", (asked - local) / 1000, 0.0005))
    rt.reset()

    net = rt.call("ConvNet", keep=True).value
    batch = np.random.default_rng(0).normal(size=(64, 3, 32, 32)).astype(np.float32)
    rt.call("@forward", net, as_tensor(batch))
    fwd = timed(lambda: rt.call("@forward", net, as_tensor(batch)), 20)
    rows.append(("ConvNet forward round trip, N=64 CIFAR batch", statistics.median(fwd), None))

    def crash_and_recover() -> None:
        assert rt.call("crash").status == "crashed"
        assert rt.call("add", 1, 2).value == 3

    rows.append(
        (
            "restart after a crash (crash + next call)",
            statistics.median(timed(crash_and_recover, 10)),
            None,
        )
    )
    isolation = rt.isolation
    rt.close()

    print(f"{'measure':48s} {'seconds':>10s} {'target':>8s} {'ratio':>6s}")
    for name, seconds, target in rows:
        ratio = f"{seconds / target:6.2f}" if target else "     -"
        tgt = f"{target:8.4f}" if target else "       -"
        print(f"{name:48s} {seconds:10.5f} {tgt} {ratio}")
    print("isolation:", ", ".join(isolation))


if __name__ == "__main__":
    main()
