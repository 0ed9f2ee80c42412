"""Notebooks in the forms students really save them (HANDOUT.md, "How real submissions look").

The one builder of real-form notebooks for the tests: cells without ids, Colab's metadata,
any nbformat 4 minor version, null or odd execution counts, ``### :: TASK n ::`` headings with
the question below, ``#####`` answer frames. Built from it:

- ``write_part1(path, **pieces)``: Part 1 of A2 (what the attack tests aim at) from the
  handout's provided code and a student's gradient_nn; every piece can be replaced by keyword,
  so an attack and its honest twin differ in exactly one place. ``write_tiny`` is a heading and
  one definition, for attacks on files and names.
- ``write_tasks(path, code, answer_3_6)``: the provided code, then a cell per task in ``code``
  (task id -> source), saved as Colab saves it (sources as lists of lines): the diagnosis tests.
- ``real_notebooks()``: a Hypothesis strategy that mixes the forms, for the reader's tests.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from hypothesis import strategies as st
from PIL import Image

from reference import handout

COLAB_METADATA = {
    "colab": {"name": "A2.ipynb", "provenance": [], "collapsed_sections": []},
    "accelerator": "GPU",
    "gpuClass": "standard",
    "widgets": {"application/vnd.jupyter.widget-state+json": {}},
    "kernelspec": {"display_name": "Python 3", "name": "python3"},
    "language_info": {"name": "python"},
}
VSCODE_METADATA = {"vscode": {"interpreter": {"hash": "ab12"}}, "kernelspec": {"name": "python3", "display_name": "Python 3"}}
FRAME = "#" * 60

# ---------------------------------------------------------------- cells and outputs


def notebook(minor: int, metadata: dict, cells: list[dict]) -> dict:
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": metadata, "cells": cells}


def code(source: str | list[str], count: int | None = None, outputs: Sequence[dict] = (), cell_id: str | None = None) -> dict:
    cell: dict[str, Any] = {"cell_type": "code", "execution_count": count, "metadata": {}, "source": source, "outputs": list(outputs)}
    if cell_id:
        cell["id"] = cell_id
    return cell


def markdown(source: str | list[str], cell_id: str | None = None) -> dict:
    cell: dict[str, Any] = {"cell_type": "markdown", "metadata": {}, "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def lines(text: str) -> list[str]:
    """A cell source as Colab saves it: a list of lines, each but the last ending in a newline."""
    return text.strip("\n").splitlines(keepends=True)


def answer(text: str) -> dict:
    """An answer typed between the handout's frames."""
    return markdown(f"{FRAME}\n{text}\n{FRAME}")


def stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def png(size: int = 64, shade: int = 0) -> str:
    """A base64 PNG of ``size`` x ``size`` pixels; ``shade`` makes images differ."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (shade % 256, 40, 200)).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def figure(data: str) -> dict:
    return {
        "output_type": "display_data",
        "data": {"image/png": data, "text/plain": "<Figure size 640x480 with 1 Axes>"},
        "metadata": {},
    }


# ---------------------------------------------------------------- A2's pieces

TITLE = "# Assignment 2: Neural networks\n\nObject recognition and computer vision 2020/2021"
STUDENT = "**STUDENT**:  Jane DOE"
HEADINGS = {
    "1.2": "### :: TASK 1.2 ::\nImplement the function `gradient_nn` computing the gradient of the loss.",
    "1.4": "### :: TASK 1.4 ::\nImplement `gradient_nn_numerical` and check your gradient with `gradcheck`.",
    "1.6": "### :: TASK 1.6 ::\nRun the training 5 times and report the final errors in a table.",
    "1.8": "### :: TASK 1.8 ::\nTrain with different numbers of hidden units.",
    "3.1": "### :: TASK 3.1 ::\nShow some training images.",
    "3.2": "### :: TASK 3.2 ::\nDefine the ConvNet: conv 5x5 16 + tanh, max pool 2x2, conv 5x5 128 + tanh, max pool 2x2, fc 64 + tanh, fc 10.",
    "3.5": "### :: TASK 3.5 ::\nShow the filters of the first layer.",
    "3.6": "### :: TASK 3.6 ::\nHow many parameters does the network have? Give the count per layer and the total.",
}
IMPORTS = "import numpy as np\nimport matplotlib.pyplot as plt"
TORCH_IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
# the handout's provided Part 1 code, as handed out
PROVIDED = "\n\n".join(
    inspect.getsource(f)
    for f in (handout.sigm, handout.nnet_forward_logloss, handout.sumelement_matrix, handout.sumelement_vector)
)
# a student's own words (the reference's text must never appear in a student process)
GRADIENT_NN = """def gradient_nn(X, Y, Wi, bi, Wo, bo):
    h1 = np.dot(X, Wi) + bi
    H = np.maximum(h1, 0)
    Yo = np.dot(H, Wo) + bo
    dYo = -Y * sigm(-Y * Yo)
    grad_s_bo = dYo
    grad_s_Wo = dYo * H
    grad_s_bi = dYo * Wo * (h1 > 0)
    grad_s_Wi = np.outer(X, grad_s_bi)
    return grad_s_Wi, grad_s_bi, grad_s_Wo, grad_s_bo
