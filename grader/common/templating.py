"""The one factory of Jinja environments: every template the grader renders comes from here.

HTML (reports, the class summary, the similarity page, the marking page) is autoescaped:
student answers, outputs, file names and counterexamples are untrusted. Markdown templates
(``.md``) are not (HTML entities would show up literally); they escape student text with the
shared ``md_inline`` and ``md_fence`` filters instead. Every printed value loses its control
characters. ``text=True`` is for the student kit's files (README, workflow, Python, YAML):
nothing is escaped, whitespace is the template's own, and the delimiters may be changed so
that they clash neither with GitHub's ``${{ }}`` nor with bash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from jinja2 import BaseLoader, Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader.common.bounds import printable


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


class Delimiters(TypedDict, total=False):
    """Jinja's delimiters, when a template's own syntax clashes with ``{{ }}``/``{% %}``."""

    variable_start_string: str
    variable_end_string: str
    block_start_string: str
    block_end_string: str
    comment_start_string: str
    comment_end_string: str


#: Filters every environment has.
SHARED_FILTERS: dict[str, Callable[..., Any]] = {"md_inline": md_inline, "md_fence": md_fence}


def _finalize(value: object) -> object:
    if isinstance(value, Markup):  # already safe HTML (``grader.common.render``), printable by construction
        return value
    return printable(value) if isinstance(value, str) else value


def environment(
    package: str | None = None,
    *,
    text: bool = False,
    delimiters: Delimiters | None = None,
    filters: Mapping[str, Callable[..., Any]] | None = None,
) -> Environment:
    """An environment loading ``package``'s ``templates/`` (or none: ``from_string`` only).

    ``text``: files that are not HTML (the kit's), rendered as written. ``delimiters``: other than
    Jinja's. ``filters``: added to the shared ones.
    """
    loader: BaseLoader | None = PackageLoader(package, "templates") if package else None
    env = Environment(
        loader=loader,
        autoescape=False
        if text
        else select_autoescape(disabled_extensions=("md",), default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=not text,
        lstrip_blocks=not text,
        keep_trailing_newline=True,
        finalize=_finalize,
        **(delimiters or {}),
    )
    env.filters.update(SHARED_FILTERS)
    env.filters.update(filters or {})
    return env
