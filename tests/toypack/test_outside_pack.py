"""A pack outside the checkout, from a shell, in a fresh environment: every command.

The toy pack is copied out of the repository as ``course.warmup`` (its reference as
``course.warmup_ref``) and named by its folder's path; the engine is a copy of ``grader/`` on
the path of a fresh venv (the heavy dependencies come from this interpreter's site-packages,
``tests.support.kitenv``), run by a ``grader`` script as a console script runs it: nothing of
the checkout is importable, and nothing runs in this process. ``grader grade``, ``grader
check``, ``grader gradescope-package`` (and the unzipped ``run_autograder``), ``grader
student-kit`` and ``grader manual export`` are run from another folder and their results
read. Then the same pack, installed with an entry point (group ``grader.packs``), is named by
that entry point's name.

Slow (a kit build, two grading runs, an autograder run): marked ``slow``.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gradescope import run_autograder, unpack_autograder
from tests.support.kitenv import KitEnv, bare_env

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "examples" / "toy_submissions"
GOOD, WRONG = "TOY_DOE_Jane.ipynb", "TOY_ROE_Rick.ipynb"
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")
#: What pip writes for the ``grader`` console script (``[project.scripts]``).
SCRIPT = "#!{python}\nimport sys\nfrom grader.cli import main\nif __name__ == '__main__':\n    sys.exit(main())\n"


@dataclass(frozen=True)
class Shell:
    env: KitEnv
    pack: Path  # the pack's folder, outside the checkout
    cwd: Path  # where the commands run: the class's notebooks, nothing else

    def grader(self, *args: str | Path, env: KitEnv | None = None) -> subprocess.CompletedProcess[str]:
        env = env or self.env
        return env.run(env.bin / "grader", *args, cwd=self.cwd)


def purelib(env: KitEnv) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    return Path(subprocess.check_output([env.python, "-c", code], text=True).strip())


def fresh_env(root: Path, engine: Path) -> KitEnv:
    """A venv whose ``grader`` is the engine in ``engine`` (on its path), run by a script."""
    env = bare_env(root)
    (purelib(env) / "engine.pth").write_text(f"{engine}\n", encoding="utf-8")
    script = env.bin / "grader"
    script.write_text(SCRIPT.format(python=env.python), encoding="utf-8")
    script.chmod(0o755)
    return env


def write_pack(folder: Path) -> Path:
    """``course.warmup`` (the toy pack) and ``course.warmup_ref`` (its reference) in ``folder``."""
    course = folder / "course"
    shutil.copytree(REPO / "examples" / "toypack", course / "warmup", ignore=SKIP)
    shutil.copytree(REPO / "examples" / "toyref", course / "warmup_ref", ignore=SKIP)
    (course / "__init__.py").write_text("", encoding="utf-8")
    init = course / "warmup" / "__init__.py"
    init.write_text(
        init.read_text(encoding="utf-8").replace('"examples.toyref"', '"course.warmup_ref"'),
        encoding="utf-8",
    )
    return course / "warmup"


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Shell:
    root = tmp_path_factory.mktemp("outside")
    assert not root.resolve().is_relative_to(REPO)
    shutil.copytree(REPO / "grader", root / "engine" / "grader", ignore=SKIP)
    env = fresh_env(root / "venv", root / "engine")
    cwd = root / "class"
    cwd.mkdir()
    for name in (GOOD, WRONG):
        shutil.copy(NOTEBOOKS / name, cwd / name)
    return Shell(env, write_pack(root / "packs"), cwd)


@pytest.fixture(scope="module")
def graded(shell: Shell) -> Path:
    done = shell.grader("grade", ".", "--out", "reports", "--assignment", shell.pack, "--jobs", "2", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    return shell.cwd / "reports"


def scores(report: dict) -> dict[str, float]:
    return {t["id"]: t["score"] for t in report["tasks"]}


def test_nothing_of_the_checkout_imports_there(shell: Shell) -> None:
    done = shell.env.run(
        shell.env.python, "-c", "import grader, sys; print(grader.__file__); import examples.toypack",
        cwd=shell.cwd,
    )
    assert done.returncode == 1 and "No module named 'examples'" in done.stderr
    assert not Path(done.stdout.strip()).resolve().is_relative_to(REPO)


def test_grade_the_class_with_a_pack_given_by_its_path(graded: Path) -> None:
    good = json.loads((graded / "TOY_DOE_Jane" / "report.json").read_text(encoding="utf-8"))
    wrong = json.loads((graded / "TOY_ROE_Rick" / "report.json").read_text(encoding="utf-8"))
    assert scores(good) == {"1": 3, "2": 5, "3": 0} and good["meta"]["checks"] == "all"
    assert scores(wrong) == {"1": 3, "2": 0, "3": 0}  # its softmax overflows: the hidden check
    assert json.loads((graded / "batch.json").read_text(encoding="utf-8"))["assignment"] == "course.warmup"


def test_the_marking_sheet_lists_the_written_answers(shell: Shell, graded: Path) -> None:
    done = shell.grader("manual", "export", "--reports", graded)
    assert done.returncode == 0, done.stdout + done.stderr
    with (graded / "manual_marks.csv").open(encoding="utf-8-sig", newline="") as sheet:
        rows = list(csv.DictReader(sheet))
    assert sorted((r["file"], r["task"]) for r in rows) == [(GOOD, "3"), (WRONG, "3")]


def test_check_runs_the_public_check_only(shell: Shell, tmp_path: Path) -> None:
    done = shell.grader("check", GOOD, "--assignment", shell.pack, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["meta"]["checks"] == "public"
    assert [(t["id"], t["status"]) for t in report["tasks"]] == [("1", "passed"), ("2", "hidden"), ("3", "manual")]


def test_the_gradescope_autograder_ships_the_pack_and_scores_a_notebook(shell: Shell, tmp_path: Path) -> None:
    done = shell.grader("gradescope-package", "--out", tmp_path / "dist", "--assignment", shell.pack)
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp_path / "autograder"
    names = unpack_autograder(tmp_path / "dist" / "autograder.zip", root)
    assert {"course/__init__.py", "course/warmup/hidden.py", "course/warmup_ref/__init__.py"} <= names
    shutil.copy(shell.cwd / WRONG, root / "submission" / WRONG)
    results = run_autograder(root, shell.env.python, shell.env.environ())
    scored = {t["name"].rsplit(" ", 1)[-1]: t["score"] for t in results["tests"]}
    assert scored["scale.known_values"] == 3 and scored["softmax.matches_reference"] == 0
    assert results["score"] == 3  # the written answer is marked by hand


def test_the_student_kit_ships_the_public_pack(shell: Shell, tmp_path: Path) -> None:
    done = shell.grader("student-kit", "--out", tmp_path / "kit", "--assignment", shell.pack, "--no-constraints")
    assert done.returncode == 0, done.stdout + done.stderr
    (engine,) = (tmp_path / "kit").glob("grader_selfcheck-*.whl")
    (wheel,) = set((tmp_path / "kit").glob("*.whl")) - {engine}
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n) for n in names if n.endswith(".dist-info/entry_points.txt")).decode()
    assert {"course/warmup/__init__.py", "course/warmup/public.py", "course/warmup/rubric.toml"} <= names
    assert not [n for n in names if n.endswith("hidden.py") or n.startswith(("course/warmup_ref", "grader/"))]
    assert "= course.warmup" in entry_points  # how the kit's `grader check` finds it
    with zipfile.ZipFile(engine) as zf:
        assert not [n for n in zf.namelist() if n.startswith("course/")]


def test_an_installed_pack_is_named_by_its_entry_point(shell: Shell, tmp_path: Path) -> None:
    """The pack and its reference installed in site-packages by a distribution that declares the
    pack as an entry point of group ``grader.packs``."""
    env = fresh_env(tmp_path / "venv", shell.env.root.parent / "engine")
    site = purelib(env)
    write_pack(site)
    info = site / "course_packs-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: course-packs\nVersion: 1.0\n", encoding="utf-8")
    (info / "top_level.txt").write_text("course\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[grader.packs]\nwarmup = course.warmup\n", encoding="utf-8")
    done = shell.grader("check", WRONG, "--assignment", "warmup", "--json", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["meta"]["assignment"] == "TOY" and report["tasks"][0]["status"] == "passed"
