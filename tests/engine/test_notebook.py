"""Reading submissions: every kind of broken file is a problem a student understands, never a crash."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.notebook import load_submission
from grader.notebook.identity import check_filename, parse_identity
from grader.notebook.model import Identity, Output, ReadOptions
from tests.support.nbfactory import error, image, make_notebook, result, stream, write_notebook

A2 = ReadOptions(prefix="A2")  # the names below are the A2 pack's
SIGNED = ("markdown", "I, Jane Doe, certify that this notebook is my own work.")
GOOD = "A2_DOE_Jane.ipynb"


def codes(submission) -> list[str]:
    return [p.code for p in submission.problems]


def problem(submission, code):
    (found,) = [p for p in submission.problems if p.code == code]
    return found


# ---------------------------------------------------------------- well-formed notebooks


def test_valid_v4_notebook_reads_cells_outputs_and_identity(tmp_path):
    path = write_notebook(
        tmp_path / GOOD,
        [
            ("markdown", "# Part 1"),
            ("code", "print('hi')", 1, [stream("hi\n")]),
            ("code", "x", 2, [result("42", 2)]),
            (
                "code",
                "plt.plot()",
                3,
                [image("image/png"), image("image/svg+xml"), image("image/jpeg")],
            ),
            ("raw", "raw text"),
            SIGNED,
        ],
    )
    sub = load_submission(path, A2)
    assert sub.problems == []
    assert sub.identity == Identity("DOE", "Jane")
    assert sub.name == GOOD
    assert [c.cell_type for c in sub.cells] == [
        "markdown",
        "code",
        "code",
        "code",
        "raw",
        "markdown",
    ]
    assert [c.index for c in sub.cells] == [1, 2, 3, 4, 5, 6]
    assert [c.index for c in sub.code_cells] == [2, 3, 4]
    assert sub.cells[1].outputs == (Output("stream", "hi\n"),)
    assert sub.cells[2].outputs == (Output("execute_result", "42"),)
    assert [o.images for o in sub.cells[3].outputs] == [
        ("image/png",),
        ("image/svg+xml",),
        ("image/jpeg",),
    ]
    assert sub.cells[3].outputs[0].text == "<Figure size 640x480 with 1 Axes>"
    assert sub.cells[2].execution_count == 2
    assert sub.facts.has_authorship and not sub.facts.not_run


def test_multiline_sources_as_lists_are_joined(tmp_path):
    nb = make_notebook([("code", "", 1), SIGNED])
    nb.cells[0].source = ["import numpy as np\n", "x = 1\n"]
    raw = json.loads(json.dumps(nb))
    (tmp_path / GOOD).write_text(json.dumps(raw), encoding="utf-8")
    assert load_submission(tmp_path / GOOD).cells[0].source == "import numpy as np\nx = 1\n"


def test_old_v3_notebook_is_upgraded(tmp_path):
    path = write_notebook(
        tmp_path / GOOD,
        [("code", "x = 1", 1, [stream("out"), error("ValueError", "bad")]), SIGNED],
        version=3,
    )
    assert json.loads(path.read_text())["nbformat"] == 3
    sub = load_submission(path)
    assert sub.cells[0].source == "x = 1"
    assert sub.cells[0].execution_count == 1
    assert sub.cells[0].outputs == (Output("stream", "out"), Output("error", "ValueError: bad"))
    assert codes(sub) == ["saved-error"]


def test_error_outputs_are_rendered_as_name_and_value(tmp_path):
    path = write_notebook(
        tmp_path / GOOD,
        [("code", "f()", 1, [error("NameError", "name 'f' is not defined")]), SIGNED],
    )
    sub = load_submission(path)
    assert sub.cells[0].outputs[0].text == "NameError: name 'f' is not defined"
    saved = problem(sub, "saved-error")
    assert saved.cell == 1 and "NameError" in saved.message
    assert sub.facts.error_cells == (1,)


# ---------------------------------------------------------------- broken files


def write_bytes(tmp_path, data: bytes, name: str = GOOD):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_truncated_json_says_where(tmp_path):
    text = json.dumps(make_notebook(["x = 1", SIGNED], run=True), indent=1)
    sub = load_submission(write_bytes(tmp_path, text[: len(text) // 2].encode()))
    assert sub.cells == () and codes(sub) == ["invalid-json"]
    message = problem(sub, "invalid-json").message
    assert message.startswith(f"{GOOD} is not valid JSON at line ")
    assert "column" in message


def test_error_position_is_the_line_and_column_of_the_json_error(tmp_path):
    sub = load_submission(write_bytes(tmp_path, b'{\n "cells": [\n  1 2\n ]\n}'))
    assert "at line 3, column 5" in problem(sub, "invalid-json").message


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty-file"),
        (b"  \n\t", "empty-file"),
        (b"print('hello')\n", "invalid-json"),
        (b"<html><body>404</body></html>", "invalid-json"),
        (b"[" * 100_000, "invalid-json"),
        (b"{}", "not-a-notebook"),
        (b"[1, 2, 3]", "not-a-notebook"),
        (b'"just a string"', "not-a-notebook"),
        (b'{"cells": []}', "not-a-notebook"),
        (b'{"nbformat": "4", "cells": []}', "not-a-notebook"),
        (b'{"nbformat": 99, "nbformat_minor": 0, "cells": []}', "unsupported-format"),
        (b'{"nbformat": 3, "nbformat_minor": 0, "worksheets": 7}', "unsupported-format"),
    ],
)
def test_broken_files_are_one_problem_and_no_cells(tmp_path, data, code):
    sub = load_submission(write_bytes(tmp_path, data), A2)
    assert sub.cells == ()
    assert codes(sub) == [code]
    assert sub.problems[0].message.startswith(GOOD)
    assert sub.identity == Identity("DOE", "Jane")


def test_latin1_bytes_are_not_utf8(tmp_path):
    text = json.dumps(
        make_notebook([("markdown", "Réponse: déjà vu"), SIGNED], run=True), ensure_ascii=False
    )
    sub = load_submission(write_bytes(tmp_path, text.encode("latin-1")))
    assert sub.cells == () and codes(sub) == ["not-utf8"]
    assert "0xe9" in problem(sub, "not-utf8").message


def test_utf8_with_bom_is_read(tmp_path):
    text = json.dumps(make_notebook([("code", "x = 'é'", 1), SIGNED]), ensure_ascii=False)
    sub = load_submission(write_bytes(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert sub.problems == [] and sub.cells[0].source == "x = 'é'"


def test_missing_file_and_directory(tmp_path):
    missing = load_submission(tmp_path / GOOD)
    assert codes(missing) == ["missing-file"] and missing.cells == ()
    (tmp_path / "A2_DOE_John.ipynb").mkdir()
    directory = load_submission(tmp_path / "A2_DOE_John.ipynb")
    assert codes(directory) == ["not-a-file"] and directory.cells == ()


def test_huge_file_is_refused_without_reading(tmp_path):
    path = write_notebook(tmp_path / GOOD, ["x = 1", SIGNED], run=True)
    sub = load_submission(path, ReadOptions(max_bytes=100))
    assert codes(sub) == ["too-large"] and sub.cells == ()
    assert "limit" in sub.problems[0].message


def test_empty_notebook(tmp_path):
    sub = load_submission(write_notebook(tmp_path / GOOD, []))
    assert sub.cells == () and codes(sub) == ["empty-notebook"]


def test_schema_errors_are_reported_but_cells_still_read(tmp_path):
    nb = json.loads(json.dumps(make_notebook([("code", "x = 1", 1), SIGNED])))
    nb["cells"][0]["outputs"] = [{"output_type": "stream", "text": "no name field"}]
    nb["cells"].append({"cell_type": "weird", "source": "?"})
    sub = load_submission(write_bytes(tmp_path, json.dumps(nb).encode()))
    assert "invalid-notebook" in codes(sub)
    assert sub.cells[0].source == "x = 1" and sub.cells[0].outputs[0].text == "no name field"
    assert any(p.cell == 1 for p in sub.problems if p.code == "invalid-notebook")
    assert "does not follow the notebook format" in sub.problems[0].message


def test_garbage_inside_a_v4_structure_is_tolerated(tmp_path):
    nb = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {},
        "cells": [
            "not a cell",
            {"cell_type": "code", "source": 5, "execution_count": True, "outputs": "x"},
            {
                "cell_type": "code",
                "source": ["a", 1, "b"],
                "execution_count": 2,
                "outputs": [3, {"data": 4}],
            },
        ],
    }
    sub = load_submission(write_bytes(tmp_path, json.dumps(nb).encode()))
    assert "invalid-notebook" in codes(sub)
    assert [(c.index, c.source, c.execution_count) for c in sub.cells] == [
        (2, "", None),
        (3, "ab", 2),
    ]
    assert sub.cells[1].outputs == (Output("unknown", ""),)


@settings(max_examples=40)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / GOOD
    path.write_bytes(data)
    sub = load_submission(path)
    assert all(p.message for p in sub.problems)


@settings(max_examples=40)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "cells",
                        "source",
                        "outputs",
                        "cell_type",
                        "execution_count",
                        "nbformat",
                        "nbformat_minor",
                        "worksheets",
                        "data",
                        "output_type",
                        "text",
                        "ename",
                        "evalue",
                        "metadata",
                    ]
                ),
                inner,
                max_size=4,
            )
        ),
        max_leaves=20,
    ),
    st.sampled_from([1, 2, 3, 4]),
)
def test_arbitrary_notebook_shaped_json_never_raises(tmp_path_factory, body, major):
    doc = dict(body) if isinstance(body, dict) else {"cells": body}
    doc["nbformat"] = major
    path = tmp_path_factory.mktemp("json") / GOOD
    path.write_text(json.dumps(doc))
    load_submission(path)


# ---------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("filename", "identity"),
    [
        ("A2_DOE_Jane.ipynb", Identity("DOE", "Jane")),
        ("A2_Müller_Anna.ipynb", Identity("Müller", "Anna")),
        ("A2_DE-LA-FONTAINE_Jean-Pierre.ipynb", Identity("DE-LA-FONTAINE", "Jean-Pierre")),
        ("A2_O'BRIEN_Siobhán.ipynb", Identity("O'BRIEN", "Siobhán")),
        ("A2_VAN DER BERG_Jan.ipynb", Identity("VAN DER BERG", "Jan")),
        ("A2_ÇELİK_Zeynep.ipynb", Identity("ÇELİK", "Zeynep")),
        ("A2_李_小龙.ipynb", Identity("李", "小龙")),
        ("A2_Mu\u0308ller_Anna.ipynb", Identity("Müller", "Anna")),  # macOS decomposed accents
    ],
)
def test_good_file_names(filename, identity):
    assert parse_identity(filename, "A2") == identity
    assert check_filename(filename, "A2") == (identity, [])


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("A2_DOE_Jane (1).ipynb", "filename-copy"),
        ("A2_DOE_Jane(2).ipynb", "filename-copy"),
        ("A2_DOE_Jane - Copy.ipynb", "filename-copy"),
        ("A2_DOE_Jane.IPYNB", "filename-extension"),
        ("A2_DOE_Jane.Ipynb", "filename-extension"),
        ("Copie de A2_DOE_Jane.ipynb", "filename-copy"),
        ("Copy of A2_DOE_Jane (2).ipynb", "filename-copy"),
        ("A2-DOE-Jane.ipynb", "filename-form"),
    ],
)
def test_tolerated_file_names_are_reported_but_identified(filename, code):
    identity, problems = check_filename(filename, "A2")
    assert identity == Identity("DOE", "Jane")
    assert [p.code for p in problems] == [code]
    assert filename in problems[0].message


@pytest.mark.parametrize(
    ("filename", "identity"),
    [
        ("A2_DE_LA_FONTAINE_Jean_Pierre.ipynb", Identity("DE LA FONTAINE", "Jean Pierre")),
        ("A2_DUPONT_Jean_Luc.ipynb", Identity("DUPONT", "Jean Luc")),
        ("A2-LE-GALL-Anne.ipynb", Identity("LE GALL", "Anne")),
        # first name first, as real classes hand in: the capitals are the last name
        ("A2_Yassine_ZAOUI.ipynb", Identity("ZAOUI", "Yassine")),
        ("A2_Jean_Pierre_DE_LA_FONTAINE.ipynb", Identity("DE LA FONTAINE", "Jean Pierre")),
        ("A2_Jane-Marie_DOE.ipynb", Identity("DOE", "Jane-Marie")),
    ],
)
def test_multi_word_names_joined_by_underscores_or_hyphens(filename, identity):
    found, problems = check_filename(filename, "A2")
    assert found == identity and [p.code for p in problems] == ["filename-form"]


def test_identity_from_the_student_cell_when_the_name_has_none(tmp_path):
    path = write_notebook(tmp_path / "A2.ipynb", ["x = 1", SIGNED], run=True)
    nb = json.loads(path.read_text())
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "student", "metadata": {}, "source": "**STUDENT**:  Jeanne LE GALL"})
    path.write_text(json.dumps(nb))
    sub = load_submission(path, A2)
    assert sub.identity == Identity("LE GALL", "Jeanne")
    assert codes(sub) == ["bad-filename", "identity-from-cell"]


def test_the_student_cell_left_blank_gives_no_identity(tmp_path):
    path = write_notebook(tmp_path / "HW2.ipynb", ["x = 1", SIGNED], run=True)
    nb = json.loads(path.read_text())
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "student", "metadata": {}, "source": "**STUDENT**:  YOUR NAME HERE"})
    path.write_text(json.dumps(nb))
    assert load_submission(path).identity is None


@pytest.mark.parametrize(
    "filename",
    [
        "notebook.ipynb",
        "Untitled1.ipynb",
        "A2.ipynb",
        "A2_DOE.ipynb",
        "A2_DOE_.ipynb",
        "A2__Jane.ipynb",
        "A2_DOE_Jane_final.ipynb",
        "A2_Van_Der_Berg_Jan.ipynb",  # no capitals to tell the last name from the first
        "A3_DOE_Jane.ipynb",
        "DOE_Jane_A2.ipynb",
        "A2_DOE_Jane2.ipynb",
        "A2_DOE_Jane.py",
        "A2_DOE_Jane.ipynb.txt",
        "A2_DOE_Jane",
        "A2 DOE Jane.ipynb",
        "Untitled (1).IPYNB",
        "",
    ],
)
def test_bad_file_names(filename):
    identity, problems = check_filename(filename, "A2")
    assert identity is None and parse_identity(filename, "A2") is None
    assert [p.code for p in problems] == ["bad-filename"]
    assert "A2_LASTNAME_Firstname.ipynb" in problems[0].message


def test_without_a_prefix_the_reader_judges_no_file_name(tmp_path):
    """The reader alone knows no assignment: the pack's ``ReadOptions`` name the files."""
    sub = load_submission(write_notebook(tmp_path / "HW2_DOE_Jane.ipynb", ["x = 1", SIGNED], run=True))
    assert sub.identity is None and codes(sub) == []
    assert load_submission(sub.path, ReadOptions(prefix="HW2")).identity == Identity("DOE", "Jane")


