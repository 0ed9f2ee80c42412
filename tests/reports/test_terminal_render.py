"""The self-check in a terminal, read without colour."""

from __future__ import annotations

from dataclasses import replace

from rich.console import Console

from grader.model.results import CheckResult, Report, TaskResult
from grader.reports.terminal import render_terminal
from tests.support.reportfactory import HIDDEN_STRINGS, make_report


def render(report, **kwargs) -> str:
    console = Console(record=True, width=100, color_system=None)
    render_terminal(report, console, **kwargs)
    return console.export_text()


def test_problems_then_table_then_failures():
    text = render(make_report())
    assert text.index("Problems with the submission") < text.index("Task") < text.index("expected:")
    assert "saved-error: a saved error" in text and "(cell 7, line 3)" in text
    assert "Score 3.5 / 13" in text
    for row in (["1.2", "gradient_nn", "1.5 / 3", "partial credit"], ["3.4", "timed out"]):
        assert any(all(cell in line for cell in row) for line in text.splitlines()), row


def test_failure_shows_smallest_input_expected_and_got():
    text = render(make_report())
    assert "1.2 gradient_nn: matches the reference" in text
    for line in (
        "X = [[1.0, -2.0]]",
        "expected: [[0.25, 0.0], [-0.5, 0.0]]",
        "got:      [[0.5, 0.5], [0.5, 0.5]]",
    ):
        assert line in text
    assert "3.6 Number of parameters" in text and "missing" in text


def test_a_perfect_self_check_says_what_awaits_a_person():
    """All automatic points earned, the written ones pending: never "Score 34 / 66"."""
    passed = TaskResult("1.2", "gradient_nn", "code", "passed", 34.0, 34.0,
                        checks=(CheckResult("matches the reference", "passed", 34.0, 34.0),))
    written = TaskResult("1.1", "chain rule", "written", "manual", 0.0, 32.0,
                         checks=(CheckResult("written answer", "manual", 0.0, 32.0),))
    text = render(Report("A2_DOE_Jane.ipynb", None, 34.0, 66.0, (written, passed)))
    assert "Score 34 / 34 automatic · 32 to be marked by hand" in text
    assert "34 / 66" not in text
    assert any("1.1" in line and "32 to mark" in line for line in text.splitlines())


def test_written_tasks_listed_as_to_be_marked_by_hand():
    text = render(make_report())
    assert "To be marked by hand: 1.1 Gradients by the chain rule" in text
    assert "ds/dWo" not in text  # the answer itself is not a failure to show


def test_hidden_details_only_on_request():
    assert not any(s in render(make_report()) for s in HIDDEN_STRINGS)
    assert all(s in render(make_report(), include_hidden=True) for s in HIDDEN_STRINGS)


def test_student_text_printed_literally():
    report = make_report()
    markup = CheckResult("shape", "failed", 0.0, 1.0, "[bold]not markup[/bold] \x1b[2J")
    report = replace(report, tasks=(replace(report.tasks[3], checks=(markup,)),))
    text = render(report)
    assert "[bold]not markup[/bold]" in text
    assert "\x1b" not in text
