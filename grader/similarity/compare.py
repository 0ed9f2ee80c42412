"""Score every pair of documents task by task, weighing each fragment by how rare it is.

Common code is what the base files hold (the handout of each year, any known source: MOSS's
base file), which weighs nothing. Frequency decides only for the rest, and only for short
fragments.

Rarity. A fingerprint held by ``d`` of the class's ``n`` documents weighs

    w(d) = 1                                  when d <= 2 (a fragment two students share)
    w(d) = 1 - (log(d / 2) / log(c / 2)) ** 2  between, c = max(common_fraction * n, common_min)
    w(d) = 0                                  when d >= c (held by much of the class)

so the one-liners everyone writes (``h = x @ W + b``) weigh nothing, a distinctive line two
students share weighs most, and a group of three still weighs much (0.8 in a class of 17).

Stretches. Frequency cannot tell a line many students write alike from a function a group
copied from one of them: a ring of five identical copies in a class of 25 weighed nothing. What
tells them apart is length: many students write the same line or two alike, not the same
``stretch_code`` fingerprints in a row (15: about 90 characters of normalised code, where a
name is one letter and there are no spaces, so several statements; the benchmark authors'
one task's function have 17 to 62; ``stretch_text``, 10 shingles, is a sentence of 13 words). So
where a document holds such a *long shared stretch* (consecutive fingerprints of one cell or
text, none of the base, each held by three documents or more) and the other document holds it
too, its fingerprints weigh by the same curve with ``c = max(stretch_fraction * n,
common_min)``: half the class, not a fifth. A ring of up to about a quarter of the class stays
above the threshold (0.75 for 5 of 25, 0.64 for 8 of 40, 0.51 for 10 of 40); identical code
that half the class holds is the class's source and weighs nothing, as the handout does
without a base. Between, an unlisted source (another year's handout in 7 of 17 notebooks)
weighs a little (0.25) instead of nothing: give it as a base. Short fragments never gain from a
stretch: an honest student's canonical line weighs as before, even against a ring member whose
copied function contains it.

Per task. For each part (a task, or the code and text outside every task) and each kind (code,
written answer), A's part scores against the whole of B: the rarity-weighted fingerprints of
A's part found anywhere in B, over the number of A's part's fingerprints that weigh anything,
floored at ``min_code`` / ``min_text`` so a few lines never make a whole. A pair's score for
the part is the larger of the two directions; the pair's score is its highest part.
Found anywhere in B: a copied function stays found when the other student put it in another
task's cell.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from grader.similarity.fingerprints import Fingerprints, Index, Location

KINDS = ("code", "answer")  # what a part is compared on: its code, its written answer


@dataclass(frozen=True)
class CompareParams:
    common_fraction: float = 0.2  # a fragment held by this share of the class weighs nothing
    common_min: int = 5  # ...and so does one held by this many, in a small class
    stretch_fraction: float = 0.5  # ...but a long shared stretch only when this share holds it
    stretch_code: int = 15  # a long stretch: this many code fingerprints in a row...
    stretch_text: int = 10  # ...or answer shingles
    min_code: int = 25  # floor of a part's code size, in fingerprints (about four lines)
    min_text: int = 10  # floor of a part's answer size, in shingles (a short sentence)


@dataclass(frozen=True)
class SideBySide:
    """One matched fragment: a cell (or text unit) of each side, or None, and its matched lines."""

    task: str  # the part whose sharing this shows
    kind: str  # "code" | "answer"
    cell_a: int | None
    lines_a: tuple[int, ...]
    cell_b: int | None
    lines_b: tuple[int, ...]


@dataclass(frozen=True)
class ClassScores:
    """Every pair's score per part and kind: ``score[k, t]`` is an n×n symmetric matrix."""

    tasks: tuple[str, ...]
    score: np.ndarray  # (kinds, tasks, n, n), in [0, 1]
    shared: np.ndarray  # (kinds, tasks, n, n): fingerprints of one side's part found in the other
    weights: tuple[dict[int, float], ...]  # per kind: hash -> weight, for fingerprints that count
    common: dict[str, int]  # per kind: fingerprints left out as common to the class


