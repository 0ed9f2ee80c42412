"""Marking actions per written task: the marking app (one key per answer group) against the CSV
sheet (one row per answer), on the sample class and on a generated class of 100.

The generated class models how a class writes: per task, the expected answer and three usual
mistakes (a generic statement, the first half of the answer with a wrong end, its first clause
only), each handed in by many students with small differences (case, punctuation, Markdown
emphasis, a word changed), a tenth left blank and a fifth in the student's own words. Purity
says whether a group ever mixes two different answers (a group marked at once must be one
answer): the share of groups whose members all come from one variant.

    python benchmarks/marking_bench.py [--threshold 0.8] [--figure PATH]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.assignment import load_assignment
from grader.frontends.marking.grouping import DEFAULT_THRESHOLD, group_answers, normalise
from tests.support.markingclass import sample_answers

MISTAKES = (
    "The gradient is the same as in the lecture, computed by backpropagation through every layer.",
    "{half} but the remaining terms cancel out, so they can be left out of the answer.",
    "{first}",
)
OWN_WORDS = (
    "I think {n} is the answer since the loss goes down faster when we try it on the moons.",
    "Student {n} explains: the network overfits after epoch {n} so we stop there and keep the weights.",
    "Not sure; I tried {n} different things and the one with ReLU worked best for me in the end.",
)
SYNONYMS = {"the": "The", "is": "is", "so": "thus", "gives": "yields", "and": "&", "of": "of the"}


def _disguise(text: str, rng: random.Random) -> str:
    """What students change in an answer they share: case, spacing, emphasis, a word."""
    words = text.split()
    if words and rng.random() < 0.5:
        i = rng.randrange(len(words))
        words[i] = SYNONYMS.get(words[i], words[i])
    text = " ".join(words)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.3:
        text = f"**{text}**"
    if rng.random() < 0.3:
        text = text.rstrip(".") + "."
    return text


def generated_class(n: int, seed: int = 0) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """``n`` students' written answers, and which variant each answer is (for purity)."""
    rng = random.Random(seed)
    rubric = load_assignment(with_reference=False).rubric
    written = [t for t in rubric.tasks if t.manual_points]
    answers: dict[str, dict[str, str]] = {f"student{i:03d}": {} for i in range(n)}
    truth: dict[str, dict[str, str]] = {f: {} for f in answers}
    for task in written:
        expected = task.expected_answer or f"The answer to task {task.id}."
        first, half = expected.split(";")[0], expected[: len(expected) // 2]
        variants = [expected, *(m.format(half=half, first=first) for m in MISTAKES)]
        for k, folder in enumerate(answers):
            roll = rng.random()
            if roll < 0.1:
                answers[folder][task.id], truth[folder][task.id] = "", "blank"
            elif roll < 0.3:
                answers[folder][task.id] = rng.choice(OWN_WORDS).format(n=k)
                truth[folder][task.id] = f"own-{folder}"
            else:
                v = rng.choices(range(len(variants)), weights=(5, 2, 1.5, 1.5))[0]
                answers[folder][task.id] = _disguise(variants[v], rng)
                truth[folder][task.id] = normalise(variants[v])  # two variants may be one text
    return answers, truth


def actions(answers: dict[str, dict[str, str | None]], threshold: float,
            truth: dict[str, dict[str, str]] | None = None) -> list[tuple[str, int, int, float | None]]:
    """Per task: (task, CSV rows, app groups, purity or None without a truth)."""
    tasks = sorted({t for written in answers.values() for t in written})
    rows = []
    for task in tasks:
        by_folder = {f: w[task] for f, w in answers.items() if task in w}
        groups = group_answers(by_folder, threshold)
        purity = None
        if truth is not None:
            pure = [g for g in groups if len({truth[f][task] for f in g.folders}) == 1]
            purity = len(pure) / len(groups)
        rows.append((task, len(by_folder), len(groups), purity))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--figure", type=Path, default=None, help="write the bar chart (PNG) here")
    args = parser.parse_args()
    generated, truth = generated_class(100)
    classes = {
        "sample class (9)": actions(sample_answers(), args.threshold),
        "generated class (100)": actions(generated, args.threshold, truth),
    }
    for name, rows in classes.items():
        print(f"{name}, threshold {args.threshold}")
        print(f"  {'task':<6}{'CSV rows':>10}{'app groups':>12}{'purity':>8}")
        for task, csv_rows, groups, purity in rows:
            shown = f"{purity:.2f}" if purity is not None else "-"
            print(f"  {task:<6}{csv_rows:>10}{groups:>12}{shown:>8}")
        total_csv, total_app = sum(r[1] for r in rows), sum(r[2] for r in rows)
        print(f"  {'all':<6}{total_csv:>10}{total_app:>12}   ({total_csv / total_app:.1f}x fewer actions)")
    if args.figure:
        _figure(classes, args.figure)
        print(f"figure: {args.figure}")


def _figure(classes: dict[str, list[tuple[str, int, int, float | None]]], path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots(1, len(classes))
    for ax, (name, rows) in zip(axes, classes.items(), strict=True):
        x = range(len(rows))
        ax.bar([i - 0.2 for i in x], [r[1] for r in rows], width=0.4, label="CSV: one row per answer")
        ax.bar([i + 0.2 for i in x], [r[2] for r in rows], width=0.4, label="app: one key per group")
        ax.set_xticks(list(x), [r[0] for r in rows])
        ax.set_title(name)
        ax.set_xlabel("written task")
        ax.set_ylabel("marking actions")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncols=2)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
