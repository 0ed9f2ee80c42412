"""Notebooks in the forms students really save them (HANDOUT.md, "How real submissions look"):
cells without ids, Colab's metadata, any nbformat 4 minor version, odd execution counts; and a
Hypothesis strategy that mixes them."""

from __future__ import annotations

from hypothesis import strategies as st

COLAB_METADATA = {
    "colab": {"name": "A2.ipynb", "provenance": [], "collapsed_sections": []},
    "accelerator": "GPU",
    "gpuClass": "standard",
    "widgets": {"application/vnd.jupyter.widget-state+json": {}},
    "kernelspec": {"display_name": "Python 3", "name": "python3"},
    "language_info": {"name": "python"},
}
VSCODE_METADATA = {"vscode": {"interpreter": {"hash": "ab12"}}, "kernelspec": {"name": "python3", "display_name": "Python 3"}}


def notebook(minor: int, metadata: dict, cells: list[dict]) -> dict:
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": metadata, "cells": cells}


def code(source: str, count, outputs=(), cell_id=None) -> dict:
    cell = {"cell_type": "code", "execution_count": count, "metadata": {}, "source": source, "outputs": list(outputs)}
    if cell_id:
        cell["id"] = cell_id
    return cell


def markdown(source: str, cell_id=None) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


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
_COUNTS = st.one_of(st.none(), st.integers(min_value=0, max_value=50))
_OUTPUTS = st.lists(st.sampled_from([stream("1\n"), {"output_type": "error", "ename": "E", "evalue": "v", "traceback": []}]), max_size=2)


@st.composite
def real_notebooks(draw) -> dict:
    with_ids = draw(st.booleans())
    cells = []
    for k in range(draw(st.integers(min_value=0, max_value=12))):
        cell_id = f"c{k}" if with_ids else None
        if draw(st.booleans()):
            cells.append(code(draw(_SOURCES), draw(_COUNTS), draw(_OUTPUTS), cell_id))
        else:
            cells.append(markdown(draw(_MARKDOWN), cell_id))
    metadata = draw(st.sampled_from([{}, COLAB_METADATA, VSCODE_METADATA, {"colab": None}, {"kernelspec": []}]))
    return notebook(draw(st.integers(min_value=0, max_value=6)), metadata, cells)
