"""A ring of identical copies stays visible however large a share of the class it is, up to about
a quarter; boilerplate (short fragments, the handout everyone holds) still weighs nothing."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grader.similarity import DEFAULT_THRESHOLD, run_similarity
from grader.similarity.compare import CompareParams, rarity, score_class
from grader.similarity.fingerprints import Fingerprints
from tests.support.students import authors as corpus


def _class_with_ring(people, size: int, ring: int) -> tuple[list[corpus.Student], set[str]]:
    """The corpus's independent authors, ``ring`` identical solutions (one author's and copies
    of it, every other one padded), and students who handed in the blank handout.

    The ring copies Helena, whose gradient_nn (28 fingerprints) fills a part: a shorter one
    (Alice's 19) scores at most 19/25 of its weight on 1.2 for any copy, pair or ring, and the
    ring is then flagged on its other tasks."""
    authors = list(people.values())
    source = people["A2_SILVA_Helena"]
    copies = [
        corpus.copy_of(source, f"A2_RING_R{k:02d}", ["pad"] if k % 2 else [], prose=False)
        for k in range(ring - 1)
    ]
    blanks = size - len(authors) - len(copies)
    blank = [corpus.Student(f"A2_BLANK_B{k:02d}", {}) for k in range(blanks)]
    students = [*authors, *copies, *blank]
    assert len(students) == size
    return students, {f"{s.name}.ipynb" for s in (source, *copies)}


@pytest.mark.parametrize(("size", "ring"), [(25, 5), (40, 8)])  # max(5, 20% of the class)
@pytest.mark.parametrize("with_base", [True, False])
def test_a_ring_of_a_fifth_of_the_class_is_flagged_pairwise(
    tmp_path, template, people, a2, size, ring, with_base
):
    """Before: every ring pair scored 0.00 (each fragment held by a fifth of the class). Without
    a base the handout's code is in every notebook: it still flags no one."""
    students, members = _class_with_ring(people, size, ring)
    corpus.write(students, tmp_path / "s")
    base = template if with_base else None
    report = run_similarity([tmp_path / "s"], None, base=base, layout=a2)

    inside = [p for p in report.pairs if {p.a, p.b} <= members]
    assert len(inside) == ring * (ring - 1) // 2
    assert all(p.flagged for p in inside)
    # on code and on the copied written answers alike: 0.75 for 5 of 25, 0.64 for 8 of 40
    assert min(min(p.best("code"), p.best("answer")) for p in inside) >= 0.6
    assert all(("1.2", "code") in {(t.task, t.kind) for t in p.flagged_tasks} for p in inside)
    assert all(p.evidence for p in inside)  # the matched lines are shown, not just a score
    assert report.clusters == [sorted(members)]
    outside = [p for p in report.pairs if not {p.a, p.b} <= members]
    assert not any(p.flagged for p in outside)
    assert max(p.score for p in outside) < DEFAULT_THRESHOLD
    if not with_base:  # the handout is there, held by everyone, and weighs nothing
        assert report.common_fingerprints["code"] > 100
        blank = [p for p in outside if "BLANK" in p.a and "BLANK" in p.b]
        assert max(p.score for p in blank) < 0.1


def test_a_long_stretch_weighs_nothing_only_when_half_the_class_holds_it():
    params = CompareParams()
    held_by = np.arange(1, 41)
    short = rarity(held_by, 40, params)
    stretch = rarity(held_by, 40, params, stretch=True)
    assert short[7] == 0.0 and stretch[7] > 0.6  # 8 of 40: common as a line, not as a stretch
    assert stretch[9] > DEFAULT_THRESHOLD  # 10 of 40, a quarter of the class
    assert stretch[19] == 0.0  # half the class: the class's source
    assert np.all(stretch >= short)
    assert list(stretch) == sorted(stretch, reverse=True)


def _document(code: list[int]) -> dict[str, Fingerprints]:
    index = {h: [(0, 1, 1)] for h in code}
    return {"1.2": Fingerprints(code=index, text={}, code_order=(tuple(code),))}


def test_only_a_stretch_both_sides_hold_counts_never_a_short_fragment():
    """Five ring members hold 40 fingerprints in a row, of which 5 are a fragment that six
    other students also write (in one or two lines of their own code), so it is held by 11 of
    25: the fragment weighs nothing between a ring member and anyone else, only the ring's
    whole stretch counts, and a shared run shorter than a part's floor is boilerplate."""
    own = itertools.count(10_000)
    fragment = [1, 2, 3, 4, 5]
    stretch = [*range(100, 120), *fragment, *range(120, 135)]
    short_run = list(range(500, 510))  # 10 fingerprints in a row: shorter than a stretch
    ring = [_document(stretch) for _ in range(5)]
    writers = [_document([next(own), *fragment, next(own)]) for _ in range(6)]
    shorts = [_document([next(own), *short_run, next(own)]) for _ in range(5)]
    others = [_document([next(own) for _ in range(30)]) for _ in range(9)]
    prints = [*ring, *writers, *shorts, *others]
    params = CompareParams()
    assert len(short_run) < params.stretch_code <= len(stretch) - len(fragment)
    scores = score_class(prints, None, params, ("1.2",)).score[0, 0]

    by_five, by_eleven = rarity(np.array([5, 11]), 25, params, stretch=True)
    ring_score = (35 * by_five + 5 * by_eleven) / 40  # the fragment, held by 11, weighs less
    assert ring_score > DEFAULT_THRESHOLD
    assert np.allclose(_between(scores, range(5)), ring_score, atol=1e-4)
    assert np.all(scores[:5, 5:] == 0.0)  # the fragment alone: nothing, either way round
    assert np.all(_between(scores, range(5, 11)) == 0.0)
    assert np.all(_between(scores, range(11, 16)) == 0.0)  # a short run five share: boilerplate


def _between(scores: np.ndarray, group: range) -> np.ndarray:
    """The scores of every pair of distinct members of ``group``."""
    block = scores[group.start : group.stop, group.start : group.stop]
    return block[~np.eye(len(group), dtype=bool)]
