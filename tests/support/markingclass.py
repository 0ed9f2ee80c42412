"""Class folders to mark, built in a second: the A2 rubric, every automatic check passed, and the
written answers either read from the sample submissions or given.

Grading the sample class takes minutes; the marking app only reads the written answers and
re-scores reports, so these folders have real reports (``score_tasks`` of the real rubric) with
the answers the sample notebooks hold, without running any student code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from grader.assignment import load_assignment
from grader.checks import CheckOutcome
from grader.frontends.classfolder import (
    folder_name,
    write_class_files,
    write_manifest,
    write_submission,
)
from grader.grading.scoring import score_tasks
from grader.model.results import Report, Status
from grader.notebook import load_submission
from grader.notebook.sections import find_sections

SAMPLES = Path(__file__).resolve().parents[2] / "submissions"


def sample_answers() -> dict[str, dict[str, str | None]]:
    """Report folder -> written task -> the answer, for every sample submission."""
    assignment = load_assignment(with_reference=False)
    rules = assignment.pack.section_rules
    written = [t.id for t in assignment.rubric.tasks if t.manual_points]
    answers = {}
    for path in sorted(SAMPLES.glob("*.ipynb")):
        sections = find_sections(load_submission(path), rules.tasks or assignment.task_ids, rules)
        answers[folder_name(path.stem)] = {
            t: sections[t].answer if t in sections else None for t in written
        }
    return answers


def build_class(out: Path, answers: Mapping[str, Mapping[str, str | None]]) -> Path:
    """A graded class folder in ``out``: one report per folder of ``answers``, written answers to mark."""
    assignment = load_assignment(with_reference=False)
    passed = {name: CheckOutcome(Status.PASSED, "") for name in assignment.rubric.check_names()}
    for folder, written in answers.items():
        last, _, first = folder.removeprefix("A2_").partition("_")
        tasks = score_tasks(assignment.rubric, passed, answers=dict(written))
        report = Report(
            submission=f"{folder}.ipynb",
            student={"last_name": last, "first_name": first},
            score=sum(t.score for t in tasks),
            max_score=sum(t.max_score for t in tasks),
            tasks=tasks,
            meta={"assignment": assignment.name},
        )
        write_submission(report, out / folder, f"fingerprint-{folder}", None)
    write_manifest(out, answers, assignment_name=assignment.name, seed=0, csv_dialect="excel")
    from grader.frontends.classfolder import class_reports

    write_class_files(out, class_reports(out))
    return out
