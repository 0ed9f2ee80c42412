"""``grader moodle worksheet`` and ``grader moodle feedback``: grades and feedback back to Moodle."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import GraderError

if TYPE_CHECKING:
    from grader.model.results import Report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="moodle_command", required=True)
    sheet = sub.add_parser(
        "worksheet",
        help="fill Moodle's offline grading worksheet (grade and feedback comment per participant)",
    )
    sheet.add_argument("worksheet", type=Path, help="the CSV from Moodle's \"Download grading worksheet\"")
    sheet.add_argument("--reports", type=Path, required=True, help="the report folder of `grader grade`")
    sheet.add_argument("--out", type=Path, required=True, help="the filled CSV to upload back")
    sheet.add_argument(
        "--include-pending",
        action="store_true",
        help="also grade participants whose written answers are not marked yet (their total so far)",
    )
    sheet.set_defaults(run=_worksheet)
    feedback = sub.add_parser(
        "feedback", help="the student reports as a ZIP for Moodle's \"Upload multiple feedback files in a zip\""
    )
    feedback.add_argument("--reports", type=Path, required=True, help="the report folder of `grader grade`")
    feedback.add_argument("--out", type=Path, required=True, help="the ZIP to write")
    feedback.set_defaults(run=_feedback)


def _reports(folder: Path) -> dict[str, Report]:
    from grader.frontends.classfolder import class_reports

    reports = class_reports(folder)
    if not reports:
        raise GraderError(f"no report.json under {folder}: run `grader grade ... --out {folder}` first")
    return reports


def _worksheet(args: argparse.Namespace) -> int:
    from grader.errors import WorksheetError
    from grader.frontends.moodle.worksheet import fill_worksheet

    reports = _reports(args.reports)
    if not args.worksheet.is_file():
        raise WorksheetError(f"no such file: {args.worksheet}")
    result = fill_worksheet(args.worksheet, reports, args.out, include_pending=args.include_pending)
    print(f"{args.out}: {len(result.graded)} participant(s) graded")
    notes = [
        (
            result.pending,
            (
                "written answers not marked yet: grade left empty, comment filled "
                "(run `grader manual import` first, or pass --include-pending)"
            ),
        ),
        (result.failed, "the grader failed: grade left empty, see their reports"),
        (result.unread, "the grader could not read their notebook: grade left empty, a person must look at it"),
        (result.no_report, "in the worksheet, but no graded submission"),
        (result.not_in_worksheet, "graded, but not in this worksheet"),
    ]
    for ids, what in notes:
        if ids:
            print(f"  {len(ids)} {what}: {', '.join('Participant ' + i for i in ids)}")
    return 2 if result.pending or result.failed or result.unread else 0


def _feedback(args: argparse.Namespace) -> int:
    from grader.frontends.moodle.feedback import write_feedback_zip

    reports = _reports(args.reports)
    packed = write_feedback_zip(args.reports, reports, args.out)
    left = sum(1 for r in reports.values() if not r.moodle)
    print(f"{args.out}: feedback files of {len(packed)} participant(s)")
    if left:
        print(f"  {left} report(s) not from a Moodle download: not packed")
    return 0
