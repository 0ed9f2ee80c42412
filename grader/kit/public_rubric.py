"""The rubric as shipped to students: public checks only, no expected written answers.

The instructor rubric names the hidden checks and says what a written answer should contain;
the kit's copy must do neither, yet still load with ``grader.model.rubric.load_rubric``.
"""

from __future__ import annotations

from typing import Any

import tomli_w

from grader.model.rubric import Rubric

HEADER = """\
# {title}: points of the PUBLIC checks, the ones `grader check` runs. Generated for the
# student kit from the instructor's rubric; the instructor grades with more checks (hidden
# ones) and reads the written answers, so this total is not the assignment's total.

"""


def public_rubric_toml(rubric: Rubric) -> str:
    """TOML text of ``rubric.public_only()`` with every ``expected_answer`` left out."""
    public = rubric.public_only()
    tasks: dict[str, Any] = {}
    for task in public.tasks:
        entry: dict[str, Any] = {"title": task.title, "kind": task.kind}
        if task.manual_points:
            entry["manual_points"] = _number(task.manual_points)
        if task.checks:
            # a gate closes its task in the self-check as when grading
            entry["checks"] = {
                c.name: {"points": _number(c.points), "visibility": c.visibility} | ({"gate": True} if c.gate else {})
                for c in task.checks
            }
        tasks[task.id] = entry
    data = {
        "assignment": {
            "id": public.assignment,
            "title": public.title,
            "total": _number(public.max_score),
        },
        "tasks": tasks,
    }
    return HEADER.format(title=public.title or public.assignment) + tomli_w.dumps(data)


def _number(x: float) -> int | float:
    """2 rather than 2.0, as an instructor writes it."""
    return int(x) if float(x).is_integer() else x
