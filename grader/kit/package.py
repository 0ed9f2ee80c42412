"""The kit's two pip-installable wheels (the engine's, the pack's): their metadata, and the
build by pip from a staged tree."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import tomli_w

from grader import __version__
from grader.assignment import ENTRY_POINT_GROUP, LocatedPack, Pack
from grader.errors import WheelBuildFailed

#: What the engine's check path imports; the pack wheel adds its own (``Pack.kit_dependencies``:
#: what its public checks import and the runtime's zygote preloads). The ranges are the
#: project's; the exact versions of the grading environment travel as a constraints file
#: next to the wheels (see template.py).
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


ENGINE_DISTRIBUTION = "grader-selfcheck"
REPRODUCIBLE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip file can hold
CLASSIFIERS = [  # the student runtime confines code with Linux-only means (memfd, namespaces, Landlock)
    "Operating System :: POSIX :: Linux",
    "Programming Language :: Python :: 3.11",
]


def pack_dependencies(pack: Pack) -> list[str]:
    """The pack wheel's requirements: the engine wheel of this very version, then the pack's own."""
    return [f"{ENGINE_DISTRIBUTION}=={__version__}", *pack.kit_dependencies]


def distribution_name(assignment: str) -> str:
    """The pack wheel's distribution, from the pack's short name (``Pack.name``)."""
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


def _pyproject(project: dict[str, Any], files: list[str]) -> str:
    """pyproject.toml of a staged tree: ``project``, and exactly the packages ``files`` hold
    (a pack shipped with the engine ships ``grader.assignments.<name>`` without its parents)."""
    packages = sorted(f.rsplit("/", 1)[0].replace("/", ".") for f in files if f.endswith("/__init__.py"))
    data = {
        "build-system": {"requires": ["setuptools>=68"], "build-backend": "setuptools.build_meta"},
        "project": {
            "version": __version__,
            "readme": "README.md",
            "requires-python": ">=3.11",
            "classifiers": CLASSIFIERS,
            **project,
        },
        "tool": {"setuptools": {"packages": packages, "package-data": package_data(files)}},
    }
    return tomli_w.dumps(data)


def engine_pyproject(files: list[str]) -> str:
    """pyproject.toml of the engine wheel: the ``grader`` command and the engine's requirements."""
    return _pyproject(
        {
            "name": ENGINE_DISTRIBUTION,
            "description": "The course grader's self-check: `grader check`, public checks only, no reference.",
            "dependencies": list(ENGINE_DEPENDENCIES),
            "scripts": {"grader": "grader.cli:main"},
        },
        files,
    )


def pack_pyproject(located: LocatedPack, files: list[str]) -> str:
    """pyproject.toml of a pack wheel: the pack's requirements and its entry point (group
    ``grader.packs``), by which ``grader check`` finds it."""
    pack = located.pack
    return _pyproject(
        {
            "name": distribution_name(pack.name),
            "description": f"Self-check of the {pack.read.prefix or pack.name} notebook: the grader's public checks, no reference.",
            "dependencies": pack_dependencies(pack),
            "entry-points": {ENTRY_POINT_GROUP: {pack.name: located.module}},
        },
        files,
    )


def build_wheel(source: Path, out: Path) -> Path:
    """Build the wheel of the staged tree ``source`` into ``out`` with pip, offline if it can.

    With setuptools already installed the build needs no index (``--no-build-isolation``);
    otherwise pip fetches the build backend like any other build. The wheel's timestamps are
    fixed (``SOURCE_DATE_EPOCH``), so that the same files make the same wheel: the engine wheel
    of two packs' kits is one file.
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
    env = {**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH}
    result = subprocess.run(
        [*command, str(source)], env=env, check=False, capture_output=True, text=True
    )
    wheels = list(dist.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        raise WheelBuildFailed(f"building the kit's wheel failed:\n{result.stdout}\n{result.stderr}")
    out.mkdir(parents=True, exist_ok=True)
    return Path(shutil.move(wheels[0], out / wheels[0].name))
