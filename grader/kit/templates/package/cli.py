"""The ``grader`` command of the student kit: ``grader check`` and nothing else.

It is the instructor's ``grader check``: the same grading path, with the public checks only
and no reference solution (neither is in the kit).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from grader import __version__


def _check(args: argparse.Namespace) -> int:
    from grader.selfcheck import self_check

    return self_check(
        args.notebook,
        assignment_name=args.assignment,
        seed=args.seed,
        as_json=args.json,
        out=args.out,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (student kit)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check", help="self-check one notebook before handing it in (public checks only)"
    )
    check.add_argument("notebook", type=Path, help="your A2_LASTNAME_Firstname.ipynb")
    check.add_argument(
        "--json", action="store_true", help="print the report as JSON (for scripts and CI)"
    )
    check.add_argument(
        "--out",
        type=Path,
        default=None,
        help="also write report files (junit.xml, report.md, ...) here",
    )
    check.add_argument("--assignment", default="a2", help="assignment pack (default: a2)")
    check.add_argument(
        "--seed", type=int, default=0, help="seed of every random input (default: 0)"
    )
    check.set_defaults(run=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
