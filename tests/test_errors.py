"""The grader's errors: one base, caught once by the ``grader`` command (a message, no traceback)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader import cli, errors
from grader.errors import GraderError, RubricError
from grader.runtime import SandboxTooWeak

ROOT = Path(__file__).resolve().parents[1]


def test_the_errors_module_holds_the_hierarchy() -> None:
    """Every error the grader raises on purpose is declared in ``grader.errors`` (but for
    ``SandboxTooWeak``, whose message is the sandbox's table), importable from there."""

    def subclasses(cls: type) -> set[type]:
        return {cls, *(s for c in cls.__subclasses__() for s in subclasses(c))}

    declared = {c for c in subclasses(GraderError) if c.__module__.startswith("grader")}
    assert {c.__module__ for c in declared} == {"grader.errors", "grader.runtime.isolation"}
    assert {c for c in declared if c.__module__ != "grader.errors"} == {SandboxTooWeak}
    assert len(declared) >= 13 and all(getattr(errors, c.__name__) is c for c in declared - {SandboxTooWeak})


def test_the_command_says_a_grader_error_in_one_line_and_exits_1(tmp_path: Path) -> None:
    """A real run: `grader moodle feedback` on a folder with no report in it."""
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "moodle", "feedback", "--reports", str(tmp_path),
         "--out", str(tmp_path / "feedback.zip")],
        check=False, cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"error: no report.json under {tmp_path}: run `grader grade ... --out {tmp_path}` first\n"
    )
    assert not (tmp_path / "feedback.zip").exists()


def test_the_command_catches_any_grader_error_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(args: object) -> int:
        raise RubricError("task 1.2: points add up to 9, not 10")

    monkeypatch.setattr(cli, "_gradescope_package", refuse)
    assert cli.main(["gradescope-package"]) == 1
    assert capsys.readouterr().err == "error: task 1.2: points add up to 9, not 10\n"


def test_a_subcommand_keeps_its_documented_exit_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`grader manual` exits 2 when nothing was imported or exported."""
    assert cli.main(["manual", "export", "--reports", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: no report.json under {tmp_path}")
    assert cli.main(["manual", "import", str(tmp_path / "none.csv"), "--reports", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"error: no such file: {tmp_path / 'none.csv'}\n"


def test_a_bug_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the grader's own errors become a message: anything else is a bug, with its traceback."""

    def crash(args: object) -> int:
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_gradescope_package", crash)
    with pytest.raises(KeyError):
        cli.main(["gradescope-package"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "no assignment pack 'nope': give a pack shipped with the grader (a2), an installed one"),
        ("course.hw3", "no assignment pack 'course.hw3'"),
        ("grader.errors", "grader.errors is not an assignment pack (it needs PACK, a grader.assignment.Pack)"),
        ("./no/such/folder", "no assignment pack at "),
    ],
)
def test_an_unknown_assignment_is_one_line_not_a_traceback(
    name: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    notebook = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
    assert cli.main(["check", str(notebook), "--assignment", name]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and err.count("\n") == 1


def test_a_pack_missing_its_own_dependency_is_not_called_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the pack's own module missing is the user's mistake; a broken pack shows its error."""
    from grader.assignment import locate

    (tmp_path / "brokenpack").mkdir()
    (tmp_path / "brokenpack" / "__init__.py").write_text("import not_installed_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="not_installed_anywhere"):
        locate("brokenpack.sub")
