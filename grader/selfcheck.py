"""``grader check``: the student's self-check, through the same grading path as the instructor's.

It grades with the public checks only and no reference solution (the student kit has
neither hidden checks nor the reference), prints what is wrong and on which input, and exits
0 only when the submission is ready: every public check passes and nothing stopped the
grader from seeing the work (see ``grader.notebook.problems.BLOCKING``; notes such as the file name or
run order are printed but do not count).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import GraderError
from grader.model.results import Status

if TYPE_CHECKING:  # the grading machinery is imported when a check runs, not to build a parser
    from rich.console import Console

    from grader.assignment import LocatedPack
    from grader.model.results import Report

def ready(report: Report) -> bool:
    """Every automatic public check passed and the grader could see the whole notebook."""
    checks_pass = all(c.status in (Status.PASSED, Status.MANUAL) for t in report.tasks for c in t.checks)
    return checks_pass and not any(p.blocking for p in report.problems)


def pack_for(notebook_name: str) -> LocatedPack:
    """The pack a notebook is checked with when none is named: the only one installed, else the
    one whose file-name prefix the notebook bears (``A2_DOE_Jane.ipynb``: the pack reading
    ``A2_``), so that two assignments' kits share an environment."""
    from grader.assignment import installed_packs

    packs = installed_packs()
    if len(packs) == 1:
        return packs[0]
    if not packs:
        raise GraderError(
            "no assignment is installed: install the assignment's kit (both its wheels), or "
            "name a pack with --assignment"
        )
    named = {p: p.pack.read.prefix for p in packs}
    matching = [
        p for p, prefix in named.items() if prefix and notebook_name.upper().startswith(prefix.upper() + "_")
    ]
    if len(matching) == 1:
        return matching[0]
    choices = ", ".join(sorted(f"{p.name} ({prefix or '?'}_LASTNAME_Firstname.ipynb)" for p, prefix in named.items()))
    raise GraderError(
        f"cannot tell which assignment {notebook_name} is for: the installed ones are {choices}; "
        "name the notebook as its assignment asks, or give --assignment"
    )


def self_check(
    notebook: Path,
    *,
    assignment: str | LocatedPack | None = None,
    seed: int = 0,
    as_json: bool = False,
    out: Path | None = None,
    console: Console | None = None,
) -> int:
    if not os.path.lexists(notebook):  # a mistyped name: one line, as `grader grade` says it
        raise GraderError(f"no such file: {notebook}")
    from grader.assignment import locate
    from grader.runtime import prestart

    located = pack_for(notebook.name) if assignment is None else locate(assignment)
    prestart(located.pack.preload)  # the runtime's zygote boots while the pack loads
    from rich.console import Console

    from grader.grading.pipeline import grade_notebook
    from grader.reports import write_report
    from grader.reports.terminal import render_terminal
    from grader.reports.visibility import student_view

    report = student_view(grade_notebook(notebook, located.load(with_reference=False), seed=seed))
    if out is not None:
        write_report(report, out, include_hidden=False)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        console = console or Console()
        render_terminal(report, console)
        verdict = "ready to hand in" if ready(report) else "not ready yet: fix what is listed above"
        console.print(f"\nPublic checks: {verdict}.", style="bold green" if ready(report) else "bold red")
    return 0 if ready(report) else 1


def check_this_notebook(
    path: str | Path | None = None, *, seed: int = 0, assignment: str | LocatedPack | None = None
) -> bool:
    """Check the notebook this cell runs in (Colab, Jupyter, VS Code), or ``path``; True when
    ready to hand in. One call in a cell: ``from grader.selfcheck import check_this_notebook``.

    The notebook is graded from a private temporary copy under its own name, never the file
    the student works on.
    """
    import tempfile

    from rich.console import Console

    from grader.common.environment import differences
    from grader.frontends.livenotebook import live_notebook

    name, data = live_notebook(path, expected_name(assignment))
    console = Console()
    changed = differences()
    if changed:
        console.print(
            "Note: this environment differs from the grading one ("
            + "; ".join(changed)
            + "): the checks run the same, but may draw other examples.",
            style="yellow",
            markup=False,
        )
    with tempfile.TemporaryDirectory(prefix="selfcheck-") as tmp:
        notebook = Path(tmp) / name
        notebook.write_bytes(data)
        return self_check(notebook, assignment=assignment, seed=seed, console=console) == 0


def expected_name(assignment: str | LocatedPack | None = None) -> str:
    """The file name the pack asks for, as a student writes it: ``A2_LASTNAME_Firstname.ipynb``
    (with no pack named: the only one installed, else a generic name)."""
    from grader.assignment import installed_packs, locate

    if assignment is None:
        packs = installed_packs()
        if len(packs) != 1:
            return "PREFIX_LASTNAME_Firstname.ipynb"
        assignment = packs[0]
    prefix = locate(assignment).pack.read.prefix
    return f"{prefix}_LASTNAME_Firstname.ipynb" if prefix else "LASTNAME_Firstname.ipynb"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``grader check``: one definition for the instructor's CLI and the kit's."""
    parser.add_argument("notebook", type=Path, help=f"your {expected_name()}")
    parser.add_argument("--json", action="store_true", help="print the report as JSON (for scripts and CI)")
    parser.add_argument("--out", type=Path, default=None, help="also write report files (junit.xml, report.md, ...) here")
    parser.add_argument(
        "--assignment",
        default=None,
        help="assignment pack (default: the only one installed, else the one whose file-name "
        "prefix the notebook bears)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of every random input (default: 0)")


def run(args: argparse.Namespace) -> int:
    return self_check(args.notebook, assignment=args.assignment, seed=args.seed, as_json=args.json, out=args.out)
