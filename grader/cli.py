"""The ``grader`` command: one subcommand per user, one grading path underneath."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from grader import __version__


def _grade(args: argparse.Namespace) -> int:
    from grader.batch import grade_all

    return grade_all(
        args.paths,
        args.out,
        assignment_name=args.assignment,
        seed=args.seed,
        jobs=args.jobs,
        force=args.force,
    )


def _check(args: argparse.Namespace) -> int:
    from grader.selfcheck import self_check

    return self_check(args.notebook, assignment_name=args.assignment, seed=args.seed, as_json=args.json, out=args.out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade notebooks (files or folders) into a report folder")
    grade.add_argument("paths", nargs="+", type=Path, help="notebooks, or folders of notebooks")
    grade.add_argument("--out", type=Path, default=Path("reports"), help="report folder (default: reports)")
    grade.add_argument("--assignment", default="a2", help="assignment pack (default: a2)")
    grade.add_argument("--seed", type=int, default=0, help="seed of every random input (default: 0)")
    grade.add_argument("--jobs", type=int, default=None, help="parallel graders (default: all cores)")
    grade.add_argument("--force", action="store_true", help="grade again even what is up to date")
    grade.set_defaults(run=_grade)

    check = sub.add_parser("check", help="self-check one notebook before handing it in (public checks only)")
    check.add_argument("notebook", type=Path, help="your A2_LASTNAME_Firstname.ipynb")
    check.add_argument("--json", action="store_true", help="print the report as JSON (for scripts and CI)")
    check.add_argument("--out", type=Path, default=None, help="also write report files (junit.xml, report.md, ...) here")
    check.add_argument("--assignment", default="a2", help="assignment pack (default: a2)")
    check.add_argument("--seed", type=int, default=0, help="seed of every random input (default: 0)")
    check.set_defaults(run=_check)

    from grader.similarity import cli as similarity_cli

    similarity = sub.add_parser("similarity", help="compare every pair of submissions: evidence of code sharing to review")
    similarity_cli.add_arguments(similarity)
    similarity.set_defaults(run=similarity_cli.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
