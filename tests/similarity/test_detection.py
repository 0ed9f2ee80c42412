"""What is flagged, and on which task: whole copies under every disguise, one copied task in
otherwise original work; never independent work."""

from __future__ import annotations

import pytest

from grader.similarity import DEFAULT_THRESHOLD, run_similarity
from tests.support.students import authors as corpus


def _pair(report, a: str, b: str):
    names = {f"{a}.ipynb", f"{b}.ipynb"}
    return next(p for p in report.pairs if {p.a, p.b} == names)


def test_independent_styles_are_not_flagged(tmp_path, template, people, a2):
    independent = list(people.values())[:8]
    corpus.write(independent, tmp_path / "subs")
    report = run_similarity([tmp_path / "subs"], tmp_path / "out", base=template, layout=a2)
    assert len(report.pairs) == 28
    assert report.flagged == []
    assert max(p.score for p in report.pairs) < DEFAULT_THRESHOLD


# (transformation, the author whose code it changes most)
TRANSFORMATIONS = [
    ("rename", "A2_MARTIN_Alice"),
    ("reformat", "A2_NGUYEN_Bao"),
    ("comments", "A2_SILVA_Helena"),
    ("reorder", "A2_DUBOIS_Dana"),
    ("comprehension", "A2_SCHMIDT_Emil"),
]


@pytest.mark.parametrize(("transformation", "source"), TRANSFORMATIONS)
def test_each_copy_transformation_is_flagged_on_code(
    tmp_path, template, people, a2, transformation, source
):
    original = people[source]
    copy = corpus.copy_of(original, "A2_COPY_Cat", [transformation], prose=False)
    assert copy.answers != original.answers  # the transformation did change the notebook
    others = [people["A2_OKAFOR_Chidi"], people["A2_KIM_Gyu"], people["A2_ROSSI_Francesca"]]
    corpus.write([original, copy, *others], tmp_path / "subs")
    report = run_similarity([tmp_path / "subs"], tmp_path / "out", base=template, layout=a2)

    pair = _pair(report, source, "A2_COPY_Cat")
    assert pair.flagged
    assert pair.best("code") >= DEFAULT_THRESHOLD  # on the code alone, not the written answers
    assert {t.task for t in pair.flagged_tasks if t.kind == "code"} >= {"1.2", "3.2"}
    assert [(p.a, p.b) for p in report.flagged] == [(pair.a, pair.b)]


def test_everything_at_once_with_edited_answers_is_flagged(tmp_path, template, people, a2):
    original = people["A2_ROSSI_Francesca"]
    copy = corpus.copy_of(original, "A2_COPY_Cat", list(corpus.TRANSFORMS))
    corpus.write([original, copy, people["A2_KIM_Gyu"], people["A2_SILVA_Helena"]], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template, layout=a2)
    pair = _pair(report, "A2_ROSSI_Francesca", "A2_COPY_Cat")
    assert pair.best("code") >= DEFAULT_THRESHOLD
    assert pair.best("answer") >= DEFAULT_THRESHOLD
    assert len(report.flagged) == 1


def test_copied_written_answers_alone_are_flagged(tmp_path, template, people, a2):
    own_code = people["A2_IVANOV_Igor"].answers
    prose = corpus.edit_prose(people["A2_SILVA_Helena"].answers)
    answers = {
        slot: [c for c in own_code.get(slot, []) if c[0] == "code"]
        + [c for c in prose.get(slot, []) if c[0] == "markdown"]
        for slot in set(own_code) | set(prose)
    }
    writer = corpus.Student("A2_PROSE_Paul", answers)
    corpus.write([people["A2_SILVA_Helena"], writer, people["A2_KIM_Gyu"]], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template, layout=a2)
    pair = _pair(report, "A2_SILVA_Helena", "A2_PROSE_Paul")
    assert pair.flagged and pair.kind == "answer"
    assert pair.best("answer") >= DEFAULT_THRESHOLD
    assert pair.best("code") < 0.2


