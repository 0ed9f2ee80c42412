"""Notebooks as students really save them: every nbformat 4 minor version, Colab's metadata, no
cell ids, execution counts null, 0, repeated or out of order. Reading, rebuilding and finding
sections never raise, and format details are notes, not reasons to stop."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.notebook import load_submission
from grader.sections import find_sections
from grader.source import build_program

COLAB_METADATA = {
    "colab": {"name": "A2.ipynb", "provenance": [], "collapsed_sections": []},
    "accelerator": "GPU",
    "gpuClass": "standard",
    "widgets": {"application/vnd.jupyter.widget-state+json": {}},
    "kernelspec": {"display_name": "Python 3", "name": "python3"},
    "language_info": {"name": "python"},
}
VSCODE_METADATA = {"vscode": {"interpreter": {"hash": "ab12"}}, "kernelspec": {"name": "python3", "display_name": "Python 3"}}


def _notebook(minor: int, metadata: dict, cells: list[dict]) -> dict:
    return {"nbformat": 4, "nbformat_minor": minor, "metadata": metadata, "cells": cells}


def _code(source: str, count, outputs=(), cell_id=None) -> dict:
    cell = {"cell_type": "code", "execution_count": count, "metadata": {}, "source": source, "outputs": list(outputs)}
    if cell_id:
        cell["id"] = cell_id
    return cell


def _markdown(source: str, cell_id=None) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": source}
    if cell_id:
        cell["id"] = cell_id
    return cell


def _stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def _write(tmp_path, nb: dict, name: str = "A2_DOE_Jane.ipynb"):
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def test_colab_4_0_without_cell_ids_is_valid(tmp_path):
    cells = [_markdown("### :: TASK 1.1 ::\nDerive"), _code("x = 1", 1, [_stream("1\n")]), _markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, _notebook(0, COLAB_METADATA, cells)))
    assert [p.code for p in sub.problems] == []


def test_a_4_5_notebook_without_ids_is_a_format_note(tmp_path):
    cells = [_code("x = 1", 1, [_stream("1\n")]), _markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, _notebook(5, COLAB_METADATA, cells)))
    assert {p.code for p in sub.problems} == {"invalid-notebook"}
    assert not any(p.blocking for p in sub.problems)


def test_counts_starting_at_zero_are_in_order(tmp_path):
    cells = [_code("a = 1", 0, [_stream("a")]), _code("b = 2", 1), _markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, _notebook(4, {}, cells)))
    assert [p.code for p in sub.problems] == []


def test_null_counts_with_outputs_kept_are_not_never_run(tmp_path):
    cells = [_code("a = 1", None, [_stream("a")]), _code("def f():\n    pass", None), _markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, _notebook(2, COLAB_METADATA, cells)))
    assert [p.code for p in sub.problems] == []
    assert not sub.facts.not_run and sub.facts.never_run_cells == ()


def test_a_first_count_of_zero_then_lower_counts_is_out_of_order_not_a_crash(tmp_path):
    cells = [_code("a = 1", 0), _code("b = 2", 0), _code("c = 3", 5), _code("d = 4", 2)]
    sub = load_submission(_write(tmp_path, _notebook(4, {}, cells)))
    assert "out-of-order" in [p.code for p in sub.problems]
    assert sub.facts.out_of_order == (2, 4)


# -- generated: any mix of the forms above ---------------------------------------------------

_SOURCES = st.sampled_from([
    "import numpy as np", "x = np.zeros(3)", "def f(a):\n    return a + 1", "%matplotlib inline",
    "!pip install torchsummary", "for i in range(3):\n    print(i)", "class ConvNet:\n    pass",
    "print(f(1))", "def broken(:\n", "", "   ", "import pandas as pd",
])  # fmt: skip
_MARKDOWN = st.sampled_from([
    "### :: TASK 1.1 ::\nDerive the gradients.", "##########\nWRITE YOUR ANSWER HERE\n##########",
    "## Pooling\ntext\n### :: TASK 2.2 ::\nWhat happens?", "### :: SAMPLE TASK ::", "**STUDENT**:  YOUR NAME HERE",
    "## AUTHORSHIP STATEMENT\nI declare that the preceding work was the sole result of my own effort.",
    "## ▼ :: TASK 3.6 ::\nHow many parameters?", "", "# Part 3",
])  # fmt: skip
_COUNTS = st.one_of(st.none(), st.integers(min_value=0, max_value=50))
_OUTPUTS = st.lists(st.sampled_from([_stream("1\n"), {"output_type": "error", "ename": "E", "evalue": "v", "traceback": []}]), max_size=2)


@st.composite
def real_notebooks(draw) -> dict:
    with_ids = draw(st.booleans())
    cells = []
    for k in range(draw(st.integers(min_value=0, max_value=12))):
        cell_id = f"c{k}" if with_ids else None
        if draw(st.booleans()):
            cells.append(_code(draw(_SOURCES), draw(_COUNTS), draw(_OUTPUTS), cell_id))
        else:
            cells.append(_markdown(draw(_MARKDOWN), cell_id))
    metadata = draw(st.sampled_from([{}, COLAB_METADATA, VSCODE_METADATA, {"colab": None}, {"kernelspec": []}]))
    return _notebook(draw(st.integers(min_value=0, max_value=6)), metadata, cells)


@settings(max_examples=150, deadline=None)
@given(nb=real_notebooks(), name=st.sampled_from(["A2_DOE_Jane.ipynb", "A2.ipynb", "Copie de A2_DOE_Jane (2).ipynb", "HW2.ipynb"]))
def test_reading_rebuilding_and_sections_never_raise(tmp_path_factory, nb, name):
    path = _write(tmp_path_factory.mktemp("nb"), nb, name)
    sub = load_submission(path)
    program = build_program(sub)
    sections = find_sections(sub, ["1.1", "2.2", "3.6"])
    for section in sections.values():
        assert isinstance(section.answer, str) and isinstance(section.outputs_text, str)
    assert all(s.cell >= 1 for s in program.statements)
    if any(c["cell_type"] == "code" and c["source"].strip() and c["execution_count"] is not None for c in nb["cells"]):
        assert "not-run" not in [p.code for p in sub.problems]


BLOCK = "#" * 30 + "\n#  WRITE YOUR CODE HERE  #\n" + "#" * 30


def test_the_code_block_left_above_real_code_is_not_a_problem(tmp_path):
    done = f"def gradient_nn(X, Y, Wi, bi, Wo, bo):\n    {BLOCK.replace(chr(10), chr(10) + '    ')}\n    return 1, 2, 3, 4"
    todo = f"def gradcheck():\n    {BLOCK.replace(chr(10), chr(10) + '    ')}\n    pass"
    cells = [_code(done, 1, [_stream("x")]), _code(todo, 2), _markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, _notebook(0, COLAB_METADATA, cells)))
    assert [(p.code, p.cell) for p in sub.problems] == [("placeholder-left", 2)]
