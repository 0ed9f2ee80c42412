"""The file to a validated nbformat v4 notebook: never following a link nor blocking on a
special file, capped in size and JSON depth, old formats upgraded; every failure a problem."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import nbformat
from nbformat import validator

from grader.notebook.problems import Problem

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_file_kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file ("a symbolic link", "a named pipe (FIFO)",
    ...), None for a regular file. Never follows a link: a link to a classmate's notebook or
    to /dev/zero is reported, not read."""
    mode = os.lstat(path).st_mode
    return next((kind for test, kind in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a regular file")


def read_regular_file(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file, opened without following a symbolic link and
    without blocking (a FIFO swapped in after a check is refused, not waited on)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return f.read(limit)


MAX_JSON_DEPTH = 100  # nesting a notebook never needs; deeper would exhaust recursion later


def read_notebook(path: Path, max_bytes: int, max_cells: int) -> tuple[Any | None, list[Problem]]:
    """The notebook as nbformat v4 (or None), with what went wrong reading it."""
    name = path.name or str(path)

    def problem(code: str, message: str, cell: int | None = None) -> tuple[None, list[Problem]]:
        return None, [Problem(code, message, cell=cell)]

    try:
        if not os.path.lexists(path):
            return problem("missing-file", f"{name} does not exist.")
        kind = special_file_kind(path)
        if kind:
            return problem(
                "not-a-file", f"{name} is {kind}, not a notebook file: hand in the .ipynb notebook itself."
            )
        data = read_regular_file(path, max_bytes + 1)
        if len(data) > max_bytes:
            return problem(
                "too-large",
                f"{name} is over the {max_bytes / 2**20:.0f} MB limit: "
                "clear large outputs (e.g. many images) and save it again.",
            )
    except OSError as error:
        return problem("unreadable-file", f"{name} could not be read: {error.strerror or error}.")
    if not data.strip():
        return problem(
            "empty-file", f"{name} is empty (0 bytes of notebook): save the notebook again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return problem(
            "not-utf8",
            f"{name} is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "a notebook saved by Jupyter always is: save it again from Jupyter.",
        )
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return problem(
            "invalid-json",
            f"{name} is not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}. "
            "The file is truncated or was edited by hand; save it again from Jupyter.",
        )
    except (RecursionError, ValueError) as error:
        return problem("invalid-json", f"{name} is not valid JSON: {error}.")
    if _depth_over(raw, MAX_JSON_DEPTH):
        return problem("invalid-json", f"{name} nests JSON over {MAX_JSON_DEPTH} levels deep: not a notebook Jupyter saved.")
    cut = []
    cells = raw.get("cells") if isinstance(raw, dict) else None
    if isinstance(cells, list) and len(cells) > max_cells:
        raw["cells"] = cells[:max_cells]
        cut = [Problem("too-many-cells", f"{name} has {len(cells):,} cells: only the first {max_cells:,} were read.")]
    major = raw.get("nbformat") if isinstance(raw, dict) else None
    if not isinstance(major, int) or isinstance(major, bool):
        return problem(
            "not-a-notebook", f"{name} is JSON but not a Jupyter notebook (no 'nbformat' version)."
        )
    notebook, problems = _to_v4(raw, major, name)
    return notebook, cut + problems


def _depth_over(value: Any, limit: int) -> bool:
    """Whether JSON data nests deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _to_v4(raw: dict, major: int, name: str) -> tuple[Any | None, list[Problem]]:
    """Upgrade an old notebook to v4 and validate it; validation errors do not stop reading."""
    if major != 4:
        try:
            notebook = nbformat.convert(nbformat.versions[major].to_notebook_json(raw), 4)
        except Exception as error:  # noqa: BLE001 -- nbformat raises many kinds on malformed old notebooks
            return None, [
                Problem(
                    "unsupported-format",
                    f"{name} is in notebook format {major}, which could not be read ({type(error).__name__}): "
                    "open it in a current Jupyter and save it again.",
                )
            ]
    else:
        notebook = nbformat.from_dict(raw)
    return notebook, _validation_problems(notebook, name)


def _validation_problems(notebook: Any, name: str, limit: int = 3) -> list[Problem]:
    """Schema errors against the notebook's own minor version (Colab saves 4.0 without cell ids,
    which is valid for 4.0-4.4); a minor newer than nbformat knows is checked as the newest."""
    minor = notebook.get("nbformat_minor") if isinstance(notebook, dict) else None
    minor = minor if isinstance(minor, int) and not isinstance(minor, bool) and minor >= 0 else None
    try:
        if minor is not None:
            minor = min(minor, nbformat.current_nbformat_minor)
        errors: list[Exception] = list(
            validator.iter_validate(notebook, version=4, version_minor=minor)
        )
    except Exception as failure:  # noqa: BLE001 -- the validator itself can fail on odd structures
        errors = [failure]
    problems = []
    for error in errors[:limit]:
        where = list(getattr(error, "absolute_path", ()) or ())
        cell = (
            where[1] + 1
            if len(where) > 1 and where[0] == "cells" and isinstance(where[1], int)
            else None
        )
        detail = str(getattr(error, "message", error))
        detail = detail if len(detail) <= 160 else detail[:157] + "..."
        location = "/".join(str(p) for p in where) or "top level"
        problems.append(
            Problem(
                "invalid-notebook",
                f"{name} does not follow the notebook format at {location}: {detail}. "
                "What could be read was graded.",
                cell=cell,
            )
        )
    if len(errors) > limit:
        problems.append(
            Problem("invalid-notebook", f"{name}: {len(errors) - limit} more format errors.")
        )
    return problems
