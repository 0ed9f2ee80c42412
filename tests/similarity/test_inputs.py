"""Reading: any class the grader can grade (odd execution counts, unreadable files, missing
headings), magics neutralised, prose normalised, folders walked, and the CLI piece."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import nbformat
import pytest

from grader.frontends import similarity as cli
from grader.similarity import documents, run_similarity
from grader.similarity.documents import neutralise_magics
from grader.similarity.fingerprints import words
from tests.support.nbfactory import write_notebook
from tests.support.students import authors as corpus

FIXTURES = Path(__file__).parent / "fixtures"
#: A student's gradient_nn and ConvNet in one code cell.
GRADIENT = (FIXTURES / "gradient_and_convnet.ipy").read_text(encoding="utf-8")


def test_magics_are_blanked_keeping_line_numbers():
    source = "%matplotlib inline\n!pip install torch\nx = 1\n  %time y = 2\n"
    assert neutralise_magics(source) == "\n\nx = 1\n\n"


def test_magics_do_not_hide_a_copy(tmp_path):
    (tmp_path / "s" / "deep").mkdir(parents=True)
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    write_notebook(
        tmp_path / "s" / "deep" / "A2_TWO_B.ipynb",
        ["%matplotlib inline\n!pip install numpy\n" + GRADIENT.replace("gbi", "g_hidden")],
    )
    report = run_similarity([tmp_path / "s"], None, base=None)
    assert [p.score for p in report.pairs] == [1.0]  # found in the sub-folder, renaming ignored


def test_a_few_common_lines_in_nearly_empty_notebooks_are_not_flagged(tmp_path):
    (tmp_path / "s").mkdir()
    snippet = "model = ConvNet().to(device)\noptimizer = optim.SGD(model.parameters(), lr=0.01)\n"
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [snippet])
    write_notebook(tmp_path / "s" / "A2_TWO_B.ipynb", [snippet])
    report = run_similarity([tmp_path / "s"], None, base=None)
    assert 0 < report.pairs[0].score < 0.4  # the min_code floor: a few fingerprints are not 100%


def test_prose_is_normalised_keeping_formulas_as_words():
    text = "The **Laplacian** filter: $\\Delta f = \\sum_i \\partial^2 f$.\nIt finds <b>edges</b>!"
    assert [w for w, _ in words(text)] == [
        "the", "laplacian", "filter", "delta", "f", "sum", "i", "partial", "2", "f",
        "it", "finds", "edges",
    ]  # fmt: skip
    assert [line for _, line in words(text)][-3:] == [2, 2, 2]


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_cli_writes_the_report(tmp_path, template, capsys):
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    write_notebook(tmp_path / "s" / "A2_TWO_B.ipynb", ["# mine\n" + GRADIENT])
    code = cli.run(
        _args(str(tmp_path / "s"), "--out", str(tmp_path / "out"), "--base", str(template))
    )
    assert code == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "similarity.csv",
        "similarity.json",
        "similarity.html",
    }
    out = capsys.readouterr().out
    assert "1 to review" in out and "3.2 code 1.00" in out  # the A2 pack's tasks, by default


def test_cli_without_notebooks_fails_clearly(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.run(_args(str(tmp_path / "empty"), "--out", str(tmp_path / "out"), "--no-base")) == 2
    assert "no notebooks" in capsys.readouterr().out


def test_an_unreadable_base_is_an_error_not_an_empty_base(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_ONE_A.ipynb", [GRADIENT])
    (tmp_path / "template.ipynb").write_text("not json", encoding="utf-8")
    args = _args(
        str(tmp_path / "s"),
        "--out",
        str(tmp_path / "out"),
        "--base",
        str(tmp_path / "template.ipynb"),
    )
    assert cli.run(args) == 2
    assert "base file" in capsys.readouterr().out


def _class(tmp_path, people, edit=None):
    """The corpus's nine authors in the real form (a class too small for rarity to say much below
    that), with Alice's gradient_nn copied into Bao's otherwise own notebook."""
    copier = corpus.take_part(
        people["A2_NGUYEN_Bao"], people["A2_MARTIN_Alice"], "1.2", "code", ["rename"]
    )
    students = [copier if p.name == copier.name else p for p in people.values()]
    paths = corpus.write(students, tmp_path / "s")
    if edit is not None:
        for path in paths:
            notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
            edit(path.stem, notebook)
            corpus.save(notebook, path)
    return tmp_path / "s"


def _counts_from_zero(_, notebook):
    for k, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = k


def _counts_null(_, notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.execution_count = None


def _counts_shuffled(_, notebook):
    for k, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        cell.execution_count = (7 * k) % 11 + 1


@pytest.mark.parametrize("edit", [_counts_from_zero, _counts_null, _counts_shuffled])
def test_odd_execution_counts_are_compared(tmp_path, template, people, a2, edit):
    report = run_similarity(
        [_class(tmp_path, people, edit)], tmp_path / "out", base=template, layout=a2
    )
    assert report.not_compared == []
    assert [(p.a, p.b, p.task) for p in report.flagged] == [
        ("A2_MARTIN_Alice.ipynb", "A2_NGUYEN_Bao.ipynb", "1.2")
    ]


def test_missing_headings_still_compare_the_graded_functions(tmp_path, template, people, a2):
    """A notebook whose task banners were deleted: its code is one part outside the tasks, but
    gradient_nn is task 1.2's by name, so the copy is found on task 1.2."""

    def no_headings(stem, notebook):
        if stem == "A2_NGUYEN_Bao":
            notebook.cells = [c for c in notebook.cells if ":: TASK" not in c.source]

    report = run_similarity(
        [_class(tmp_path, people, no_headings)], tmp_path / "out", base=template, layout=a2
    )
    bao = report.documents["A2_NGUYEN_Bao.ipynb"]
    assert [p.task for p in bao.parts] == ["1.2", "1.4", "1.5", "3.2", "3.4", "other", "questions"]
    assert [(p.a, p.b, p.task) for p in report.flagged] == [
        ("A2_MARTIN_Alice.ipynb", "A2_NGUYEN_Bao.ipynb", "1.2")
    ]


