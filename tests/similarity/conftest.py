"""Fixtures: the corpus of student authors's handouts and authors, and the A2 pack's task layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.assignment import locate
from grader.notebook.sections import TaskLayout
from tests.support.students import authors as corpus


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """The 2020 handout notebook: the base file."""
    return corpus.write_template(tmp_path_factory.mktemp("base") / "template.ipynb")


@pytest.fixture(scope="session")
def template_2019(tmp_path_factory) -> Path:
    """The 2019 handout, whose provided code differs a little."""
    return corpus.write_template(tmp_path_factory.mktemp("base") / "template_2019.ipynb", "2019")


@pytest.fixture(scope="session")
def people() -> dict[str, corpus.Student]:
    """The corpus's independent authors by file stem."""
    return {s.name: s for s in corpus.authors()}


@pytest.fixture(scope="session")
def a2() -> TaskLayout:
    """How the A2 pack cuts a notebook into tasks."""
    return locate("a2").layout()