# (receiver, source, task, kind, disguise): one part copied into otherwise original work
SINGLE_PARTS = [
    ("A2_NGUYEN_Bao", "A2_MARTIN_Alice", "1.2", "code", ["rename", "reformat"]),
    ("A2_OKAFOR_Chidi", "A2_ROSSI_Francesca", "3.2", "code", ["reformat", "comments"]),
    ("A2_SCHMIDT_Emil", "A2_SILVA_Helena", "1.6", "code", ["rename", "comments"]),
    ("A2_KIM_Gyu", "A2_NGUYEN_Bao", "1.3", "answer", []),
    ("A2_DUBOIS_Dana", "A2_ROSSI_Francesca", "3.3", "answer", []),
]


@pytest.mark.parametrize(("receiver", "source", "task", "kind", "disguise"), SINGLE_PARTS)
def test_one_copied_task_in_own_work_is_flagged_on_that_task(
    tmp_path, template, people, a2, receiver, source, task, kind, disguise
):
    copier = corpus.take_part(people[receiver], people[source], task, kind, disguise)
    assert copier.answers != people[receiver].answers
    others = [p for name, p in people.items() if name not in (receiver, source)][:4]
    corpus.write([copier, people[source], *others], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template, layout=a2)

    pair = _pair(report, receiver, source)
    assert [(t.task, t.kind) for t in pair.flagged_tasks] == [(task, kind)]
    assert (pair.task, pair.kind) == (task, kind)
    assert [(p.a, p.b) for p in report.flagged] == [(pair.a, pair.b)]
    assert {(row.task, row.kind) for row in pair.evidence} == {(task, kind)}
    # the rest of both notebooks is their own: every other part scores low
    assert all(
        t.score < DEFAULT_THRESHOLD / 2 for t in pair.tasks if (t.task, t.kind) != (task, kind)
    )


def test_a_graded_function_written_in_another_tasks_cell_is_that_tasks(
    tmp_path, template, people, a2
):
    """The copier pastes gradient_nn into the cell of task 1.6: still compared as task 1.2."""
    source = people["A2_MARTIN_Alice"]
    gradient = [c for c in source.answers["1.2"] if c[0] == "code"]
    moved = dict(people["A2_NGUYEN_Bao"].answers)
    moved["1.2"] = []
    ((_, renamed),) = corpus.rename({"x": gradient})["x"]
    (_, own), *rest = moved["1.6"]
    moved["1.6"] = [("code", renamed + "\n\n" + own), *rest]  # one cell: the function, then 1.6
    copier = corpus.Student("A2_NGUYEN_Bao", moved)
    corpus.write([copier, source, people["A2_KIM_Gyu"], people["A2_SILVA_Helena"]], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template, layout=a2)
    pair = _pair(report, "A2_NGUYEN_Bao", "A2_MARTIN_Alice")
    assert [(t.task, t.kind) for t in pair.flagged_tasks] == [("1.2", "code")]
    nguyen = report.documents["A2_NGUYEN_Bao.ipynb"]
    parts = {part.task: dict(part.code) for part in nguyen.parts}
    cell = next(
        i for i, src in nguyen.cells.items() if "def gradient_nn" in src and "train_loop(" in src
    )
    source = nguyen.cells[cell].split("\n")
    assert source[min(parts["1.2"][cell]) - 1].startswith("def gradient_nn")
    assert not parts["1.2"][cell] & parts["1.6"][cell]  # the rest of that cell stays task 1.6's


def test_clusters_of_three_students(tmp_path, template, people, a2):
    first = corpus.copy_of(people["A2_KIM_Gyu"], "A2_CHAIN_One", ["rename"])
    second = corpus.copy_of(first, "A2_CHAIN_Two", ["reformat", "comments"])
    students = [
        people["A2_KIM_Gyu"],
        first,
        second,
        people["A2_MARTIN_Alice"],
        corpus.copy_of(people["A2_MARTIN_Alice"], "A2_PAIR_Only", ["rename"]),
        people["A2_SILVA_Helena"],
    ]
    corpus.write(students, tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template, layout=a2)
    assert report.clusters == [["A2_CHAIN_One.ipynb", "A2_CHAIN_Two.ipynb", "A2_KIM_Gyu.ipynb"]]
    assert len(report.flagged) == 4  # the three pairs of the chain and the lone pair


def test_cli_default_threshold_is_the_engines():
    from grader.frontends import similarity as cli

    assert cli.DEFAULT_THRESHOLD == DEFAULT_THRESHOLD
