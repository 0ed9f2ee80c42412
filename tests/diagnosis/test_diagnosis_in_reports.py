"""Diagnoses as data on a check: scored by rule when the rubric says so, shown in every format,
kept from students for hidden checks, and grouped for the class."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from grader.assignments import a2
from grader.checks import CheckOutcome
from grader.frontends.manual import apply_marks
from grader.grading.scoring import score_tasks
from grader.model.results import Diagnosis, Report
from grader.model.rubric import RubricError, load_rubric
from grader.reports import write_report
from grader.reports.gradebook import write_gradebook
from grader.reports.summary import diagnosed_mistakes, write_summary
from grader.reports.terminal import render_terminal
from grader.reports.visibility import student_view

STRIDE = Diagnosis(
    "convnet.pool_stride_1",
    "pool stride 1",
    "after the second pooling the feature map is 128×22×22, expected 128×5×5: a pooling with stride 1?",
)
NO_BIAS = Diagnosis(
    "convnet.conv_no_bias",
    "convolutions without bias",
    "the convolutions have no bias (bias=False)",
)
TRANSPOSED = Diagnosis(
    "gradient_nn.wi_transposed",
    "grad_s_Wi transposed",
    "your grad_s_Wi is the transpose of the expected one",
)

RUBRIC = """
[assignment]
id = "T"
total = 10

[tasks."1.2"]
title = "gradient"
checks."gradient_nn.known_values" = { points = 2, visibility = "public" }
checks."gradient_nn.grad_Wi" = { points = 3, visibility = "hidden" }

