"""write_report: report.json, report.md and report.html of one submission."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

from grader.model.results import CheckResult, Counterexample, Report, Status, TaskResult
from grader.reports import write_report
from tests.support.reportfactory import COUNTEREXAMPLE, EXPECTED_ANSWER, HOSTILE, Tags, make_report

NAMES = ["report.json", "report.md", "report.html", "results.json", "junit.xml"]


def test_writes_every_format_into_the_submission_folder(tmp_path):
    out = tmp_path / "A2_DOE_Jane"
    paths = write_report(make_report(), out)
    assert [p.name for p in paths] == NAMES
    assert all(p.parent == out and p.stat().st_size > 0 for p in paths)


def test_report_json_round_trips(tmp_path):
    for report in (make_report(), make_report(student=None)):
        write_report(report, tmp_path)
        data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
        assert data == report.to_dict()
        assert Report.from_dict(data) == report


def test_report_json_is_strict_utf8_json_even_with_non_finite_numbers(tmp_path):
    report = replace(make_report(), score=math.inf, meta={"timings": [1.0, math.nan]})
    write_report(report, tmp_path)
    raw = (tmp_path / "report.json").read_text(encoding="utf-8")
    data = json.loads(raw, parse_constant=_reject)
    assert data["score"] is None and data["meta"]["timings"] == [1.0, None]
    assert "N×10" in raw  # UTF-8, not \u escapes


def _reject(constant: str):
    raise AssertionError(f"non-finite {constant} in JSON")


def test_markdown_has_score_table_then_problems_then_tasks(tmp_path):
    write_report(make_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    table = md.index("| Task | Title | Score | Status |")
    problems = md.index("## Problems with the submission")
    first_task = md.index("## 1.1 ")
    assert table < problems < first_task
    assert "| 1.2 | gradient\\_nn | 1.5 / 3 | partial credit |" in md
    assert "| 3.4 | Train the ConvNet | 0 / 1 | timed out |" in md
    assert "- **saved-error**: a saved error" in md and "(cell 7, line 3)" in md


def test_markdown_shows_the_counterexample_in_a_fenced_block(tmp_path):
    write_report(make_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(.*?)\n\s*```", md[md.index("matches the reference") :], re.DOTALL)
    lines = [line.strip() for line in block.group(1).splitlines()]
    assert lines == [
        "input:",
        "X = [[1.0, -2.0]]",
        "Y = [1]",
        "expected: [[0.25, 0.0], [-0.5, 0.0]]",
        "got:      [[0.5, 0.5], [0.5, 0.5]]",
    ]


def test_markdown_written_task_shows_answer_to_be_marked_by_hand(tmp_path):
    write_report(make_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    section = md[md.index("## 1.1 ") : md.index("## 1.2 ")]
    assert "to be marked by hand" in section
    assert f"ds/dWo = H * dYo {HOSTILE}" in section  # verbatim, inside a fenced block
    assert EXPECTED_ANSWER in section


def test_markdown_fence_cannot_be_closed_by_student_text(tmp_path):
    ce = Counterexample(input="x", expected="1", got="```\n# Injected heading")
    write_report(make_report(counterexample=ce), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "\n# Injected heading" not in md  # it stays indented inside a longer fence
    assert "  ````text\n" in md


def test_markdown_escapes_html_outside_code(tmp_path):
    write_report(make_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    outside_code = re.sub(r"(`{3,})text\n.*?\n\s*\1", "", md, flags=re.DOTALL)
    assert "<script>" not in outside_code
    assert "&lt;script&gt;" in outside_code


def test_html_escapes_every_hostile_text(tmp_path):
    write_report(make_report(), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page
    # message and problem are escaped text; the answer is rendered Markdown, its script dropped
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 2
    assert "ds/dWo = H * dYo" in page and 'alert("x")' not in page
    assert "\x1b" not in page and "\x00" not in page


def test_html_is_self_contained(tmp_path):
    write_report(make_report(), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    tags = Tags(page)
    assert tags.named("style") and not tags.named("link") and not tags.named("script")
    assert tags.urls() == []
    assert "http://" not in page and "https://" not in page


def test_html_score_table_first_and_one_details_per_task(tmp_path):
    report = make_report()
    write_report(report, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    tags = Tags(page)
    assert len(tags.named("details")) == len(report.tasks)
    assert (
        page.index("<table>") < page.index("Problems with the submission") < page.index("<details")
    )
    # failing tasks open, passed ones closed
    assert [("open" in d) for d in tags.named("details")] == [
        t.status != "passed" for t in report.tasks
    ]
    assert 'class="status status-partial"' in page and 'class="status status-timeout"' in page
    for line in ("expected: [[0.25, 0.0], [-0.5, 0.0]]", COUNTEREXAMPLE.got):
        assert line in page


def test_tasks_without_checks_say_why(tmp_path):
    write_report(make_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for text in (md[md.index("## 3.4 ") :], page[page.index("<summary>3.4 ") :]):
        assert text.index("Stopped: it ran past the time limit.") < text.index("3.6 ")
        assert "Not found in the notebook." in text[text.index("3.6 ") :]


def test_checks_left_to_a_person_are_listed_apart_from_failures(tmp_path):
    report = make_report()
    by_hand = CheckResult("discussion of the learning rates", "manual", 0.0, 2.0)
    report = replace(report, tasks=(replace(report.tasks[0], checks=(by_hand,)),))
    write_report(report, tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "To be marked by hand:\n\n- discussion of the learning rates (0 / 2 points)" in md
    assert "Score: **3.5 / 11 automatic · 2 to be marked by hand**" in md
    assert "| 1.1 | Gradients by the chain rule | 2 to mark | to be marked by hand |" in md
    assert "3.5 / 11 automatic · 2 to be marked by hand" in page
    assert "Not passed" not in md[md.index("## 1.1 ") :]
    assert "<li>discussion of the learning rates (0 / 2 points)</li>" in page
    assert "Not passed" not in page


READ = r"Total: $\boxed{257\,914}$ <b>params</b>" + "\n\n" + "Total params: 257,914"


def _numeric_report() -> Report:
    """A 3.6 whose hidden checks failed, with the text they read and an expected answer."""
    failed = CheckResult("answer_3_6.total", Status.FAILED, 0.0, 3.0, "the total is not in the answer", visibility="hidden")
    task = TaskResult("3.6", "Parameter count", "numeric", Status.FAILED, 0.0, 3.0, (failed,), READ, "258,058 (secret)")
    return replace(make_report(), tasks=(task,))


def test_a_numeric_task_shows_the_text_its_checks_read(tmp_path):
    write_report(_numeric_report(), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    fenced = re.search(r"The text and outputs its checks read:\n\n(`{3,})text\n(.*?)\n\1", md, re.DOTALL)
    assert fenced and fenced.group(2) == READ
    assert "The text and outputs its checks read:" in page
    assert r"Total: $\boxed{257\,914}$ &lt;b&gt;params&lt;/b&gt;" in page and "Total params: 257,914" in page
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["tasks"][0]["answer"] == READ


def test_a_numeric_task_shows_its_own_text_to_the_student_never_the_expected_answer(tmp_path):
    for path in write_report(_numeric_report(), tmp_path, include_hidden=False):
        content = path.read_text(encoding="utf-8")
        assert "258,058 (secret)" not in content and "the total is not in the answer" not in content, path.name
    assert "Total params: 257,914" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_a_numeric_task_whose_heading_is_missing_says_so(tmp_path):
    report = _numeric_report()
    write_report(replace(report, tasks=(replace(report.tasks[0], answer=None),)), tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "The text and outputs its checks read:\n\n```text\n(no heading for this task found)\n```" in md
