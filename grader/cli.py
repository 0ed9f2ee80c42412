"""The ``grader`` command: one subcommand per user, one grading path underneath."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from grader import __version__
from grader.assignments import DEFAULT
from grader.common.csvio import DIALECTS
from grader.errors import GraderError

if TYPE_CHECKING:
    from grader.frontends.batch.result import BatchResult

#: Exit statuses of ``grader grade`` (see ``exit_status``).
EXIT_OK = 0  # every submission graded, none needing a person (notes and unmarked answers may remain)
EXIT_USAGE = 1  # nothing graded: a path that does not exist, no notebook, an unreadable ZIP, a weak sandbox
EXIT_NEEDS_PERSON = 2  # graded, but some submission needs a person (``batch.needs_a_person``)
EXIT_INTERRUPTED = 130  # Ctrl-C: what finished is kept, the same command resumes


def exit_status(result: BatchResult) -> int:
    """The exit status of a ``grader grade`` run (``EXIT_*``)."""
    if result.error is not None:
        return EXIT_USAGE
    if result.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_NEEDS_PERSON if result.need_a_person else EXIT_OK


def _grade(args: argparse.Namespace) -> int:
    if _grades_here(args):
        # the runtime's zygote imports the pack's preloads (torch...) while the batch's own
        # machinery imports and plans: started after, it would wait for all of that
        from grader.assignment import locate
        from grader.runtime import prestart

        prestart(locate(args.assignment).pack.preload)
    from grader.frontends.batch import grade_all

    result = grade_all(
        args.paths,
        args.out,
        assignment=args.assignment,
        seed=args.seed,
        jobs=args.jobs,
        force=args.force,
        scheduler=args.scheduler,
        csv_dialect=args.csv_dialect,
        allow_weak_sandbox=args.allow_weak_sandbox,
        progress=not args.quiet,
    )
    if result.interrupted:
        leave_now(EXIT_INTERRUPTED)
    if result.error is not None:
        print(result.error, file=sys.stderr)
    else:  # the counts a person acts on
        print(
            f"{len(result.reports)} submission(s): {len(result.failed)} grader error(s), "
            f"{len(result.need_a_person)} needing a person, {len(result.noted)} with notes only "
            f"(summary.html lists both), {len(result.to_mark)} with written answers to mark"
        )
    return exit_status(result)


def _grades_here(args: argparse.Namespace) -> bool:
    """Whether ``grader grade`` will grade in this very process: one worker (``--jobs 1``, or a
    single notebook) and no Dask scheduler. Its runtime zygote is then worth starting first
    (a run that finds nothing to grade only stops it again)."""
    if args.scheduler:
        return False
    only = Path(args.paths[0]) if len(args.paths) == 1 else None
    return args.jobs == 1 or (only is not None and only.suffix.lower() == ".ipynb" and only.is_file())


def leave_now(status: int) -> NoReturn:
    """Exit at once after Ctrl-C: the exit hooks run (student processes killed, private folders
    removed), but not the interpreter's teardown of what grading loaded, which takes seconds
    (numpy, Hypothesis, the reference's torch) when someone asked to stop."""
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()  # what a normal exit runs; os._exit skips it
    os._exit(status)


def _manual_export(args: argparse.Namespace) -> int:
    from grader.frontends.manual import export_sheet

    sheet, page = export_sheet(args.reports, args.to, args.csv_dialect)
    print(f"marking sheet: {sheet}\nanswers beside the expected ones: {page}")
    return 0


def _manual_import(args: argparse.Namespace) -> int:
    from grader.frontends.manual import import_sheet

    changed = import_sheet(args.sheet, args.reports)
    print(f"imported marks: {len(changed)} report(s) re-rendered; {args.reports}/gradebook.csv and summary.html updated")
    return 0


def _gradescope_package(args: argparse.Namespace) -> int:
    from grader.gradescope import build_package

    print(build_package(args.out, assignment=args.assignment, seed=args.seed))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_logging_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser(
        "grade",
        help="grade notebooks (files or folders) into a report folder",
        description="Exit status: 0 every submission graded without a problem; 1 nothing graded "
        "(a path that does not exist, no notebook); 2 graded, but some submission needs a person "
        "(a grader error, a blocking problem, a task that crashed or hung: summary.html lists "
        "them); 130 interrupted.",
    )
    grade.add_argument("paths", nargs="+", type=Path,
                       help="notebooks, folders of notebooks, or a Moodle \"Download all submissions\" (ZIP or folder)")
    grade.add_argument("--out", type=Path, default=Path("reports"), help="report folder (default: reports)")
    grade.add_argument("--assignment", default=DEFAULT, help=f"assignment pack (default: {DEFAULT})")
    grade.add_argument("--seed", type=int, default=0, help="seed of every random input (default: 0)")
    grade.add_argument("--jobs", type=int, default=None, help="parallel graders (default: all cores)")
    grade.add_argument("--force", action="store_true", help="grade again even what is up to date")
    grade.add_argument("--allow-weak-sandbox", action="store_true",
                       help="grade even where the sandbox lacks a layer (Landlock, namespaces...); every report says which")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster (tcp://host:8786) instead of local processes; needs the dask extra")
    grade.add_argument("--csv-dialect", choices=sorted(DIALECTS), default="excel",
                       help="gradebook.csv for Excel (,) or French Excel (excel-fr: ; and decimal commas)")
    grade.set_defaults(run=_grade)

    from grader import selfcheck

    check = sub.add_parser("check", help="self-check one notebook before handing it in (public checks only)")
    selfcheck.add_arguments(check)
    check.set_defaults(run=selfcheck.run)

    manual = sub.add_parser("manual", help="mark written answers by hand: export a sheet, import it back")
    manual_sub = manual.add_subparsers(dest="manual_command", required=True)
    export = manual_sub.add_parser("export", help="write the marking sheet (CSV) and the answers page (HTML)")
    export.add_argument("--reports", type=Path, required=True, help="the report folder of `grader grade`")
    export.add_argument("--to", type=Path, default=None, help="CSV to write (default: REPORTS/manual_marks.csv); the HTML goes beside it")
    export.add_argument("--csv-dialect", choices=sorted(DIALECTS), default=None,
                        help="excel (,) or excel-fr (;); default: the one `grader grade` used")
    export.set_defaults(run=_manual_export)
    imp = manual_sub.add_parser("import", help="merge a filled sheet into the reports, gradebook and summary")
    imp.add_argument("sheet", type=Path, help="the filled CSV")
    imp.add_argument("--reports", type=Path, required=True, help="the report folder of `grader grade`")
    imp.set_defaults(run=_manual_import)

    from grader.frontends.marking import cli as marking_cli

    mark = sub.add_parser("mark", help="mark written answers in the browser: answer groups, rubric items (a local web app)")
    marking_cli.add_arguments(mark)
    mark.set_defaults(run=marking_cli.run)

    from grader.frontends import moodle_command as moodle_cli

    moodle = sub.add_parser("moodle", help="Moodle: fill the grading worksheet, pack the feedback files")
    moodle_cli.add_arguments(moodle)

    package = sub.add_parser("gradescope-package", help="build the Gradescope autograder zip (setup.sh, run_autograder, the grader)")
    package.add_argument("--out", type=Path, default=Path("dist"), help="folder for autograder.zip (default: dist)")
    package.add_argument("--assignment", default=DEFAULT, help=f"assignment pack (default: {DEFAULT})")
    package.add_argument("--seed", type=int, default=0, help="seed of every random input (default: 0)")
    package.set_defaults(run=_gradescope_package)

    from grader.frontends import similarity as similarity_cli

    similarity = sub.add_parser("similarity", help="compare every pair of submissions: evidence of code sharing to review")
    similarity_cli.add_arguments(similarity)
    similarity.set_defaults(run=similarity_cli.run)

    from grader.kit import cli as kit_cli

    kit = sub.add_parser("student-kit", help="build the student kit (grader check as a wheel) and the submission-repository template")
    kit_cli.add_arguments(kit)
    kit.set_defaults(run=kit_cli.run)
    from grader.config import commands

    for path, command in commands(parser):
        if path != ("check",):  # the kit's `grader check` has this one's options, and no logging
            add_logging_options(command, inherited=True)
    return parser


def add_logging_options(parser: argparse.ArgumentParser, *, inherited: bool = False) -> None:
    """``-v``/``-q``/``--log``, before the subcommand or after it (``inherited``: given there, they
    replace what was given before; left out, they leave it)."""
    verbose, quiet, log = (argparse.SUPPRESS,) * 3 if inherited else (0, False, None)
    parser.add_argument("-v", "--verbose", action="count", default=verbose,
                        help="say what happens to each submission (-vv: debug)")
    parser.add_argument("-q", "--quiet", action="store_true", default=quiet,
                        help="warnings and errors only: no progress")
    parser.add_argument("--log", type=Path, metavar="FILE", default=log,
                        help="also write every message, debug included, to FILE")


def setup_logging(verbose: int = 0, quiet: bool = False, log: Path | None = None) -> None:
    """The ``grader`` logger's messages on stderr at the level ``-v``/``-q`` choose (warnings by
    default), and all of them in ``log`` when given."""
    logger = logging.getLogger("grader")
    logger.setLevel(logging.DEBUG)
    for handler in list(logger.handlers):  # one command per call of main
        logger.removeHandler(handler)
        handler.close()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)])
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger.addHandler(console)
    if log is not None:
        file = logging.FileHandler(log, encoding="utf-8")
        file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; what the grader cannot do (a ``GraderError``) is said in a message,
    not a traceback, and the exit status is the error's (1 unless the subcommand says another).
    Option defaults come from ``grader.toml`` (or ``[tool.grader]`` in ``pyproject.toml``) in the
    current folder (``grader.config``)."""
    from grader.config import apply_config, find_config

    parser = build_parser()
    try:
        found = find_config(Path.cwd())
        if found is not None:
            apply_config(parser, *found)
    except GraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status
    args = parser.parse_args(argv)
    try:
        setup_logging(args.verbose, args.quiet, args.log)
    except OSError as error:  # --log in a folder that does not exist, or not writable
        print(f"error: cannot write the log: {error}", file=sys.stderr)
        return 1
    try:
        return args.run(args)
    except GraderError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_status


if __name__ == "__main__":
    sys.exit(main())
