"""``check_this_notebook()``: the self-check from a cell of the running notebook.

Colab is stood in for by a ``google.colab._message`` module whose ``blocking_request`` answers
``get_ipynb`` as Colab does (``{"ipynb": <notebook>}``, the name in ``metadata.colab``).
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from grader.common import environment
from grader.selfcheck import check_this_notebook

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_NOTEBOOK = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
CORRECT_LINE = "grad_s_Yo = -np.asarray(Y"
BUGGY_LINE = "grad_s_Yo = np.asarray(Y"


def _colab(monkeypatch: pytest.MonkeyPatch, notebook: dict, name: str) -> list[str]:
    """Install a stand-in Colab front end that sends ``notebook``; returns the requests it got."""
    requests: list[str] = []
    notebook = {**notebook, "metadata": {**notebook.get("metadata", {}), "colab": {"name": name}}}

    def blocking_request(request_type, request="", timeout_sec=5, parent=None):
        requests.append(request_type)
        return {"ipynb": notebook} if request_type == "get_ipynb" else None

    message = types.ModuleType("google.colab._message")
    message.blocking_request = blocking_request
    colab = types.ModuleType("google.colab")
    colab._message = message
    google = types.ModuleType("google")
    google.colab = colab
    google.__path__ = []
    for module in (google, colab, message):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    return requests


def _reference() -> dict:
    return json.loads(REFERENCE_NOTEBOOK.read_text(encoding="utf-8"))


def test_colab_perfect_notebook_is_ready_and_says_what_awaits_a_person(monkeypatch, capsys):
    requests = _colab(monkeypatch, _reference(), "A2_REFERENCE_Solution.ipynb")
    monkeypatch.setattr(environment, "GRADING_PINS", {**environment.GRADING_PINS, "numpy": "0.0.1"})
    assert check_this_notebook() is True
    out = " ".join(capsys.readouterr().out.split())  # as read, whatever the console's width
    assert requests == ["get_ipynb"]
    assert "numpy 1.26.4 here, 0.0.1 when graded" in out  # the environment differs: said so
    assert "automatic · 32 to be marked by hand" in out
    assert "/ 66" not in out
    assert "1.1: answer found under its heading" in out
    assert "ready to hand in" in out


def test_colab_failure_shows_the_failing_input(monkeypatch, capsys):
    notebook = _reference()
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code" and "def gradient_nn(" in "".join(c["source"])]
    assert len(cells) == 1
    source = "".join(cells[0]["source"])
    assert CORRECT_LINE in source
    cells[0]["source"] = source.replace(CORRECT_LINE, BUGGY_LINE)
    _colab(monkeypatch, notebook, "A2_BUGGY_Student.ipynb")
    assert check_this_notebook() is False
    out = " ".join(capsys.readouterr().out.split())
    assert "1.2" in out and "input:" in out and "expected:" in out and "got:" in out
    assert "not ready yet" in out


def test_vscode_reads_the_saved_file_and_a_path_wins(monkeypatch, tmp_path, capsys):
    from grader.frontends import livenotebook

    saved = tmp_path / "A2_DOE_Jane.ipynb"
    saved.write_bytes(b'{"cells": []}')
    shell = types.SimpleNamespace(user_ns={"__vsc_ipynb_file__": str(saved)})
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert livenotebook.live_notebook() == ("A2_DOE_Jane.ipynb", b'{"cells": []}')
    other = tmp_path / "A2_ROE_Rita.ipynb"
    other.write_bytes(b"{}")
    assert livenotebook.live_notebook(other)[0] == "A2_ROE_Rita.ipynb"
    shell.user_ns.clear()
    with pytest.raises(livenotebook.LiveNotebookError, match="pass its path"):
        livenotebook.live_notebook()


def test_the_pins_are_the_grading_environments():
    pins = dict(
        line.split("==", 1)
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").split()
        if "==" in line
    )
    assert {k: pins[k] for k in environment.GRADING_PINS} == environment.GRADING_PINS


def test_a_notebook_not_found_names_the_file_the_pack_asks_for(monkeypatch):
    """The message gives the pack's own name to type, never an unfilled ``<PREFIX>``."""
    from grader.frontends import livenotebook

    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    with pytest.raises(livenotebook.LiveNotebookError) as raised:
        check_this_notebook()
    assert "check_this_notebook('A2_LASTNAME_Firstname.ipynb')" in str(raised.value)
    assert "<PREFIX>" not in str(raised.value)


def test_check_help_names_the_file_the_pack_asks_for(capsys):
    from grader.cli import main

    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "A2_LASTNAME_Firstname.ipynb" in out and "<PREFIX>" not in out


def test_check_on_a_mistyped_file_says_so_in_one_line(tmp_path, capsys):
    """As `grader grade` does: one line, not a report of every task missing."""
    from grader.cli import main

    missing = tmp_path / "A2_DOE_Jnae.ipynb"
    assert main(["check", str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: no such file: {missing}\n" and captured.out == ""
