"""The student kit of a second pack, one outside the engine (``examples.toypack``): built,
audited, installed without the project beside the A2 kit, and run from outside the repository.

Slow (two kit builds, a venv, five ``grader check`` runs): marked ``slow``, still in the default run.
"""

from __future__ import annotations

import shutil
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from grader.assignment import load_assignment
from grader.kit.build import Kit, build_kit
from tests.support.kitenv import bare_env

pytestmark = pytest.mark.slow

TOY = "examples.toypack"
REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "examples" / "toy_submissions"
CONSTRAINTS = REPO / "constraints.txt"


@pytest.fixture(scope="module")
def toy_kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    return build_kit(tmp_path_factory.mktemp("toy-kit"), TOY, constraints=CONSTRAINTS)


def test_the_toy_kit_ships_its_public_pack_under_its_entry_point(toy_kit: Kit) -> None:
    assert toy_kit.pack.name == "toy_selfcheck-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(toy_kit.pack) as wheel:
        files = set(wheel.namelist())
        rubric = wheel.read("examples/toypack/rubric.toml").decode()
        metadata = wheel.read("toy_selfcheck-0.1.0.dist-info/METADATA").decode()
        entry_points = wheel.read("toy_selfcheck-0.1.0.dist-info/entry_points.txt").decode()
    assert {"examples/__init__.py", "examples/toypack/__init__.py", "examples/toypack/public.py"} <= files
    for name in files:  # no hidden check, no reference, no other pack, no engine, no test
        assert name.startswith(("examples/toypack/", "toy_selfcheck-0.1.0.dist-info/")) or name == "examples/__init__.py", name
        assert not name.endswith("hidden.py"), name
    hidden = [c.name for t in load_assignment(TOY).rubric.tasks for c in t.checks if c.visibility == "hidden"]
    assert hidden and not any(name in rubric for name in hidden) and "expected_answer" not in rubric
    # task 2, whose checks are all hidden, is listed (the self-check shows it) without a check
    assert "checks" not in tomllib.loads(rubric)["tasks"]["2"]
    assert entry_points.split() == ["[grader.packs]", "toy", "=", "examples.toypack"]
    assert "Requires-Dist: grader-selfcheck==0.1.0" in metadata and "Requires-Dist: numpy" in metadata
    assert "Requires-Dist: torch" not in metadata


def test_the_engine_wheel_is_the_same_whichever_pack_it_was_built_for(toy_kit: Kit, kit: Kit) -> None:
    """Two kits' engine wheels are one file: nothing of the pack (no rewritten default) is in it."""
    assert toy_kit.engine.name == kit.engine.name == "grader_selfcheck-0.1.0-py3-none-any.whl"
    assert toy_kit.engine.read_bytes() == kit.engine.read_bytes()
    with zipfile.ZipFile(kit.engine) as wheel:
        default = wheel.read("grader/assignments/__init__.py")
    assert default == (REPO / "grader" / "assignments" / "__init__.py").read_bytes()


def test_the_toy_kits_template_says_nothing_of_a2(toy_kit: Kit) -> None:
    """The README and the workflow are the engine's texts with the toy pack's (empty) notes and
    indexes: no PyTorch, no gradient check, no extra index."""
    texts = {
        p.relative_to(toy_kit.template).as_posix(): p.read_text(encoding="utf-8")
        for p in toy_kit.template.rglob("*")
        if p.is_file() and p.suffix != ".whl" and p.name != "constraints.txt"
    }
    assert {"README.md", ".github/workflows/selfcheck.yml"} <= set(texts)
    for name, text in texts.items():
        for a2 in ("torch", "gradient check", "extra-index-url", "About this assignment", "A2"):
            assert a2 not in text, (name, a2)


def test_the_a2_and_toy_kits_share_one_environment(
    toy_kit: Kit, kit: Kit, reference_notebook: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Both kits in one fresh venv: each notebook is checked by the pack its file name names,
    a notebook named for neither is refused with the choices, ``--assignment`` still chooses."""
    env = bare_env(tmp_path_factory.mktemp("two-kits-env") / "venv")
    wheels = [*kit.wheels, toy_kit.pack]
    done = subprocess.run(
        [env.python, "-m", "pip", "install", "--no-index", "--constraint", CONSTRAINTS, *wheels],
        env=env.environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outside = tmp_path_factory.mktemp("two-kits-student")
    a2 = Path(shutil.copy(reference_notebook, outside))
    good = Path(shutil.copy(NOTEBOOKS / "TOY_DOE_Jane.ipynb", outside))
    wrong = outside / "TOY_ROE_Rick.ipynb"
    wrong.write_text(good.read_text(encoding="utf-8").replace(") * k", ") + k"), encoding="utf-8")
    done = env.run("grader", "check", good.name, cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Public checks: ready to hand in." in done.stdout
    done = env.run("grader", "check", wrong.name, cwd=outside)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "scale.known_values" in done.stdout
    done = env.run("grader", "check", a2.name, cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Public checks: ready to hand in." in done.stdout
    unnamed = Path(shutil.copy(good, outside / "homework.ipynb"))
    done = env.run("grader", "check", unnamed.name, cwd=outside)
    assert done.returncode != 0 and "cannot tell which assignment homework.ipynb is for" in done.stderr
    assert "TOY_LASTNAME_Firstname.ipynb" in done.stderr and "A2_LASTNAME_Firstname.ipynb" in done.stderr
    done = env.run("grader", "check", unnamed.name, "--assignment", "toy", cwd=outside)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Public checks: ready to hand in." in done.stdout
    done = env.run(env.python, "-c", "import examples.toyref", cwd=outside)
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr
