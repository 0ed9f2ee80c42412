"""A notebook too large to read whole: cells and statements past the budget are left, said once."""

from __future__ import annotations

from dataclasses import replace

from grader.source import DEFAULT_POLICY, build_program


def test_code_cells_past_the_budget_are_not_read():
    cells = [f"x{i} = {i}" for i in range(8)]
    program = build_program(cells, replace(DEFAULT_POLICY, max_cells=5))
    assert [s.source for s in program.statements] == cells[:5]
    assert [p.code for p in program.problems] == ["cell-budget"]
    assert "8 code cells" in program.problems[0].message


def test_statements_past_the_budget_are_not_read():
    cells = ["\n".join(f"a{i} = {i}" for i in range(6)), "b = 1\nc = 2"]
    program = build_program(cells, replace(DEFAULT_POLICY, max_statements=4))
    assert [s.source for s in program.statements] == ["a0 = 0", "a1 = 1", "a2 = 2", "a3 = 3"]
    assert [p.code for p in program.problems] == ["statement-budget"]


def test_the_default_budgets_read_a_hundred_thousand_cells_in_bounded_work():
    program = build_program(["x = 1"] * 100_000)
    assert len(program.statements) == 5_000
    assert [p.code for p in program.problems] == ["cell-budget"]
