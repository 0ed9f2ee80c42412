"""Measure similarity detection on the generated A2 corpus: precision, recall, speed.

Precision and recall are over pairs flagged at the default threshold, against the corpus's
truth (a pair is a copy when both notebooks come from the same author). The score
distributions of copy pairs and independent pairs are printed so that the margin around
the threshold can be seen. Speed: 200 notebooks (the authors replicated with renaming and
reformatting variations) on ``--workers`` processes (default 2).

    python benchmarks/similarity_bench.py [--workers 2] [--threshold T] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.similarity_corpus import (
    Student,
    authors,
    copy_of,
    is_copy_pair,
    write,
    write_corpus,
)
from grader.similarity import DEFAULT_THRESHOLD, run_similarity


def quality(folder: Path, threshold: float) -> None:
    template, students = write_corpus(folder)
    report = run_similarity(
        [folder / "submissions"], folder / "report", base=template, threshold=threshold
    )
    by_name = {f"{s.name}.ipynb": s for s in students}
    copies, independent = [], []
    for p in report.pairs:
        (copies if is_copy_pair(by_name[p.a], by_name[p.b]) else independent).append(p)
    found = [p for p in copies if p.score >= threshold]
    false = [p for p in independent if p.score >= threshold]
    flagged = len(found) + len(false)
    print(
        f"corpus: {len(students)} notebooks, {len(report.pairs)} pairs, "
        f"{len(copies)} copy pairs, threshold {threshold:.2f}"
    )
    print(
        f"precision {len(found) / flagged if flagged else 1.0:.3f}   "
        f"recall {len(found) / len(copies):.3f}   "
        f"({len(found)} copies found, {len(false)} independent pairs flagged)"
    )
    print(f"lowest copy pair:        {min(p.score for p in copies):.3f}")
    print(f"highest independent pair: {max(p.score for p in independent):.3f}")
    print("copy pairs (score, code, text):")
    for p in sorted(copies, key=lambda p: p.score):
        print(f"  {p.score:.3f} {p.code_score:.3f} {p.text_score:.3f}  {p.a} ~ {p.b}")
    print("highest independent pairs:")
    for p in sorted(independent, key=lambda p: -p.score)[:5]:
        print(f"  {p.score:.3f} {p.code_score:.3f} {p.text_score:.3f}  {p.a} ~ {p.b}")
    print(f"clusters: {report.clusters}")
    print("threshold sweep (precision / recall):")
    for t in (0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        hits = sum(p.score >= t for p in copies)
        wrong = sum(p.score >= t for p in independent)
        print(
            f"  {t:.2f}: {hits / (hits + wrong) if hits + wrong else 1.0:.2f} / "
            f"{hits / len(copies):.2f}"
        )


def speed(folder: Path, n: int, workers: int) -> None:
    variations = [[], ["rename"], ["reformat"], ["comments"], ["rename", "reorder"]]
    students: list[Student] = []
    for i, (author, change) in enumerate(
        zip(itertools.cycle(authors()), itertools.cycle(variations))
    ):
        if len(students) == n:
            break
        students.append(copy_of(author, f"A2_STUDENT{i:03d}_{author.name.split('_')[2]}", change))
    template, _ = write_corpus(folder / "base")
    write(students, folder / "many")
    start = time.perf_counter()
    report = run_similarity(
        [folder / "many"], folder / "many-report", base=template, workers=workers
    )
    elapsed = time.perf_counter() - start
    print(
        f"speed: {len(students)} notebooks, {len(report.pairs)} pairs, {workers} workers: "
        f"{elapsed:.1f} s (report written)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--notebooks", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="write the corpora here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        quality(root / "quality", args.threshold)
        speed(root / "speed", args.notebooks, args.workers)


if __name__ == "__main__":
    main()
