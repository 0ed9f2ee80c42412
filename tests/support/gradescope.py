"""``/autograder`` as Gradescope lays it out, and ``run_autograder`` run in it: the one way the
tests unpack and run an autograder zip, whichever pack or environment built it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path


def unpack_autograder(zip_path: Path, root: Path) -> set[str]:
    """``root`` laid out as Gradescope's ``/autograder`` (source/, submission/, results/), the zip
    unpacked into source/ and ``run_autograder`` copied beside it, executable; the zip's names."""
    for folder in ("source", "submission", "results"):
        (root / folder).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        zf.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    return names


def run_autograder(root: Path, python: Path | str = sys.executable, environ: Mapping[str, str] | None = None) -> dict:
    """``results.json`` after ``run_autograder`` ran in ``root`` with ``python``; the grader and
    the pack come from source/, as on Gradescope (no PYTHONPATH)."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k != "PYTHONPATH"}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=str(python))
    done = subprocess.run(
        [str(root / "run_autograder")], check=False, env=env, cwd=root, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
