"""A second assignment, beside A2, in one environment: the toy pack (``examples.toypack``)
lives outside the engine, has its own reference package (``examples.toyref``), rubric and
real-form notebooks, and goes through ``grader grade`` (the batch), ``grader check`` and the
engine's single grading path with no engine edit. The kit is built and installed in
``tests/kit/test_toy_kit.py``."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import cli
from grader.assignment import describe, load_assignment, locate
from grader.assignments import DEFAULT
from grader.grading.pipeline import grade_notebook
from tests.support.gradescope import run_autograder, unpack_autograder

REPO = Path(__file__).resolve().parents[2]
CLASS = REPO / "examples" / "toy_submissions"
TOY = "examples.toypack"
FOLDER = "examples/toypack"  # as the guide names it: a console script imports nothing from "."
GOOD = CLASS / "TOY_DOE_Jane.ipynb"  # every task right
WRONG = CLASS / "TOY_ROE_Rick.ipynb"  # softmax overflows: task 2 only is wrong


def scores(report: dict) -> dict[str, float]:
    return {t["id"]: t["score"] for t in report["tasks"]}


def test_a_pack_outside_the_engine_is_found_by_its_module_path() -> None:
    assert locate(TOY).module == TOY and locate("a2").module == "grader.assignments.a2"
    assert DEFAULT == "a2"  # the one default, chosen in grader/assignments/__init__.py
    pack = describe(TOY)
    assert (pack.name, pack.read.prefix, pack.reference) == ("toy", "TOY", "examples.toyref")
    student = load_assignment(TOY, with_reference=False)
    assert student.reference is None and student.task_ids == ("1", "2", "3")  # every task listed
    assert [c.name for t in student.rubric.tasks for c in t.checks] == ["scale.known_values"]
    assert student.rubric.task("2").checks == ()  # 2 has no public check
    instructor = load_assignment(TOY)
    assert instructor.task_ids == ("1", "2", "3")
    assert instructor.reference is not None and instructor.reference.__name__ == "examples.toyref"


def test_the_toy_and_a2_are_graded_in_one_process(tmp_path: Path) -> None:
    """The runtime's zygote serves both packs: started with the toy's preloads (numpy), it
    imports A2's (torch...) when an A2 submission asks for them."""
    toy = load_assignment(TOY)
    good = grade_notebook(GOOD, toy)
    wrong = grade_notebook(WRONG, toy)
    assert good.student == {"last_name": "DOE", "first_name": "Jane"}
    assert good.meta["assignment"] == "TOY" and good.max_score == 10
    assert {t.id: t.score for t in good.tasks} == {"1": 3, "2": 5, "3": 0}
    assert {t.id: t.score for t in wrong.tasks} == {"1": 3, "2": 0, "3": 0}
    (failed,) = [c for t in wrong.tasks for c in t.checks if c.status != "passed" and t.id != "3"]
    assert failed.name == "softmax.matches_reference" and failed.status == "failed"

    a2 = load_assignment("a2")
    notebook = tmp_path / "A2_DOE_Jane.ipynb"
    shutil.copyfile(GOOD, notebook)  # an A2 file name on a notebook of other work
    report = grade_notebook(notebook, a2)
    assert report.meta["assignment"] == "A2" and report.student == {"last_name": "DOE", "first_name": "Jane"}
    assert report.score == 0 and {t.id for t in report.tasks} >= {"1.2", "3.2"}


