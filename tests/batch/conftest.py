"""Fixtures of the class-scale tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.batch import tiny_notebook


@pytest.fixture(autouse=True)
def frozen_salt(monkeypatch: pytest.MonkeyPatch) -> str:
    """The grader's own files are part of every fingerprint: freeze them for a test, so that an
    edit elsewhere in a shared checkout cannot look like a changed grader mid-test."""
    import grader.frontends.classfolder
    from grader.assignment import locate

    salt = grader.frontends.classfolder.pack_salt(locate("a2"), 0)
    monkeypatch.setattr(grader.frontends.classfolder, "pack_salt", lambda *args: salt)
    return salt


@pytest.fixture
def class_dir(tmp_path: Path) -> Path:
    """Three submissions, one of them with a failed gradcheck."""
    folder = tmp_path / "in"
    folder.mkdir()
    tiny_notebook(folder / "A2_DOE_Jane.ipynb")
    tiny_notebook(
        folder / "A2_ROE_Rita.ipynb", answer="<script>alert(1)</script> no idea", success=False
    )
    tiny_notebook(folder / "A2_POE_Edgar.ipynb", answer="")
    return folder


@pytest.fixture
def count_gradings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notebooks ``grade_notebook`` is called on (jobs=1 grades in this process)."""
    import grader.grading.pipeline

    calls: list[str] = []
    real = grader.grading.pipeline.grade_notebook

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(grader.grading.pipeline, "grade_notebook", counting)
    return calls