def rarity(
    held_by: np.ndarray, n: int, params: CompareParams, *, stretch: bool = False
) -> np.ndarray:
    """The weight of fingerprints held by ``held_by`` documents each (see the module docstring);
    ``stretch``: in a long shared stretch, which only half the class makes common."""
    fraction = params.stretch_fraction if stretch else params.common_fraction
    cut = max(fraction * n, params.common_min)
    d = np.maximum(held_by.astype(float), 2.0)
    weight = 1 - (np.log(d / 2) / np.log(cut / 2)) ** 2
    return np.where(held_by >= cut, 0.0, np.clip(weight, 0.0, 1.0))


def score_class(
    prints: list[dict[str, Fingerprints]],
    base: Fingerprints | None,
    params: CompareParams,
    tasks: tuple[str, ...],
) -> ClassScores:
    """Weigh every fingerprint by rarity and score every pair on each part of ``tasks``."""
    n = len(prints)
    score = np.zeros((len(KINDS), len(tasks), n, n))
    shared = np.zeros((len(KINDS), len(tasks), n, n), dtype=np.int64)
    weights, common = [], {}
    for k, (kind, attribute, floor, stretch) in enumerate(
        (
            ("code", "code", params.min_code, params.stretch_code),
            ("answer", "text", params.min_text, params.stretch_text),
        )
    ):
        excluded = set(getattr(base, attribute)) if base is not None else set()
        vocabulary: dict[int, int] = {}
        cells: dict[str, tuple[list[int], list[int]]] = {t: ([], []) for t in tasks}
        anywhere: set[tuple[int, int]] = set()
        for i, doc in enumerate(prints):
            for task, fp in doc.items():  # parts not in ``tasks`` count for rarity only
                rows, cols = cells.get(task, ([], []))
                for h in getattr(fp, attribute):
                    if h not in excluded:
                        j = vocabulary.setdefault(h, len(vocabulary))
                        rows.append(i)
                        cols.append(j)
                        anywhere.add((i, j))
        size = (n, max(len(vocabulary), 1))
        held = _incidence(*zip(*anywhere), size=size) if anywhere else sparse.csr_matrix(size)
        held_by = np.asarray(held.sum(axis=0)).ravel()
        weight = rarity(held_by, n, params)
        in_stretch = rarity(held_by, n, params, stretch=True)
        long = _stretches(prints, attribute, vocabulary, weight < 1, stretch, size)
        # what a stretch adds: its fingerprints weigh by ``in_stretch`` where both sides hold
        # them in a long stretch (a ring's copies), by ``weight`` everywhere else
        extra = in_stretch - weight
        revived = (weight == 0) & (in_stretch > 0)  # weightless by frequency, not in a stretch
        anywhere_long = np.asarray(long.sum(axis=0)).ravel() > 0
        counts = weight > 0  # not common to the class
        common[kind] = int(np.count_nonzero(~(counts | (revived & anywhere_long))[: size[1]]))
        best = np.where(anywhere_long, np.maximum(weight, in_stretch), weight)
        hashes = list(vocabulary)
        weights.append(
            {hashes[j]: float(best[j]) for j in np.flatnonzero(best[: len(hashes)] > 0)}
        )
        for t, task in enumerate(tasks):
            part = _incidence(*cells[task], size=size)
            part_long = part.multiply(long).tocsr()
            found = part @ sparse.diags(weight) @ held.T + part_long @ sparse.diags(extra) @ long.T
            own = np.maximum(part @ counts.astype(float) + part_long @ revived.astype(float), floor)
            s = found.toarray() / own[:, None]
            score[k, t] = np.minimum(np.maximum(s, s.T), 1.0)
            hits = part @ sparse.diags(counts.astype(float)) @ held.T
            hits = (hits + part_long @ sparse.diags(revived.astype(float)) @ long.T).toarray()
            shared[k, t] = np.maximum(hits, hits.T).astype(np.int64)
    return ClassScores(tasks, score.round(4), shared, tuple(weights), common)


