"""CSV as the instructor's spreadsheet writes and reads it: comma or semicolon, UTF-8 or cp1252.

French Excel saves ``;``-separated CSV in the Windows code page (cp1252) with decimal commas,
and opens a comma-separated file in one column. So every CSV the grader writes takes a dialect
(``excel``: ``,`` and decimal point; ``excel-fr``: ``;`` and decimal comma; both UTF-8 with a
byte-order mark, which Excel needs to read accents), and every CSV it reads is decoded as
UTF-8 when it is UTF-8 and as cp1252 otherwise, its delimiter found by ``csv.Sniffer``. A file
read keeps its ``CsvFormat``, so a sheet filled and written back (the Moodle worksheet) has the
encoding, delimiter and line ends it came with.

Every CSV the grader writes goes through ``write_table``, which neutralises cells a spreadsheet
would run as a formula (names, file names and comments come from students): this module is the
one place that guard lives.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Delimiters a spreadsheet may have used.
DELIMITERS = ",;\t"

#: First characters that make a spreadsheet run a cell as a formula (OWASP, "CSV Injection"),
#: tab and carriage return included: some spreadsheets skip them, then read the formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A plain number, negative ones included: a spreadsheet reads it as a value, never a formula.
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV file is written: what a dialect name stands for, or what a file read used."""

    encoding: str = "utf-8-sig"
    delimiter: str = ","
    decimal: str = "."
    lineterminator: str = "\r\n"


#: ``--csv-dialect`` choices.
DIALECTS = {
    "excel": CsvFormat(),
    "excel-fr": CsvFormat(delimiter=";", decimal=","),
}


def dialect(name: str) -> CsvFormat:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown CSV dialect {name!r}: one of {', '.join(DIALECTS)}") from None


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without a byte-order mark), else cp1252.

    cp1252 leaves five bytes undefined; those fall back to latin-1 so that reading never fails.
    """
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    return data.decode("latin-1"), "latin-1"


def read_table(path: Path) -> tuple[list[list[str]], CsvFormat]:
    """Every row of a CSV file (header first) and the format it was written in."""
    text, encoding = decode(Path(path).read_bytes())
    sample = text[:64 * 1024]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 1)[0] or sample, DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    line_end = "\r\n" if "\r\n" in sample else "\n"
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    decimal = "," if delimiter == ";" else "."
    return rows, CsvFormat(encoding, delimiter, decimal, line_end)


def read_dicts(path: Path) -> tuple[list[str], list[dict[str, str]], CsvFormat]:
    """The header, the rows as dicts (keyed by header cell; row ``i`` is the file's row
    ``i + 2``, blank rows kept) and the format of a CSV file."""
    rows, fmt = read_table(path)
    header = [h.strip() for h in rows[0]] if rows else []
    records = [
        dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in rows[1:]
    ]
    return header, records, fmt


def neutralise(cell: str) -> str:
    """The cell as text a spreadsheet shows and never runs: ``'`` before a formula's first
    character (``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``); plain numbers stay numbers."""
    if cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """A cell read back from a sheet the grader wrote: the ``'`` ``neutralise`` added removed."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def write_table(
    path: Path, rows: Iterable[Sequence[str]], fmt: CsvFormat, *, as_read: bool = False
) -> None:
    """Write ``rows`` in ``fmt``, every cell through ``neutralise``; a character the encoding
    lacks becomes ``?`` rather than an error.

    ``as_read``: the rows are a file that was read (the Moodle worksheet), filled in and written
    back for the program that made it; its cells go back as they came, and the caller
    neutralises the cells it filled.
    """
    with open(path, "w", encoding=fmt.encoding, errors="replace", newline="") as f:
        writer = csv.writer(f, delimiter=fmt.delimiter, lineterminator=fmt.lineterminator)
        writer.writerows(rows if as_read else ([neutralise(cell) for cell in row] for row in rows))


def number(x: float, fmt: CsvFormat = DIALECTS["excel"]) -> str:
    """Points as people write them (``2``, ``1.5``), with the format's decimal separator."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return text.replace(".", fmt.decimal)


def parse_number(cell: str) -> float:
    """A number written with a decimal point or comma (``1.5``, ``1,5``); raises ValueError."""
    return float(cell.strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
