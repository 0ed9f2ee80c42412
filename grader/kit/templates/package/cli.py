"""The ``grader`` command of the student kit: ``grader check`` and nothing else.

It is the instructor's ``grader check``: the same grading path, with the public checks only
and no reference solution (neither is in the kit).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from grader import __version__, selfcheck
from grader.errors import GraderError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__} (student kit)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser(
        "check", help="self-check one notebook before handing it in (public checks only)"
    )
    selfcheck.add_arguments(check)
    check.set_defaults(run=selfcheck.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """As the instructor's: a ``GraderError`` is a message and its exit status, no traceback."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except GraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status


if __name__ == "__main__":
    sys.exit(main())
