"""The grader as a Gradescope autograder: ``grader gradescope-package --out DIR`` builds the zip.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build the
image, and runs ``run_autograder`` for every submission (gradescope-autograders.readthedocs.io
/en/latest/specs/). Ours grades the notebook in ``/autograder/submission`` through the same
``grade_notebook`` as ``grader grade`` (instructor checks, reference included) and writes
``/autograder/results/results.json`` with ``reports.gradescope``. ``AUTOGRADER_ROOT`` moves the
whole layout, so a test can run ``run_autograder`` against a temporary folder.
"""

from __future__ import annotations

import shlex
import zipfile
from pathlib import Path

from grader.assignment import LocatedPack, locate
from grader.assignments import DEFAULT

HERE = Path(__file__).parent
PROJECT = HERE.parent.parent
#: What the zip carries beside the two scripts: enough to ``pip install`` the project.
PROJECT_FILES = ("pyproject.toml", "constraints.txt", "README.md")
#: Zip entries get this date, so building twice gives the same bytes.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def build_package(out: Path, *, assignment: str | LocatedPack = DEFAULT, seed: int = 0) -> Path:
    """Write ``out/autograder.zip``: setup.sh and run_autograder at its root, then the project:
    the engine, and the pack and its reference package (``Pack.reference``) from wherever they
    were located, each at its module's path (``run_autograder`` runs from the unzipped folder,
    where they import by that path)."""
    located = locate(assignment)
    pack = located.pack
    requirements = "".join(" " + shlex.quote(r) for r in pack.dependencies)
    indexes = "".join(f" --extra-index-url {shlex.quote(url)}" for url in pack.kit_index_urls)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    target = out / "autograder.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for script in ("setup.sh", "run_autograder"):
            text = (HERE / script).read_text(encoding="utf-8")
            text = (
                text.replace("__ASSIGNMENT__", located.name)
                .replace("__SEED__", str(int(seed)))
                .replace("__PACK_DEPENDENCIES__", requirements)
                .replace("__PACK_INDEXES__", indexes)
            )
            _add(zf, script, text.encode("utf-8"), executable=True)
        for name in PROJECT_FILES:
            if (PROJECT / name).exists():
                _add(zf, name, (PROJECT / name).read_bytes())
        for name, path in _project_files(located).items():
            _add(zf, name, path.read_bytes())
    return target


def _project_files(located: LocatedPack) -> dict[str, Path]:
    """Zip entry -> file: the engine's files, the pack's and the reference's (when outside the
    engine), with the ``__init__.py`` of the packages that hold them."""
    engine = PROJECT / "grader"
    trees = [(PROJECT, engine)]
    for root, folder in ((located.root, located.folder), (located.reference_root, located.reference_folder)):
        if not folder.is_relative_to(engine.resolve()):
            trees.append((root, folder))
    files: dict[str, Path] = {}
    for root, folder in trees:
        for package in reversed(folder.relative_to(root).parents[:-1]):
            files[(package / "__init__.py").as_posix()] = root / package / "__init__.py"
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[path.relative_to(root).as_posix()] = path
    return {name: path for name, path in files.items() if path.is_file()}


def _add(zf: zipfile.ZipFile, name: str, data: bytes, *, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)
