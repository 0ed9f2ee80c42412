"""Locating tasks by their headings, and reading numbers the way students write them."""

import pytest

from grader.assignments.a2.hidden import numbers_in
from grader.notebook import Cell, Output, Submission
from grader.sections import find_sections, task_pattern


@pytest.mark.parametrize(
    ("task", "line", "opens"),
    [
        ("1.4", "### Question 1.4 — numerical gradient", True),
        ("1.4", "**Q1.4**", True),
        ("1.4", "1.4 Numerical", True),
        ("3.6", "#### QUESTION 3.6: dimensions", True),
        ("1.2", "### Task 1.2:", True),
        ("1.1", "### 1.1.", True),
        ("1.4", "1.45 is not 1.4", False),
        ("1.4", "Question 1.4.1", False),
        ("1.2", "We use lr = 0.02 1.2", False),
        ("1.1", "Part 1 introduction", False),
    ],
)
def test_heading_patterns(task, line, opens):
    assert bool(task_pattern(task).search(line)) is opens


def test_sections_run_to_the_next_heading():
    cells = (
        Cell(1, "markdown", "# A2"),
        Cell(2, "markdown", "### Question 1.4\nAnswer: central differences"),
        Cell(3, "code", "gradcheck()", 1, (Output("stream", "SUCCESS"),)),
        Cell(4, "markdown", "more words"),
        Cell(5, "markdown", "### Question 1.5"),
        Cell(6, "code", "plot()", 2, (Output("display_data", "<Figure>", ("image/png",)),)),
    )
    sections = find_sections(Submission(path=None, identity=None, cells=cells), ["1.4", "1.5"])
    assert sections["1.4"].outputs_text == "SUCCESS"
    assert sections["1.4"].answer == "central differences\n\nmore words"
    assert sections["1.5"].answer == ""
    assert sections["1.5"].images == 1 and sections["1.4"].images == 0


@pytest.mark.parametrize(
    "text",
    ["258058", "258,058", "258 058", "258.058", "$258{,}058$", r"$258\,058$", "total: **258 058** params", "258\u202f058"],
)
def test_numbers_as_students_write_them(text):
    assert 258058 in numbers_in(text)


def test_numbers_do_not_merge_unrelated_figures():
    assert numbers_in("1216 + 51328 + 204864 + 650") == {1216, 51328, 204864, 650}
    assert 650 in numbers_in("fc2: 10×64 + 10 = 650")


def test_an_answer_under_the_question_in_the_heading_cell_counts():
    cells = (Cell(1, "markdown", "### Question 3.6 — parameters\nconv1: 1,216 ... total **258,058**"),)
    section = find_sections(Submission(path=None, identity=None, cells=cells), ["3.6"])["3.6"]
    assert 258058 in numbers_in(section.answer)
    assert "Question 3.6" not in section.answer
