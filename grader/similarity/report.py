"""Write a similarity report: ``similarity.csv``, ``similarity.json``, ``similarity.html``.

The HTML page is self-contained (inline CSS, the histogram as a base64 PNG) so that it reads
offline and can be mailed; the wording is "similarity" and "evidence to review" throughout.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import asdict
from pathlib import Path

from matplotlib.figure import Figure

from grader.common import csvio, templating
from grader.similarity.model import PairResult, SimilarityReport
from grader.similarity.parts import OTHER

CSV_COLUMNS = (
    "a",
    "b",
    "score",
    "flagged",
    "task",
    "kind",
    "flagged_tasks",
    "code_score",
    "answer_score",
    "shared_fragments",
    "shared_fingerprints",
)  # then one column per part and kind found in the class: "1.2 code", "1.1 answer", ...
#: UTF-8 without a byte-order mark, ``,``: what scripts read (the gradebook is the spreadsheet's).
CSV_FORMAT = csvio.CsvFormat(encoding="utf-8")
HTML_RANKED = 100  # pairs listed in the page; the CSV has them all
HTML_EVIDENCE = 60  # flagged pairs shown side by side in the page; the JSON has them all
CONTEXT = 2  # unmatched lines shown around matched ones in the side-by-side view


def write_report(report: SimilarityReport, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_csv(report, out / "similarity.csv")
    (out / "similarity.json").write_text(
        # no indent: json's C encoder only runs without one, and the file can hold 20,000 pairs
        json.dumps(to_json(report), ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    (out / "similarity.html").write_text(render_html(report), encoding="utf-8")


def part_label(task: str, kind: str) -> str:
    return f"{task} {kind}"


def _part_columns(report: SimilarityReport) -> list[tuple[str, str]]:
    """(task, kind) of every part some pair scores on, in the class's task order."""
    order = {s.name: s.parts for s in report.submissions}
    tasks = list(dict.fromkeys(t for parts in order.values() for t in parts))
    seen = {(t.task, t.kind) for p in report.pairs for t in p.tasks}
    return [(task, kind) for task in tasks for kind in ("code", "answer") if (task, kind) in seen]


def write_csv(report: SimilarityReport, path: Path) -> None:
    """Every pair, one column per part; file names are the students', so cells go through
    ``csvio.write_table``'s formula guard."""
    columns = _part_columns(report)
    rows = [[*CSV_COLUMNS, *(part_label(t, k) for t, k in columns)]]
    for p in report.pairs:
        by_part = {(t.task, t.kind): t.score for t in p.tasks}
        best = p.tasks[0] if p.tasks else None
        rows.append(
            [
                p.a,
                p.b,
                f"{p.score:.4f}",
                str(p.flagged).lower(),
                p.task,
                p.kind,
                "; ".join(part_label(t.task, t.kind) for t in p.flagged_tasks),
                f"{p.best('code'):.4f}",
                f"{p.best('answer'):.4f}",
                str(p.shared_fragments),
                str(best.shared if best else 0),
                *(f"{by_part.get(c, 0.0):.4f}" for c in columns),
            ]
        )
    csvio.write_table(path, rows, CSV_FORMAT)


def to_json(report: SimilarityReport) -> dict:
    return {
        "threshold": report.threshold,
        "base": report.base,
        "parameters": report.parameters,
        "common_fingerprints_ignored": report.common_fingerprints,
        "submissions": [asdict(s) for s in report.submissions],
        "clusters": report.clusters,
        "pairs": [
            {
                "a": p.a,
                "b": p.b,
                "score": p.score,
                "flagged": p.flagged,
                "task": p.task,
                "kind": p.kind,
                "shared_fragments": p.shared_fragments,
                "tasks": [  # built by hand: asdict() deep-copies, 20,000 pairs make it slow
                    {
                        "task": t.task,
                        "kind": t.kind,
                        "score": t.score,
                        "shared": t.shared,
                        "flagged": t.flagged,
                    }
                    for t in p.tasks
                ],
                "evidence": [asdict(row) for row in p.evidence],
            }
            for p in report.pairs
        ],
    }


