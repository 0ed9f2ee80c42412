"""Compare every pair of documents on the fingerprints they share, and say where.

Before comparing, fingerprints of the base file (the handout's provided code and task
statements) are removed, and so are fingerprints found in more than ``common_fraction`` of
the submissions (and in more than ``common_min`` of them): code the whole class shares,
from the lecture or from the template, is no evidence of copying (MOSS does the same).

A pair's code score is the share of the smaller side's fingerprints found in the other,
``shared / max(min(|A|, |B|), min_size)``: a student who copied part of a notebook still
scores high, and the ``min_size`` floor keeps a nearly empty notebook from scoring 1 on a
coincidence. The text score is the same on prose shingles; the pair's score is the larger.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from grader.similarity.fingerprints import Fingerprints, Index, Location


@dataclass(frozen=True)
class CompareParams:
    common_fraction: float = 0.5  # "most of the class"
    common_min: int = 4  # never call a fragment common when so few share it
    min_code: int = 40  # floor of the code denominator, in fingerprints
    min_text: int = 25  # floor of the text denominator, in shingles


@dataclass(frozen=True)
class Pair:
    a: int  # document positions, a < b
    b: int
    score: float
    code_score: float
    text_score: float
    shared_code: int
    shared_text: int


@dataclass(frozen=True)
class SideBySide:
    """One matched fragment: a cell of each side (or None) and its matched lines."""

    kind: str  # "code" | "text"
    cell_a: int | None
    lines_a: tuple[int, ...]
    cell_b: int | None
    lines_b: tuple[int, ...]


def filtered_sets(
    prints: list[Fingerprints], base: Fingerprints | None, params: CompareParams
) -> tuple[list[Fingerprints], dict[str, int]]:
    """Drop base and class-common fingerprints; also say how many were found common."""
    n = len(prints)
    cutoff = max(params.common_fraction * n, params.common_min)
    out_code: list[Index] = [{} for _ in prints]
    out_text: list[Index] = [{} for _ in prints]
    common = {}
    for kind, out in (("code", out_code), ("text", out_text)):
        frequency = Counter(h for p in prints for h in getattr(p, kind))
        ignored = set(getattr(base, kind)) if base is not None else set()
        too_common = {h for h, count in frequency.items() if count > cutoff}
        common[kind] = len(too_common - ignored)
        ignored |= too_common
        for i, p in enumerate(prints):
            out[i].update((h, where) for h, where in getattr(p, kind).items() if h not in ignored)
    return [Fingerprints(code=c, text=t) for c, t in zip(out_code, out_text)], common


def _shared_counts(indexes: list[Index]) -> np.ndarray:
    """Number of fingerprints each pair of documents shares (sparse incidence product)."""
    vocabulary: dict[int, int] = {}
    rows, cols = [], []
    for i, index in enumerate(indexes):
        for h in index:
            rows.append(i)
            cols.append(vocabulary.setdefault(h, len(vocabulary)))
    incidence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)),
        shape=(len(indexes), max(len(vocabulary), 1)),
    )
    return (incidence @ incidence.T).toarray()


def _scores(shared: np.ndarray, sizes: np.ndarray, floor: int) -> np.ndarray:
    smaller = np.maximum(np.minimum.outer(sizes, sizes), floor)
    return shared / smaller


def pairs(prints: list[Fingerprints], params: CompareParams) -> list[Pair]:
    """Every pair, ranked by score (ties by position, so the order is reproducible)."""
    shared_code = _shared_counts([p.code for p in prints])
    shared_text = _shared_counts([p.text for p in prints])
    code = _scores(shared_code, np.array([len(p.code) for p in prints]), params.min_code)
    text = _scores(shared_text, np.array([len(p.text) for p in prints]), params.min_text)
    result = [
        Pair(
            a=i,
            b=j,
            score=round(float(max(code[i, j], text[i, j])), 4),
            code_score=round(float(code[i, j]), 4),
            text_score=round(float(text[i, j]), 4),
            shared_code=int(shared_code[i, j]),
            shared_text=int(shared_text[i, j]),
        )
        for i in range(len(prints))
        for j in range(i + 1, len(prints))
    ]
    return sorted(result, key=lambda p: (-p.score, p.a, p.b))


def clusters(flagged: list[Pair], n: int) -> list[list[int]]:
    """Groups of more than two documents linked by flagged pairs (connected components)."""
    if not flagged:
        return []
    graph = sparse.coo_matrix(
        (np.ones(len(flagged)), ([p.a for p in flagged], [p.b for p in flagged])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    big = [g for g in groups.values() if len(g) > 2]
    return sorted(big, key=lambda g: (-len(g), g))


def _matched_lines(locations: list[list[Location]]) -> dict[int, set[int]]:
    lines: dict[int, set[int]] = {}
    for where in locations:
        for cell, first, last in where:
            lines.setdefault(cell, set()).update(range(first, last + 1))
    return lines


def side_by_side(a: Index, b: Index, kind: str) -> list[SideBySide]:
    """Matched cells of A, each next to the cell of B it shares most with, in A's order."""
    shared = sorted(set(a) & set(b))
    lines_a = _matched_lines([a[h] for h in shared])
    lines_b = _matched_lines([b[h] for h in shared])
    affinity = Counter((a[h][0][0], b[h][0][0]) for h in shared)
    rows, shown_b = [], set()
    for cell_a in sorted(lines_a):
        partners = [(count, -cb) for (ca, cb), count in affinity.items() if ca == cell_a]
        cell_b = -max(partners)[1] if partners else None
        shown_b.add(cell_b)
        lines = tuple(sorted(lines_b.get(cell_b, ())))
        rows.append(SideBySide(kind, cell_a, tuple(sorted(lines_a[cell_a])), cell_b, lines))
    rows += [
        SideBySide(kind, None, (), cell_b, tuple(sorted(lines)))
        for cell_b, lines in sorted(lines_b.items())
        if cell_b not in shown_b
    ]
    return rows


def fragment_count(a: Index, b: Index) -> int:
    """Runs of consecutive matched lines on A's side: the number of copied-looking fragments."""
    runs = 0
    for lines in _matched_lines([a[h] for h in set(a) & set(b)]).values():
        previous = None
        for line in sorted(lines):
            runs += previous is None or line != previous + 1
            previous = line
    return runs
