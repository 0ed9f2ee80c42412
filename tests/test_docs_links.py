"""Every relative link and image of the README and of ``docs/`` points at a file of the checkout,
and every ``#anchor`` at a heading of its page, as GitHub names headings. ``tox -e docs``
(``mkdocs build --strict``) checks the site's own links with MkDocs' names: an anchor must work
in both, on GitHub and on the site."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(anchors_plugin, max_level=6)


def links(page: Path) -> list[str]:
    """The targets of the page's links and images, in order."""
    found = []
    for block in _parser().parse(page.read_text(encoding="utf-8")):
        for token in block.children or ():
            target = token.attrGet("href") if token.type == "link_open" else token.attrGet("src")
            if isinstance(target, str):
                found.append(target)
    return found


@cache
def anchors(page: Path) -> frozenset[str]:
    """The ids GitHub gives the page's headings."""
    tokens = _parser().parse(page.read_text(encoding="utf-8"))
    return frozenset(str(t.attrGet("id")) for t in tokens if t.type == "heading_open")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue  # a web address: not the checkout's to check
        path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not path.exists() or not path.is_relative_to(ROOT):
            broken.append(f"{target}: no file {path}")
        elif parts.fragment and path.suffix == ".md" and parts.fragment not in anchors(path):
            broken.append(f"{target}: no heading #{parts.fragment} in {path.relative_to(ROOT)}")
    assert not broken, broken


def test_the_pages_have_links_to_check() -> None:
    """The collector sees links at all: the README links into docs/, docs/ between its pages."""
    assert "docs/instructor.md#exit-status" in links(ROOT / "README.md")
    assert any(t.startswith("sandbox.md") for t in links(ROOT / "docs" / "security.md"))
