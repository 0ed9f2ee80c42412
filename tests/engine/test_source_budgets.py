"""A notebook too large to read whole: cells and statements past the budget are left, said once.

Cells have one cap, where the notebook is read (``ReadOptions.max_cells``, ``too-many-cells``);
statements have theirs where they are classified (``Policy.max_statements``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from grader.notebook import load_submission
from grader.notebook.model import ReadOptions
from grader.source import DEFAULT_POLICY, build_program


def _notebook(path: Path, sources: list[str]) -> Path:
    cells = [
        {"cell_type": "code", "execution_count": i, "metadata": {}, "outputs": [], "source": s}
        for i, s in enumerate(sources, start=1)
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def test_code_cells_past_the_budget_are_not_read(tmp_path):
    cells = [f"x{i} = {i}" for i in range(8)]
    path = _notebook(tmp_path / "A2_DOE_Jane.ipynb", cells)
    submission = load_submission(path, ReadOptions(max_cells=5))
    program = build_program(submission)
    assert [s.source for s in program.statements] == cells[:5]
    (cut,) = [p for p in submission.problems if p.code == "too-many-cells"]
    assert "8 cells" in cut.message and cut.blocking
    assert program.problems == []


def test_statements_past_the_budget_are_not_read():
    cells = ["\n".join(f"a{i} = {i}" for i in range(6)), "b = 1\nc = 2"]
    program = build_program(cells, replace(DEFAULT_POLICY, max_statements=4))
    assert [s.source for s in program.statements] == ["a0 = 0", "a1 = 1", "a2 = 2", "a3 = 3"]
    assert [p.code for p in program.problems] == ["statement-budget"]


def test_the_default_budgets_read_a_hundred_thousand_cells_in_bounded_work(tmp_path):
    path = _notebook(tmp_path / "A2_MANY_Cells.ipynb", ["x = 1"] * 100_000)
    submission = load_submission(path)
    program = build_program(submission)
    assert len(submission.cells) == len(program.statements) == 2_000
    assert "too-many-cells" in [p.code for p in submission.problems]
    assert program.problems == []
