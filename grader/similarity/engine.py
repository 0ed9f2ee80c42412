"""Similarity of every pair of submissions, as evidence for the instructor to review.

Why the default threshold is 0.40: on the benchmark corpus (``benchmarks/similarity_bench.py``:
eight independent authors in different styles and nine copies made with renaming,
reformatting, new comments, reordered cells and functions, loops turned into comprehensions
and lightly edited written answers, all inside the same handout), every independent pair
scored at most 0.14 and every copy pair at least 0.85, with 0.63 as the lowest *code* score
of a copy (loops rewritten as comprehensions). 0.40 sits in the middle of that gap:
independent solutions of the same small functions may share more idioms in a real class
than in the corpus, and copies may be edited more than the corpus's, so neither side is
given the margin of the other. A score is evidence to review, never a verdict; the report
shows the whole distribution so that the instructor can look below the line too.

What the threshold misses: scores are shares of a whole notebook, so copying one task out of
otherwise own work scores low (measured: one renamed ``gradient_nn`` 0.11, the ConvNet 0.29,
both 0.40, three tasks 0.76); such pairs rank high in the list but are not flagged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grader.similarity.compare import (
    CompareParams,
    clusters,
    filtered_sets,
    fragment_count,
    pairs,
    side_by_side,
)
from grader.similarity.documents import (
    Document,
    collect_notebooks,
    display_names,
    read_base,
    read_submission,
)
from grader.similarity.fingerprints import Fingerprints, Params, base_fingerprints, fingerprint
from grader.similarity.model import PairResult, SimilarityReport, SubmissionSummary
from grader.similarity.report import write_report

DEFAULT_THRESHOLD = 0.40
DEFAULT_PARAMS = Params()
DEFAULT_COMPARE = CompareParams()
PARALLEL_FROM = 40  # below this many notebooks, starting worker processes costs more than it saves


def _read_and_fingerprint(job: tuple[Path, str, Params]) -> tuple[Document, Fingerprints]:
    path, name, params = job
    document = read_submission(path, name)
    return document, fingerprint(document, params)


def _fingerprint_all(paths: list[Path], params: Params, workers: int | None):
    jobs = [(p, n, params) for p, n in zip(paths, display_names(paths))]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        return [_read_and_fingerprint(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_and_fingerprint, jobs, chunksize=8))


def run_similarity(
    paths: Sequence[Path],
    out: Path | None = None,
    *,
    base: Path | None,
    threshold: float = DEFAULT_THRESHOLD,
    params: Params = DEFAULT_PARAMS,
    compare: CompareParams = DEFAULT_COMPARE,
    workers: int | None = None,
) -> SimilarityReport:
    """Compare every pair of notebooks in ``paths`` (files or folders); write the report to ``out``.

    ``base`` is the handout's provided code (a template notebook or a ``.py``), left out of
    every score. Unreadable notebooks are listed in the report, never compared, never fatal.
    """
    notebooks = collect_notebooks(list(paths))
    read = _fingerprint_all(notebooks, params, workers)
    usable = [(d, f) for d, f in read if not d.problems]
    documents = [d for d, _ in usable]
    base_prints = base_fingerprints(read_base(base), params) if base is not None else None
    prints, common = filtered_sets([f for _, f in usable], base_prints, compare)

    results, flagged = [], []
    for pair in pairs(prints, compare):
        a, b = prints[pair.a], prints[pair.b]
        is_flagged = pair.score >= threshold
        evidence = ()
        if is_flagged:
            flagged.append(pair)
            evidence = tuple(
                side_by_side(a.code, b.code, "code") + side_by_side(a.text, b.text, "text")
            )
        results.append(
            PairResult(
                a=documents[pair.a].name,
                b=documents[pair.b].name,
                score=pair.score,
                flagged=is_flagged,
                code_score=pair.code_score,
                text_score=pair.text_score,
                shared_fragments=fragment_count(a.code, b.code) + fragment_count(a.text, b.text),
                shared_code=pair.shared_code,
                shared_text=pair.shared_text,
                evidence=evidence,
            )
        )
    compared = {d.name: f for d, f in zip(documents, prints)}
    report = SimilarityReport(
        threshold=threshold,
        base=str(base) if base is not None else None,
        submissions=[
            SubmissionSummary(
                name=d.name,
                path=str(d.path),
                code_fingerprints=len(compared[d.name].code) if d.name in compared else 0,
                text_shingles=len(compared[d.name].text) if d.name in compared else 0,
                problems=d.problems,
            )
            for d, _ in read
        ],
        pairs=results,
        clusters=[[documents[i].name for i in g] for g in clusters(flagged, len(documents))],
        common_fingerprints=common,
        parameters={**params.__dict__, **compare.__dict__},
        documents={d.name: d for d in documents},
    )
    if out is not None:
        write_report(report, Path(out))
    return report
