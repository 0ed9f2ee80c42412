"""Reading CSV as spreadsheets save it: ``,`` or ``;``, UTF-8 (with or without BOM) or cp1252."""

from __future__ import annotations

import pytest

from grader import csvio

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
