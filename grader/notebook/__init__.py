"""Read a submitted notebook: cells, saved outputs, the student's identity, and problems.

Reading never raises on bad input: a corrupt, truncated or misnamed notebook becomes a
``Submission`` whose ``problems`` say what is wrong, so that a batch always goes on.

Problem codes (stable; tools group by them). Those marked * are *blocking*: the grader could
not see part of the work (``grader.notebook.problems.BLOCKING``); the others are notes.

=====================  =====================================================================
code                   meaning
=====================  =====================================================================
missing-file*          the path does not exist
not-a-file*            the path is a directory or another non-regular file
unreadable-file*       the operating system refused to read it
too-large*             larger than ``ReadOptions.max_bytes``: not read at all
too-many-cells*        more cells than ``ReadOptions.max_cells`` (2,000): the rest are not read
                       (the one cap on cells: nothing after reading counts them again)
empty-file*            zero bytes (or only whitespace)
not-utf8*              the bytes are not UTF-8 text
invalid-json*          not JSON (truncated, hand-edited...): the line and column are given
not-a-notebook*        valid JSON, but not a Jupyter notebook
unsupported-format*    a notebook format version nbformat cannot read or upgrade
invalid-notebook       nbformat's schema validation (for the notebook's own minor version)
                       failed; what could be read is still read
no-code*               cells, but no code cell with code in it
empty-notebook*        a notebook without cells
bad-filename           the name is not ``<PREFIX>_LASTNAME_Firstname.ipynb``; no identity from it
filename-copy          a duplicate's mark, ``... (1).ipynb``, ``Copie de ...``; identity still read
filename-form          words joined otherwise (``HW2_DE_LA_FONTAINE_Jean``); identity still read
identity-from-cell     no identity in the name; taken from the ``**STUDENT**:`` cell
filename-extension     the extension is not lower-case ``.ipynb``; identity still read
not-run                no code cell was executed at all (no count, no output)
never-run              some code cells were never executed (no count and no output, while
                       other cells have counts; counts cleared with outputs kept are fine)
out-of-order           execution counts do not increase in cell order
saved-error            a cell's saved outputs contain an error (traceback)
no-authorship          no signed authorship statement near the end
placeholder-left       a code cell still holds the template's placeholder ("WRITE YOUR CODE HERE")
=====================  =====================================================================
"""

from __future__ import annotations

import ast
import base64
import errno
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import PIL.Image
from nbformat import validator

from grader.notebook.magics import neutralise
from grader.notebook.problems import Problem


@dataclass(frozen=True)
class Identity:
    last_name: str
    first_name: str


@dataclass(frozen=True)
class Output:
    """One saved output of a code cell, reduced to what evidence rules look at."""

    output_type: str  # stream | execute_result | display_data | error
    text: str  # stream text, text/plain, or "EName: message" for errors
    images: tuple[
        str, ...
    ] = ()  # MIME types of images in it (image/png, image/jpeg, image/svg+xml)
    figures: tuple[Figure, ...] = ()  # the same images: size and digest, for evidence rules


@dataclass(frozen=True)
class Figure:
    """A saved image: its pixel size (None when it cannot be read) and a digest of its bytes,
    so evidence rules can tell a real figure from a 1x1 pixel or the same image pasted twice."""

    mime: str
    width: int | None
    height: int | None
    digest: str


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position in the notebook, as a student counts cells
    cell_type: str  # code | markdown | raw
    source: str
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()


@dataclass(frozen=True)
class RunFacts:
    """How the notebook was run, as saved in it (cell numbers are 1-based notebook positions)."""

    never_run_cells: tuple[int, ...] = ()  # non-empty code cells without an execution count
    out_of_order: tuple[int, ...] = ()  # cells whose count is below that of an earlier cell
    error_cells: tuple[int, ...] = ()  # cells with a saved error output
    has_authorship: bool = False  # a signed authorship statement near the end
    not_run: bool = False  # code cells exist but none has an execution count


@dataclass
class Submission:
    path: Path
    identity: Identity | None
    cells: tuple[Cell, ...]
    problems: list[Problem] = field(default_factory=list)
    facts: RunFacts = field(default_factory=RunFacts)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def code_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "code")

    @property
    def markdown_cells(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.cell_type == "markdown")


