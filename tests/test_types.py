"""mypy on grader/, reference/ and examples/, as configured in pyproject.toml: CI runs the suite, so the
suite is where the tree is held type-clean (``tox -e lint`` runs the same check)."""

from __future__ import annotations

from pathlib import Path

import mypy.api
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_tree_is_type_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the config's `files` are relative to the checkout
    report, errors, status = mypy.api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, report + errors