def test_prefix_is_a_parameter():
    assert parse_identity("A3_DOE_Jane.ipynb", prefix="A3") == Identity("DOE", "Jane")
    assert parse_identity("A2_DOE_Jane.ipynb", prefix="A3") is None
    message = check_filename("x.ipynb", prefix="A3")[1][0].message
    assert "A3_LASTNAME_Firstname" in message and "A2" not in message


def test_misnamed_submission_is_still_read(tmp_path):
    sub = load_submission(write_notebook(tmp_path / "Untitled.ipynb", ["x = 1", SIGNED], run=True), A2)
    assert sub.identity is None and codes(sub) == ["bad-filename"]
    assert sub.cells[0].source == "x = 1"


# ---------------------------------------------------------------- how it was run


def test_never_run_cells_are_listed(tmp_path):
    cells = ["a = 1", ("markdown", "text"), "b = 2", "c = 3", "", "d = 4", SIGNED]
    nb = make_notebook(cells, run=True)
    for cell in nb.cells[2:6]:  # cells 3 to 6
        cell.execution_count = None
    sub = load_submission(write_notebook(tmp_path / GOOD, nb), A2)
    assert sub.facts.never_run_cells == (3, 4, 6)  # cell 5 is empty: not counted
    never = problem(sub, "never-run")
    assert never.message.startswith("Cells 3, 4 and 6 were never run")
    assert never.cell == 3 and codes(sub) == ["never-run"]


