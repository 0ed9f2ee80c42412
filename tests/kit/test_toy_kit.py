"""The student kit of a second pack, one outside the engine (``examples.toypack``): built,
audited, installed without the project and run from outside the repository.

Slow (a kit build, a venv, two ``grader check`` runs): marked ``slow``, still in the default run.
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


def test_the_toy_kit_ships_its_public_pack_and_names_it_the_default(toy_kit: Kit) -> None:
    assert toy_kit.wheel.name == "toy_selfcheck-0.1.0-py3-none-any.whl"
    files = set(toy_kit.files)
    assert {"examples/toypack/__init__.py", "examples/toypack/public.py"} <= files
    assert "examples/toypack/rubric.toml" in files
    for name in files:  # no hidden check, no reference, no other pack, no test of the project
        assert not name.startswith(("examples/toyref", "examples/toy_submissions", "examples/moodle", "grader/assignments/a2", "tests/")), name
        assert not name.endswith("hidden.py"), name
    with zipfile.ZipFile(toy_kit.wheel) as wheel:
        rubric = wheel.read("examples/toypack/rubric.toml").decode()
        default = wheel.read("grader/assignments/__init__.py").decode()
        metadata = wheel.read("toy_selfcheck-0.1.0.dist-info/METADATA").decode()
    hidden = [c.name for t in load_assignment(TOY).rubric.tasks for c in t.checks if c.visibility == "hidden"]
    assert hidden and not any(name in rubric for name in hidden) and "expected_answer" not in rubric
    # task 2, whose checks are all hidden, is listed (the self-check shows it) without a check
    assert "checks" not in tomllib.loads(rubric)["tasks"]["2"]
    assert "DEFAULT = 'examples.toypack'" in default
    assert "Requires-Dist: numpy" in metadata and "Requires-Dist: torch" not in metadata


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


def test_the_installed_toy_kit_checks_toy_notebooks(
    toy_kit: Kit, tmp_path_factory: pytest.TempPathFactory
) -> None:
    env = bare_env(tmp_path_factory.mktemp("toy-kit-env") / "venv")
    done = subprocess.run(
        [env.python, "-m", "pip", "install", "--no-index", "--constraint", CONSTRAINTS, toy_kit.wheel],
        env=env.environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outside = tmp_path_factory.mktemp("toy-student")
    good = Path(shutil.copy(NOTEBOOKS / "TOY_DOE_Jane.ipynb", outside))
    wrong = outside / "TOY_ROE_Rick.ipynb"
    wrong.write_text(good.read_text(encoding="utf-8").replace(") * k", ") + k"), encoding="utf-8")
    done = env.run("grader", "check", good.name, cwd=outside)  # the kit's default: its own pack
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Public checks: ready to hand in." in done.stdout
    done = env.run("grader", "check", wrong.name, cwd=outside)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "scale.known_values" in done.stdout
    done = env.run(env.python, "-c", "import examples.toyref", cwd=outside)
    assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr
