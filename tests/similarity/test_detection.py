"""What is flagged: copies under every transformation copying students use, not independent work."""

from __future__ import annotations

import pytest

from benchmarks import similarity_corpus as corpus
from grader.similarity import DEFAULT_THRESHOLD, run_similarity


def _pair(report, a: str, b: str):
    names = {f"{a}.ipynb", f"{b}.ipynb"}
    return next(p for p in report.pairs if {p.a, p.b} == names)


def test_independent_styles_are_not_flagged(tmp_path, template, people):
    independent = list(people.values())[:8]
    corpus.write(independent, tmp_path / "subs")
    report = run_similarity([tmp_path / "subs"], tmp_path / "out", base=template)
    assert len(report.pairs) == 28
    assert report.flagged == []
    assert max(p.score for p in report.pairs) < DEFAULT_THRESHOLD / 2


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
    tmp_path, template, people, transformation, source
):
    original = people[source]
    copy = corpus.copy_of(original, "A2_COPY_Cat", [transformation], prose=False)
    assert copy.answers != original.answers  # the transformation did change the notebook
    others = [people["A2_OKAFOR_Chidi"], people["A2_KIM_Gyu"], people["A2_ROSSI_Francesca"]]
    corpus.write([original, copy, *others], tmp_path / "subs")
    report = run_similarity([tmp_path / "subs"], tmp_path / "out", base=template)

    pair = _pair(report, source, "A2_COPY_Cat")
    assert pair.flagged
    assert pair.code_score >= DEFAULT_THRESHOLD  # on the code alone, not the written answers
    assert [(p.a, p.b) for p in report.flagged] == [(pair.a, pair.b)]


def test_everything_at_once_with_edited_answers_is_flagged(tmp_path, template, people):
    original = people["A2_ROSSI_Francesca"]
    copy = corpus.copy_of(original, "A2_COPY_Cat", list(corpus.TRANSFORMS))
    corpus.write([original, copy, people["A2_KIM_Gyu"], people["A2_SILVA_Helena"]], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template)
    pair = _pair(report, "A2_ROSSI_Francesca", "A2_COPY_Cat")
    assert pair.code_score >= DEFAULT_THRESHOLD
    assert pair.text_score >= DEFAULT_THRESHOLD
    assert len(report.flagged) == 1


def test_copied_written_answers_alone_are_flagged(tmp_path, template, people):
    own_code = people["A2_IVANOV_Igor"].answers
    prose = corpus.edit_prose(people["A2_SILVA_Helena"].answers)
    answers = {
        slot: [c for c in own_code.get(slot, []) if c[0] == "code"]
        + [c for c in prose.get(slot, []) if c[0] == "markdown"]
        for slot in set(own_code) | set(prose)
    }
    writer = corpus.Student("A2_PROSE_Paul", answers)
    corpus.write([people["A2_SILVA_Helena"], writer, people["A2_KIM_Gyu"]], tmp_path / "s")
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template)
    pair = _pair(report, "A2_SILVA_Helena", "A2_PROSE_Paul")
    assert pair.flagged
    assert pair.text_score >= DEFAULT_THRESHOLD
    assert pair.code_score < 0.2


def test_clusters_of_three_students(tmp_path, template, people):
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
    report = run_similarity([tmp_path / "s"], tmp_path / "out", base=template)
    assert report.clusters == [["A2_CHAIN_One.ipynb", "A2_CHAIN_Two.ipynb", "A2_KIM_Gyu.ipynb"]]
    assert len(report.flagged) == 4  # the three pairs of the chain and the lone pair


def test_cli_default_threshold_is_the_engines():
    from grader.similarity import cli

    assert cli.DEFAULT_THRESHOLD == DEFAULT_THRESHOLD
