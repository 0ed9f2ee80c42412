"""Notebooks written for Colab: missing modules become stand-ins, CUDA calls stay on the CPU."""

from __future__ import annotations

import numpy as np

from grader.runtime import Handle, StudentRuntime, as_tensor
from tests.support.runtime import TORCH_STACK, statements_from_code

COLAB_CELL = """
import numpy as np
import torch
import torch.nn as nn
from tqdm_not_installed_here.notebook import tqdm
import pandas_not_installed_here as pd, math
from google_colab_stand_in import drive

def uses_tqdm(n):
    return [i for i in tqdm(range(n))]

def plain(n):
    return n + 1

device = torch.device("cuda")

class Tiny(nn.Module):
    def __init__(self, n_out):
        super().__init__()
        self.fc = nn.Linear(2, n_out).cuda()

    def forward(self, x):
        return self.fc(x.to(device))
"""


def test_missing_modules_become_stand_ins_and_the_cell_goes_on():
    rt = StudentRuntime(statements_from_code(COLAB_CELL), preload=TORCH_STACK)
    try:
        outcomes = rt.start()
        assert all(o.status == "ok" for o in outcomes), [(o.statement.source, o.detail, o.error) for o in outcomes]
        stand_ins = [name for o in outcomes for name in o.stand_ins]
        assert stand_ins == ["tqdm_not_installed_here", "pandas_not_installed_here", "google_colab_stand_in"]
        assert rt.call("plain", 1).value == 2
        used = rt.call("uses_tqdm", 3)
        assert used.status == "error" and used.error.type == "ModuleNotFoundError"
        assert "tqdm_not_installed_here.notebook.tqdm is not installed" in used.error.message
    finally:
        rt.close()


def test_cuda_calls_stay_on_the_cpu():
    rt = StudentRuntime(statements_from_code(COLAB_CELL), preload=TORCH_STACK)
    try:
        rt.start()
        model = rt.call("Tiny", 3, keep=True).value
        assert isinstance(model, Handle)
        out = rt.call("@forward", model, as_tensor(np.ones((4, 2), dtype=np.float32)))
        assert out.status == "ok" and np.asarray(out.value).shape == (4, 3)
    finally:
        rt.close()


LAZY_CELL = """
lazy = nn.Sequential(nn.LazyLinear(3)).to(device)
lazy_cuda = nn.LazyLinear(3).cuda()

def built():
    return lazy
"""


def test_a_lazy_module_moves_to_the_device_as_on_colab():
    rt = StudentRuntime(statements_from_code(COLAB_CELL, LAZY_CELL), preload=TORCH_STACK)
    try:
        outcomes = rt.start()
        assert all(o.status == "ok" for o in outcomes), [(o.statement.source, o.detail, o.error) for o in outcomes]
        model = rt.call("built", keep=True).value
        assert rt.call("@materialise", model, as_tensor(np.ones((4, 2), dtype=np.float32))).value is True
        assert rt.call("@parameter_count", model).value == 2 * 3 + 3
    finally:
        rt.close()


def test_a_statement_that_is_not_an_import_still_fails_on_a_missing_module():
    rt = StudentRuntime(statements_from_code("x = __import__('no_such_module_anywhere')"), preload=TORCH_STACK)
    try:
        (outcome,) = rt.start()
        assert outcome.status == "error" and outcome.error.type == "ModuleNotFoundError" and not outcome.stand_ins
    finally:
        rt.close()


def test_what_this_courses_students_import_is_installed_for_real():
    cell = "import pandas as pd\nimport seaborn as sns\nimport sklearn\nfrom tqdm import tqdm\nfrom torchsummary import summary"
    rt = StudentRuntime(statements_from_code(cell), preload=TORCH_STACK)
    try:
        outcomes = rt.start()
        assert [(o.status, o.stand_ins) for o in outcomes] == [("ok", ())] * 5
    finally:
        rt.close()