[tasks."3.2"]
title = "ConvNet"
checks."convnet.same_function" = { points = 5, visibility = "hidden"%s }
"""


def rubric(tmp_path: Path, credit: str = ""):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC % credit)
    return load_rubric(path)


def report(
    tmp_path: Path, name: str = "A2_DOE_Jane.ipynb", credit: str = "", diagnoses=(NO_BIAS,)
) -> Report:
    outcomes = {
        "gradient_nn.known_values": CheckOutcome(
            "failed", "grad_s_Wi has shape (3, 2)", diagnoses=(TRANSPOSED,)
        ),
        "gradient_nn.grad_Wi": CheckOutcome(
            "failed", "grad_s_Wi has shape (3, 2)", diagnoses=(TRANSPOSED,)
        ),
        "convnet.same_function": CheckOutcome("failed", "shapes differ", diagnoses=diagnoses),
    }
    tasks = score_tasks(rubric(tmp_path, credit), outcomes)
    last, first = Path(name).stem.split("_")[1:3]
    return Report(
        name,
        {"last_name": last, "first_name": first},
        sum(t.score for t in tasks),
        10.0,
        tasks,
        meta={"assignment": "T"},
    )


def checks(r: Report) -> dict:
    return {c.name: c for t in r.tasks for c in t.checks}


def test_without_a_credit_rule_a_diagnosis_earns_nothing(tmp_path):
    r = report(tmp_path)
    assert checks(r)["convnet.same_function"].score == 0
    assert checks(r)["convnet.same_function"].status == "failed"
    assert checks(r)["convnet.same_function"].diagnoses == (NO_BIAS,)


def test_a_credit_rule_gives_part_of_the_check_and_says_why(tmp_path):
    r = report(tmp_path, credit=', credit = { "convnet.conv_no_bias" = 3 }')
    check = checks(r)["convnet.same_function"]
    assert (check.status, check.score) == ("partial", 3.0)
    assert (
        check.message
        == "shapes differ — partial credit for a known mistake (convolutions without bias)"
    )
    assert r.score == 3.0
    other = report(
        tmp_path, credit=', credit = { "convnet.conv_no_bias" = 3 }', diagnoses=(STRIDE,)
    )
    assert checks(other)["convnet.same_function"].score == 0  # the rule names one mistake only


def test_partial_credit_survives_rescoring_with_manual_marks(tmp_path):
    r = report(tmp_path, credit=', credit = { "convnet.conv_no_bias" = 3 }')
    again = apply_marks(Report.from_dict(json.loads(json.dumps(r.to_dict()))), {})
    assert checks(again)["convnet.same_function"] == checks(r)["convnet.same_function"]
    assert again.score == r.score


@pytest.mark.parametrize(
    "credit",
    [
        ', credit = { "convnet.conv_no_bias" = 6 }',
        ', credit = { "convnet.conv_no_bias" = 0 }',
        ', credit = { "convnet.conv_no_bias" = "half" }',
        ", credit = 2",
    ],
)
def test_a_credit_rule_must_be_part_of_the_checks_points(tmp_path, credit):
    with pytest.raises(RubricError, match="credit"):
        rubric(tmp_path, credit)


def test_the_a2_pack_refuses_credit_for_a_mistake_it_cannot_diagnose(tmp_path, monkeypatch):
    text = Path(a2.__file__).with_name(a2.PACK.rubric).read_text().replace(
        'checks."convnet.same_function" = { points = 8, visibility = "hidden" }',
        'checks."convnet.same_function" = { points = 8, visibility = "hidden", credit = { "convnet.made_up" = 4 } }',
    )
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    monkeypatch.setattr(a2, "PACK", replace(a2.PACK, rubric=str(path)))
    with pytest.raises(RubricError, match="convnet.made_up"):
        a2.load()


def test_the_shipped_rubric_gives_no_credit_by_default():
    assert load_rubric(Path(a2.__file__).with_name(a2.PACK.rubric)).credited_diagnoses() == set()


def test_every_format_says_the_likely_cause(tmp_path):
    r = report(tmp_path)
    paths = write_report(r, tmp_path / "out")
    by_name = {p.name: p.read_text(encoding="utf-8") for p in paths}
    assert "likely cause: the convolutions have no bias (bias=False)" in by_name["report.md"]
    assert (
        '<p class="diagnosis">likely cause: the convolutions have no bias (bias=False)</p>'
        in by_name["report.html"]
    )
    assert "likely cause: the convolutions have no bias" in by_name["results.json"]
    assert "likely cause: the convolutions have no bias" in by_name["junit.xml"]
    saved = json.loads(by_name["report.json"])
    assert saved["tasks"][1]["checks"][0]["diagnoses"] == [NO_BIAS.to_dict()]
    console = Console(record=True, width=200)
    render_terminal(r, console, include_hidden=True)
    assert (
        "likely cause: your grad_s_Wi is the transpose of the expected one" in console.export_text()
    )


def test_students_see_the_diagnoses_of_public_checks_only(tmp_path):
    view = student_view(report(tmp_path))
    shown = {d.code for t in view.tasks for c in t.checks for d in c.diagnoses}
    assert shown == {"gradient_nn.wi_transposed"}
    paths = write_report(report(tmp_path), tmp_path / "student", include_hidden=False)
    text = " ".join(p.read_text(encoding="utf-8") for p in paths)
    assert "grad_s_Wi is the transpose" in text
    assert "bias=False" not in text and "conv_no_bias" not in text


def test_the_class_view_groups_students_by_mistake(tmp_path):
    reports = {
        "A2_DOE_Jane": report(tmp_path, "A2_DOE_Jane.ipynb", diagnoses=(STRIDE,)),
        "A2_ROE_Rita": report(tmp_path, "A2_ROE_Rita.ipynb", diagnoses=(STRIDE, NO_BIAS)),
        "A2_POE_Paul": report(tmp_path, "A2_POE_Paul.ipynb", diagnoses=()),
    }
    grouped = diagnosed_mistakes(reports)
    assert [(m.code, [name for name, _ in m.students]) for m in grouped] == [
        ("gradient_nn.wi_transposed", ["Jane DOE", "Rita ROE", "Paul POE"]),
        ("convnet.pool_stride_1", ["Jane DOE", "Rita ROE"]),
        ("convnet.conv_no_bias", ["Rita ROE"]),
    ]
    write_summary(reports, tmp_path / "summary.html")
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert (
        '<td class="num">2</td><td><a href="A2_DOE_Jane/report.html">Jane DOE</a>, <a href="A2_ROE_Rita/report.html">Rita ROE</a></td>'
        in page
    )
    write_gradebook(list(reports.values()), tmp_path / "gradebook.csv")
    rows = (tmp_path / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].endswith(",problems,diagnoses")
    assert rows[2].endswith(",gradient_nn.wi_transposed;convnet.pool_stride_1;convnet.conv_no_bias")
    assert rows[3].endswith(",gradient_nn.wi_transposed")


def test_two_students_with_one_file_name_are_both_listed_under_their_mistake(tmp_path):
    """The same A2_DOE_Jane.ipynb from two folders: two report folders, two links."""
    reports = {
        "A2_DOE_Jane": report(tmp_path, "A2_DOE_Jane.ipynb", diagnoses=(STRIDE,)),
        "A2_DOE_Jane-2": report(tmp_path, "A2_DOE_Jane.ipynb", diagnoses=(STRIDE,)),
    }
    stride = next(m for m in diagnosed_mistakes(reports) if m.code == STRIDE.code)
    assert [link for _, link in stride.students] == [
        "A2_DOE_Jane/report.html",
        "A2_DOE_Jane-2/report.html",
    ]


def test_a_report_written_before_diagnoses_existed_still_reads(tmp_path):
    data = report(tmp_path).to_dict()
    for task in data["tasks"]:
        for check in task["checks"]:
            del check["diagnoses"]
    assert all(not c.diagnoses for t in Report.from_dict(data).tasks for c in t.checks)
