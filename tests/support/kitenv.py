"""A kit environment: a fresh virtual environment that cannot see the project.

The kit's wheel is installed into it by its own pip, offline, and the heavy dependencies
(torch, numpy...) come from this interpreter's site-packages through a ``.pth`` line, so
nothing is downloaded. A folder added by a ``.pth`` line is not scanned for ``.pth`` files
itself, so an editable install of the project there (tox installs one) stays inactive in the
kit environment; ``test_kit_install`` checks that ``reference`` and the instructor's
``grader`` cannot be imported there.
"""

from __future__ import annotations

import os
import subprocess
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path


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