def _stretches(
    prints: list[dict[str, Fingerprints]],
    attribute: str,
    vocabulary: dict[int, int],
    grouped: np.ndarray,
    length: int,
    size: tuple[int, int],
) -> sparse.csr_matrix:
    """Where each document holds a fingerprint inside a long shared stretch: at least ``length``
    fingerprints in a row (one cell or text unit) that are all ``grouped`` (held by a group,
    which rarity lowers) and none of the base (which is not in ``vocabulary``)."""
    found: set[tuple[int, int]] = set()
    for i, doc in enumerate(prints):
        for fp in doc.values():
            for sequence in getattr(fp, f"{attribute}_order"):
                run: list[int] = []
                for h in (*sequence, None):  # None ends the last run
                    j = vocabulary.get(h) if h is not None else None
                    if j is not None and grouped[j]:
                        run.append(j)
                        continue
                    if len(run) >= length:
                        found.update((i, j) for j in run)
                    run = []
    return _incidence(*zip(*found), size=size) if found else sparse.csr_matrix(size)


def _incidence(rows, cols, *, size: tuple[int, int]) -> sparse.csr_matrix:
    rows, cols = list(rows), list(cols)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=size)


def clusters(flagged: list[tuple[int, int]], n: int) -> list[list[int]]:
    """Groups of more than two documents linked by flagged pairs (connected components)."""
    if not flagged:
        return []
    graph = sparse.coo_matrix(
        (np.ones(len(flagged)), ([a for a, _ in flagged], [b for _, b in flagged])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    big = [g for g in groups.values() if len(g) > 2]
    return sorted(big, key=lambda g: (-len(g), g))


def merged(doc: dict[str, Fingerprints], attribute: str) -> Index:
    """One document's fingerprints of every part together (where each occurs, all parts)."""
    index: Index = {}
    for fp in doc.values():
        for h, where in getattr(fp, attribute).items():
            index.setdefault(h, []).extend(where)
    return index


def matched(
    part_a: Index, all_a: Index, part_b: Index, all_b: Index, weights: dict[int, float]
) -> set[int]:
    """Fingerprints that count, of A's part found anywhere in B, or of B's part anywhere in A."""
    found = (part_a.keys() & all_b.keys()) | (part_b.keys() & all_a.keys())
    return {h for h in found if h in weights}


def _matched_lines(locations: list[list[Location]]) -> dict[int, set[int]]:
    lines: dict[int, set[int]] = {}
    for where in locations:
        for cell, first, last in where:
            lines.setdefault(cell, set()).update(range(first, last + 1))
    return lines


def side_by_side(a: Index, b: Index, hashes: set[int], task: str, kind: str) -> list[SideBySide]:
    """Cells of A holding ``hashes``, each next to the cell of B it shares most with, in A's order."""
    shared = sorted(hashes)
    lines_a = _matched_lines([a[h] for h in shared])
    lines_b = _matched_lines([b[h] for h in shared])
    affinity = Counter((a[h][0][0], b[h][0][0]) for h in shared)
    rows, shown_b = [], set()
    for cell_a in sorted(lines_a):
        partners = [(count, -cb) for (ca, cb), count in affinity.items() if ca == cell_a]
        cell_b = -max(partners)[1] if partners else None
        shown_b.add(cell_b)
        lines = tuple(sorted(lines_b.get(cell_b, ()))) if cell_b is not None else ()
        rows.append(SideBySide(task, kind, cell_a, tuple(sorted(lines_a[cell_a])), cell_b, lines))
    rows += [
        SideBySide(task, kind, None, (), cell_b, tuple(sorted(lines)))
        for cell_b, lines in sorted(lines_b.items())
        if cell_b not in shown_b
    ]
    return rows


def fragment_count(a: Index, hashes: set[int]) -> int:
    """Runs of consecutive matched lines on A's side: the number of copied-looking fragments."""
    runs = 0
    for lines in _matched_lines([a[h] for h in hashes]).values():
        previous = None
        for line in sorted(lines):
            runs += previous is None or line != previous + 1
            previous = line
    return runs