# Regular expressions, searched as given (flags inline): any one marks a statement.
DEFAULT_AUTHORSHIP_PATTERNS: tuple[str, ...] = (
    r"\bI\s*,\s*[^,\n]{2,80},",  # "I, Jane Doe, declare ..."
    r"(?i)\bmy own work\b",
    r"(?i)\bauthorship\b",
    r"(?i)\bI\s+(?:hereby\s+)?(?:certify|declare|confirm|affirm)\b",
    r"(?i)\bhonou?r\s+code\b",
    r"(?i)\bwritten\s+(?:by\s+)?(?:me|myself)\b",
    # French: "Je déclare que ce travail est le résultat de mon seul effort", "Je certifie ..."
    r"(?i)\bje[\s,]*(?:soussign\w*[\s,]*)?(?:[^,\n]{2,80},\s*)?(?:déclare|certifie|atteste|confirme)\b",
    r"(?i)\bmon\s+(?:propre\s+travail|seul\s+effort)\b",
    r"(?i)\bdéclaration\s+d[e'’]\s*(?:paternité|authenticité|originalité)\b",
)
# A statement still holding the template's blank is not signed.
DEFAULT_UNSIGNED_PATTERNS: tuple[str, ...] = (
    r"(?i)<\s*(?:your\s+)?(?:full\s+)?name\s*>",
    r"(?i)\[\s*(?:your\s+)?(?:full\s+)?name\s*\]",
    r"(?i)\byour name\b",
    r"(?i)\bname here\b",
    r"(?i)\bvotre\s+nom\b",
    r"\bNAME\b",  # capitals: a blank, not the word
)


#: Template text left where the student's code should be.
DEFAULT_PLACEHOLDER_PATTERNS = (
    r"(?i)write\s+your\s+code\s+here",
    r"(?i)your\s+code\s+here",
    r"^[^\S\n]*raise\s+NotImplementedError",  # searched with MULTILINE: no line end crossed
)


@dataclass(frozen=True)
class ReadOptions:
    """What an assignment pack may change about reading a submission."""

    # Expected file name: <prefix>_LASTNAME_Firstname.ipynb (the pack's). None: the reader
    # knows no assignment, so the name gives no identity and is not judged.
    prefix: str | None = None
    max_bytes: int = 50 * 1024 * 1024
    max_cells: int = 2_000  # past this many cells the rest is not read (a real one has < 200)
    authorship_patterns: tuple[str, ...] = DEFAULT_AUTHORSHIP_PATTERNS
    unsigned_patterns: tuple[str, ...] = DEFAULT_UNSIGNED_PATTERNS
    authorship_window: int = 5  # how many of the last non-empty cells are searched
    placeholder_patterns: tuple[str, ...] = DEFAULT_PLACEHOLDER_PATTERNS


DEFAULT_OPTIONS = ReadOptions()


