"""The jinja2 environment every template renders in, with the filters they share.

HTML templates are autoescaped: student answers, outputs and counterexamples are untrusted.
Markdown templates are not (HTML entities would show up literally); they escape student text
with ``md_inline`` and ``md_fence`` instead. Every printed value loses its control characters.
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from grader.reports import text


def md_inline(value: str) -> str:
    """Text safe inside a Markdown paragraph or table cell: one line, no raw HTML, no cell break."""
    value = " ".join(str(value).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_|\[\]])", r"\\\1", value)


def md_fence(value: str) -> str:
    """A fenced code block longer than any backtick run inside, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{value.rstrip()}\n{fence}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("grader.reports", "templates"),
        autoescape=select_autoescape(disabled_extensions=("md",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda value: text.printable(value) if isinstance(value, str) else value,
    )
    env.filters.update(
        points=text.points,
        score_line=text.score_line,
        task_score=text.task_score,
        status_label=text.status_label,
        task_note=text.task_note,
        counterexample=text.counterexample_text,
        diagnosis=text.diagnosis_text,
        problem=text.problem_text,
        md_inline=md_inline,
        md_fence=md_fence,
    )
    return env
