"""The command as other Python tools behave: ``python -m grader``, ``-v``/``-q``/``--log`` through
``logging``, and option defaults from ``grader.toml`` (or ``[tool.grader]``) in the class folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import __version__, cli
from grader.config import ConfigError, apply_config, find_config

ROOT = Path(__file__).resolve().parents[2]
TOY = "examples.toypack"
TOY_CLASS = ROOT / "examples" / "toy_submissions"


def test_python_m_grader_is_the_grader_command(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--version"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, f"grader {__version__}")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "check", str(tmp_path / "nope.ipynb")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, f"error: no such file: {tmp_path / 'nope.ipynb'}\n")


def _parse(folder: Path, argv: list[str]):
    parser = cli.build_parser()
    found = find_config(folder)
    assert found is not None
    apply_config(parser, *found)
    return parser.parse_args(argv)


def test_grader_toml_gives_every_commands_defaults_and_the_command_line_wins(tmp_path):
    (tmp_path / "grader.toml").write_text(
        'assignment = "examples.toypack"\n'
        'csv-dialect = "excel-fr"\n'
        "[grade]\nout = \"class-reports\"\njobs = 1\nforce = true\n"
        "[manual.export]\nreports = \"class-reports\"\n"
        "[moodle]\nreports = \"class-reports\"\n",
        encoding="utf-8",
    )
    grade = _parse(tmp_path, ["grade", "in"])
    assert (grade.out, grade.jobs, grade.force) == (tmp_path / "class-reports", 1, True)
    assert (grade.assignment, grade.csv_dialect) == (TOY, "excel-fr")
    assert _parse(tmp_path, ["grade", "in", "--out", "elsewhere", "--jobs", "3"]).out == Path("elsewhere")
    assert _parse(tmp_path, ["check", "x.ipynb"]).assignment == TOY  # a top-level key: every command
    export = _parse(tmp_path, ["manual", "export"])  # --reports is required, unless given here
    assert (export.reports, export.csv_dialect) == (tmp_path / "class-reports", "excel-fr")
    sheet = _parse(tmp_path, ["moodle", "worksheet", "Grades.csv", "--out", "filled.csv"])
    assert sheet.reports == tmp_path / "class-reports"  # a group's table: both moodle commands
    assert _parse(tmp_path, ["moodle", "feedback", "--out", "f.zip"]).reports == tmp_path / "class-reports"
    assert _parse(tmp_path, ["gradescope-package"]).assignment == TOY


def test_pyproject_tool_grader_is_read_and_grader_toml_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.grader]\nseed = 7\n', encoding="utf-8")
    assert _parse(tmp_path, ["grade", "in"]).seed == 7
    (tmp_path / "grader.toml").write_text("seed = 3\n", encoding="utf-8")
    assert _parse(tmp_path, ["grade", "in"]).seed == 3
    (tmp_path / "grader.toml").unlink()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config(tmp_path) is None  # a pyproject without the table gives nothing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("outt = 'r'\n", "'outt' is no option of any command"),
        ("[grade]\nreports = 'r'\n", "'reports' is no option of grader grade"),
        ("[grades]\nout = 'r'\n", r"\[grades\] is no command"),
        ("csv-dialect = 'excel-de'\n", "'excel-de' is not one of excel, excel-fr"),
        ("[grade]\njobs = 'many'\n", "'many' is not a valid value"),
        ("[grade]\nforce = 'yes'\n", "must be true or false"),
        ("out = [1, 2]\n", "must be a single value"),
        ("out = \n", "cannot be read"),
    ],
)
def test_a_wrong_defaults_file_is_refused_naming_it(tmp_path, text, message):
    (tmp_path / "grader.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as raised:
        _parse(tmp_path, ["grade", "in"])
    assert str(tmp_path / "grader.toml") in str(raised.value)


def test_the_command_reads_the_folders_defaults_and_logs_what_it_did(tmp_path, monkeypatch, capsys):
    """End to end from the class folder: the toy class graded where grader.toml says, quietly,
    each submission's fate in the log file."""
    shutil.copytree(TOY_CLASS, tmp_path / "submissions", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "grader.toml").write_text(
        f'assignment = "{TOY}"\n[grade]\nout = "marks"\njobs = 1\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["grade", "submissions", "-q", "--log", "run.log"]) == 0
    assert (tmp_path / "marks" / "TOY_DOE_Jane" / "report.json").is_file()
    out = capsys.readouterr().out
    assert "[1/2]" not in out and "2 submission(s)" in out  # -q: no progress, the counts stay
    log = (tmp_path / "run.log").read_text(encoding="utf-8")
    assert "TOY_DOE_Jane: graded, 8.0 / 10.0" in log and "TOY_ROE_Rick: graded, 3.0 / 10.0" in log
    assert cli.main(["-v", "grade", "submissions"]) == 0  # again: up to date, said at info level
    assert "INFO: 2 submission(s): 0 to grade, 2 up to date" in capsys.readouterr().err


def test_a_wrong_defaults_file_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    (tmp_path / "grader.toml").write_text("[grade]\nouts = 'r'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["grade", "x"]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'grader.toml'}: 'outs' is no option of grader grade\n"


def test_a_log_that_cannot_be_written_is_one_line(tmp_path, capsys):
    assert cli.main(["--log", str(tmp_path / "no" / "such" / "run.log"), "grade", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the log:") and err.count("\n") == 1
