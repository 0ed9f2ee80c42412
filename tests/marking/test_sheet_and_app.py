"""The CSV sheet and the marking app mark the same class: each sees and keeps the other's marks."""

from __future__ import annotations

import csv
import json

from grader.common import csvio
from grader.frontends.manual import export_sheet, import_sheet
from grader.frontends.marking.app import Marking


def _marks(out):
    data = json.loads((out / "manual_marks.json").read_text(encoding="utf-8"))["submissions"]
    return {(f, t): (m["score"], m["comment"]) for f, tasks in data.items() for t, m in tasks.items()}


def test_sheet_and_app_keep_each_others_marks(sample_class):
    marking = Marking(sample_class, "ann")
    item = marking.store.add_item("1.1", 6, "All right", "ann")
    marking.store.apply("1.1", item, ["A2_DUBOIS_Hugo"], True, "ann")
    marking.publish()

    sheet, _ = export_sheet(sample_class)  # the sheet shows the app's mark
    with open(sheet, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    dubois = next(r for r in rows if r["submission"] == "A2_DUBOIS_Hugo" and r["task"] == "1.1")
    # a cell starting with "+" is quoted against spreadsheet formulas; the import restores it
    assert (dubois["points"], csvio.restore(dubois["comment"])) == ("6", "+6: All right")
    garcia = next(r for r in rows if r["submission"] == "A2_GARCIA_Sofia" and r["task"] == "1.1")
    garcia.update(points="4", comment="from the sheet")
    with open(sheet, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    import_sheet(sheet, sample_class)

    expected = {("A2_DUBOIS_Hugo", "1.1"): (6, "+6: All right"), ("A2_GARCIA_Sofia", "1.1"): (4, "from the sheet")}
    assert _marks(sample_class) == expected
    restarted = Marking(sample_class, "bob")  # the app started again keeps the sheet's mark
    assert _marks(sample_class) == expected
    restarted.store.apply("1.1", item, ["A2_GARCIA_Sofia"], True, "bob")  # marked in the app now
    restarted.publish()
    assert _marks(sample_class)[("A2_GARCIA_Sofia", "1.1")] == (6, "+6: All right")
    assert "4 / 6" not in (sample_class / "A2_GARCIA_Sofia" / "report.md").read_text(encoding="utf-8")
