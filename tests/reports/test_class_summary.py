"""summary.html: plots embedded, the most common failing check with an example, problem links."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from pathlib import Path

import grader.reports
from grader.model.results import CheckResult, Counterexample, Report, Status, TaskResult
from grader.notebook.problems import Problem
from grader.reports.summary import failing_checks, task_stats, troubles, write_summary
from tests.support.reportfactory import Tags, make_report, only_the_summarys_script

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def cohort():
    """Three submissions, by report folder (the class folder's record)."""
    first = make_report(extra_failing_check="loss decreases")
    second = make_report(
        {"last_name": "DURAND", "first_name": "Élodie"},
        "A2_DURAND_Elodie.ipynb",
        counterexample=Counterexample("x = 2", "4", "5"),
    )
    clean = replace(
        make_report({"last_name": "MARTIN", "first_name": "Paul"}, "A2_MARTIN Paul.ipynb"),
        problems=(),
        tasks=make_report().tasks[2:4],
    )
    return {"A2_DOE_Jane": first, "A2_DURAND_Elodie": second, "A2_MARTIN Paul": clean}


def test_plots_are_embedded_png_and_nothing_is_fetched(tmp_path):
    path = tmp_path / "summary.html"
    write_summary(cohort(), path)
    tags = Tags(path.read_text(encoding="utf-8"))
    images = [attrs["src"] for attrs in tags.named("img")]
    assert len(images) == 2
    for src in images:
        prefix, data = src.split(",", 1)
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(data).startswith(PNG_MAGIC)
    assert "table.sortable" in only_the_summarys_script(path.read_text(encoding="utf-8"))
    assert not tags.named("link")
    assert all(
        not url.startswith(("http:", "https:", "//", "data:"))
        for url in tags.urls()
        if not url.startswith("data:image/png")
    )


def test_most_common_failing_check_first_with_an_example(tmp_path):
    reports = cohort()
    top = failing_checks(reports)
    assert [(f.task_id, f.check, f.count) for f in top] == [
        ("1.5", "decision boundary figure", 3),
        ("1.2", "matches the reference", 2),
        ("1.2", "bo keeps its shape (secret)", 2),
        ("3.2", "output shape N×10", 2),
        ("1.5", "loss decreases", 1),
    ]
    assert top[1].example.counterexample.expected == "[[0.25, 0.0], [-0.5, 0.0]]"
    assert top[1].example_link == "A2_DOE_Jane/report.html"
    path = tmp_path / "summary.html"
    write_summary(reports, path)
    page = path.read_text(encoding="utf-8")
    assert "decision boundary figure" in page
    assert "expected: [[0.25, 0.0], [-0.5, 0.0]]" in page
    assert page.index("decision boundary figure") < page.index("loss decreases")


def test_per_task_mean_and_pass_rate():
    stats = {s.id: s for s in task_stats(list(cohort().values()))}
    assert (
        stats["1.4"].mean == 2.0 and stats["1.4"].pass_rate == 1.0 and stats["1.4"].submissions == 3
    )
    assert stats["1.2"].mean == 1.5 and stats["1.2"].pass_rate == 0.0
    assert stats["1.1"].pass_rate is None and stats["1.1"].submissions == 2


def test_submissions_with_problems_link_to_their_reports(tmp_path):
    path = tmp_path / "summary.html"
    write_summary(cohort(), path)
    page = path.read_text(encoding="utf-8")
    section = page[page.index("Submissions with problems") :]
    links = [attrs["href"] for attrs in Tags(section).named("a")]
    assert links == ["A2_DOE_Jane/report.html", "A2_DURAND_Elodie/report.html"]
    assert "Élodie DURAND" in section and "bad-filename, saved-error" in section
    assert "3.4 (timeout)" in section
    assert "Paul MARTIN" not in section


def test_an_empty_class_still_gives_a_page(tmp_path):
    path = tmp_path / "summary.html"
    write_summary({}, path)
    page = path.read_text(encoding="utf-8")
    assert "0 submissions" in page and "No check failed." in page


def test_task_ids_are_not_read_as_mathtext(tmp_path):
    report = make_report()
    odd = replace(report, tasks=(replace(report.tasks[2], id="$\\x$"),))
    write_summary({"A2_DOE_Jane": odd}, tmp_path / "summary.html")
    assert "<td>$\\x$</td>" in (tmp_path / "summary.html").read_text(encoding="utf-8")


def test_checks_left_to_a_person_are_not_failures():
    report = make_report()
    by_hand = CheckResult("discussion", "manual", 0.0, 2.0)
    report = replace(report, tasks=(replace(report.tasks[0], checks=(by_hand,)),))
    assert failing_checks({"A2_DOE_Jane": report}) == []


def test_one_submission_gets_its_tables_and_no_plot(tmp_path):
    path = tmp_path / "summary.html"
    write_summary(dict(list(cohort().items())[:1]), path)
    html = path.read_text(encoding="utf-8")
    assert not Tags(html).named("img")
    assert "1 submission ·" in html and "Most common failing checks" in html


def test_each_submission_links_to_its_own_folder_even_under_one_file_name(tmp_path):
    """Two students handed in A2_DOE_Jane.ipynb (from two folders): the class folder named
    their report folders apart, and every link of the summary follows that record."""
    jane = make_report(extra_failing_check="loss decreases")
    twin = replace(jane, score=jane.score - 1)
    reports = {"A2_DOE_Jane": jane, "A2_DOE_Jane-2": twin}
    assert [t.link for t in troubles(reports)] == ["A2_DOE_Jane/report.html", "A2_DOE_Jane-2/report.html"]
    path = tmp_path / "summary.html"
    write_summary(reports, path)
    page = path.read_text(encoding="utf-8")
    section = page[page.index("Submissions with problems") :]
    links = [attrs["href"] for attrs in Tags(section).named("a")]
    assert links == ["A2_DOE_Jane/report.html", "A2_DOE_Jane-2/report.html"]


# -- the class's home page -----------------------------------------------------------------------


def _figures_task(passed: bool, mark: float | None) -> TaskResult:
    """1.6 as A2 has it: a figure checked automatically (2 points) and a written part (4)."""
    figure = CheckResult("figure saved", Status.PASSED if passed else Status.FAILED, 2.0 if passed else 0.0, 2.0)
    written = CheckResult("written answer", Status.MANUAL if mark is None else Status.PARTIAL, mark or 0.0, 4.0)
    score = figure.score + written.score
    status = Status.MANUAL if mark is None and passed else Status.PARTIAL
    return TaskResult("1.6", "Five runs", "output", status, score, 6.0, checks=(figure, written))


def _student(last: str, passed: bool, mark: float | None, problems: tuple[Problem, ...] = ()) -> Report:
    code = TaskResult("1.2", "gradient_nn", "code", Status.PASSED, 4.0, 4.0,
                      checks=(CheckResult("known values", Status.PASSED, 4.0, 4.0),))  # fmt: skip
    tasks = (code, _figures_task(passed, mark))
    return Report(f"A2_{last}_X.ipynb", {"last_name": last, "first_name": "X"}, sum(t.score for t in tasks), 10.0,
                  tasks, problems)  # fmt: skip


def marked_class() -> dict[str, Report]:
    """Four read and graded (two marked, two not), one not read: its tasks are zeros of nothing."""
    return {
        "A2_ADA_X": _student("ADA", passed=True, mark=3.0),  # 9 / 10
        "A2_BEA_X": _student("BEA", passed=False, mark=2.0),  # 6 / 10
        "A2_CYD_X": _student("CYD", passed=True, mark=None),  # 6 automatic, 4 pending
        "A2_DAN_X": _student("DAN", passed=True, mark=None),
        "A2_EVE_X": _student("EVE", passed=False, mark=None, problems=(Problem("invalid-json", "not valid JSON."),)),
    }


def _students_table(page: str) -> list[list[str]]:
    """The rows of the Students table, each cell's text."""
    section = page[page.index("<h2>Students</h2>") : page.index("<h2>Score distribution</h2>")]
    rows = section.split("<tr>")[2:]
    cells = (re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for row in rows)
    return [[re.sub(r"<[^>]+>", " ", cell).split() for cell in row] for row in cells]


def test_every_student_is_a_row_with_total_automatic_pending_status_and_a_link(tmp_path):
    path = tmp_path / "summary.html"
    write_summary(marked_class(), path)
    page = path.read_text(encoding="utf-8")
    table = _students_table(page)
    names = [" ".join(row[0][:2]) for row in table]
    assert names == ["X ADA", "X BEA", "X CYD", "X DAN", "X EVE"]  # all of them, by name
    by_name = dict(zip(names, table, strict=True))
    for name, total, automatic, pending in [("X ADA", "9", "6", "0"), ("X CYD", "—", "6", "4"), ("X EVE", "—", "—", "—")]:
        cells = by_name[name]
        assert (cells[1][-1], cells[2][-1], cells[3][-1]) == (total, automatic, pending), name
    assert " ".join(by_name["X CYD"][4]) == "to be marked by hand"
    assert " ".join(by_name["X EVE"][4]).startswith("needs a person: no total;")
    links = [a["href"] for a in Tags(page[page.index("<h2>Students</h2>") :]).named("a")][:5]
    assert links == [f"A2_{n}_X/report.html" for n in ("ADA", "BEA", "CYD", "DAN", "EVE")]
    assert 'class="sortable students"' in page


def test_means_count_no_pending_point_as_zero_and_print_one_decimal(tmp_path):
    path = tmp_path / "summary.html"
    write_summary(marked_class(), path)
    page = path.read_text(encoding="utf-8")
    # totals: ADA 9 and BEA 6 are final; CYD and DAN await a person, EVE was not read
    assert "mean total 7.5 / 10 over 2 complete" in page
    assert "mean automatic 5.5 / 6" in page  # (6 + 4 + 6 + 6) / 4: EVE counts in nothing
    assert "1 not read: a person must look" in page


def test_a_task_with_a_written_part_shows_its_pass_rate_and_marking_progress(tmp_path):
    stats = {s.id: s for s in task_stats(list(marked_class().values()))}
    figures = stats["1.6"]
    assert figures.submissions == 4  # EVE, not read, is in no statistic
    assert figures.mean == 3.5  # over the two marked only: ADA 2 + 3, BEA 0 + 2
    assert figures.pass_rate == 0.75 and (figures.marked, figures.to_mark) == (2, 4)
    assert stats["1.2"].marked is None and stats["1.2"].pass_rate == 1.0
    path = tmp_path / "summary.html"
    write_summary(marked_class(), path)
    row = next(r for r in path.read_text(encoding="utf-8").split("<tr>") if r.startswith("<td>1.6</td>"))
    assert "75 %" in row and "2 / 4" in row and "3.5 / 6" in row


def test_a_check_failed_twice_by_one_student_counts_once():
    report = make_report()
    twice = replace(report, tasks=(*report.tasks, replace(report.tasks[3], id="1.5")))
    (figure,) = [f for f in failing_checks({"A2_DOE_Jane": twice}) if f.check == "decision boundary figure"]
    assert figure.count == 1


def test_on_a_phone_each_failing_check_is_a_block_with_the_screens_width(tmp_path):
    """At 390 px the Example column was squeezed to 40 px: there, the table's rows become blocks
    (each cell labelled), so the example gets the whole width."""
    css = (Path(grader.reports.__file__).parent / "templates" / "style.css").read_text(encoding="utf-8")
    phone = css[css.index("@media (max-width: 40rem)") :]
    assert "table.failures, table.failures tbody, table.failures tr, table.failures td { display: block;" in phone
    assert "table.failures thead { display: none; }" in phone
    path = tmp_path / "summary.html"
    write_summary(cohort(), path)
    (_table,) = [t for t in Tags(path.read_text(encoding="utf-8")).named("table") if t.get("class") == "failures"]
    labels = {a.get("data-label") for a in Tags(path.read_text(encoding="utf-8")).named("td")}
    assert {"Task", "Check", "Students"} <= labels


def test_instructor_reports_link_back_to_the_summary_and_student_views_do_not(tmp_path):
    from grader.frontends.classfolder import write_submission

    write_submission(make_report(), tmp_path / "A2_DOE_Jane", "", None)
    instructor = (tmp_path / "A2_DOE_Jane" / "report.html").read_text(encoding="utf-8")
    student = (tmp_path / "A2_DOE_Jane" / "student" / "report.html").read_text(encoding="utf-8")
    assert "../summary.html" in [a["href"] for a in Tags(instructor).named("a")]
    assert "summary.html" not in student
