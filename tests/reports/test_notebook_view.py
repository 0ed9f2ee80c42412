"""The notebook as handed in, beside the instructor's report: each task's figures as files shown
as thumbnails under the task, and the whole notebook rendered by nbconvert with the student's
content sanitised (no script, nothing fetched)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from grader.assignment import load_assignment
from grader.frontends.classfolder import write_submission
from grader.grading.pipeline import grade_notebook
from grader.reports import STUDENT_DIR
from tests.support.realform import (
    COLAB_METADATA,
    HEADINGS,
    STUDENT,
    TITLE,
    code,
    figure,
    lines,
    markdown,
    notebook,
    png,
)

HOSTILE_HTML = {
    "output_type": "display_data",
    "data": {
        "text/html": '<script>alert(1)</script><img src="http://evil.example/x.png" onerror="alert(2)"><b>table</b>',
        "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(3)"></svg>',
        "text/plain": "hostile",
    },
    "metadata": {},
}


def _write(path: Path) -> Path:
    cells = [
        markdown(TITLE),
        markdown(STUDENT),
        markdown(lines(HEADINGS["1.8"])),
        code("plt.plot([1, 2])", 1, [figure(png(80, 1)), figure(png(80, 2)), HOSTILE_HTML]),
        markdown("The answer $\\frac{a}{b}$ <script>alert(4)</script> ![x](http://evil.example/y.png)"),
        markdown(lines(HEADINGS["3.5"])),
        code("show()", 2, [figure(png(60, 3))]),
        markdown("I, Jane Doe, declare that this is my own work."),
    ]
    path.write_text(json.dumps(notebook(4, COLAB_METADATA, cells)))
    return path


def test_figures_and_the_notebook_go_beside_the_instructors_report(tmp_path: Path) -> None:
    a2 = load_assignment("a2")
    only_evidence = replace(
        a2,
        rubric=replace(a2.rubric, tasks=tuple(t for t in a2.rubric.tasks if t.id in ("1.8", "3.5"))),
    )
    path = _write(tmp_path / "A2_DOE_Jane.ipynb")
    report = grade_notebook(path, only_evidence)
    out = tmp_path / "out"
    final = write_submission(report, out, "fp", None, path)

    assert sorted(final.meta["figures_written"]) == ["figures/1.8-1.png", "figures/1.8-2.png", "figures/3.5-1.png"]
    assert (out / "figures" / "1.8-2.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the image itself
    html = (out / "report.html").read_text()
    assert html.count('class="thumb"') == 3 and 'href="figures/3.5-1.png"' in html
    assert 'href="notebook.html"' in html
    student = (out / STUDENT_DIR / "report.html").read_text()
    assert "figures/" not in student and "notebook.html" not in student  # the student's view links nothing beside it

    page = (out / "notebook.html").read_text()
    assert "<math" in page and "<b>table</b>" in page  # rendered: LaTeX as MathML, harmless HTML kept
    lowered = page.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "onload" not in lowered
    assert "http://evil.example" not in page and "<svg" not in lowered
    assert "default-src 'none'" in page  # and the page itself may fetch nothing


def test_a_notebook_that_cannot_be_read_gets_no_files(tmp_path: Path) -> None:
    from grader.reports.notebook_view import write_notebook_files

    broken = tmp_path / "A2_DOE_Jane.ipynb"
    broken.write_text("{ not json")
    places = {"1.8": [{"cell": 4, "output": 0, "mime": "image/png", "file": "figures/1.8-1.png"}]}
    assert write_notebook_files(broken, tmp_path, places) == {"figures": [], "notebook": None}
    assert not (tmp_path / "figures").exists()


def test_a_special_file_is_never_opened_for_its_page(tmp_path: Path) -> None:
    """A FIFO or a link to /dev/zero named like a notebook would block or never end if read:
    the page's writer opens files as the reader does, and not at all for an unread notebook."""
    import os
    import threading

    from grader.reports.notebook_view import write_notebook_files

    fifo = tmp_path / "A2_FIFO_Jane.ipynb"
    os.mkfifo(fifo)
    zero = tmp_path / "A2_ZERO_Jane.ipynb"
    zero.symlink_to("/dev/zero")
    done: list[dict] = []
    worker = threading.Thread(target=lambda: done.extend(write_notebook_files(p, tmp_path, {}) for p in (fifo, zero)), daemon=True)
    worker.start()
    worker.join(10)
    assert done == [{"figures": [], "notebook": None}] * 2


def test_the_page_is_the_one_nbconvert_would_clean_fragment_by_fragment(tmp_path: Path) -> None:
    """nbconvert's own cleaning of each fragment (bleach) is left to the page's sanitiser: the
    page is the same, hostile outputs and markdown included."""
    import nbformat
    from nbconvert import HTMLExporter

    from grader.common.render import render_answer, sanitise
    from grader.reports.notebook_view import write_notebook_files

    path = _write(tmp_path / "A2_DOE_Jane.ipynb")
    assert write_notebook_files(path, tmp_path, {})["notebook"] == "notebook.html"
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("widgets", None)
    exporter = HTMLExporter(template_name="basic", filters={"markdown2html": lambda source, **_: render_answer(source)})
    cleaned_twice = sanitise(exporter.from_notebook_node(nb)[0])
    assert "alert" not in cleaned_twice and str(cleaned_twice) in (tmp_path / "notebook.html").read_text()


def test_a_page_rendered_ahead_is_written_only_for_the_bytes_it_was_made_from(tmp_path: Path, monkeypatch) -> None:
    """``grader grade`` of one notebook renders its page while the runtime's zygote imports
    torch; written later, that page is used only if the notebook is still the same."""
    from grader.reports import notebook_view

    rendered: list[int] = []
    real = notebook_view._render
    monkeypatch.setattr(notebook_view, "_render", lambda nb: rendered.append(1) or real(nb))
    path = _write(tmp_path / "A2_DOE_Jane.ipynb")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    notebook_view.render_ahead(path)
    assert notebook_view.write_notebook_files(path, tmp_path / "a", {})["notebook"] == "notebook.html"
    assert len(rendered) == 1  # the page made ahead was written
    notebook_view.render_ahead(path)
    path.write_text(path.read_text().replace("The answer", "My answer"))
    assert notebook_view.write_notebook_files(path, tmp_path / "b", {})["notebook"] == "notebook.html"
    assert len(rendered) == 3 and "My answer" in (tmp_path / "b" / "notebook.html").read_text()
    assert notebook_view._rendered == {}  # nothing kept once written
