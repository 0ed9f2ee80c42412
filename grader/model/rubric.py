"""The rubric: points and visibility per task and per check, in a TOML file an instructor edits.

Code declares *what* a check tests; the rubric says what it is *worth* and who may see it.
Loading validates the two against each other, so a renamed check cannot silently score 0.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from grader.errors import RubricError

VISIBILITIES = ("public", "hidden")


@dataclass(frozen=True)
class CheckPoints:
    name: str
    points: float
    visibility: str
    #: Partial credit by rule: points a failed check still earns when its failure is
    #: diagnosed as the named mistake (diagnosis code -> points). Empty: none (the default).
    credit: tuple[tuple[str, float], ...] = ()
    #: Points a passing check loses when it passes only with an exact helper (see
    #: grader.checks.fairness.ExactHelper): diagnosis code -> points. Empty: none (the default).
    deduct: tuple[tuple[str, float], ...] = ()
    #: A gate of its task: when it fails, no check of the task earns points (it tells whether
    #: the work is what the task asks for at all, as a numerical gradient is no chain rule).
    gate: bool = False


@dataclass(frozen=True)
class TaskRubric:
    id: str
    title: str
    kind: str  # code | output | written | numeric | mixed; "given" tasks carry no points
    checks: tuple[CheckPoints, ...]
    manual_points: float = 0.0  # reserved for a person reading the written answer
    expected_answer: str = ""

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks) + self.manual_points


@dataclass(frozen=True)
class Rubric:
    assignment: str
    title: str
    tasks: tuple[TaskRubric, ...]

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tasks)

    def check_names(self) -> list[str]:
        return [c.name for t in self.tasks for c in t.checks]

    def credited_diagnoses(self) -> set[str]:
        """Every diagnosis code some check gives partial credit for."""
        return {code for t in self.tasks for c in t.checks for code, _ in c.credit}

    def public_only(self) -> Rubric:
        """The rubric a student sees: hidden checks removed. Every task stays, so that the
        self-check lists them all; one whose checks are all hidden keeps none (its status is
        ``hidden``: checked when the instructor grades)."""
        tasks = tuple(
            replace(task, checks=tuple(c for c in task.checks if c.visibility == "public"))
            for task in self.tasks
        )
        return replace(self, tasks=tasks)

    def task(self, task_id: str) -> TaskRubric:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)


def _points_by_code(task_id: str, name: str, entry: dict, points: float, key: str) -> tuple[tuple[str, float], ...]:
    """A check's ``credit`` or ``deduct`` table: diagnosis code -> points in (0, points]."""
    table = entry.get(key, {})
    if not isinstance(table, dict):
        raise RubricError(f"task {task_id}, check {name}: {key} must be a table of diagnosis = points")
    rules = []
    for code, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= points:
            raise RubricError(f"task {task_id}, check {name}: {key} for {code!r} must be a number in (0, {points:g}]")
        rules.append((code, float(value)))
    return tuple(rules)


def load_rubric(path: Path) -> Rubric:
    """Read and validate a rubric file; every problem is reported with its task id."""
    with open(path, "rb") as f:
        data = tomllib.load(f)
    meta = data.get("assignment", {})
    tasks = []
    for task_id, spec in data.get("tasks", {}).items():
        checks = []
        for name, entry in spec.get("checks", {}).items():
            visibility = entry.get("visibility", "hidden")
            if visibility not in VISIBILITIES:
                raise RubricError(f"task {task_id}, check {name}: visibility must be one of {VISIBILITIES}")
            points = float(entry.get("points", 0))
            if points < 0:
                raise RubricError(f"task {task_id}, check {name}: negative points")
            gate = entry.get("gate", False)
            if not isinstance(gate, bool):
                raise RubricError(f"task {task_id}, check {name}: gate must be true or false")
            checks.append(
                CheckPoints(
                    name,
                    points,
                    visibility,
                    _points_by_code(task_id, name, entry, points, "credit"),
                    _points_by_code(task_id, name, entry, points, "deduct"),
                    gate,
                )
            )
        tasks.append(
            TaskRubric(
                id=task_id,
                title=spec.get("title", task_id),
                kind=spec.get("kind", "code"),
                checks=tuple(checks),
                manual_points=float(spec.get("manual_points", 0)),
                expected_answer=spec.get("expected_answer", "").strip(),
            )
        )
    rubric = Rubric(meta.get("id", path.stem), meta.get("title", ""), tuple(tasks))
    total = meta.get("total")
    if total is not None and abs(rubric.max_score - float(total)) > 1e-9:
        raise RubricError(f"the tasks add up to {rubric.max_score:g} points, the rubric says {total}")
    names = rubric.check_names()
    duplicated = {n for n in names if names.count(n) > 1}
    if duplicated:
        raise RubricError(f"checks listed twice: {sorted(duplicated)}")
    return rubric
