"""What reading a notebook gives: its cells and saved outputs (``Cell``, ``Output``, ``Figure``),
the student's ``Identity``, how it was run (``RunFacts``), the ``Submission`` that holds them,
and what a pack may change about reading (``ReadOptions``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