def load_submission(path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Submission:
    """Read ``path`` into a ``Submission``; every defect becomes a problem, nothing raises."""
    path = Path(path)
    identity, problems = (
        check_filename(path.name, options.prefix) if options.prefix is not None else (None, [])
    )
    notebook, read_problems = _read_notebook(path, options.max_bytes, options.max_cells)
    problems += read_problems
    cells = _cells(notebook) if notebook is not None else ()
    if notebook is not None and not cells and not read_problems:
        problems.append(Problem("empty-notebook", f"{path.name} is a notebook without any cells."))
    elif cells and not any(c.cell_type == "code" and c.source.strip() for c in cells):
        problems.append(Problem("no-code", f"{path.name} has no code cell with code in it."))
    if identity is None and cells:
        identity = identity_from_cells(cells, options)
        if identity is not None:
            problems.append(
                Problem(
                    "identity-from-cell",
                    f"The name was taken from the notebook's STUDENT cell: {identity.last_name}, "
                    f"{identity.first_name}.",
                )
            )
    facts = run_facts(cells, options)
    if cells:
        problems += _fact_problems(cells, facts)
        problems += _placeholder_problems(cells, options)
    return Submission(path=path, identity=identity, cells=cells, problems=problems, facts=facts)


# ---------------------------------------------------------------- file name


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


# ---------------------------------------------------------------- reading the file


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


def _read_notebook(path: Path, max_bytes: int, max_cells: int) -> tuple[Any | None, list[Problem]]:
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


# ---------------------------------------------------------------- cells and outputs


def _text(value: Any) -> str:
    """nbformat multiline strings may be a string or a list of strings."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def _cells(notebook: Any) -> tuple[Cell, ...]:
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


# ---------------------------------------------------------------- how it was run


def run_facts(cells: tuple[Cell, ...], options: ReadOptions = DEFAULT_OPTIONS) -> RunFacts:
    """What the saved notebook says about how it was run, in notebook (cell) order."""
    code = [c for c in cells if c.cell_type == "code" and c.source.strip()]
    counted = [c for c in code if c.execution_count is not None]
    # Counts cleared with every output kept (a tool's export) say nothing about what ran; a
    # cell without a count is "never run" only when it also has no output.
    cleared = not counted and any(c.outputs for c in code)
    never_run = () if cleared else tuple(c.index for c in code if c.execution_count is None and not c.outputs)
    # Every count 0 (as some exports save them) says nothing about the order.
    constant = len(counted) > 1 and {c.execution_count for c in counted} == {0}
    out_of_order: list[int] = []
    highest: int | None = None
    for index, count in [(c.index, c.execution_count) for c in code if c.execution_count is not None and not constant]:
        if highest is not None and count <= highest:
            out_of_order.append(index)
        highest = count if highest is None else max(highest, count)
    errors = tuple(c.index for c in code if any(o.output_type == "error" for o in c.outputs))
    return RunFacts(
        never_run_cells=never_run,
        out_of_order=tuple(out_of_order),
        error_cells=errors,
        has_authorship=_has_authorship(cells, options),
        not_run=bool(code) and len(never_run) == len(code),
    )


def _has_authorship(cells: tuple[Cell, ...], options: ReadOptions) -> bool:
    tail = [c for c in cells if c.source.strip()][-options.authorship_window :]
    for cell in tail:
        signed = any(re.search(p, cell.source) for p in options.authorship_patterns)
        blank = any(re.search(p, cell.source) for p in options.unsigned_patterns)
        if signed and not blank:
            return True
    return False


def _placeholder_problems(cells: tuple[Cell, ...], options: ReadOptions) -> list[Problem]:
    left = [
        c.index
        for c in cells
        if c.cell_type == "code"
        and any(re.search(p, c.source, re.MULTILINE) for p in options.placeholder_patterns)
        and _unfinished(c.source)
    ]
    if not left:
        return []
    cells_text = _cell_list(left)
    return [
        Problem(
            "placeholder-left",
            f"{cells_text[0].upper()}{cells_text[1:]} still hold{'s' if len(left) == 1 else ''} the "
            "template's placeholder (\"WRITE YOUR CODE HERE\"): a task there may be unfinished.",
            cell=left[0],
        )
    ]


def _unfinished(source: str) -> bool:
    """A cell holding the placeholder is unfinished when nothing but the placeholder is there: no
    code, or a function whose body does nothing (students often leave the handout's
    ``#  WRITE YOUR CODE HERE  #`` block above the code they wrote)."""
    try:
        tree = ast.parse(neutralise(source)[0])  # %%time and !pip become Python first
    except (SyntaxError, ValueError, RecursionError):
        return True
    if not tree.body:
        return True
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and "NotImplementedError" in ast.unparse(node):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            if all(isinstance(s, ast.Pass) or (isinstance(s, ast.Return) and s.value is None) for s in body):
                return True
    return False


def _cell_list(cells: list[int]) -> str:
    """[4, 7, 9] → "cells 4, 7 and 9"."""
    if len(cells) == 1:
        return f"cell {cells[0]}"
    shown = [str(c) for c in cells[:12]]
    more = f" and {len(cells) - 12} more" if len(cells) > 12 else ""
    if more:
        return f"cells {', '.join(shown)}{more}"
    return f"cells {', '.join(shown[:-1])} and {shown[-1]}"


def _fact_problems(cells: tuple[Cell, ...], facts: RunFacts) -> list[Problem]:
    by_index = {c.index: c for c in cells}
    problems = []
    if facts.not_run:
        problems.append(
            Problem(
                "not-run",
                "The notebook was never run: no code cell has an execution count. "
                "Hand in the notebook after running it (Kernel → Restart & Run All), so that its "
                "outputs and figures are there.",
            )
        )
    elif facts.never_run_cells:
        cells_text = _cell_list(list(facts.never_run_cells))
        problems.append(
            Problem(
                "never-run",
                f"{cells_text[0].upper()}{cells_text[1:]} {'was' if len(facts.never_run_cells) == 1 else 'were'} "
                "never run, so their outputs are missing.",
                cell=facts.never_run_cells[0],
            )
        )
    if facts.out_of_order:
        first = by_index[facts.out_of_order[0]]
        earlier = max(
            (c for c in cells if c.index < first.index and c.execution_count is not None),
            key=lambda c: c.execution_count or 0,
            default=first,
        )
        problems.append(
            Problem(
                "out-of-order",
                f"Cells were run out of order: {_cell_list(list(facts.out_of_order))} ran before a cell "
                f"above (cell {first.index} has [{first.execution_count}], cell {earlier.index} above it "
                f"has [{earlier.execution_count}]). The grader rebuilds your code in cell order: run "
                "the notebook top to bottom (Restart & Run All) before handing it in.",
                cell=first.index,
            )
        )
    for index in facts.error_cells:
        error = next(o for o in by_index[index].outputs if o.output_type == "error")
        problems.append(
            Problem(
                "saved-error",
                f"Cell {index} ended with an error: {error.text.split(':', 1)[0]}.",
                cell=index,
            )
        )
    if not facts.has_authorship:
        problems.append(
            Problem(
                "no-authorship",
                "No signed authorship statement found near the end of the notebook "
                '(e.g. "I, Jane Doe, certify that this is my own work.").',
            )
        )
    return problems
