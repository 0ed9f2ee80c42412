"""The one renderer of student prose: Markdown and LaTeX shown, everything active made inert."""

from __future__ import annotations

import time
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from grader.common.render import MAX_CHARS, render_answer
from grader.reports import write_report, write_student_report
from tests.support.reportfactory import make_report

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=http://evil.example/x.png onerror=alert(1)>",
    '<img src="https://evil.example/track.gif">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="http://evil.example/">remote</a>',
    "<svg onload=alert(1)><circle r=5 /></svg>",
    '<math href="http://evil.example/"><mi href="javascript:alert(1)">x</mi></math>',
    '<iframe src="http://evil.example/"></iframe>',
    '<form action="http://evil.example/"><input name=q></form>',
    "<style>body { background: url(http://evil.example/x) }</style>",
    '<div style="background: url(http://evil.example/x)">styled</div>',
    '<object data="http://evil.example/x.swf"></object>',
    '<link rel=stylesheet href="http://evil.example/x.css">',
    '<p onclick="alert(1)" onmouseover="alert(1)">hover</p>',
    "![remote](http://evil.example/x.png)",
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
]


class _Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _active_parts(html: str) -> list[str]:
    """Everything in ``html`` that runs, styles, or fetches: empty for inert HTML."""
    found = []
    for tag, attrs in _Elements(html).elements:
        if tag in {"script", "style", "iframe", "form", "input", "object", "embed", "link", "svg", "base", "meta"}:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "action", "formaction", "xlink:href", "srcset"}:
                found.append(f"{tag}[{name}]")
            if name == "href" and not (value or "").startswith("#"):
                found.append(f"{tag}[href={value}]")
            if name == "src" and not (value or "").startswith("data:image/png"):
                found.append(f"{tag}[src={value}]")
    return found


def test_markdown_and_latex_are_rendered_to_html_and_mathml():
    html = render_answer(r"The gradient $\frac{\partial s}{\partial Y_o}$ with **lr = 2**." "\n\n$$x^2$$")
    tags = [tag for tag, _ in _Elements(html).elements]
    assert "<strong>lr = 2</strong>" in html
    assert tags.count("math") == 2 and "mfrac" in tags and "msub" in tags and "msup" in tags
    assert '<math display="block">' in html and '<math display="inline">' in html
    assert "$" not in html


def test_latex_the_converter_cannot_read_is_shown_as_written():
    html = render_answer(r"see $\frac{1}{$ here")
    assert r"\frac{1}{" in html and "<math" not in html


@pytest.mark.parametrize("attack", ATTACKS)
def test_hostile_answers_are_rendered_inert(attack):
    html = render_answer(f"Answer: {attack} end")
    assert _active_parts(html) == [], html


def test_hostile_answers_lose_only_what_is_active():
    html = render_answer('<p onclick="alert(1)">my answer</p> <a href="#fig">see the figure</a>')
    assert "my answer" in html and '<a href="#fig"' in html and "onclick" not in html


def test_an_inline_raster_image_is_kept():
    png = "data:image/png;base64,iVBORw0KGgo="
    assert f'src="{png}"' in render_answer(f'<img src="{png}" alt="plot">')


def test_a_huge_answer_is_cut_and_rendered_quickly():
    start = time.perf_counter()
    html = render_answer("$" + "{" * 1500 + "$ " + "word " * 100_000)
    assert time.perf_counter() - start < 5
    assert len(html) < 2 * MAX_CHARS and "answer cut at" in html
    assert _active_parts(html) == []


def test_nothing_written_renders_nothing():
    assert render_answer(None) == "" and render_answer("") == ""


def test_both_reports_show_the_written_answer_rendered(tmp_path):
    report = make_report()
    answer = r"$\frac{\partial s}{\partial Y_o}$ so **lr = 2** <img src=http://evil.example/x onerror=alert(1)>"
    tasks = tuple(replace(t, answer=answer) if t.id == "1.1" else t for t in report.tasks)
    report = replace(report, tasks=tasks)
    write_report(report, tmp_path)
    write_student_report(report, tmp_path / "student")
    for page in (tmp_path / "report.html", tmp_path / "student" / "report.html"):
        html = page.read_text(encoding="utf-8")
        assert "<mfrac>" in html and "<strong>lr = 2</strong>" in html
        assert "evil.example" not in html and "onerror" not in html
