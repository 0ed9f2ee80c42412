"""``grader similarity PATH... --out DIR``: the class's similarity report for the instructor."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

# The engine (copydetect, scipy, matplotlib) is imported by run() only: building the
# parser of every ``grader`` command must stay cheap. The test suite checks this value is
# the engine's DEFAULT_THRESHOLD (whose docstring says why it is what it is).
DEFAULT_THRESHOLD = 0.40


def default_base() -> Path | None:
    """The A2 handout's provided code (``reference/handout.py``) when the reference is installed."""
    spec = importlib.util.find_spec("reference.handout")
    return Path(spec.origin) if spec is not None and spec.origin else None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, help="notebooks, or folders of notebooks")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("reports/similarity"),
        help="report folder (default: reports/similarity)",
    )
    base = parser.add_mutually_exclusive_group()
    base.add_argument(
        "--base",
        type=Path,
        default=None,
        help="the handout's template (.ipynb or .py) whose code and text are left out "
        "(default: reference/handout.py when present)",
    )
    base.add_argument("--no-base", action="store_true", help="leave no provided code out")
    parser.add_argument(
        "--threshold",
        type=float,
        default=DEFAULT_THRESHOLD,
        help=f"score from which a pair is shown for review (default: {DEFAULT_THRESHOLD})",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all cores)")


def run(args: argparse.Namespace) -> int:
    from grader.similarity.documents import collect_notebooks
    from grader.similarity.engine import run_similarity

    if not collect_notebooks(args.paths):
        print("similarity: no notebooks found in " + ", ".join(map(str, args.paths)))
        return 2
    base = None if args.no_base else (args.base or default_base())
    if base is not None and not base.is_file():
        print(f"similarity: base file {base} not found")
        return 2
    try:
        report = run_similarity(
            args.paths, args.out, base=base, threshold=args.threshold, workers=args.workers
        )
    except ValueError as error:  # an unreadable base file
        print(f"similarity: {error}")
        return 2
    compared = sum(1 for s in report.submissions if not s.problems)
    print(
        f"similarity: {compared} notebooks compared, {len(report.pairs)} pairs, "
        f"{len(report.flagged)} to review (score >= {report.threshold:.2f}), "
        f"{len(report.clusters)} groups of more than two; base: {base or 'none'}"
    )
    for s in report.submissions:
        if s.problems:
            print(f"  not compared: {s.name}: {' '.join(s.problems)}")
    for p in report.flagged[:10]:
        print(f"  {p.score:.2f}  {p.a} ~ {p.b}")
    print(f"evidence to review: {args.out / 'similarity.html'}")
    return 0
