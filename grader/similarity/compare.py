"""Score every pair of documents task by task, weighing each fragment by how rare it is.

Rarity. A fingerprint held by ``d`` of the class's ``n`` documents weighs

    w(d) = 1                                  when d <= 2 (a fragment two students share)
    w(d) = 1 - (log(d / 2) / log(c / 2)) ** 2  between, c = max(common_fraction * n, common_min)
    w(d) = 0                                  when d >= c (held by much of the class)

so the one-liners everyone writes (``h = x @ W + b``) weigh nothing, a distinctive line two
students share weighs most, a group of three still weighs much (0.8 in a class of 17), and
handout code of another year, present in many notebooks, weighs nothing even when no base
file holds it. Fingerprints of the base files weigh
nothing either (MOSS's base file).

Per task. For each part (a task, or the code and text outside every task) and each kind (code,
written answer), A's part scores against the whole of B: the rarity-weighted fingerprints of
A's part found anywhere in B, over the number of A's part's fingerprints that are neither base
nor common, floored at ``min_code`` / ``min_text`` so a few lines never make a whole. A pair's
score for the part is the larger of the two directions; the pair's score is its highest part.
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


def rarity(held_by: np.ndarray, n: int, params: CompareParams) -> np.ndarray:
    """The weight of fingerprints held by ``held_by`` documents each (see the module docstring)."""
    cut = max(params.common_fraction * n, params.common_min)
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
    cut = max(params.common_fraction * n, params.common_min)
    score = np.zeros((len(KINDS), len(tasks), n, n))
    shared = np.zeros((len(KINDS), len(tasks), n, n), dtype=np.int64)
    weights, common = [], {}
    for k, (kind, attribute, floor) in enumerate(
        (("code", "code", params.min_code), ("answer", "text", params.min_text))
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
        counts = held_by < cut  # not common to the class
        common[kind] = int(np.count_nonzero(~counts[: len(vocabulary)]))
        hashes = list(vocabulary)
        weights.append(
            {hashes[j]: float(weight[j]) for j in np.flatnonzero(weight[: len(hashes)] > 0)}
        )
        for t, task in enumerate(tasks):
            part = _incidence(*cells[task], size=size)
            found = (part @ sparse.diags(weight) @ held.T).toarray()
            own = np.maximum(part @ counts.astype(float), floor)
            s = found / own[:, None]
            score[k, t] = np.minimum(np.maximum(s, s.T), 1.0)
            hits = (part @ sparse.diags((weight > 0).astype(float)) @ held.T).toarray()
            shared[k, t] = np.maximum(hits, hits.T).astype(np.int64)
    return ClassScores(tasks, score.round(4), shared, tuple(weights), common)


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
