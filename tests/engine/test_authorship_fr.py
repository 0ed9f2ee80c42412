"""French authorship statements count as statements; a French one left unsigned does not."""

from __future__ import annotations

import pytest

from grader.notebook import load_submission
from tests.support.nbfactory import write_notebook


def _has_statement(tmp_path, text: str) -> bool:
    path = write_notebook(
        tmp_path / "A2_DUPONT_Jean.ipynb",
        [("code", "x = 1", 1), ("markdown", "## Déclaration"), ("markdown", text)],
    )
    submission = load_submission(path)
    assert submission.cells
    return "no-authorship" not in {p.code for p in submission.problems}


@pytest.mark.parametrize(
    "text",
    [
        (
            "Je déclare que ce travail est le résultat de mon seul effort et que je n'ai utilisé "
            "aucun code ni résultat de tiers. Jean Dupont"
        ),
        "Je certifie que ce notebook est mon propre travail. — Marie Curie",
        "Je, soussignée Zoë Lefèvre, atteste avoir réalisé ce travail seule.",
    ],
)
def test_french_statements_are_recognised(tmp_path, text):
    assert _has_statement(tmp_path, text)


def test_a_french_statement_left_unsigned_is_not(tmp_path):
    assert not _has_statement(tmp_path, "Je déclare que ce travail est le résultat de mon seul effort. VOTRE NOM")
