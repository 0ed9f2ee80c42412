"""Fixtures of the kit tests: one kit build and one kit environment (``kitenv``) per session."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from grader.assignment import Assignment, load_assignment
from grader.kit.build import Kit, build_kit
from tests.support.kitenv import KitEnv, bare_env

REPO = Path(__file__).resolve().parents[2]
REFERENCE_NOTEBOOK = REPO / "submissions" / "A2_REFERENCE_Solution.ipynb"
CONSTRAINTS = REPO / "constraints.txt"
#: The bug planted in gradient_nn: the sign of ds/dYo.
CORRECT_LINE = "grad_s_Yo = -np.asarray(Y"
BUGGY_LINE = "grad_s_Yo = np.asarray(Y"


@pytest.fixture(scope="session")
def instructor() -> Assignment:
    return load_assignment("a2", with_reference=True)


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    return build_kit(tmp_path_factory.mktemp("kit"), "a2", constraints=CONSTRAINTS)


@pytest.fixture(scope="session")
def kit_env(kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> KitEnv:
    """A bare env with the kit (both wheels) installed by pip, offline, its dependencies checked
    against the pins."""
    env = bare_env(tmp_path_factory.mktemp("kit-env") / "venv")
    done = subprocess.run(
        [env.python, "-m", "pip", "install", "--no-index", "--constraint", CONSTRAINTS, *kit.wheels],
        env=env.environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return env


@pytest.fixture(scope="session")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working directory outside the repository, holding the notebooks to check."""
    folder = tmp_path_factory.mktemp("student")
    assert not folder.resolve().is_relative_to(REPO)
    return folder


@pytest.fixture(scope="session")
def reference_notebook(outside: Path) -> Path:
    assert REFERENCE_NOTEBOOK.is_file(), (
        f"{REFERENCE_NOTEBOOK} is missing: python -m reference.notebook writes it"
    )
    return Path(shutil.copyfile(REFERENCE_NOTEBOOK, outside / REFERENCE_NOTEBOOK.name))


@pytest.fixture(scope="session")
def buggy_notebook(outside: Path) -> Path:
    """The reference notebook with the sign of ds/dYo flipped in gradient_nn."""
    nb = nbformat.read(REFERENCE_NOTEBOOK, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "def gradient_nn(" in c.source]
    assert len(cells) == 1 and CORRECT_LINE in cells[0].source
    cells[0].source = cells[0].source.replace(CORRECT_LINE, BUGGY_LINE)
    path = outside / "A2_BUGGY_Student.ipynb"
    nbformat.write(nb, path)
    return path
