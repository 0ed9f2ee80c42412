"""The report files: CSV columns and types, self-contained HTML, JSON, broken notebooks, determinism."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.similarity import DEFAULT_THRESHOLD, engine, run_similarity
from grader.similarity.fingerprints import kgram_hashes
from tests.support.students import authors as corpus

FILES = ("similarity.csv", "similarity.json", "similarity.html")


@pytest.fixture(scope="module")
def folder(tmp_path_factory, people) -> Path:
    """Two copies of one author, two independent authors and an invalid notebook."""
    root = tmp_path_factory.mktemp("class")
    first = corpus.copy_of(people["A2_MARTIN_Alice"], "A2_COPY_One", ["rename", "reorder"])
    second = corpus.copy_of(people["A2_MARTIN_Alice"], "A2_COPY_Two", ["comments"])
    students = [
        people["A2_MARTIN_Alice"],
        first,
        second,
        people["A2_KIM_Gyu"],
        people["A2_SILVA_Helena"],
    ]
    corpus.write(students, root / "subs")
    (root / "subs" / "A2_BROKEN_Bob.ipynb").write_text('{"cells": [', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def report(folder, template, a2):
    return run_similarity([folder / "subs"], folder / "out", base=template, layout=a2)


def test_csv_columns_and_types(folder, report):
    with (folder / "out" / "similarity.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames[:9] == [
        "a",
        "b",
        "score",
        "flagged",
        "task",
        "kind",
        "flagged_tasks",
        "code_score",
        "answer_score",
    ]
    part_columns = reader.fieldnames[11:]
    assert {"1.2 code", "3.2 code", "1.1 answer", "3.6 answer"} <= set(part_columns)
    assert len(rows) == 10  # five readable notebooks: every pair once
    for row in rows:
        score, code, text = (
            float(row["score"]),
            float(row["code_score"]),
            float(row["answer_score"]),
        )
        parts = {c: float(row[c]) for c in part_columns}
        assert all(0.0 <= v <= 1.0 for v in parts.values())
        assert score == max(code, text) == max(parts.values())
        assert code == max(v for c, v in parts.items() if c.endswith(" code"))
        if score > 0:
            assert parts[f"{row['task']} {row['kind']}"] == score
        flagged = [c for c, v in parts.items() if v >= DEFAULT_THRESHOLD]
        assert set(filter(None, row["flagged_tasks"].split("; "))) == set(flagged)
        assert row["flagged"] == ("true" if score >= DEFAULT_THRESHOLD else "false")
        assert int(row["shared_fragments"]) >= 0
        assert row["a"] < row["b"]
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert sum(r["flagged"] == "true" for r in rows) == 3  # the original and its two copies


def test_broken_notebook_is_reported_not_compared(folder, report):
    broken = next(s for s in report.submissions if s.name == "A2_BROKEN_Bob.ipynb")
    assert broken.problems and "JSON" in broken.problems[0]
    assert report.not_compared == [broken]
    assert all("A2_BROKEN_Bob.ipynb" not in (p.a, p.b) for p in report.pairs)
    html = (folder / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "Not compared" in html and "A2_BROKEN_Bob.ipynb" in html


def test_html_is_self_contained_and_shows_the_evidence(folder, report):
    html = (folder / "out" / "similarity.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert "<link" not in html and "<script" not in html
    assert "data:image/png;base64," in html  # the histogram
    assert html.count('class="pair"') == 3  # one side-by-side view per flagged pair
    assert "task 1.2, code" in html and "task 3.2, code" in html  # which task, in the evidence
    assert 'class="line hit"' in html
    assert "A2_COPY_One.ipynb, A2_COPY_Two.ipynb, A2_MARTIN_Alice.ipynb" in html  # the group


def test_matched_lines_are_the_copied_function(report):
    pair = next(
        p for p in report.flagged if {p.a, p.b} == {"A2_MARTIN_Alice.ipynb", "A2_COPY_Two.ipynb"}
    )
    alice = report.documents["A2_MARTIN_Alice.ipynb"].cells
    rows = [r for r in pair.evidence if (r.task, r.kind) == ("1.2", "code")]
    cells = {r.cell_a if pair.a == "A2_MARTIN_Alice.ipynb" else r.cell_b: r for r in rows}
    gradient_cell = next(i for i, src in alice.items() if "delta = -Y * sigm" in src)
    row = cells[gradient_cell]
    lines = row.lines_a if pair.a == "A2_MARTIN_Alice.ipynb" else row.lines_b
    source = alice[gradient_cell].split("\n")
    first = next(k for k, line in enumerate(source, start=1) if line.startswith("def gradient_nn"))
    assert set(range(first + 1, first + 9)) <= set(lines)


def test_a_copied_answer_is_shown_as_that_tasks_answer(report, folder):
    pair = next(
        p for p in report.flagged if {p.a, p.b} == {"A2_MARTIN_Alice.ipynb", "A2_COPY_Two.ipynb"}
    )
    answers = [r for r in pair.evidence if r.kind == "answer"]
    assert {r.task for r in answers} >= {"1.3", "3.3"}
    html = (folder / "out" / "similarity.html").read_text(encoding="utf-8")
    assert "written answer, task 3.3" in html
    assert "WRITE YOUR ANSWER HERE" not in html  # the frames and the placeholder are not evidence


def test_wording_is_similarity_not_a_verdict(folder, report):
    for name in FILES:
        text = (folder / "out" / name).read_text(encoding="utf-8").lower()
        assert "plagiar" not in text and "cheat" not in text
    assert "evidence to review" in (folder / "out" / "similarity.html").read_text(encoding="utf-8")


def test_json_has_pairs_clusters_and_evidence(folder, report):
    data = json.loads((folder / "out" / "similarity.json").read_text(encoding="utf-8"))
    assert data["threshold"] == DEFAULT_THRESHOLD
    assert len(data["pairs"]) == 10 and len(data["submissions"]) == 6
    assert data["base"] and data["pairs"][0]["tasks"][0]["task"] == data["pairs"][0]["task"]
    assert data["clusters"] == [["A2_COPY_One.ipynb", "A2_COPY_Two.ipynb", "A2_MARTIN_Alice.ipynb"]]
    flagged = [p for p in data["pairs"] if p["flagged"]]
    assert all(p["evidence"] for p in flagged)


def test_output_is_deterministic(folder, template, report, a2):
    again = run_similarity([folder / "subs"], folder / "again", base=template, layout=a2)
    assert again.pairs == report.pairs
    for name in FILES:
        assert (folder / "out" / name).read_bytes() == (folder / "again" / name).read_bytes()


def test_fingerprints_do_not_depend_on_the_process():
    """Python's own str hash changes with PYTHONHASHSEED; fingerprints must not."""
    text = "defF(V,V):returnV+V*V"
    code = f"from grader.similarity.fingerprints import kgram_hashes; print(kgram_hashes({text!r}, 10).tolist())"
    env = {
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": str(Path(__file__).parents[2]),
        "MPLBACKEND": "Agg",
    }
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert json.loads(other) == kgram_hashes(text, 10).tolist()


def test_worker_processes_give_the_same_report(folder, template, report, a2, monkeypatch):
    monkeypatch.setattr(engine, "PARALLEL_FROM", 2)  # use the process pool on this small class
    parallel = run_similarity([folder / "subs"], None, base=template, layout=a2, workers=2)
    assert parallel.pairs == report.pairs
