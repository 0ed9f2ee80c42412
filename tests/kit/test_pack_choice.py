"""``grader check`` without ``--assignment``: the pack it picks among those installed."""

from __future__ import annotations

import importlib.metadata

import pytest

from grader import assignment
from grader.errors import GraderError
from grader.selfcheck import expected_name, pack_for

A2 = importlib.metadata.EntryPoint("a2", "grader.assignments.a2", assignment.ENTRY_POINT_GROUP)
TOY = importlib.metadata.EntryPoint("toy", "examples.toypack", assignment.ENTRY_POINT_GROUP)


def installed(monkeypatch: pytest.MonkeyPatch, *entries: importlib.metadata.EntryPoint, default: str = "a2") -> None:
    """As if the kits declaring ``entries`` were installed, with ``default`` the engine's default."""
    monkeypatch.setattr(
        assignment.importlib.metadata,
        "entry_points",
        lambda group: importlib.metadata.EntryPoints(e for e in entries if e.group == group),
    )
    monkeypatch.setattr(assignment, "DEFAULT", default)


def test_a_checkout_with_no_pack_installed_checks_with_its_default(monkeypatch):
    installed(monkeypatch)
    assert pack_for("anything.ipynb").module == "grader.assignments.a2"
    assert expected_name() == "A2_LASTNAME_Firstname.ipynb"


def test_the_only_installed_pack_checks_every_notebook(monkeypatch):
    """A toy kit's engine names ``a2`` its default, which it does not ship: the toy is the only pack."""
    installed(monkeypatch, TOY, default="nowhere")
    assert pack_for("A2_DOE_Jane.ipynb").module == "examples.toypack"
    assert expected_name() == "TOY_LASTNAME_Firstname.ipynb"


def test_two_kits_the_file_name_chooses(monkeypatch):
    installed(monkeypatch, A2, TOY)
    assert pack_for("A2_DOE_Jane.ipynb").module == "grader.assignments.a2"
    assert pack_for("TOY_DOE_Jane.ipynb").module == "examples.toypack"
    assert pack_for("toy_doe_jane.ipynb").module == "examples.toypack"  # the name's case is a note
    assert expected_name() == "PREFIX_LASTNAME_Firstname.ipynb"
    with pytest.raises(GraderError, match="cannot tell which assignment TOYA2_x.ipynb is for") as raised:
        pack_for("TOYA2_x.ipynb")
    assert "A2_LASTNAME_Firstname.ipynb" in str(raised.value) and "--assignment" in str(raised.value)


def test_no_pack_at_all_says_what_to_install(monkeypatch):
    installed(monkeypatch, default="nowhere")
    with pytest.raises(GraderError, match="no assignment is installed"):
        pack_for("A2_DOE_Jane.ipynb")
