"""The marking store: items, what is applied, marks computed, concurrent writers, the audit trail."""

from __future__ import annotations

import threading

from grader.frontends.marking.store import Store
from grader.grading.scoring import ManualMark

MAX = {"jane": {"1.1": 6.0}, "rita": {"1.1": 6.0}, "edgar": {"1.1": 6.0}}


def test_items_applied_make_the_mark_and_its_comment(tmp_path):
    store = Store(tmp_path)
    full = store.add_item("1.1", 6, "Chain rule applied correctly", "ann")
    sign = store.add_item("1.1", -2, "Sign of the exponent lost", "ann")
    store.apply("1.1", full, ["jane", "rita"], True, "ann")
    store.apply("1.1", sign, ["rita"], True, "ann")
    store.annotate("1.1", "rita", "See the lecture notes", 0.5, "bob")
    marks = store.marks(MAX)
    assert marks["jane"]["1.1"] == ManualMark(6, "+6: Chain rule applied correctly", "ann")
    assert marks["rita"]["1.1"] == ManualMark(
        4.5, "+6: Chain rule applied correctly\n-2: Sign of the exponent lost\nSee the lecture notes", "bob"
    )
    assert "edgar" not in marks


def test_changing_an_item_changes_every_answer_it_was_applied_to(tmp_path):
    store = Store(tmp_path)
    full = store.add_item("1.1", 6, "Correct", "ann")
    store.apply("1.1", full, ["jane", "rita"], True, "ann")
    store.edit_item(full, 5, "Correct, no justification", "ann")
    marks = store.marks(MAX)
    assert {f: (m["1.1"].score, m["1.1"].comment) for f, m in marks.items()} == {
        "jane": (5, "+5: Correct, no justification"),
        "rita": (5, "+5: Correct, no justification"),
    }


def test_scores_stay_within_zero_and_the_max(tmp_path):
    store = Store(tmp_path)
    big, wrong = store.add_item("1.1", 6, "All", "a"), store.add_item("1.1", -3, "Wrong", "a")
    store.apply("1.1", wrong, ["jane"], True, "a")
    store.apply("1.1", big, ["rita"], True, "a")
    store.annotate("1.1", "rita", "", 4, "a")
    marks = store.marks(MAX)
    assert (marks["jane"]["1.1"].score, marks["rita"]["1.1"].score) == (0, 6)


def test_taking_the_last_item_off_leaves_the_answer_unmarked(tmp_path):
    store = Store(tmp_path)
    item = store.add_item("1.1", 6, "Correct", "a")
    store.apply("1.1", item, ["jane"], True, "a")
    store.apply("1.1", item, ["jane"], False, "a")
    assert store.marks(MAX) == {}


def test_a_sheet_mark_stands_until_the_answer_is_marked_here(tmp_path):
    store = Store(tmp_path)
    store.adopt_sheet({"jane": {"1.1": ManualMark(3, "from the sheet", "csv")}}, MAX, "import")
    assert store.marks(MAX)["jane"]["1.1"] == ManualMark(3, "from the sheet", "csv")
    item = store.add_item("1.1", 5, "Mostly right", "ann")
    store.apply("1.1", item, ["jane"], True, "ann")
    assert store.marks(MAX)["jane"]["1.1"] == ManualMark(5, "+5: Mostly right", "ann")


def test_two_markers_at_once_lose_nothing(tmp_path):
    store = Store(tmp_path)
    items = [store.add_item("1.1", 1, f"item {i}", "setup") for i in range(4)]
    folders = [f"s{i:02d}" for i in range(30)]

    def mark(who: str, item: int) -> None:
        mine = Store(tmp_path)  # each marker its own connection, as each request has
        for folder in folders:
            mine.apply("1.1", item, [folder], True, who)

    threads = [threading.Thread(target=mark, args=(f"marker{i}", item)) for i, item in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    marks = store.marks()
    assert sorted(marks) == folders and all(m["1.1"].score == 4 for m in marks.values())
    assert sum(1 for _, _, action, _ in store.audit() if action == "apply") == 4 * 30


def test_the_audit_trail_says_who_did_what_when(tmp_path):
    store = Store(tmp_path)
    item = store.add_item("1.1", 2, "Good", "ann")
    store.apply("1.1", item, ["jane"], True, "bob")
    store.set_apart("1.1", "jane", True, "bob")
    trail = store.audit()
    assert [(who, action) for _, who, action, _ in trail] == [
        ("ann", "add item"), ("bob", "apply"), ("bob", "move out of group")
    ]
    assert trail[1][3] == {"task": "1.1", "item": item, "folders": ["jane"], "on": True}
    assert all(at.endswith("+00:00") for at, *_ in trail)
    assert store.apart("1.1") == {"jane"}


def test_deleting_an_item_takes_it_off_every_answer(tmp_path):
    store = Store(tmp_path)
    keep, drop = store.add_item("1.1", 4, "Keep", "a"), store.add_item("1.1", 2, "Drop", "a")
    store.apply("1.1", keep, ["jane"], True, "a")
    store.apply("1.1", drop, ["jane", "rita"], True, "a")
    store.delete_item(drop, "a")
    assert store.marks(MAX) == {"jane": {"1.1": ManualMark(4, "+4: Keep", "a")}}
    assert [i.id for i in store.items("1.1")] == [keep]
