"""Small A2 notebooks in the form students hand in, for the attack tests.

Colab's form: nbformat 4 with a minor version 0..4, no cell ids, ``### :: TASK n ::``
headings with the question below, no TASK 1.5 heading (its section title instead), ``#####``
answer frames, null execution counts with every output kept. Part 1 only (what the attacks
aim at), from the handout's provided code and a student's gradient_nn; every piece can be
replaced by keyword, so an attack and its honest twin differ in exactly one place.
"""

from __future__ import annotations

import base64
import inspect
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image

from reference import handout

FRAME = "#" * 60

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


def printed(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def code(source: str, outputs: list[dict] | None = None) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": outputs or [], "source": source}


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def answer(text: str) -> dict:
    return markdown(f"{FRAME}\n{text}\n{FRAME}")


def cells(**pieces: Any) -> list[dict]:
    """The notebook's cells; each keyword replaces one piece of the honest notebook."""
    p = {
        "prelude": "",  # code the attack adds before everything (a spy, a hook)
        "gradient_nn": GRADIENT_NN,
        "provided": PROVIDED,
        "numerical": NUMERICAL,
        "gradcheck": GRADCHECK,
        "gradcheck_output": [printed(SUCCESS)],
        "train_loop": TRAIN_LOOP,
        "figures_1_5": [figure(png(64, 1))],
        "outputs_1_6": [printed("".join(f"run {k}: {10 + k}.5 {12 + k}.25\n" for k in range(5)))],
        "answer_1_6": "The errors vary little from run to run.",
        "figures_1_8": [figure(png(64, 10 + k)) for k in range(3)],
        "figures_3_1": [figure(png(64, 20))],
        "figures_3_5": [figure(png(64, 30))],
        "outputs_3_6": [],
        "answer_3_6": ANSWER_3_6,
        **pieces,
    }
    out = [
        markdown("# Assignment 2: Neural networks\n\nObject recognition and computer vision 2020/2021"),
        markdown("**STUDENT**:  Jane DOE"),
        code("import numpy as np\nimport matplotlib.pyplot as plt\nimport torch\nimport torch.nn as nn"),
    ]
    if p["prelude"]:
        out.append(code(p["prelude"]))
    out += [
        markdown("### :: TASK 1.2 ::\nWrite the function `gradient_nn` computing the gradients."),
        code(p["gradient_nn"]),
        markdown("### :: TASK 1.4 ::\nCheck your gradient numerically."),
        code(p["provided"]),
        code(p["numerical"]),
        code(p["gradcheck"]),
        code(
            "if gradcheck():\n    print('SUCCESS: Passed gradcheck.')\nelse:\n"
            "    print('FAILURE: Fix gradient_nn and/or gradient_nn_numerical functions.')",
            p["gradcheck_output"],
        ),
        markdown("## Training the network using backpropagation and experimenting with different parameters"),
        code(DECISION_BOUNDARY),
        code(p["train_loop"]),
        code(
            "# Run training\nh = 7\nlrate = .02\n"
            "tr_error, val_error = train_loop(Xtr, Ytr, Xval, Yval, h, lrate, vis='last', nEpochs=100)",
            p["figures_1_5"],
        ),
        markdown("### :: TASK 1.6 ::\nRun the training 5 times and report the final errors in a table."),
        code("for run in range(5):\n    tr, val = train_loop(Xtr, Ytr, Xval, Yval, 7, .02, vis='never')\n"
             "    print(f'run {run}: {tr[-1]} {val[-1]}')", p["outputs_1_6"]),
        answer(p["answer_1_6"]),
        markdown("### :: TASK 1.8 ::\nTrain with different numbers of hidden units."),
        code("for h in [1, 2, 5]:\n    train_loop(Xtr, Ytr, Xval, Yval, h, .02, vis='last')", p["figures_1_8"]),
        markdown("### :: TASK 3.1 ::\nShow some training images."),
        code("imshow(torchvision.utils.make_grid(images))", p["figures_3_1"]),
        markdown("### :: TASK 3.5 ::\nShow the filters of the first layer."),
        code("plt.imshow(filters)", p["figures_3_5"]),
        markdown("### :: TASK 3.6 ::\nHow many parameters does the ConvNet have? Give the count per layer."),
        code("sum(p.numel() for p in net.parameters())", p["outputs_3_6"]),
        answer(p["answer_3_6"]),
        markdown("## AUTHORSHIP STATEMENT\nI declare that the preceding work was the sole result of my own "
                 "effort and that I have not used any code or results from third-parties.\n\nJane DOE"),
    ]
    return out


def write(path: Path, minor: int = 4, **pieces: Any) -> Path:
    """Write the notebook to ``path`` as Colab saves it."""
    notebook = {
        "nbformat": 4,
        "nbformat_minor": minor,
        "metadata": {"colab": {"name": path.name, "provenance": []},
                     "kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "cells": cells(**pieces),
    }
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def tiny(path: Path) -> Path:
    """A notebook with a heading and one definition: for attacks on files and names."""
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {"colab": {"provenance": []}},
        "cells": [markdown("# Assignment 2: Neural networks"), markdown("### :: TASK 1.2 ::"), code("x = 1")],
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path
