"""The kit as a pip-installable wheel: its metadata, and the build by pip from a staged tree."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import tomli_w

from grader import __version__
from grader.assignment import Pack
from grader.errors import WheelBuildFailed

#: What the engine's check path imports; the pack adds its own (``Pack.kit_dependencies``:
#: what its public checks import and the runtime's zygote preloads). The ranges are the
#: project's; the exact versions of the grading environment travel as a constraints file
#: next to the wheel (see template.py).
ENGINE_DEPENDENCIES = (
    "numpy>=1.26",  # Colab's own (2.x) is kept: a notebook installs the kit without restarting
    "pillow>=10",
    "hypothesis>=6.100",
    "nbformat>=5.9",
    "jinja2>=3.1",
    "rich>=13",
    "ipython>=8",
    "junitparser>=3",
    # the reports show written answers through grader.common.render: Markdown, LaTeX to MathML, sanitised
    "markupsafe>=2.1",
    "markdown-it-py>=3",
    "mdit-py-plugins>=0.4",
    "latex2mathml>=3.77",
    "nh3>=0.2.17",
    # ...and the notebook as handed in, rendered beside the instructor's report (the grading path's module)
    "nbconvert>=7.0",
)


def dependencies(pack: Pack) -> list[str]:
    """The kit's requirements: the engine's, then the pack's, each project once (the first wins)."""
    found: dict[str, str] = {}
    for requirement in (*ENGINE_DEPENDENCIES, *pack.kit_dependencies):
        found.setdefault(re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower(), requirement)
    return list(found.values())


def distribution_name(assignment: str) -> str:
    """The kit's distribution, from the pack's short name (``Pack.name``)."""
    return f"{assignment}-selfcheck"


def package_data(files: list[str]) -> dict[str, list[str]]:
    """setuptools ``package-data``: every non-Python file under its nearest package."""
    packages = {f.rsplit("/", 1)[0] for f in files if f.endswith("/__init__.py")}
    data: dict[str, list[str]] = defaultdict(list)
    for f in files:
        if "/" not in f or f.endswith(".py"):
            continue
        owner = f.rsplit("/", 1)[0]
        while owner not in packages:
            owner = owner.rsplit("/", 1)[0]
        data[owner.replace("/", ".")].append(f[len(owner) + 1 :])
    return {k: sorted(v) for k, v in sorted(data.items())}


def pyproject(pack: Pack, files: list[str]) -> str:
    """pyproject.toml of the kit: the ``grader`` command, the engine (and an outside pack's)
    packages, their data files."""
    tops = sorted({f.split("/")[0] for f in files if f.endswith("/__init__.py")})
    data = {
        "build-system": {"requires": ["setuptools>=68"], "build-backend": "setuptools.build_meta"},
        "project": {
            "name": distribution_name(pack.name),
            "version": __version__,
            "description": f"Self-check of the {pack.read.prefix or pack.name} notebook: the grader's public checks, no reference.",
            "readme": "README.md",
            "requires-python": ">=3.11",
            "dependencies": dependencies(pack),
            # the student runtime confines code with Linux-only means (memfd, namespaces, Landlock)
            "classifiers": [
                "Operating System :: POSIX :: Linux",
                "Programming Language :: Python :: 3.11",
            ],
            "scripts": {"grader": "grader.cli:main"},
        },
        "tool": {
            "setuptools": {
                "packages": {"find": {"include": [p for t in tops for p in (t, f"{t}.*")]}},
                "package-data": package_data(files),
            }
        },
    }
    return tomli_w.dumps(data)


def build_wheel(source: Path, out: Path) -> Path:
    """Build the wheel of the staged tree ``source`` into ``out`` with pip, offline if it can.

    With setuptools already installed the build needs no index (``--no-build-isolation``);
    otherwise pip fetches the build backend like any other build.
    """
    dist = source.with_name(source.name + "-dist")  # a fresh folder: exactly one wheel in it
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "--wheel-dir",
        str(dist),
    ]
    if importlib.util.find_spec("setuptools") is not None:
        command.append("--no-build-isolation")
    result = subprocess.run([*command, str(source)], check=False, capture_output=True, text=True)
    wheels = list(dist.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise WheelBuildFailed(f"building the kit's wheel failed:\n{result.stdout}\n{result.stderr}")
    out.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(wheels[0], out / wheels[0].name))
