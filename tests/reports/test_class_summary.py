"""summary.html: plots embedded, the most common failing check with an example, problem links."""

from __future__ import annotations

import base64
from dataclasses import replace

from grader.reports.summary import failing_checks, task_stats, troubles, write_summary
from grader.results import CheckResult, Counterexample
from tests.support.reportfactory import Tags, make_report

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
    assert not tags.named("script") and not tags.named("link")
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
