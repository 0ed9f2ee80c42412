"""Student prose as HTML: Markdown with LaTeX, rendered offline, then sanitised.

A written answer is Markdown with ``$…$`` and ``$$…$$`` math, the way Jupyter shows it. It is
rendered here once for every page that shows one (the reports, the marking app): Markdown by
markdown-it-py, math converted to MathML on the server by latex2mathml (no script, no CDN), and
the result passed through nh3 with an allow-list. Student text is hostile: no script, no event
handler, no style, no form or frame, and no URL that fetches anything — an image keeps its
source only when it is an inline ``data:image/…`` one, a link only when it is an anchor on the
page. A page showing the result needs no network and runs nothing.
"""

from __future__ import annotations

import re

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from mdit_py_plugins.dollarmath import dollarmath_plugin

from grader.common.bounds import printable

#: Characters of an answer rendered; the rest is cut, and the cut said (a pasted log, an attack).
MAX_CHARS = 50_000
#: Characters of one formula converted; a longer one is shown as its source.
MAX_MATH = 2_000

_MATH_TAGS = {
    "math", "mi", "mn", "mo", "ms", "mspace", "mtext", "mrow", "mfrac", "msqrt", "mroot",
    "msub", "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "merror", "semantics", "annotation",
}  # fmt: skip
_HTML_TAGS = {
    "p", "br", "hr", "em", "strong", "b", "i", "u", "s", "del", "sub", "sup", "code", "pre",
    "kbd", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "thead", "tbody", "tr", "th", "td", "a", "img", "span", "div",
}  # fmt: skip
_MATH_ATTRIBUTES = {
    "display", "mathvariant", "displaystyle", "scriptlevel", "stretchy", "fence", "separator",
    "lspace", "rspace", "accent", "accentunder", "columnalign", "rowspacing", "columnspacing",
    "linethickness", "width", "height", "depth", "minsize", "maxsize", "movablelimits", "form",
    "largeop", "symmetric", "notation", "encoding",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    **{tag: _MATH_ATTRIBUTES for tag in _MATH_TAGS},
}
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Only URLs that fetch nothing: an anchor on the page, an inline raster image."""
    if attribute == "href":
        return value if tag == "a" and value.startswith("#") else None
    if attribute == "src":
        return value if tag == "img" and _DATA_IMAGE.match(value) else None
    return value


def _math(content: str, options: dict) -> str:
    display = "block" if options.get("display_mode") else "inline"
    source = content.strip()
    as_written = f'<code class="tex">{escape(content)}</code>'
    if len(source) > MAX_MATH:
        return as_written
    try:
        return latex_to_mathml(source, display=display)
    except Exception:  # noqa: BLE001 -- any LaTeX the converter cannot read is shown as written
        return as_written


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")
    return md.use(dollarmath_plugin, double_inline=True, renderer=_math)


_MD = _markdown()


def render_answer(text: str | None) -> Markup:
    """``text`` (Markdown with LaTeX) as sanitised HTML, safe to insert in any page as it is."""
    text = printable(text or "")
    cut = len(text) > MAX_CHARS
    clean = sanitise(_MD.render(text[:MAX_CHARS]))
    if cut:
        clean += f'<p class="cut">(answer cut at {MAX_CHARS:,} characters)</p>'
    return Markup(clean)  # sanitised by sanitise()


def sanitise(html: str) -> Markup:
    """Any HTML made from student content, kept to what renders and fetches nothing: the tags
    and MathML above, no script, style or event handler, links only to anchors, images only inline."""
    clean = nh3.clean(
        html,
        tags=_HTML_TAGS | _MATH_TAGS,
        attributes=_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"data"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # sanitised by nh3 just above
