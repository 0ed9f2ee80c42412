"""Seeded-bug and correct notebooks for the diagnosis tests, in the form students hand in.

Colab's form: nbformat 4.0, no cell ids, null execution counts, the handout's ``### :: TASK n ::``
headings with the question text below them, ``#####`` answer cells. Each notebook holds the
handout's provided Part 1 code and the student's code for the tasks given to ``build``.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

PROVIDED = """
import numpy as np
import matplotlib.pyplot as plt

def sigm(x):
    # Returns the sigmoid of x
    # Small trick to avoid overflow warnings: values below -20 are set to 0
    return np.where(x > -20, 1.0 / (1.0 + np.exp(-x)), 0.0)

def nnet_forward_logloss(X, Y, Wi, bi, Wo, bo):
    # Hidden layer
    H = np.maximum(0, np.dot(X, Wi) + bi)
    # Output layer
    Yo = np.dot(H, Wo) + bo
    # Probabilistic output
    Po = sigm(Yo)
    # Logistic loss
    loss = np.log(1 + np.exp(-Y * Yo))
    return Po, Yo, loss

def sumelement_matrix(X, i, j, element):
    Y = np.copy(X)
    Y[i, j] = X[i, j] + element
    return Y

def sumelement_vector(X, i, element):
    Y = np.copy(X)
    Y[i] = X[i] + element
    return Y
"""

TORCH_IMPORTS = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

HEADINGS = {
    "1.2": "### :: TASK 1.2 ::\nImplement the function `gradient_nn` computing the gradient of the loss.",
    "1.4": "### :: TASK 1.4 ::\nImplement `gradient_nn_numerical` and check your gradient with `gradcheck`.",
    "3.2": "### :: TASK 3.2 ::\nDefine the ConvNet: conv 5x5 16 + tanh, max pool 2x2, conv 5x5 128 + tanh, max pool 2x2, fc 64 + tanh, fc 10.",
    "3.6": "### :: TASK 3.6 ::\nHow many parameters does the network have? Give the count per layer and the total.",
}
ANSWER_FRAME = "#" * 60


def _lines(text: str) -> list[str]:
    """A cell source as Colab saves it: a list of lines, each but the last ending in a newline."""
    lines = text.strip("\n").splitlines(keepends=True)
    return lines


def _markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": _lines(text)}


def _code(text: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": _lines(text),
    }


def notebook(code: dict[str, str], answer_3_6: str | None = None) -> dict:
    """The notebook a student with ``code`` (task id -> the cell's source) hands in."""
    cells = [
        _markdown("# A2: Neural networks\nCourse 2023/24"),
        _markdown("**STUDENT**:  Jane Doe"),
        _code(PROVIDED),
    ]
    for task in ("1.2", "1.4", "3.2"):
        if task in code:
            cells.append(_markdown(HEADINGS[task]))
            cells.append(_code((TORCH_IMPORTS if task == "3.2" else "") + code[task]))
    if answer_3_6 is not None:
        cells.append(_markdown(HEADINGS["3.6"]))
        cells.append(_markdown(f"{ANSWER_FRAME}\n\n{answer_3_6}\n\n{ANSWER_FRAME}"))
    return {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {
            "colab": {"provenance": []},
            "kernelspec": {"name": "python3", "display_name": "Python 3"},
            "accelerator": "GPU",
        },
        "cells": cells,
    }


def write(path: Path, code: dict[str, str], answer_3_6: str | None = None) -> Path:
    """Write the notebook as Colab does (validated against nbformat 4.0's schema first)."""
    data = notebook(code, answer_3_6)
    nbformat.validate(nbformat.from_dict(data))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
