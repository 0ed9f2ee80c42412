"""An nbformat notebook to ``Cell`` records: sources, execution counts, saved outputs reduced to
their text, and each image's size and digest (``Figure``)."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from typing import Any

import PIL.Image

from grader.notebook.model import Cell, Figure, Output


def _text(value: Any) -> str:
    """nbformat multiline strings may be a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def notebook_cells(notebook: Any) -> tuple[Cell, ...]:
    raw_cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(raw_cells, list):
        return ()
    cells = []
    for index, raw in enumerate(raw_cells, start=1):
        if not isinstance(raw, dict):
            continue
        kind = raw.get("cell_type")
        cell_type: str = kind if kind in ("code", "markdown", "raw") else "raw"
        count = raw.get("execution_count")
        count = count if isinstance(count, int) and not isinstance(count, bool) else None
        outputs = raw.get("outputs") if cell_type == "code" else None
        cells.append(
            Cell(
                index=index,
                cell_type=cell_type,
                source=_text(raw.get("source")),
                execution_count=count if cell_type == "code" else None,
                outputs=tuple(_output(o) for o in outputs if isinstance(o, dict))
                if isinstance(outputs, list)
                else (),
            )
        )
    return tuple(cells)


def _output(raw: dict) -> Output:
    output_type = raw.get("output_type")
    kind = output_type if isinstance(output_type, str) else "unknown"
    if kind == "stream":
        return Output(kind, _text(raw.get("text")))
    if kind == "error":
        ename, evalue = raw.get("ename"), raw.get("evalue")
        return Output(
            kind,
            f"{ename if isinstance(ename, str) else 'Error'}: {evalue if isinstance(evalue, str) else ''}",
        )
    bundle = raw.get("data")
    data: dict[Any, Any] = bundle if isinstance(bundle, dict) else {}
    images = tuple(mime for mime in data if isinstance(mime, str) and mime.startswith("image/"))
    return Output(kind, _text(data.get("text/plain")), images, tuple(_figure(m, data[m]) for m in images))


_SVG_SIZE = re.compile(r"<svg\b[^>]*?\bwidth=\"([\d.]+)[a-z]*\"[^>]*?\bheight=\"([\d.]+)[a-z]*\"")


def _figure(mime: str, value: Any) -> Figure:
    """Size and digest of one image of an output (base64 for bitmaps, text for SVG)."""
    text = _text(value)
    if mime == "image/svg+xml":
        raw = text.encode("utf-8", "replace")
        size = _SVG_SIZE.search(text[:4096])
        width, height = (round(float(size[1])), round(float(size[2]))) if size else (None, None)
    else:
        try:
            raw = base64.b64decode(text, validate=False)
            with PIL.Image.open(io.BytesIO(raw)) as image:  # reads the header only
                width, height = image.size
        except (ValueError, OSError, PIL.Image.DecompressionBombError):
            width = height = None
            raw = text.encode("utf-8", "replace")
    return Figure(mime, width, height, hashlib.sha256(raw).hexdigest())
