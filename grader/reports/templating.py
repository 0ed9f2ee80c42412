"""The environment the report templates render in: ``grader.common.templating``'s, with the report filters."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from grader.common import templating
from grader.common.render import render_answer
from grader.reports import text


@cache
def environment() -> Environment:
    return templating.environment(
        "grader.reports",
        filters={
            "points": text.points,
            "score_line": text.score_line,
            "task_score": text.task_score,
            "status_label": text.status_label,
            "task_note": text.task_note,
            "reads_text": text.reads_text,
            "answer_text": text.answer_text,
            "answer_html": render_answer,
            "has_written_part": text.has_written_part,
            "marker_comment": text.marker_comment,
            "counterexample": text.counterexample_text,
            "diagnosis": text.diagnosis_text,
            "problem": text.problem_text,
            "figures_of": text.figures_of,
        },
    )
