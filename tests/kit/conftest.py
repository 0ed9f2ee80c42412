"""Fixtures of the kit tests: one kit build and one kit environment per session (the slow part).

A kit environment is a fresh virtual environment that cannot see the project: the kit's
wheel is installed into it by its own pip, offline, and the heavy dependencies (torch,
numpy...) come from this interpreter's site-packages through a ``.pth`` line, so nothing is
downloaded. A folder added by a ``.pth`` line is not scanned for ``.pth`` files itself, so an
editable install of the project there (tox installs one) stays inactive in the kit
environment; ``test_kit_install`` checks that ``reference`` and the instructor's ``grader``
cannot be imported there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from grader.assignment import Assignment, load_assignment
from grader.kit.build import Kit, build_kit

REPO = Path(__file__).resolve().parents[2]
REFERENCE_NOTEBOOK = REPO / "submissions" / "A2_REFERENCE_Solution.ipynb"
CONSTRAINTS = REPO / "constraints.txt"
#: The bug planted in gradient_nn: the sign of ds/dYo.
CORRECT_LINE = "grad_s_Yo = -np.asarray(Y"
BUGGY_LINE = "grad_s_Yo = np.asarray(Y"


@dataclass(frozen=True)
class KitEnv:
    """A virtual environment outside the project, and how to run commands in it."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def environ(self, **extra: str) -> dict[str, str]:
        """The caller's environment without the project on PYTHONPATH, this venv first on PATH."""
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        }
        env.update(
            PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}", MPLBACKEND="Agg"
        )
        env.update(extra)
        return env

    def run(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            cwd=cwd,
            env=self.environ(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def bare_env(root: Path) -> KitEnv:
    """A fresh venv without pip or the kit, the heavy dependencies on its path (see above)."""
    venv.EnvBuilder(with_pip=False).create(root)
    env = KitEnv(root)
    purelib = subprocess.check_output(
        [env.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    Path(purelib, "heavy-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


@pytest.fixture(scope="session")
def instructor() -> Assignment:
    return load_assignment("a2", with_reference=True)


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    return build_kit(tmp_path_factory.mktemp("kit"), "a2", constraints=CONSTRAINTS)


@pytest.fixture(scope="session")
def kit_env(kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> KitEnv:
    """A bare env with the kit installed by pip, offline, its dependencies checked against the pins."""
    env = bare_env(tmp_path_factory.mktemp("kit-env") / "venv")
    done = subprocess.run(
        [env.python, "-m", "pip", "install", "--no-index", "--constraint", CONSTRAINTS, kit.wheel],
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
