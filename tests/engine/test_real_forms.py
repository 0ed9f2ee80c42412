"""Notebooks as students really save them: every nbformat 4 minor version, Colab's metadata, no
cell ids, execution counts null, 0, repeated or out of order. Reading, rebuilding and finding
sections never raise, and format details are notes, not reasons to stop."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.notebook import load_submission
from grader.notebook.sections import find_sections
from grader.source import build_program
from tests.support.realform import COLAB_METADATA, code, markdown, notebook, real_notebooks, stream


def _write(tmp_path, nb: dict, name: str = "A2_DOE_Jane.ipynb"):
    path = tmp_path / name
    path.write_text(json.dumps(nb))
    return path


def test_colab_4_0_without_cell_ids_is_valid(tmp_path):
    cells = [markdown("### :: TASK 1.1 ::\nDerive"), code("x = 1", 1, [stream("1\n")]), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(0, COLAB_METADATA, cells)))
    assert [p.code for p in sub.problems] == []


def test_a_4_5_notebook_without_ids_is_a_format_note(tmp_path):
    cells = [code("x = 1", 1, [stream("1\n")]), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(5, COLAB_METADATA, cells)))
    assert {p.code for p in sub.problems} == {"invalid-notebook"}
    assert not any(p.blocking for p in sub.problems)


def test_counts_starting_at_zero_are_in_order(tmp_path):
    cells = [code("a = 1", 0, [stream("a")]), code("b = 2", 1), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(4, {}, cells)))
    assert [p.code for p in sub.problems] == []


def test_every_count_zero_says_nothing_about_the_order(tmp_path):
    """Real classes hand in notebooks whose every count is 0: no order to judge; two cells
    that really ran backwards (2 then 1) still are out of order."""
    cells = [code("a = 1", 0, [stream("a")]), code("b = 2", 0), code("c = 3", 0, [stream("c")]), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(4, {}, cells)))
    assert [p.code for p in sub.problems] == []
    cells = [code("a = 1", 2, [stream("a")]), code("b = 2", 1), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(4, {}, cells)))
    assert [p.code for p in sub.problems] == ["out-of-order"]


def test_null_counts_with_outputs_kept_are_not_never_run(tmp_path):
    cells = [code("a = 1", None, [stream("a")]), code("def f():\n    pass", None), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(2, COLAB_METADATA, cells)))
    assert [p.code for p in sub.problems] == []
    assert not sub.facts.not_run and sub.facts.never_run_cells == ()


def test_a_first_count_of_zero_then_lower_counts_is_out_of_order_not_a_crash(tmp_path):
    cells = [code("a = 1", 0), code("b = 2", 0), code("c = 3", 5), code("d = 4", 2)]
    sub = load_submission(_write(tmp_path, notebook(4, {}, cells)))
    assert "out-of-order" in [p.code for p in sub.problems]
    assert sub.facts.out_of_order == (2, 4)


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
    cells = [code(done, 1, [stream("x")]), code(todo, 2), markdown("I, Jane Doe, declare this is my own work.")]
    sub = load_submission(_write(tmp_path, notebook(0, COLAB_METADATA, cells)))
    assert [(p.code, p.cell) for p in sub.problems] == [("placeholder-left", 2)]
