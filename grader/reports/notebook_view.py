"""The notebook as handed in, beside its report: each task's saved figures as files, and the
whole notebook rendered to HTML by nbconvert (sanitised: it is the student's content).

Grading records where each task's figures are (``figure_places``, in the report's meta); the
class folder's writer, which has the notebook, writes them (``write_notebook_files``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.common.render import render_answer, sanitise
from grader.notebook.model import DEFAULT_OPTIONS
from grader.notebook.reading import read_regular_file
from grader.notebook.sections import Section

#: The images a report shows: raster only (an SVG can carry script).
SHOWN = {"image/png": "png", "image/jpeg": "jpg"}
MAX_FIGURES = 80  # per notebook: a real one has 15 to 30
MAX_FIGURE_BYTES = 8 * 1024**2
NOTEBOOK_HTML = "notebook.html"
FIGURES_DIR = "figures"


def figure_places(sections: Mapping[str, Section]) -> dict[str, list[dict[str, Any]]]:
    """Task -> where its saved figures are (cell, output, MIME type) and the file each becomes."""
    places: dict[str, list[dict[str, Any]]] = {}
    count = 0
    for task, section in sections.items():
        for cell in section.code_cells:
            for k, output in enumerate(cell.outputs):
                for mime in output.images:
                    if mime not in SHOWN or count >= MAX_FIGURES:
                        continue
                    n = len(places.setdefault(task, [])) + 1
                    places[task].append(
                        {"cell": cell.index, "output": k, "mime": mime, "file": f"{FIGURES_DIR}/{task}-{n}.{SHOWN[mime]}"}
                    )
                    count += 1
    return places


def write_notebook_files(notebook: Path, out_dir: Path, places: Mapping[str, list[Mapping[str, Any]]]) -> dict[str, Any]:
    """Write the figures ``places`` names and ``notebook.html`` into ``out_dir``; what was written
    (``{"figures": [...files], "notebook": "notebook.html" or None}``). Never raises on what the
    notebook holds: a figure or a page that cannot be made is left out."""
    written: dict[str, Any] = {"figures": [], "notebook": None}
    data = _read(notebook)
    nb = _parse(data) if data is not None else None
    if data is None or nb is None:
        return written
    cells = nb.get("cells", [])
    for place in (p for task in places.values() for p in task):
        image = _image(cells, place)
        if image is not None:
            path = Path(out_dir) / place["file"]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(image)
            written["figures"].append(place["file"])
    ahead = _rendered.pop(Path(notebook), None)
    body = ahead[1] if ahead is not None and ahead[0] == hashlib.sha256(data).digest() else _render(nb)
    if body is None:
        return written
    name = os.fsencode(notebook.name).decode("utf-8", "backslashreplace")  # undecodable bytes escaped
    (Path(out_dir) / NOTEBOOK_HTML).write_text(_page(name, body), encoding="utf-8")
    written["notebook"] = NOTEBOOK_HTML
    return written


#: Pages rendered ahead of their writing (``render_ahead``): notebook -> (digest of the bytes
#: rendered, the sanitised cells or None).
_rendered: dict[Path, tuple[bytes, str | None]] = {}


def render_ahead(notebook: Path) -> None:
    """Render ``notebook``'s page now, for ``write_notebook_files`` to write later: a grader
    that waits for something else (the runtime's zygote importing torch) renders meanwhile.
    The page is used only for the very bytes it was made from."""
    data = _read(notebook)
    nb = _parse(data) if data is not None else None
    if data is not None and nb is not None:
        _rendered[Path(notebook)] = (hashlib.sha256(data).digest(), _render(nb))


def _read(notebook: Path) -> bytes | None:
    """The notebook's bytes as the reader opens it: a regular file only, no link followed, never
    blocking (a FIFO or /dev/zero handed in is a problem in the report, not a hang here), size
    capped; None when it cannot be read."""
    try:
        data = read_regular_file(Path(notebook), DEFAULT_OPTIONS.max_bytes + 1)
    except Exception:  # noqa: BLE001 - unreadable: its problems are in the report already
        return None
    return data if len(data) <= DEFAULT_OPTIONS.max_bytes else None


def _parse(data: bytes) -> Any:
    import nbformat

    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:  # noqa: BLE001 - unreadable: its problems are in the report already
        return None


def _render(nb: Any) -> str | None:
    """The notebook's cells as sanitised HTML; None for a notebook nbconvert cannot render."""
    try:
        from nbconvert import HTMLExporter

        # markdown cells through the reports' renderer (LaTeX to MathML), then the whole page
        # through its sanitiser: a notebook's HTML outputs are the student's too. nbconvert's
        # own per-fragment cleaning (bleach, a third of the render) is left to that sanitiser.
        filters = {"markdown2html": lambda source, **_: render_answer(source), "clean_html": _as_text}
        exporter = HTMLExporter(template_name="basic", filters=filters)
        nb.metadata.pop("widgets", None)  # Colab saves widget state nbconvert cannot read; none is shown
        return str(sanitise(exporter.from_notebook_node(nb)[0]))
    except Exception:  # noqa: BLE001 - a notebook nbconvert cannot render has no page
        return None


def _as_text(fragment: str | bytes) -> str:
    """A fragment as nbconvert's ``clean_html`` takes it (an SVG comes as bytes), uncleaned:
    the whole page is sanitised once it is made."""
    return fragment.decode("utf-8", "replace") if isinstance(fragment, bytes) else str(fragment)


def _image(cells: list, place: Mapping[str, Any]) -> bytes | None:
    try:
        output = cells[int(place["cell"]) - 1]["outputs"][int(place["output"])]
        text = output["data"][place["mime"]]
        encoded = "".join(text) if isinstance(text, list) else str(text)
        if len(encoded) > MAX_FIGURE_BYTES * 4 // 3 + 4:
            return None
        return base64.b64decode(encoded, validate=False)
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        return None


def _page(title: str, body: str) -> str:
    """The rendered cells in a page of their own: no script, nothing fetched, images inline."""
    from html import escape

    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
        "pre,p,li{white-space:pre-wrap;overflow-wrap:anywhere}img{max-width:100%}"
        ".jp-InputPrompt,.jp-OutputPrompt{color:#888;font-size:.8em}</style>\n"
        f"</head><body>\n<p><a href=\"report.html\">← the report</a> · the notebook as handed in: <code>{escape(title)}</code></p>\n"
        f"{body}\n</body></html>\n"
    )