def test_single_never_run_cell(tmp_path):
    sub = load_submission(write_notebook(tmp_path / GOOD, [("code", "a = 1", 1), "b = 2", SIGNED]))
    assert problem(sub, "never-run").message.startswith("Cell 2 was never run")


def test_notebook_never_run_at_all(tmp_path):
    sub = load_submission(write_notebook(tmp_path / GOOD, ["a = 1", "b = 2", SIGNED]))
    assert codes(sub) == ["not-run"]
    assert sub.facts.not_run and sub.facts.never_run_cells == (1, 2)


def test_out_of_order_execution(tmp_path):
    cells = [
        ("code", "a = 1", 1),
        ("code", "b = 2", 5),
        ("code", "c = 3", 3),
        ("code", "d = 4", 6),
        SIGNED,
    ]
    sub = load_submission(write_notebook(tmp_path / GOOD, cells))
    assert sub.facts.out_of_order == (3,)
    found = problem(sub, "out-of-order")
    assert (
        found.cell == 3
        and "cell 3 has [3]" in found.message
        and "cell 2 above it has [5]" in found.message
    )


def test_increasing_counts_with_gaps_are_in_order(tmp_path):
    cells = [("code", "a = 1", 2), ("code", "b = 2", 7), ("code", "c = 3", 30), SIGNED]
    sub = load_submission(write_notebook(tmp_path / GOOD, cells))
    assert sub.facts.out_of_order == () and sub.problems == []


