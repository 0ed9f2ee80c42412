"""Grade one notebook: the single path every front end (batch, self-check, CI) goes through.

notebook -> Submission -> Program -> student runtime -> checks -> rubric -> Report

Problem codes of grading (besides the reader's, ``grader.notebook``):

=====================  =====================================================================
code                   meaning
=====================  =====================================================================
statement-<status>     a statement failed when the namespace was rebuilt (error, timeout...)
syntax-error           a cell (or statement) is not valid Python: it is ignored
runtime-failed         the student runtime could not start (no budget stopped it): no code check ran
stand-in-module        a module the notebook imports is not installed: an inert stand-in
weak-sandbox           the sandbox lacked a layer grading relies on (allowed explicitly, or
                       the self-check); the message names the layers
time-budget            the submission's wall-time budget ran out: what was left reports timeout
                       (spent while building, no code check ran)
memory-budget          its processes together went over the memory budget and were killed
disk-budget            its private folder's disk budget ran out: writes past it failed
statement-budget       more statements than are read or run: the rest were not
=====================  =====================================================================
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from grader import __version__
from grader.assignment import Assignment
from grader.checks import CheckOutcome, CheckSpec, Context, run_check
from grader.checks.fairness import rewritten_helpers
from grader.common.bounds import MAX_READ_TEXT, clip
from grader.grading.scoring import ManualMark, score_tasks
from grader.model.results import READ_KINDS, Report, Status
from grader.notebook import load_submission
from grader.notebook.problems import BUDGET_STOPS, Problem
from grader.notebook.sections import Section, find_sections, has_headings
from grader.reports.notebook_view import figure_places
from grader.runtime import BuildOutcome, Code, SandboxTooWeak, StudentRuntime, missing_layers
from grader.source import (
    Policy,
    Program,
    build_program,
    notebook_arguments,
    notebook_calls,
    undefined_names,
)


def grade_notebook(
    path: Path,
    assignment: Assignment,
    *,
    seed: int = 0,
    manual: Mapping[str, ManualMark] | None = None,
    allow_weak_sandbox: bool = False,
) -> Report:
    """Grade ``path`` against ``assignment``; never raises because of what the notebook holds.

    Raises ``SandboxTooWeak`` when the assignment has hidden checks (its reference) and the
    sandbox lacks a required layer, unless ``allow_weak_sandbox``: the report then says so.
    """
    started, started_cpu = time.monotonic(), time.process_time()
    pack = assignment.pack
    submission = load_submission(Path(path), pack.read)
    program = build_program(submission, pack.policy)
    problems = [*submission.problems, *program.problems]
    specs = [assignment.checks[name] for name in assignment.rubric.check_names()]

    runtime = None
    cpu = {"student": 0.0, "runtime": 0.0}
    names: dict[str, str] = {}
    isolation: tuple[str, ...] = ()
    outcomes: dict[str, CheckOutcome] = {}
    timings: dict[str, float] = {}
    try:
        if submission.cells and any(spec.runtime for spec in specs):
            runtime, names, build_problems = _start_runtime(program, assignment, seed)
            problems += build_problems
            isolation = tuple(getattr(runtime, "isolation", ())) if runtime else ()
            if runtime is not None:
                problems += _sandbox_problems(isolation, assignment, allow_weak_sandbox)
        needed = {name for spec in specs for name in spec.needs}
        calls, arguments = notebook_calls(program, needed), notebook_arguments(program, needed)
        # the provided helpers: what re-runs replace and no check grades
        helpers = {name for spec in specs for name in (*spec.isolate, *(h.name for h in spec.exact))}
        helpers -= {name for spec in specs for name in spec.needs}
        rewritten = rewritten_helpers(program, pack.handout, helpers) if assignment.reference is not None else frozenset()
        ctx = Context(submission, runtime, assignment.reference, seed=seed, names=names, calls=calls, arguments=arguments, rewritten=rewritten)
        hints = _undefined_name_hints(program, specs, names, pack.policy)
        for spec in specs:
            check_started = time.monotonic()
            outcomes[spec.name] = _with_hints(run_check(spec, ctx, assignment.diagnose), spec, hints)
            timings[spec.name] = round(time.monotonic() - check_started, 3)
        if runtime is not None:
            problems += [Problem(code, message) for code, message in runtime.exhausted.items()]
    finally:
        if runtime is not None:
            runtime.close()
            cpu = {"student": runtime.cpu.student, "runtime": runtime.cpu.processes - runtime.cpu.student}

    rules = pack.section_rules
    task_ids = rules.tasks or assignment.task_ids
    sections = find_sections(submission, task_ids, rules)
    if submission.cells and not has_headings(sections):
        example = f" (such as `### :: TASK {task_ids[0]} ::`)" if task_ids else ""
        problems.append(
            Problem(
                "no-task-headings",
                f"No task heading{example} was found, so each task's outputs "
                "were searched for in the whole notebook and no written answer could be located.",
            )
        )
    tasks = score_tasks(assignment.rubric, outcomes, answers=_written_answers(sections, assignment), manual=manual)
    identity = submission.identity
    return Report(
        submission=submission.name,
        student={"last_name": identity.last_name, "first_name": identity.first_name} if identity else None,
        score=sum(t.score for t in tasks),
        max_score=assignment.rubric.max_score,
        tasks=tasks,
        problems=tuple(problems),
        meta={
            "assignment": assignment.rubric.assignment,
            "grader_version": __version__,
            "seed": seed,
            "checks": "all" if assignment.reference is not None else "public",
            "isolation": list(isolation),
            "seconds": round(time.monotonic() - started, 2),
            "check_seconds": timings,
            "cpu_seconds": _cpu_seconds(time.process_time() - started_cpu, cpu),
            "figures": figure_places(sections),
        },
    )


def _cpu_seconds(grading: float, runtime: Mapping[str, float]) -> dict[str, float]:
    """Core seconds of this notebook: the student's own code, and the grader's (this process,
    and what the runtime itself ran in the submission's processes: forks, the wire, callbacks)."""
    return {
        "student": round(runtime["student"], 3),
        "grader": round(grading + max(runtime["runtime"], 0.0), 3),
        "runtime": round(max(runtime["runtime"], 0.0), 3),
    }


def _start_runtime(
    program: Program, assignment: Assignment, seed: int
) -> tuple[StudentRuntime | None, dict[str, str], list[Problem]]:
    code = [Code(s.cell, s.line, s.source) for s in program.to_run]
    pack = assignment.pack
    runtime = StudentRuntime(
        code, files=pack.runtime_files, seed=seed, limits=pack.limits, preload=pack.preload
    )
    try:
        outcomes = runtime.start()
        names = runtime.names()
    except Exception as exc:  # noqa: BLE001 - the grader goes on without the code checks
        runtime.close()
        # a budget that stopped the build is said as that budget, not as a runtime that failed
        stopped = [Problem(code, message) for code, message in runtime.exhausted.items()]
        if not any(p.code in BUDGET_STOPS for p in stopped):
            stopped.append(Problem("runtime-failed", f"the student runtime could not start: {exc}"))
        return None, {}, stopped
    problems = [_build_problem(o) for o in outcomes if o.status != "ok"]
    problems += [_stand_in_problem(o) for o in outcomes if o.stand_ins]
    return runtime, names, problems


def _stand_in_problem(outcome: BuildOutcome) -> Problem:
    stmt = outcome.statement
    modules = ", ".join(f"`{m}`" for m in outcome.stand_ins)
    return Problem(
        "stand-in-module",
        f"{modules} is not installed where notebooks are graded; "
        "it was imported as an empty stand-in so that the rest of the cell still ran. Graded code "
        "that uses it fails with a message naming it.",
        cell=stmt.cell,
        line=stmt.line,
    )


def _sandbox_problems(isolation: tuple[str, ...], assignment: Assignment, allow_weak: bool) -> list[Problem]:
    """Refuse hidden checks in a sandbox that lacks a required layer, or say it was weaker."""
    missing = missing_layers(isolation)
    if not missing:
        return []
    if assignment.reference is not None and not allow_weak:
        raise SandboxTooWeak(missing)
    return [
        Problem(
            "weak-sandbox",
            f"graded in a weaker sandbox: {', '.join(missing)} missing on the grading machine "
            "(see docs/sandbox.md: the sandbox and its budgets)",
        )
    ]


def _build_problem(outcome: BuildOutcome) -> Problem:
    stmt = outcome.statement
    if outcome.error is not None:
        what = f"{outcome.error.type}: {outcome.error.message}"
    else:
        what = outcome.detail or outcome.status
    first_line = stmt.source.strip().splitlines()[0][:80] if stmt.source.strip() else ""
    return Problem(
        f"statement-{outcome.status}",
        f"cell {stmt.cell}, line {stmt.line}: `{first_line}` failed when the grader rebuilt your "
        f"definitions ({what}); it was skipped",
        cell=stmt.cell,
        line=stmt.line,
    )


def _undefined_name_hints(
    program: Program, specs: list[CheckSpec], names: Mapping[str, str], policy: Policy
) -> dict[str, list[str]]:
    """For each graded function, the names it reads that nothing defines, as sentences."""
    hints = {}
    for name in dict.fromkeys(n for spec in specs for n in spec.needs):
        if name in names:
            hints[name] = [f"in `{name}`, {u.message}" for u in undefined_names(program, name, policy)]
    return hints


def _with_hints(outcome: CheckOutcome, spec: CheckSpec, hints: Mapping[str, list[str]]) -> CheckOutcome:
    """A failing check says which undefined names may explain it."""
    if outcome.status in (Status.PASSED, Status.MISSING):
        return outcome
    said = [h for name in spec.needs for h in hints.get(name, ())]
    if not said:
        return outcome
    return replace(outcome, message=f"{outcome.message} — note: " + " ".join(said))


def _written_answers(sections: Mapping[str, Section], assignment: Assignment) -> dict[str, str | None]:
    """Each written task's answer, and each numeric task's text and outputs as its checks read
    them, so that the instructor sees why a check failed; None where the task's heading was not
    found."""
    shown: dict[str, str | None] = {}
    for task in assignment.rubric.tasks:
        part = sections.get(task.id)
        if task.kind in READ_KINDS:
            shown[task.id] = clip(part.text, MAX_READ_TEXT) if part else None
        elif task.manual_points:
            shown[task.id] = part.answer if part else None
    return shown
