"""Write a similarity report: ``similarity.csv``, ``similarity.json``, ``similarity.html``.

The HTML page is self-contained (inline CSS, the histogram as a base64 PNG) so that it reads
offline and can be mailed; the wording is "similarity" and "evidence to review" throughout.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import asdict, fields
from pathlib import Path

import jinja2
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from grader.similarity.model import PairResult, SimilarityReport

CSV_COLUMNS = (
    "a",
    "b",
    "score",
    "flagged",
    "code_score",
    "text_score",
    "shared_fragments",
    "shared_code_fingerprints",
    "shared_text_shingles",
)
PAIR_FIELDS = tuple(f.name for f in fields(PairResult) if f.name != "evidence")
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


def write_csv(report: SimilarityReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for p in report.pairs:
            writer.writerow(
                [
                    p.a,
                    p.b,
                    f"{p.score:.4f}",
                    str(p.flagged).lower(),
                    f"{p.code_score:.4f}",
                    f"{p.text_score:.4f}",
                    p.shared_fragments,
                    p.shared_code,
                    p.shared_text,
                ]
            )


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
                **{column: getattr(p, column) for column in PAIR_FIELDS},
                "evidence": [asdict(row) for row in p.evidence],
            }
            for p in report.pairs
        ],
    }


def histogram_png(report: SimilarityReport) -> str:
    """The class's distribution of pair scores with the threshold, as a base64 PNG."""
    figure, axes = plt.subplots(figsize=(7, 3), dpi=100)
    axes.hist([p.score for p in report.pairs], bins=50, range=(0, 1), color="#4a78b0")
    axes.axvline(
        report.threshold, color="#c0392b", linestyle="--", label=f"threshold {report.threshold:.2f}"
    )
    axes.set_yscale("log")
    axes.set_ylim(bottom=0.7)  # a lone pair (count 1) must stay visible: it is the one to see
    axes.set_xlabel("similarity score of a pair")
    axes.set_ylabel("pairs (log scale)")
    axes.legend()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
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


def _evidence(report: SimilarityReport, pair: PairResult) -> list[dict]:
    rows = []
    for row in pair.evidence:
        sides = []
        for name, cell, lines in (
            (pair.a, row.cell_a, row.lines_a),
            (pair.b, row.cell_b, row.lines_b),
        ):
            cells = dict(
                report.documents[name].code if row.kind == "code" else report.documents[name].text
            )
            sides.append({"cell": cell, "lines": _lines_view(cells[cell], lines) if cell else []})
        rows.append({"kind": row.kind, "a": sides[0], "b": sides[1]})
    return rows


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("grader.similarity", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(report: SimilarityReport) -> str:
    flagged = report.flagged
    ranked = report.pairs[: max(HTML_RANKED, len(flagged))]
    return _ENV.get_template("similarity.html.j2").render(
        report=report,
        ranked=ranked,
        flagged=[{"pair": p, "rows": _evidence(report, p)} for p in flagged[:HTML_EVIDENCE]],
        flagged_count=len(flagged),
        histogram=histogram_png(report),
        unreadable=[s for s in report.submissions if s.problems],
    )