"""
NUMERICAL = inspect.getsource(handout.gradient_nn_numerical)
GRADCHECK = inspect.getsource(handout.gradcheck)
# every year's handed-out form: the learning rate is the positional parameter `lrate`
TRAIN_LOOP = inspect.getsource(handout.train_loop).replace("h, lr, vis", "h, lrate, vis").replace(
    "  # noqa: F821 - the notebook global, as handed out", ""
).replace("  # noqa: F821", "")
DECISION_BOUNDARY = inspect.getsource(handout.decision_boundary_nnet)
SUCCESS = "SUCCESS: Passed gradcheck.\n"
ANSWER_3_6 = (
    "conv1: 3*16*5*5 + 16 = 1,216 parameters; conv2: 16*128*5*5 + 128 = 51,328; "
    "fc1: 128*5*5*64 + 64 = 204,864; fc2: 64*10 + 10 = 650.\n\nTotal: 258,058 parameters."
)

# ---------------------------------------------------------------- Part 1, piece by piece


def part1_cells(**pieces: Any) -> list[dict]:
    """Part 1's cells; each keyword replaces one piece of the honest notebook."""
    p = {
        "prelude": "",  # code the attack adds before everything (a spy, a hook)
        "gradient_nn": GRADIENT_NN,
        "provided": PROVIDED,
        "numerical": NUMERICAL,
        "gradcheck": GRADCHECK,
        "gradcheck_call": "gradcheck()",  # as the notebook calls it
        "gradcheck_output": [stream(SUCCESS)],
        "train_loop": TRAIN_LOOP,
        "figures_1_5": [figure(png(64, 1))],
        "outputs_1_6": [stream("".join(f"run {k}: {10 + k}.5 {12 + k}.25\n" for k in range(5)))],
        "answer_1_6": "The errors vary little from run to run.",
        "figures_1_8": [figure(png(64, 10 + k)) for k in range(3)],
        "figures_3_1": [figure(png(64, 20))],
        "figures_3_5": [figure(png(64, 30))],
        "outputs_3_6": [],
        "answer_3_6": ANSWER_3_6,
        **pieces,
    }
    out = [markdown(TITLE), markdown(STUDENT), code(IMPORTS + "\nimport torch\nimport torch.nn as nn")]
    if p["prelude"]:
        out.append(code(p["prelude"]))
    out += [
        markdown(HEADINGS["1.2"]),
        code(p["gradient_nn"]),
        markdown(HEADINGS["1.4"]),
        code(p["provided"]),
        code(p["numerical"]),
        code(p["gradcheck"]),
        code(
            f"if {p['gradcheck_call']}:\n    print('SUCCESS: Passed gradcheck.')\nelse:\n"
            "    print('FAILURE: Fix gradient_nn and/or gradient_nn_numerical functions.')",
            outputs=p["gradcheck_output"],
        ),
        markdown("## Training the network using backpropagation and experimenting with different parameters"),
        code(DECISION_BOUNDARY),
        code(p["train_loop"]),
        code(
            "# Run training\nh = 7\nlrate = .02\n"
            "tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, h, lrate, vis='last', nEpochs=100)",
            outputs=p["figures_1_5"],
        ),
        markdown(HEADINGS["1.6"]),
        code("for run in range(5):\n    tr, val = train_loop(Xtr, Ytr, Xval, Yval, 7, .02, vis='never')\n"
             "    print(f'run {run}: {tr[-1]} {val[-1]}')", outputs=p["outputs_1_6"]),
        answer(p["answer_1_6"]),
        markdown(HEADINGS["1.8"]),
        code("for h in [1, 2, 5]:\n    train_loop(Xtr, Ytr, Xval, Yval, h, .02, vis='last')", outputs=p["figures_1_8"]),
        markdown(HEADINGS["3.1"]),
        code("imshow(torchvision.utils.make_grid(images))", outputs=p["figures_3_1"]),
        markdown(HEADINGS["3.5"]),
        code("plt.imshow(filters)", outputs=p["figures_3_5"]),
        markdown(HEADINGS["3.6"]),
        code("sum(p.numel() for p in net.parameters())", outputs=p["outputs_3_6"]),
        answer(p["answer_3_6"]),
        markdown("## AUTHORSHIP STATEMENT\nI declare that the preceding work was the sole result of my own "
                 "effort and that I have not used any code or results from third-parties.\n\nJane DOE"),
    ]  # fmt: skip
    return out


