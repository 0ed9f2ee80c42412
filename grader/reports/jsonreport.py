"""``report.json``: the Report contract as a file other tools read back with ``Report.from_dict``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from grader.model.results import Report


def finite(value: Any) -> Any:
    """The value with every NaN or infinity replaced by None: strict JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dump_json(data: Any, path: Path) -> None:
    r"""Indented UTF-8 JSON in a stable order; ``allow_nan=False`` proves the guard held.

    A lone surrogate (a file name with invalid UTF-8 bytes, a ``"\ud800"`` in a notebook) has
    no UTF-8 form; ``backslashreplace`` writes it as the JSON escape ``\udXXX``, which reads
    back as the same string.
    """
    text = json.dumps(finite(data), indent=2, ensure_ascii=False, allow_nan=False)
    path.write_bytes((text + "\n").encode("utf-8", errors="backslashreplace"))


def write_json(report: Report, path: Path) -> None:
    dump_json(report.to_dict(), path)
