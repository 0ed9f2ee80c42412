"""Fixtures: notebooks of the benchmark corpus written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from benchmarks import similarity_corpus as corpus


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """The handout notebook: the base file."""
    path = tmp_path_factory.mktemp("base") / "template.ipynb"
    nbformat.write(corpus.template_notebook(), path)
    return path


@pytest.fixture(scope="session")
def people() -> dict[str, corpus.Student]:
    """The corpus's independent authors by file stem."""
    return {s.name: s for s in corpus.authors()}