def test_repeated_count_is_out_of_order(tmp_path):
    sub = load_submission(
        write_notebook(tmp_path / GOOD, [("code", "a", 4), ("code", "b", 4), SIGNED])
    )
    assert sub.facts.out_of_order == (2,)


# ---------------------------------------------------------------- authorship


@pytest.mark.parametrize(
    "statement",
    [
        "I, Jane Doe, certify that the work in this notebook is my own.",
        "**Authorship statement**: Jane Doe wrote this notebook.",
        "I hereby declare that this is my own work. — Jane Doe",
        "I certify that I followed the honor code. Jane",
        "This submission follows the honour code. Signed: J. Doe",
        "# I, Jane Doe, confirm this notebook is my own work",
    ],
)
def test_signed_authorship_statements(tmp_path, statement):
    kind = "code" if statement.startswith("#") else "markdown"
    sub = load_submission(write_notebook(tmp_path / GOOD, ["x = 1", (kind, statement)], run=True))
    assert sub.facts.has_authorship and "no-authorship" not in codes(sub)


@pytest.mark.parametrize(
    "statement",
    [
        "The end.",
        "I, <your name>, certify that this is my own work.",
        "I, [Your Name], certify that this is my own work.",
        "I, NAME, certify that this is my own work.",
    ],
)
def test_missing_or_unsigned_authorship(tmp_path, statement):
    sub = load_submission(
        write_notebook(tmp_path / GOOD, ["x = 1", ("markdown", statement)], run=True)
    )
    assert not sub.facts.has_authorship and codes(sub) == ["no-authorship"]
    assert "authorship statement" in problem(sub, "no-authorship").message


def test_authorship_must_be_near_the_end(tmp_path):
    cells = [SIGNED] + [f"x{i} = {i}" for i in range(10)]
    assert not load_submission(
        write_notebook(tmp_path / GOOD, cells, run=True)
    ).facts.has_authorship
    options = ReadOptions(authorship_window=20)
    assert load_submission(tmp_path / GOOD, options).facts.has_authorship


def test_authorship_patterns_are_configurable(tmp_path):
    path = write_notebook(
        tmp_path / GOOD, ["x = 1", ("markdown", "Ich versichere, dass ich dies verfasst habe. Jana")], run=True
    )  # French and English are recognised by default (tests/engine/test_authorship_fr.py)
    assert not load_submission(path).facts.has_authorship
    options = ReadOptions(authorship_patterns=(r"(?i)ich versichere",))
    assert load_submission(path, options).facts.has_authorship
