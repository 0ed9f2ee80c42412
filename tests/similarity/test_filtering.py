"""What is left out: the handout's provided code and text, and code the whole class shares."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import nbformat
import numpy as np

from grader.assignment import locate
from grader.similarity import DEFAULT_THRESHOLD, run_similarity
from grader.similarity.compare import CompareParams, rarity
from tests.support.nbfactory import write_notebook
from tests.support.students import authors as corpus


def _template_only(folder: Path, names: list[str]) -> None:
    for name in names:
        corpus.write([corpus.Student(name, {})], folder)


def test_students_who_only_ran_the_template_score_zero(tmp_path, template, a2):
    _template_only(tmp_path / "s", ["A2_LAZY_One", "A2_LAZY_Two"])
    with_base = run_similarity([tmp_path / "s"], tmp_path / "a", base=template, layout=a2)
    without = run_similarity([tmp_path / "s"], tmp_path / "b", base=None, layout=a2)
    assert with_base.pairs[0].score == 0.0
    assert with_base.flagged == []
    assert without.pairs[0].score == 1.0  # the same notebooks are identical without a base
    assert without.pairs[0].best("code") == 1.0


def _provided_code(year: str) -> str:
    handout = corpus.HANDOUTS[year]
    given = [handout[key] for kind, key in corpus.TEMPLATE if kind == "provided"]
    stubs = list(corpus.CODE_PLACEHOLDERS.values())  # the handout's def gradient_nn ... return
    return "\n\n".join(given + stubs + [src for kind, src in corpus.TEMPLATE if kind == "code"])


def test_base_as_python_file(tmp_path, a2):
    base = tmp_path / "handout.py"
    base.write_text(_provided_code("2020"))
    _template_only(tmp_path / "s", ["A2_LAZY_One", "A2_LAZY_Two"])
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=base, layout=a2)
    assert report.pairs[0].best("code") == 0.0
    # the task statements are not in a .py base: the text matches, the code does not count
    assert report.pairs[0].best("answer") > 0.5


def test_students_who_left_the_same_task_unanswered_share_only_its_question(tmp_path, people, a2):
    """A task whose answer cell was deleted has its question as "answer" (Section.answer loses no
    text); every notebook holds that question, so it weighs nothing, even with a .py base."""
    base = tmp_path / "handout.py"
    base.write_text(_provided_code("2020"))
    lazy = {"A2_MARTIN_Alice", "A2_NGUYEN_Bao", "A2_KIM_Gyu"}
    for path in corpus.write(list(people.values()), tmp_path / "s"):
        if path.stem in lazy:  # nothing between the 1.7 banner and the 1.8 one
            notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
            start = next(k for k, c in enumerate(notebook.cells) if ":: TASK 1.7 ::" in c.source)
            end = next(k for k, c in enumerate(notebook.cells) if ":: TASK 1.8 ::" in c.source)
            del notebook.cells[start + 1 : end]
            corpus.save(notebook, path)
    report = run_similarity([tmp_path / "s"], None, base=base, layout=a2)
    martin = report.documents["A2_MARTIN_Alice.ipynb"]
    answer = next(u.text for u in martin.texts if u.task == "1.7" and not u.question)
    assert answer == corpus.QUESTIONS["1.7"]
    scores = [
        t.score for p in report.pairs for t in p.tasks if (t.task, t.kind) == ("1.7", "answer")
    ]
    assert max(scores, default=0.0) < 0.1
    assert report.flagged == []


def test_another_years_handout_is_left_out_when_given_as_a_second_base(
    tmp_path, template, template_2019, people, a2
):
    """Two students on the 2019 handout share its provided code: as a second --base it is gone."""
    own = [replace(p, year="2019") for p in list(people.values())[:2]]
    corpus.write(own, tmp_path / "s")
    only_2020 = run_similarity([tmp_path / "s"], None, base=template, layout=a2)
    both = run_similarity([tmp_path / "s"], None, base=[template, template_2019], layout=a2)
    # the 2019 numerical gradient and train_loop are compared as tasks 1.4 and 1.5
    assert {t.task for t in only_2020.pairs[0].flagged_tasks} >= {"1.4", "1.5"}
    assert both.pairs[0].score < DEFAULT_THRESHOLD / 2
    assert both.base == [str(template), str(template_2019)]


def test_another_years_handout_in_much_of_the_class_weighs_nothing(tmp_path, template, people, a2):
    """Without its handout as a base, code much of the class holds is no evidence."""
    class_ = [replace(p, year="2019") if k % 2 else p for k, p in enumerate(people.values())]
    class_[-1] = replace(class_[-1], year="2019")
    corpus.write(class_, tmp_path / "s")
    report = run_similarity([tmp_path / "s"], None, base=template, layout=a2)
    assert report.flagged == []
    assert report.common_fingerprints["code"] > 50  # the 2019 code, held by 5 of 9


FIXTURES = Path(__file__).parent / "fixtures"
#: A helper the whole class copied from the lecture.
CLASS_SNIPPET = (FIXTURES / "class_snippet.ipy").read_text(encoding="utf-8")
#: Five students' own code, nothing in common.
OWN = [
    (FIXTURES / f"{name}.ipy").read_text(encoding="utf-8")
    for name in ("own_gradient_matmul", "own_gradient_dot", "own_list", "own_squares", "own_pi")
]


def test_rarity_weighs_a_fragment_by_how_few_students_hold_it():
    weights = rarity(np.array([1, 2, 3, 4, 10, 20, 39, 40, 200]), 200, CompareParams())
    assert weights[0] == weights[1] == 1.0  # own, or shared by exactly two: weighs most
    assert list(weights) == sorted(weights, reverse=True)
    assert weights[2] > 0.9  # a group of three still weighs much
    assert weights[-2] == weights[-1] == 0.0  # held by 20% of the class (or more): nothing
    small = rarity(np.array([2, 3, 4, 5]), 17, CompareParams())
    assert small[0] == 1.0 and small[1] > 0.75 and small[3] == 0.0  # five of 17 is common


def test_a_canonical_line_everyone_writes_weighs_nothing_a_rare_one_much(tmp_path):
    canonical = "d = -Y * sigm(-Y * Yo)\ngrad_Wo = d * H\ngrad_bo = d\n"
    rare = "g = Xt @ Wo2 @ np.diag(mask)\nout = np.einsum('i,j->ij', X, g.ravel())[::-1].T\n"
    (tmp_path / "s").mkdir()
    for i, own in enumerate(OWN):
        extra = rare if i < 2 else ""
        write_notebook(
            tmp_path / "s" / f"A2_STUDENT_N{'abcde'[i]}.ipynb", [canonical + extra + own]
        )
    report = run_similarity([tmp_path / "s"], None, base=None)
    rare_pair = next(
        p for p in report.pairs if {p.a, p.b} == {"A2_STUDENT_Na.ipynb", "A2_STUDENT_Nb.ipynb"}
    )
    others = [p for p in report.pairs if p is not rare_pair]
    assert rare_pair.score > 3 * max(p.score for p in others)
    assert (
        max(p.score for p in others) < 0.15
    )  # the canonical lines alone count for (almost) nothing


def test_code_most_of_the_class_shares_is_left_out(tmp_path):
    (tmp_path / "s").mkdir()
    for i, own in enumerate(OWN):
        write_notebook(tmp_path / "s" / f"A2_STUDENT_N{'abcde'[i]}.ipynb", [own, CLASS_SNIPPET])
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=None)
    assert report.common_fingerprints["code"] > 10
    assert report.flagged == []
    assert max(p.best("code") for p in report.pairs) < DEFAULT_THRESHOLD / 2


def test_the_same_snippet_shared_by_two_students_only_counts(tmp_path):
    (tmp_path / "s").mkdir()
    for i, own in enumerate(OWN):
        cells = [own, CLASS_SNIPPET] if i < 2 else [own]
        write_notebook(tmp_path / "s" / f"A2_STUDENT_N{'abcde'[i]}.ipynb", cells)
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=None)
    assert report.common_fingerprints["code"] == 0
    assert [(p.a, p.b) for p in report.flagged] == [("A2_STUDENT_Na.ipynb", "A2_STUDENT_Nb.ipynb")]


def test_the_a2_handout_is_the_default_base(tmp_path):
    base = locate("a2").handout_file()
    assert base is not None and base.name == "handout.py"
    source = base.read_text(encoding="utf-8")
    lines = source.split("\n")
    blocks = [
        "\n".join(lines[node.lineno - 1 : node.end_lineno]) for node in ast.parse(source).body
    ]
    (tmp_path / "s").mkdir()
    write_notebook(tmp_path / "s" / "A2_LAZY_One.ipynb", blocks)
    write_notebook(tmp_path / "s" / "A2_LAZY_Two.ipynb", blocks[::-1])  # cells in another order
    with_base = run_similarity([tmp_path / "s"], None, base=base)
    without = run_similarity([tmp_path / "s"], None, base=None)
    assert with_base.pairs[0].best("code") == 0.0
    assert without.pairs[0].best("code") == 1.0
