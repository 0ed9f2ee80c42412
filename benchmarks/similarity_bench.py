"""Measure similarity detection on the generated A2 corpora: precision and recall per task, speed.

Two corpora (``tests/support/students/authors.py``), both with students on the 2019 handout while
only the 2020 handout is the base: whole copies under every disguise, and single parts (one
task's code or answer) copied into otherwise original work. The truth is per part: two
students share (task, code|answer) when both hand it in from the same author.

- pairs: a pair is flagged when any part reaches the threshold; precision and recall over pairs;
- per task: each (pair, task, kind) is a unit, flagged when that part's score reaches the
  threshold, a copy when the truth says that part is shared;
- single parts: every copied part with its score, and the highest independent pair;
- rings: classes of 25 and 40 (the authors, students who handed in the blank handout, and a
  ring of identical copies of one author's notebook, every other one padded with no-op
  statements), rings from 3 students to 30% of the class: the ring's lowest pair, and the
  highest pair outside it;
- speed: 200 notebooks (the authors replicated with disguises, a third on the 2019 handout)
  on ``--workers`` processes (default 2), report written.

    python benchmarks/similarity_bench.py [--workers 2] [--threshold T] [--keep DIR]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.assignment import locate
from grader.similarity import DEFAULT_THRESHOLD, run_similarity
from tests.support.students.authors import (
    Student,
    authors,
    copied_parts,
    copy_of,
    corpus,
    single_part_corpus,
    write,
    write_corpus,
    write_template,
)

LAYOUT = locate("a2").layout()


def run(folder: Path, students: list[Student], threshold: float, bases: list[str]):
    template, _ = write_corpus(folder, students)
    base = [template] + ([folder / "template_2019.ipynb"] if "2019" in bases else [])
    report = run_similarity(
        [folder / "submissions"], folder / "report", base=base, layout=LAYOUT, threshold=threshold
    )
    by_name = {f"{s.name}.ipynb": s for s in students}
    return report, [(p, copied_parts(by_name[p.a], by_name[p.b])) for p in report.pairs]


def pair_figures(name: str, rows, threshold: float) -> None:
    copies = [p for p, truth in rows if truth]
    independent = [p for p, truth in rows if not truth]
    found = [p for p in copies if p.flagged]
    wrong = [p for p in independent if p.flagged]
    flagged = len(found) + len(wrong)
    print(f"\n== {name}: {len(rows)} pairs, {len(copies)} copy pairs, threshold {threshold:.2f}")
    print(
        f"pairs: precision {len(found) / flagged if flagged else 1.0:.3f}   "
        f"recall {len(found) / len(copies) if copies else 1.0:.3f}   "
        f"({len(found)} copies flagged, {len(wrong)} independent pairs flagged)"
    )
    print(f"lowest copy pair:         {min((p.score for p in copies), default=0):.3f}")
    top = max(independent, key=lambda p: p.score, default=None)
    if top is not None:
        print(
            f"highest independent pair: {top.score:.3f}  {top.a} ~ {top.b} ({top.task} {top.kind})"
        )


def per_task(units: dict[tuple[str, str], list[tuple[bool, bool]]]) -> None:
    print("\nper task (both corpora; unit = pair x task x kind): precision / recall  (copies)")
    for (task, kind), marks in sorted(units.items()):
        tp = sum(f and t for f, t in marks)
        fp = sum(f and not t for f, t in marks)
        positives = sum(t for _, t in marks)
        if not positives and not fp:
            continue
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / positives if positives else 1.0
        print(f"  {task:>5} {kind:<6}  {precision:.2f} / {recall:.2f}  ({positives})")


def quality(folder: Path, threshold: float) -> None:
    units: dict[tuple[str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for name, students in (("whole copies", corpus()), ("single parts", single_part_corpus())):
        report, rows = run(folder / name.replace(" ", "-"), students, threshold, ["2020"])
        pair_figures(name, rows, threshold)
        for pair, truth in rows:
            scored = {(t.task, t.kind): t.flagged for t in pair.tasks}
            for part in set(scored) | truth:
                if part[0] != "other":
                    units[part].append((scored.get(part, False), part in truth))
        if name == "single parts":
            print("each copied part: its score, and the pair's highest other part")
            for pair, truth in rows:
                for task, kind in sorted(truth):
                    own = next((t for t in pair.tasks if (t.task, t.kind) == (task, kind)), None)
                    other = max(
                        (t.score for t in pair.tasks if (t.task, t.kind) != (task, kind)), default=0
                    )
                    print(
                        f"  {task:>4} {kind:<6} {own.score if own else 0:.3f} "
                        f"{'flagged' if own and own.flagged else 'MISSED '}  other {other:.3f}  "
                        f"{pair.a} ~ {pair.b}"
                    )
        else:
            print(f"clusters: {report.clusters}")
    per_task(units)
    _, rows = run(folder / "both-bases", single_part_corpus(), threshold, ["2020", "2019"])
    pair_figures("single parts, both years' handouts as --base", rows, threshold)


def rings(folder: Path, threshold: float) -> None:
    print("\n== rings of identical copies (Helena's notebook), 2020 handout as the base")
    people = {s.name: s for s in authors()}
    source = people["A2_SILVA_Helena"]
    template = write_template(folder / "template.ipynb")
    for size, ring in ((25, 3), (25, 4), (25, 5), (40, 8), (40, 10), (40, 12)):
        copies = [
            copy_of(source, f"A2_RING_R{k:02d}", ["pad"] if k % 2 else [], prose=False)
            for k in range(ring - 1)
        ]
        blank = [Student(f"A2_BLANK_B{k:02d}", {}) for k in range(size - len(people) - ring + 1)]
        write([*people.values(), *copies, *blank], folder / f"{size}-{ring}")
        report = run_similarity([folder / f"{size}-{ring}"], None, base=template, layout=LAYOUT)
        members = {f"{s.name}.ipynb" for s in (source, *copies)}
        inside = [p for p in report.pairs if {p.a, p.b} <= members]
        outside = [p for p in report.pairs if not {p.a, p.b} <= members]
        print(
            f"  {ring:>2} of {size}: ring pairs {min(p.score for p in inside):.2f} to "
            f"{max(p.score for p in inside):.2f}, {sum(p.score >= threshold for p in inside)}"
            f"/{len(inside)} flagged; highest pair outside {max(p.score for p in outside):.2f}"
        )


def speed(folder: Path, n: int, workers: int) -> None:
    variations = [[], ["rename"], ["reformat"], ["comments"], ["rename", "reorder"]]
    students: list[Student] = []
    for i, (author, change) in enumerate(
        zip(itertools.cycle(authors()), itertools.cycle(variations))
    ):
        if len(students) == n:
            break
        copy = copy_of(author, f"A2_STUDENT{i:03d}_{author.name.split('_')[2]}", change)
        students.append(replace(copy, year="2019" if i % 3 == 0 else "2020"))
    template = write_template(folder / "template.ipynb")
    write(students, folder / "many")
    start = time.perf_counter()
    report = run_similarity(
        [folder / "many"], folder / "many-report", base=template, layout=LAYOUT, workers=workers
    )
    elapsed = time.perf_counter() - start
    print(
        f"\nspeed: {len(students)} notebooks, {len(report.pairs)} pairs, {workers} workers: "
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
        rings(root / "rings", args.threshold)
        speed(root / "speed", args.notebooks, args.workers)


if __name__ == "__main__":
    main()
