"""Who handed the notebook in: the identity in its file name (``<PREFIX>_LASTNAME_Firstname``,
and the forms students write instead), or in the handout's ``**STUDENT**:`` cell."""

from __future__ import annotations

import re
import unicodedata

from grader.notebook.model import Cell, Identity, ReadOptions
from grader.notebook.problems import Problem

_NAME_PART = r"[^\W\d_]+(?:[-' .][^\W\d_]+)*\.?"  # unicode letters; hyphens, apostrophes, spaces
# A run of spaces is tried from its start only (the lookbehinds), not from each of its characters.
_COPY_SUFFIX = re.compile(
    r"(?P<copy>(?<!\s)\s*\(\d+\)|(?<!\s)\s*-\s*Copy\d*|(?<!\s)\s+copy\s*\d*)$", re.IGNORECASE
)
_COPY_PREFIX = re.compile(r"^(?P<copy>(?:Copie de|Copy of|Kopie von|Copia de)\s+)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*\.?")


def parse_identity(filename: str, prefix: str) -> Identity | None:
    """``HW2_DE-LA-FONTAINE_Jean-Pierre.ipynb`` → Identity("DE-LA-FONTAINE", "Jean-Pierre") (prefix HW2).

    Tolerates an upper-case extension and a download duplicate suffix (`` (1)``); returns
    None for a name that does not follow the expected form.
    """
    return check_filename(filename, prefix)[0]


def check_filename(filename: str, prefix: str) -> tuple[Identity | None, list[Problem]]:
    """The identity in ``filename`` and the problems with the name itself."""
    name = unicodedata.normalize("NFC", filename.strip())
    expected = f"{prefix}_LASTNAME_Firstname.ipynb"
    problems: list[Problem] = []
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() != "ipynb":
        return None, [
            Problem("bad-filename", f"{filename} should be named {expected} (a .ipynb notebook).")
        ]
    if extension != "ipynb":
        problems.append(
            Problem(
                "filename-extension",
                f"{filename} should end in lower-case .ipynb, as in {expected}.",
            )
        )
    copies = [m for m in (_COPY_SUFFIX.search(stem), _COPY_PREFIX.search(stem)) if m]
    for copy in sorted(copies, key=lambda m: -m.start()):  # the suffix first: spans stay valid
        stem = stem[: copy.start()] + stem[copy.end() :]
    if copies:
        said = " and ".join(repr(m.group("copy").strip()) for m in copies)
        problems.append(
            Problem(
                "filename-copy",
                f"{filename} looks like a downloaded copy ({said} in the name); name it {stem}.ipynb.",
            )
        )
    match = re.fullmatch(
        rf"{re.escape(prefix)}_(?P<last>{_NAME_PART})_(?P<first>{_NAME_PART})", stem
    )
    identity: Identity | None
    if match and _first_name_first(match["last"], match["first"]):  # A2_Yassine_ZAOUI
        identity, match = Identity(match["first"], match["last"]), None
    else:
        identity = Identity(match["last"], match["first"]) if match else _joined_name(stem, prefix)
    if identity is None:  # the one problem worth saying: how to name it
        return None, [
            Problem(
                "bad-filename",
                f"{filename} does not follow the required name {expected}: the prefix {prefix}, "
                "your last name and your first name, separated by underscores "
                f"(use hyphens inside a name, e.g. {prefix}_DE-LA-FONTAINE_Jean-Pierre.ipynb).",
            )
        ]
    if match is None:
        problems.append(
            Problem(
                "filename-form",
                f"{filename} was read as {identity.last_name}, {identity.first_name}; the required "
                f"form is {expected} (use hyphens inside a name).",
            )
        )
    return identity, problems


def _first_name_first(last: str, first: str) -> bool:
    """``Yassine`` then ``ZAOUI``: the name in capitals is the last name, wherever it stands."""
    return first.isupper() and len(first) > 1 and not last.isupper()


def _joined_name(stem: str, prefix: str) -> Identity | None:
    """Multi-word names joined by ``_`` or ``-``: ``HW2_DE_LA_FONTAINE_Jean_Pierre``, ``HW2-DOE-Jane``,
    or first name first (``HW2_Jean_Pierre_DE_LA_FONTAINE``).

    The last name is the run of words in capitals that leads (or, failing that, ends) the name,
    the first name the capitalised words beside it; anything else (``Jane_final``, lower-case
    words) is not a name.
    """
    head = re.match(rf"{re.escape(prefix)}[_-]", stem)
    if head is None:
        return None
    words = re.split(r"[_-]", stem[head.end() :])
    if len(words) < 2 or not all(_WORD.fullmatch(w) for w in words):
        return None
    capitals = 0
    while capitals < len(words) and words[capitals].isupper():
        capitals += 1
    if capitals == 0:  # first name first: the capitals end the name
        trailing = 0
        while trailing < len(words) and words[-1 - trailing].isupper():
            trailing += 1
        if trailing and _given_names(words[:-trailing]):
            return Identity(" ".join(words[-trailing:]), " ".join(words[:-trailing]))
        return None
    if len(words) == 2 and capitals < 2:
        capitals = 1
    first = words[capitals:]
    if not first or not _given_names(first):
        return None
    return Identity(" ".join(words[:capitals]), " ".join(first))


def _given_names(words: list[str]) -> bool:
    return bool(words) and all(w[0].isupper() and not w.isupper() or len(w) == 1 for w in words)


#: The handout's second cell: ``**STUDENT**:  YOUR NAME HERE``.
#: Leading marks are read within the line (``^\s*`` would retry from each line start across a
#: run of blank lines, in time quadratic in the run).
_STUDENT_CELL = re.compile(r"(?im)^(?:[^\S\n]|[>*_#])*(?:student|étudiant(?:e)?|name|nom)[*_\s]*:[*_\s]*(?P<name>[^\n]+)")


def identity_from_cells(cells: tuple[Cell, ...], options: ReadOptions) -> Identity | None:
    """The name the student typed in the handout's ``**STUDENT**:`` cell, if not the blank."""
    for cell in [c for c in cells if c.cell_type == "markdown"][:6]:
        found = _STUDENT_CELL.search(cell.source)
        if not found or any(re.search(p, found["name"]) for p in options.unsigned_patterns):
            continue
        words = _WORD.findall(found["name"])
        if not 2 <= len(words) <= 6:
            continue
        capitals = [w for w in words if w.isupper() and len(w) > 1]
        if capitals and len(capitals) < len(words):
            rest = [w for w in words if w not in capitals]
            return Identity(" ".join(capitals), " ".join(rest))
        return Identity(words[-1], " ".join(words[:-1]))
    return None