def histogram_png(report: SimilarityReport) -> str:
    """The class's distribution of pair scores with the threshold, as a base64 PNG."""
    figure = Figure(figsize=(7, 3), dpi=100)  # the object API: no pyplot state to leak or close
    axes = figure.add_subplot()
    axes.hist([p.score for p in report.pairs], bins=50, range=(0, 1), color="#4a78b0")
    axes.axvline(
        report.threshold, color="#c0392b", linestyle="--", label=f"threshold {report.threshold:.2f}"
    )
    if report.pairs:  # a log scale needs a count to show (a class of one has no pair)
        axes.set_yscale("log")
        axes.set_ylim(bottom=0.7)  # a lone pair (count 1) must stay visible: it is the one to see
    axes.set_xlabel("similarity score of a pair")
    axes.set_ylabel("pairs (log scale)" if report.pairs else "pairs")
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _lines_view(source: str, matched: tuple[int, ...]) -> list[dict]:
    """Lines of a cell near the matched ones; gaps collapsed to one marker line."""
    lines = source.split("\n")
    hit = set(matched)
    keep = {n for m in hit for n in range(m - CONTEXT, m + CONTEXT + 1)}
    view, gap = [], False
    for number, text in enumerate(lines, start=1):
        if number in keep:
            view.append({"number": number, "text": text, "matched": number in hit})
            gap = False
        elif not gap:
            view.append({"number": None, "text": "⋯", "matched": False})
            gap = True
    return view


def _side(report: SimilarityReport, name: str, kind: str, cell: int | None, lines) -> dict:
    """One side of a matched fragment: its heading and its lines, matched ones marked."""
    if cell is None:
        return {"title": "", "lines": []}
    document = report.documents[name]
    if kind == "code":
        return {
            "title": f"{name} · cell {cell} (code)",
            "lines": _lines_view(document.cells[cell], lines),
        }
    unit = document.texts[cell]
    what = "the question" if unit.question else "written answer"
    where = "outside the tasks" if unit.task == OTHER else f"task {unit.task}"
    title = f"{name} · {what}, {where} (cell {unit.cell})"
    return {"title": title, "lines": _lines_view(unit.text, lines)}


def _evidence(report: SimilarityReport, pair: PairResult) -> list[dict]:
    """The flagged parts of a pair, each with its side-by-side rows."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in pair.evidence:
        groups.setdefault((row.task, row.kind), []).append(
            {
                "a": _side(report, pair.a, row.kind, row.cell_a, row.lines_a),
                "b": _side(report, pair.b, row.kind, row.cell_b, row.lines_b),
            }
        )
    scores = {(t.task, t.kind): t for t in pair.tasks}
    return [
        {"label": part_title(task, kind), "part": scores[(task, kind)], "rows": rows}
        for (task, kind), rows in groups.items()
    ]


def part_title(task: str, kind: str) -> str:
    """``task 1.2, code`` / ``outside the tasks, written answers``: how the page names a part."""
    where = "outside the tasks" if task == OTHER else f"task {task}"
    return f"{where}, {'code' if kind == 'code' else 'written answer'}"


_ENV = templating.environment("grader.similarity")


def render_html(report: SimilarityReport) -> str:
    flagged = report.flagged
    ranked = report.pairs[: max(HTML_RANKED, len(flagged))]
    return _ENV.get_template("similarity.html.j2").render(
        report=report,
        ranked=ranked,
        flagged=[{"pair": p, "parts": _evidence(report, p)} for p in flagged[:HTML_EVIDENCE]],
        flagged_count=len(flagged),
        histogram=histogram_png(report),
        unreadable=report.not_compared,
        part_title=part_title,
    )