def test_unreadable_notebooks_are_listed_and_the_rest_compared(
    tmp_path, template, people, a2, capsys
):
    folder = _class(tmp_path, people)
    (folder / "A2_TRUNCATED_Tom.ipynb").write_text('{"cells": [{"cell_type": "co', encoding="utf-8")
    (folder / "A2_LATIN_Lou.ipynb").write_bytes(b'{"cells": [], "note": "caf\xe9"}')
    (folder / "A2_EMPTY_Eve.ipynb").write_bytes(b"")
    (folder / "A2_LIST_Liz.ipynb").write_text(json.dumps([1, 2]), encoding="utf-8")
    (folder / "A2_OLD_Otto.ipynb").write_text(
        json.dumps({"nbformat": 3, "worksheets": 7}), encoding="utf-8"
    )
    out = tmp_path / "out"
    code = cli.run(_args(str(folder), "--out", str(out), "--base", str(template)))
    assert code == 0
    printed = capsys.readouterr().out
    broken = {"A2_TRUNCATED_Tom", "A2_LATIN_Lou", "A2_EMPTY_Eve", "A2_LIST_Liz", "A2_OLD_Otto"}
    data = json.loads((out / "similarity.json").read_text(encoding="utf-8"))
    not_compared = {s["name"]: s["problems"] for s in data["submissions"] if s["problems"]}
    assert set(not_compared) == {f"{b}.ipynb" for b in broken}
    assert all(reasons and all(reasons) for reasons in not_compared.values())
    assert len(data["pairs"]) == 36  # the nine readable notebooks
    assert all(f"not compared: {b}.ipynb" in printed for b in broken)
    html = (out / "similarity.html").read_text(encoding="utf-8")
    assert "5 not compared" in html and all(b in html for b in broken)


def test_a_failure_reading_one_notebook_costs_that_notebook_only(
    tmp_path, template, people, a2, monkeypatch
):
    """Whatever goes wrong reading a notebook (a bug included), the class is still compared."""
    real = documents.load_submission

    def failing(path, *args, **kwargs):
        if "KIM" in str(path):
            raise ValueError("max() arg is an empty sequence")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(documents, "load_submission", failing)
    report = run_similarity([_class(tmp_path, people)], tmp_path / "out", base=template, layout=a2)
    assert [(s.name, s.problems) for s in report.not_compared] == [
        ("A2_KIM_Gyu.ipynb", ("it could not be read (ValueError: max() arg is an empty sequence)",))
    ]
    assert len(report.pairs) == 28 and len(report.flagged) == 1
    assert (tmp_path / "out" / "similarity.html").is_file()


def test_a_class_with_no_readable_notebook_still_gets_its_report(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "A2_ONE_A.ipynb").write_text("nope", encoding="utf-8")
    assert cli.run(_args(str(tmp_path / "s"), "--out", str(tmp_path / "out"), "--no-base")) == 0
    assert "0 notebooks compared" in capsys.readouterr().out
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "similarity.csv",
        "similarity.json",
        "similarity.html",
    }


def test_cli_takes_several_bases_and_the_assignments_tasks(
    tmp_path, template, template_2019, people, capsys
):
    folder = _class(tmp_path, people)
    args = _args(
        str(folder),
        "--out",
        str(tmp_path / "out"),
        "--base",
        str(template),
        "--base",
        str(template_2019),
    )
    assert cli.run(args) == 0
    out = capsys.readouterr().out
    assert f"base: {template}, {template_2019}" in out
    assert "(1.2 code" in out  # the A2 pack's tasks, by default
    assert cli.run(_args(str(folder), "--out", str(tmp_path / "o"), "--assignment", "nope")) == 2
    assert "similarity: no assignment pack 'nope'" in capsys.readouterr().out
