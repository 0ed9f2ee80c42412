"""The marking app in headless Chromium: marking by groups with rubric items, what the reports
and gradebook then say, two markers at once, hostile answers, the token, the layout."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from grader.frontends.marking.app import pseudonym
from tests.marking.conftest import App
from tests.support.markingclass import build_class

TASK = "1.1"


def _open(browser, app: App, path: str = "/"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(app.url)  # the token once: a cookie from then on
    if path != "/":
        page.goto(app.base + path)
    return page


def _add_item(page, points: float, text: str) -> None:
    page.fill("#new-item input[name=points]", str(points))
    page.fill("#new-item input[name=text]", text)
    with page.expect_navigation():
        page.click("#new-item button")


def _press_on(page, selector: str, key: str) -> None:
    page.click(f"{selector} > header")
    with page.expect_navigation():
        page.keyboard.press(key)


def _gradebook(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", encoding="utf-8-sig", newline="") as f:
        return {row["file"].removesuffix(".ipynb"): row for row in csv.DictReader(f)}


def _marks(out: Path) -> dict[str, dict]:
    return json.loads((out / "manual_marks.json").read_text(encoding="utf-8"))["submissions"]


def test_marking_the_sample_class_by_groups_with_rubric_items(browser, app: App, sample_class: Path):
    page = _open(browser, app)
    assert "0 / 72" in page.inner_text("#class-progress")
    page.click(f"a[href='/task/{TASK}']")
    groups = page.locator(".group")
    assert groups.count() == 2  # eight identical answers, one blank notebook
    assert "8 answers" in groups.nth(0).inner_text() and "blank" in groups.nth(1).inner_text()
    assert "∂s/∂Yo = −Y·σ(−Y·Yo)" in page.inner_text(".rubric .expected")  # the rubric's expected answer
    assert page.locator(".group .answer mfrac").count() > 0

    _add_item(page, 6, "Every gradient right, by the chain rule")
    _add_item(page, 0, "Nothing written")
    _press_on(page, "#group-1", "1")
    _press_on(page, "#group-2", "2")
    assert page.inner_text("#task-progress") == "9 / 9"
    assert "8 / 8 marked" in page.inner_text("#group-1")

    marks = _marks(sample_class)
    assert len(marks) == 9
    assert marks["A2_DUBOIS_Hugo"][TASK] == {
        "score": 6.0, "comment": "+6: Every gradient right, by the chain rule", "grader": "tester"
    }
    assert marks["A2_SMITH_John"][TASK]["score"] == 0.0  # his notebook has nothing under 1.1
    assert _gradebook(sample_class)["A2_DUBOIS_Hugo"][TASK] == "6"
    student = (sample_class / "A2_DUBOIS_Hugo" / "student" / "report.html").read_text(encoding="utf-8")
    assert "Every gradient right, by the chain rule" in student  # the item's comment is the feedback

    # the item's points change: every answer it was applied to, the reports and the gradebook follow
    replies = iter(["5", "Right, but no justification", ""])  # its points, its comment; a deletion's confirm
    page.on("dialog", lambda dialog: dialog.accept(next(replies)))
    page.locator(".item").first.locator(".edit-item").click()
    expect(page.locator(".item .points").first).to_have_text("+5")
    book = _gradebook(sample_class)
    assert {book[f][TASK] for f in book if f != "A2_SMITH_John"} == {"5"}
    report = (sample_class / "A2_GARCIA_Sofia" / "report.html").read_text(encoding="utf-8")
    assert "+5: Right, but no justification" in report
    assert "9 / 72" in _open(browser, app).inner_text("#class-progress")

    # an item deleted comes off every answer: the blank one is unmarked again
    with page.expect_navigation():
        page.locator(".item").nth(1).locator(".delete-item").click()
    expect(page.locator(".item")).to_have_count(1)
    assert "A2_SMITH_John" not in _marks(sample_class) and len(_marks(sample_class)) == 8
    assert _gradebook(sample_class)["A2_SMITH_John"][TASK] == ""


def test_one_answer_moved_out_of_its_group_is_marked_alone(browser, app: App, sample_class: Path):
    page = _open(browser, app, f"/task/{TASK}")
    _add_item(page, 6, "Right")
    rossi = f".member[data-folder='{pseudonym('A2_ROSSI_Marco')}']"
    page.locator("#group-1 details summary").click()
    with page.expect_navigation():
        page.locator(f"#group-1 {rossi} .move-apart").click()
    assert "7 answers" in page.inner_text("#group-1")
    alone = page.locator(".group", has_text="moved apart")
    assert alone.count() == 1
    _press_on(page, "#group-1", "1")
    member = page.locator(rossi)
    member.locator(".comment").fill("Half of it only")
    member.locator(".adjustment").fill("3")
    with page.expect_navigation():
        member.locator(".save-note").click()
    marks = _marks(sample_class)
    assert marks["A2_ROSSI_Marco"][TASK] == {"score": 3.0, "comment": "Half of it only", "grader": "tester"}
    assert marks["A2_DUBOIS_Hugo"][TASK]["score"] == 6.0

    # one answer of a group selected: the key takes the item off that answer only
    page.locator("#group-1 details summary").click()
    page.locator(f".member[data-folder='{pseudonym('A2_DUBOIS_Hugo')}'] .who").click()
    with page.expect_navigation():
        page.keyboard.press("1")
    marks = _marks(sample_class)
    assert "A2_DUBOIS_Hugo" not in marks and marks["A2_GARCIA_Sofia"][TASK]["score"] == 6.0
    assert "(6 of 7)" in page.inner_text("#group-1 .applied")


def test_names_are_hidden_until_asked_for(browser, app: App):
    page = _open(browser, app, f"/task/{TASK}")
    page.locator("#group-1 details summary").click()
    assert f"Student {pseudonym('A2_DUBOIS_Hugo')}" in page.inner_text("#group-1")
    assert "DUBOIS" not in page.content() and "Hugo" not in page.content()
    page.click("#names-toggle")
    page.locator("#group-1 details summary").click()
    assert "Hugo DUBOIS (A2_DUBOIS_Hugo)" in page.inner_text("#group-1")


def test_two_markers_at_once_lose_nothing(browser, app: App, sample_class: Path):
    first, second = _open(browser, app, f"/task/{TASK}"), _open(browser, app, "/task/1.3")
    _add_item(first, 1, "From the first marker")
    _add_item(second, 1, "From the second marker")
    folders = sorted(json.loads(first.locator("#group-1").get_attribute("data-folders")))
    send = """([task, item, folders]) => { window.sent = Promise.all(folders.map((f) => fetch('/api/apply', {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({task, item, folders: [f], on: true, marker: task})}).then((r) => r.status))); }"""
    first_item = int(first.locator(".item").first.get_attribute("data-item"))
    second_item = int(second.locator(".item").first.get_attribute("data-item"))
    first.evaluate(send, [TASK, first_item, folders])  # both batches in flight together
    second.evaluate(send, ["1.3", second_item, folders])
    assert first.evaluate("window.sent") == [200] * len(folders)
    assert second.evaluate("window.sent") == [200] * len(folders)
    both = [f for f, m in _marks(sample_class).items() if m[TASK]["score"] == 1 == m["1.3"]["score"]]
    assert sorted(pseudonym(f) for f in both) == folders
    first.reload()
    assert f"{len(folders)} / {len(folders)} marked" in first.inner_text("#group-1")


@pytest.fixture
def hostile_class(tmp_path: Path, samples) -> Path:
    answers = {folder: dict(written) for folder, written in list(samples.items())[:3]}
    answers["A2_EVIL_Eve"] = {
        **answers["A2_DUBOIS_Hugo"],
        TASK: (
            "<script>window.pwned = 'script'</script>"
            "<img src=http://127.0.0.2:9/x.png onerror=\"window.pwned = 'onerror'\">"
            "<svg onload=\"window.pwned = 'svg'\"></svg>"
            "[a link](javascript:window.pwned='link') "
            '<a href="http://127.0.0.2:9/">remote</a>\n\n$\\frac{\\partial s}{\\partial Y_o}$ so **lr = 2**'
        ),
    }
    return build_class(tmp_path / "hostile", answers)


def test_a_hostile_answer_is_rendered_inert(browser, hostile_class: Path):
    with App(hostile_class) as app:
        page = _open(browser, app)
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{app.base}/task/{TASK}?threshold=1.01&names=1")
        evil = page.locator(".group", has_text="Eve")
        evil.locator("details summary").click()
        evil.get_by_text("a link").click()
        evil.get_by_text("remote").click(force=True)
        assert page.evaluate("window.pwned") is None
        assert evil.locator(".answer strong").inner_text() == "lr = 2"
        assert evil.locator(".answer math mfrac").count() == 1
        assert all(url.startswith(app.base) for url in requested), requested
        page.goto(f"{app.base}/report/{pseudonym('A2_EVIL_Eve')}")  # the instructor's report.html
        assert "lr = 2" in page.inner_text("body") and page.evaluate("window.pwned") is None
        assert all(url.startswith(app.base) for url in requested), requested


@pytest.mark.parametrize("width", [1280, 390])
def test_the_task_page_fits_the_screen(browser, app: App, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(app.url)
    page.goto(f"{app.base}/task/{TASK}")
    _add_item(page, -1.5, "The sign of the exponent is lost in the derivative of the logistic loss")
    _press_on(page, "#group-1", "1")
    page.locator("#group-1 details summary").click()
    page.screenshot(path=f"/tmp/marking-task-{width}.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than a {width}px screen"
    box = page.locator("#new-item button").bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
