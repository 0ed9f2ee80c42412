"""IPython syntax in a cell → plain Python that only *calls* ``get_ipython()``.

IPython's own ``TransformerManager`` turns ``%magics``, ``!shell``, ``x = !ls`` and ``obj?``
help into ``get_ipython()...`` calls. A cell magic that wraps Python (``%%time``,
``%%capture`` ...) keeps its body as the cell; any other (``%%bash``, ``%%writefile`` ...)
becomes one call. Nothing is executed here.

Its own module because both reading a notebook (is a cell only a placeholder?) and rebuilding
the namespace (``grader.source``) parse cells as Python, and reading must not depend on the
classification layer.
"""

from __future__ import annotations

import warnings

#: Cell magics whose body is Python that runs as written (``%%time`` then the code).
PYTHON_CELL_MAGICS: frozenset[str] = frozenset({"time", "timeit", "capture", "prun"})


def neutralise(
    source: str, python_cell_magics: frozenset[str] = PYTHON_CELL_MAGICS
) -> tuple[str, int]:
    """IPython syntax → plain Python that only *calls* ``get_ipython()``; never executes anything.

    Returns the text and how many lines of the cell precede it (a kept ``%%time`` line, blank
    lines), so that cell line = text line + offset. A backslash-continued magic may shorten the
    text by its continuation lines.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    offset = 0
    while len(lines) > 1 and not lines[0].strip():
        lines, offset = lines[1:], offset + 1
    first = lines[0].strip()
    if first.startswith("%%") and first[2:].split(" ")[0] in python_cell_magics:
        lines, offset = lines[1:], offset + 1
    text = "\n".join(lines)
    # imported at the first cell read: IPython costs 0.1 s, and ``PYTHON_CELL_MAGICS`` is read
    # by commands that read no cell (``Policy``'s default, in a pack's declaration)
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        with warnings.catch_warnings():  # it warns about odd line breaks (\x1c, \u2028...)
            warnings.simplefilter("ignore")
            return TransformerManager().transform_cell(text), offset
    except Exception:  # noqa: BLE001 -- IPython's transformer may fail on arbitrary text; keep it as is
        return text, offset
