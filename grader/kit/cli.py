"""``grader student-kit --out DIR``: build what students get (the kit's two wheels and a repository template)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.assignments import DEFAULT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, help="folder for the wheels and submission-template/"
    )
    parser.add_argument("--assignment", default=DEFAULT, help=f"assignment pack (default: {DEFAULT})")
    pins = parser.add_mutually_exclusive_group()
    pins.add_argument(
        "--constraints",
        type=Path,
        default=None,
        help="pins of the grading environment, shipped with the kit (default: the checkout's constraints.txt)",
    )
    pins.add_argument(
        "--no-constraints",
        action="store_true",
        help="ship no pins: students get the newest versions",
    )


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from grader.kit.build import build_kit, default_constraints

    console = Console()
    constraints = None if args.no_constraints else (args.constraints or default_constraints())
    kit = build_kit(args.out, args.assignment, constraints=constraints)
    for label, wheel in (("Engine wheel", kit.engine), ("Pack wheel", kit.pack)):
        size = wheel.stat().st_size / 1024
        console.print(f"{label}: {wheel} ({size:.0f} KiB)", highlight=False)
    console.print(f"Submission template: {kit.template}", highlight=False)
    console.print(f"Pins: {constraints or 'none'}", highlight=False)
    return 0