def write_part1(path: Path, minor: int = 4, **pieces: Any) -> Path:
    """Write Part 1 (see ``part1_cells``) to ``path`` as Colab saves it."""
    metadata = {"colab": {"name": path.name, "provenance": []}, "kernelspec": {"name": "python3", "display_name": "Python 3"}}
    path.write_text(json.dumps(notebook(minor, metadata, part1_cells(**pieces)), indent=1), encoding="utf-8")
    return path


def write_tiny(path: Path) -> Path:
    """A notebook with a heading and one definition: for attacks on files and names."""
    cells = [markdown("# Assignment 2: Neural networks"), markdown("### :: TASK 1.2 ::"), code("x = 1")]
    path.write_text(json.dumps(notebook(0, {"colab": {"provenance": []}}, cells)), encoding="utf-8")
    return path


# ---------------------------------------------------------------- one cell per task


def task_notebook(tasks: dict[str, str], answer_3_6: str | None = None) -> dict:
    """The notebook a student with ``tasks`` (task id -> the cell's source) hands in: the
    provided code, each task's heading and cell (1.2, 1.4, 3.2), the 3.6 answer if given."""
    cells = [markdown(TITLE), markdown(STUDENT), code(lines(f"{IMPORTS}\n\n{PROVIDED}"))]
    for task in ("1.2", "1.4", "3.2"):
        if task in tasks:
            cells.append(markdown(lines(HEADINGS[task])))
            cells.append(code(lines((TORCH_IMPORTS if task == "3.2" else "") + tasks[task])))
    if answer_3_6 is not None:
        cells.append(markdown(lines(HEADINGS["3.6"])))
        cells.append(markdown(lines(f"{FRAME}\n\n{answer_3_6}\n\n{FRAME}")))
    metadata = {"colab": {"provenance": []}, "kernelspec": {"name": "python3", "display_name": "Python 3"}, "accelerator": "GPU"}
    return notebook(0, metadata, cells)


def write_tasks(path: Path, tasks: dict[str, str], answer_3_6: str | None = None) -> Path:
    """Write ``task_notebook`` as Colab does (validated against nbformat 4.0's schema first)."""
    data = task_notebook(tasks, answer_3_6)
    nbformat.validate(nbformat.from_dict(data))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- any real form, drawn

_SOURCES = st.sampled_from([
    "import numpy as np", "x = np.zeros(3)", "def f(a):\n    return a + 1", "%matplotlib inline",
    "!pip install torchsummary", "for i in range(3):\n    print(i)", "class ConvNet:\n    pass",
    "print(f(1))", "def broken(:\n", "", "   ", "import pandas as pd",
    "def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    return 0", "class ConvNet(nn.Module):\n    def __init__(self, n):\n        super().__init__()",
])  # fmt: skip
_MARKDOWN = st.sampled_from([
    "### :: TASK 1.1 ::\nDerive the gradients.", "##########\nWRITE YOUR ANSWER HERE\n##########",
    "## Pooling\ntext\n### :: TASK 2.2 ::\nWhat happens?", "### :: SAMPLE TASK ::", "**STUDENT**:  YOUR NAME HERE",
    "## AUTHORSHIP STATEMENT\nI declare that the preceding work was the sole result of my own effort.",
    "## ▼ :: TASK 3.6 ::\nHow many parameters?", "", "# Part 3",
])  # fmt: skip
_METADATA: list[dict[str, Any]] = [{}, COLAB_METADATA, VSCODE_METADATA, {"colab": None}, {"kernelspec": []}]
_COUNTS = st.one_of(st.none(), st.integers(min_value=0, max_value=50))
_OUTPUTS = st.lists(st.sampled_from([stream("1\n"), {"output_type": "error", "ename": "E", "evalue": "v", "traceback": []}]), max_size=2)


@st.composite
def real_notebooks(draw: st.DrawFn) -> dict:
    with_ids = draw(st.booleans())
    cells = []
    for k in range(draw(st.integers(min_value=0, max_value=12))):
        cell_id = f"c{k}" if with_ids else None
        if draw(st.booleans()):
            cells.append(code(draw(_SOURCES), draw(_COUNTS), draw(_OUTPUTS), cell_id))
        else:
            cells.append(markdown(draw(_MARKDOWN), cell_id))
    metadata = draw(st.sampled_from(_METADATA))
    return notebook(draw(st.integers(min_value=0, max_value=6)), metadata, cells)