def readme_walkthrough() -> dict[str, list[str]]:
    """The ``grader`` lines of the pack author guide's walk-through of the toy pack, by command."""
    text = (REPO / "docs" / "pack-author.md").read_text(encoding="utf-8")
    section = text.split("### The walk-through", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    lines = [shlex.split(line.split("#", 1)[0]) for line in section.strip().splitlines()]
    return {words[1]: words[1:] for words in lines if words[0] == "grader"}


def run_as_typed(words: list[str]) -> subprocess.CompletedProcess[str]:
    """One line of the walk-through run by a shell from the checkout's root, the environment's
    ``grader`` first on the PATH: a console script puts nothing of the current folder on the
    path, which is what the guide's pack-by-folder form is for."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", shlex.join(words)],
        check=False,  # the test reads the exit status with the output
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_walkthrough_runs_as_typed_in_a_shell(tmp_path: Path) -> None:
    """Every line of the pack author guide's walk-through, through a shell, as a course author
    types it (only the output folders moved out of the checkout)."""
    commands = readme_walkthrough()
    assert set(commands) == {"check", "grade", "student-kit"}
    assert commands["check"] == ["check", "examples/toy_submissions/TOY_DOE_Jane.ipynb", "--assignment", FOLDER]

    check = run_as_typed(["grader", *commands["check"]])
    assert check.returncode == 0, check.stdout + check.stderr
    assert "ready" in check.stdout

    grade = commands["grade"]
    out = tmp_path / "out"
    grade[grade.index("--out") + 1] = str(out)
    assert grade == ["grade", "examples/toy_submissions", "--out", str(out), "--assignment", FOLDER]
    done = run_as_typed(["grader", *grade, "--jobs", "2"])
    assert done.returncode == 0, done.stdout + done.stderr
    good = json.loads((out / "TOY_DOE_Jane" / "report.json").read_text(encoding="utf-8"))
    wrong = json.loads((out / "TOY_ROE_Rick" / "report.json").read_text(encoding="utf-8"))
    assert scores(good) == {"1": 3, "2": 5, "3": 0} and good["meta"]["checks"] == "all"
    assert scores(wrong) == {"1": 3, "2": 0, "3": 0}
    assert good["problems"] == [] and wrong["problems"] == []
    gradebook = (out / "gradebook.csv").read_text(encoding="utf-8-sig").splitlines()
    assert gradebook[0].startswith("last_name,first_name,file,1,2,3,total,max")
    assert "DOE,Jane,TOY_DOE_Jane.ipynb,3,5,,8,10" in gradebook[1]

    kit = commands["student-kit"]
    assert kit[-2:] == ["--assignment", FOLDER]
    kit[kit.index("--out") + 1] = str(tmp_path / "kit")
    built = run_as_typed(["grader", *kit])
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = sorted(p.name.split("-")[0] for p in (tmp_path / "kit").rglob("*.whl"))
    assert set(wheels) == {"grader_selfcheck", "toy_selfcheck"}


@pytest.mark.parametrize(("notebook", "ready"), [(GOOD, 0), (WRONG, 0)])
def test_grader_check_runs_the_public_check_only(
    tmp_path: Path, notebook: Path, ready: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """The wrong softmax is a hidden task's: the self-check cannot tell, as a student's could not.
    It lists that task all the same, as checked when the instructor grades."""
    out = tmp_path / "report"
    assert cli.main(["check", str(notebook), "--assignment", TOY, "--out", str(out)]) == ready
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["meta"]["checks"] == "public"
    assert [c["name"] for c in report["tasks"][0]["checks"]] == ["scale.known_values"]
    assert [(t["id"], t["status"]) for t in report["tasks"]] == [("1", "passed"), ("2", "hidden"), ("3", "manual")]
    table = {line.split("│")[1].strip(): line for line in capsys.readouterr().out.splitlines() if line.count("│") > 3}
    assert "checked when graded" in table["2"] and "softmax" in table["2"]


def test_grader_check_fails_a_wrong_public_task(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8").replace("dtype=float) * k", "dtype=float) + k")
    notebook = tmp_path / "TOY_DOE_Jane.ipynb"
    notebook.write_text(text, encoding="utf-8")
    assert cli.main(["check", str(notebook), "--assignment", TOY]) == 1


def test_the_gradescope_autograder_of_the_toy(tmp_path: Path) -> None:
    """The zip carries the toy pack and its reference beside the engine; ``run_autograder``,
    run from the unzipped folder as on Gradescope, grades with the hidden check too."""
    assert cli.main(["gradescope-package", "--out", str(tmp_path / "dist"), "--assignment", TOY]) == 0
    root = tmp_path / "autograder"
    names = unpack_autograder(tmp_path / "dist" / "autograder.zip", root)
    assert {"examples/__init__.py", "examples/toypack/hidden.py", "examples/toyref/__init__.py"} <= names
    assert not [n for n in names if n.startswith(("examples/toy_submissions/", "examples/moodle/", "tests/"))]
    shutil.copy(WRONG, root / "submission" / WRONG.name)
    results = run_autograder(root)
    scored = {t["name"].rsplit(" ", 1)[-1]: t["score"] for t in results["tests"]}
    assert scored["scale.known_values"] == 3 and scored["softmax.matches_reference"] == 0
    assert results["score"] == 3
