"""Similarity of every pair of submissions, task by task, as evidence for the instructor.

Each submission is cut into parts, one per task (``parts``), fingerprinted (``fingerprints``)
and scored against every other on every part, each fragment weighed by how few students of
the class hold it (``compare``). A pair is flagged when one part, a task's code or its written
answer, reaches the threshold, however original the rest of both notebooks is.

Why the default threshold is 0.50: on the corpora of ``benchmarks/similarity_bench.py``
(independent authors in different styles; whole copies renamed, reformatted, re-commented,
reordered, with loops turned into comprehensions and answers lightly edited; one task's code or
answer copied into otherwise original work; many students on an older year's handout) every
independent pair scored at most 0.34 and every single-task copy at least 0.60 (a 9-word answer;
copied code 0.62 and up). 0.50 sits in that gap; in smaller classes than the corpora's,
canonical code two students write alike scores up to about 0.43 (rarity needs a class). A score is evidence to review, never a verdict; the report
shows the whole distribution so that the instructor can look below the line too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from grader.similarity.compare import (
    KINDS,
    ClassScores,
    CompareParams,
    clusters,
    fragment_count,
    matched,
    merged,
    score_class,
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
from grader.similarity.model import PairResult, SimilarityReport, SubmissionSummary, TaskScore
from grader.similarity.parts import NO_LAYOUT, OTHER, QUESTIONS, TaskLayout
from grader.similarity.report import write_report

DEFAULT_THRESHOLD = 0.50
DEFAULT_PARAMS = Params()
DEFAULT_COMPARE = CompareParams()
PARALLEL_FROM = 40  # below this many notebooks, starting worker processes costs more than it saves
_ATTRIBUTE = {"code": "code", "answer": "text"}


def _read_and_fingerprint(
    job: tuple[Path, str, Params, TaskLayout],
) -> tuple[Document, dict[str, Fingerprints]]:
    path, name, params, layout = job
    document = read_submission(path, name, layout)
    try:
        return document, fingerprint(document, params)
    except Exception as error:  # noqa: BLE001 - one notebook must never stop the class
        reason = f"it could not be fingerprinted ({type(error).__name__}: {error})"
        return Document(name=name, path=Path(path), problems=(reason,)), {}


def _fingerprint_all(paths: list[Path], params: Params, layout: TaskLayout, workers: int | None):
    jobs = [(p, n, params, layout) for p, n in zip(paths, display_names(paths))]
    workers = workers if workers is not None else min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        return [_read_and_fingerprint(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_read_and_fingerprint, jobs, chunksize=8))


def run_similarity(
    paths: Sequence[Path],
    out: Path | None = None,
    *,
    base: Path | Sequence[Path] | None,
    layout: TaskLayout = NO_LAYOUT,
    threshold: float = DEFAULT_THRESHOLD,
    params: Params = DEFAULT_PARAMS,
    compare: CompareParams = DEFAULT_COMPARE,
    workers: int | None = None,
) -> SimilarityReport:
    """Compare every pair of notebooks in ``paths`` (files or folders); write the report to ``out``.

    ``base`` is the handout's provided code (template notebooks or ``.py`` files, one per course
    year), left out of every score; ``layout`` (the pack's) cuts notebooks into tasks.
    Unreadable notebooks are listed in the report as not compared, never fatal.
    """
    bases = [] if base is None else [Path(base)] if isinstance(base, (str, Path)) else list(base)
    base_prints = base_fingerprints([read_base(b) for b in bases], params) if bases else None
    notebooks = collect_notebooks(list(paths))
    read = _fingerprint_all(notebooks, params, layout, workers)
    usable = [(d, f) for d, f in read if not d.problems]
    documents = [d for d, _ in usable]
    prints = [f for _, f in usable]
    found = (t for f in prints for t in f if t != QUESTIONS)
    tasks = tuple(dict.fromkeys((*layout.tasks, OTHER, *found)))
    scores = score_class(prints, base_prints, compare, tasks)
    results = _pair_results(documents, prints, scores, threshold)
    position = {d.name: i for i, d in enumerate(documents)}
    links = [(position[p.a], position[p.b]) for p in results if p.flagged]
    report = SimilarityReport(
        threshold=threshold,
        base=[str(b) for b in bases],
        submissions=[_summary(d, f) for d, f in read],
        pairs=results,
        clusters=[[documents[i].name for i in g] for g in clusters(links, len(documents))],
        common_fingerprints=scores.common,
        parameters={**params.__dict__, **compare.__dict__},
        documents={d.name: d for d in documents},
    )
    if out is not None:
        write_report(report, Path(out))
    return report


def _summary(document: Document, prints: dict[str, Fingerprints]) -> SubmissionSummary:
    scored = {task: f for task, f in prints.items() if task != QUESTIONS}
    return SubmissionSummary(
        name=document.name,
        path=str(document.path),
        parts=tuple(scored),
        code_fingerprints=sum(len(f.code) for f in scored.values()),
        text_shingles=sum(len(f.text) for f in scored.values()),
        problems=document.problems,
    )


def _pair_results(
    documents: list[Document],
    prints: list[dict[str, Fingerprints]],
    scores: ClassScores,
    threshold: float,
) -> list[PairResult]:
    """Every pair with its scores per part, ranked; matched fragments for the flagged parts."""
    n = len(documents)
    whole = {kind: [merged(p, _ATTRIBUTE[kind]) for p in prints] for kind in KINDS}

    def shared_hashes(a: int, b: int, part: TaskScore) -> set[int]:
        attribute = _ATTRIBUTE[part.kind]
        part_a = getattr(prints[a].get(part.task), attribute, {})
        part_b = getattr(prints[b].get(part.task), attribute, {})
        weights = scores.weights[KINDS.index(part.kind)]
        return matched(part_a, whole[part.kind][a], part_b, whole[part.kind][b], weights)

    results = []
    for a in range(n):
        for b in range(a + 1, n):
            k_idx, t_idx = np.nonzero(scores.score[:, :, a, b])
            tasks = sorted(
                (
                    TaskScore(
                        task=scores.tasks[t],
                        kind=KINDS[k],
                        score=float(scores.score[k, t, a, b]),
                        shared=int(scores.shared[k, t, a, b]),
                        flagged=bool(scores.score[k, t, a, b] >= threshold),
                    )
                    for k, t in zip(k_idx.tolist(), t_idx.tolist())
                ),
                key=lambda s: (-s.score, s.kind, s.task),
            )
            best = tasks[0] if tasks else None
            fragments = 0
            if best is not None:
                fragments = fragment_count(whole[best.kind][a], shared_hashes(a, b, best))
            evidence = [
                row
                for part in tasks
                if part.flagged
                for row in side_by_side(
                    whole[part.kind][a],
                    whole[part.kind][b],
                    shared_hashes(a, b, part),
                    part.task,
                    part.kind,
                )
            ]
            results.append(
                PairResult(
                    a=documents[a].name,
                    b=documents[b].name,
                    score=best.score if best else 0.0,
                    flagged=bool(best and best.flagged),
                    task=best.task if best else "",
                    kind=best.kind if best else "",
                    tasks=tuple(tasks),
                    shared_fragments=fragments,
                    evidence=tuple(evidence),
                )
            )
    return sorted(results, key=lambda p: (-p.score, p.a, p.b))
