"""Reading CSV as spreadsheets save it: ``,`` or ``;``, UTF-8 (with or without BOM) or cp1252."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader.common import csvio

ROWS = [["submission", "student", "points"], ["A2_LEFEVRE_Zoe", "LEFÈVRE Zoë", "1,5"]]


@pytest.mark.parametrize(
    ("encoding", "delimiter", "read_as"),
    [("utf-8-sig", ",", "utf-8-sig"), ("utf-8", ";", "utf-8"), ("cp1252", ";", "cp1252")],
)
def test_read_what_a_spreadsheet_wrote(tmp_path, encoding, delimiter, read_as):
    path = tmp_path / "sheet.csv"
    text = "\r\n".join(delimiter.join(f'"{c}"' if "," in c else c for c in row) for row in ROWS)
    path.write_bytes(text.encode(encoding))
    rows, fmt = csvio.read_table(path)
    assert rows == ROWS
    assert (fmt.encoding, fmt.delimiter, fmt.lineterminator) == (read_as, delimiter, "\r\n")
    assert csvio.parse_number(rows[1][2]) == 1.5


def test_write_keeps_the_format_read(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes("a;b\nZoë;1,5\n".encode("cp1252"))
    rows, fmt = csvio.read_table(path)
    csvio.write_table(tmp_path / "out.csv", rows, fmt)
    assert (tmp_path / "out.csv").read_bytes() == path.read_bytes()


def test_numbers_in_each_dialect():
    assert csvio.number(1.5, csvio.dialect("excel-fr")) == "1,5"
    assert csvio.number(2.0, csvio.dialect("excel")) == "2"
    with pytest.raises(ValueError, match="excel-fr"):
        csvio.dialect("excel-de")


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+a.ipynb", "'+a.ipynb"),
        ("-2+3", "'-2+3"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-1,5", "-1,5"),  # a number is a value, never a formula
        ("DOE Jane", "DOE Jane"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path, cell, written):
    csvio.write_table(tmp_path / "out.csv", [["h"], [cell]], csvio.dialect("excel"))
    rows, _ = csvio.read_table(tmp_path / "out.csv")
    assert rows[1] == [written]
    assert csvio.restore(rows[1][0]) == cell


def test_a_file_read_goes_back_as_it_came(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes(b"a,b\r\n=x,-\r\n")
    rows, fmt = csvio.read_table(path)
    csvio.write_table(tmp_path / "out.csv", rows, fmt, as_read=True)
    assert (tmp_path / "out.csv").read_bytes() == path.read_bytes()


def test_every_csv_writer_of_the_grader_goes_through_csvio():
    """The formula guard lives in ``csvio.write_table``: no other module writes CSV itself."""
    package = Path(csvio.__file__).parents[1]
    writers = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in sorted(package.rglob("*.py"))
        if path != Path(csvio.__file__)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("writer", "DictWriter")
        and isinstance(node.value, ast.Name) and node.value.id == "csv"
        or isinstance(node, ast.ImportFrom) and node.module == "csv"
    ]
    assert not writers, f"CSV written outside grader.common.csvio: {writers}"
