"""``build_kit``: stage, check, package and audit the student kit's two wheels, then write the
repository template.

The kit is the engine wheel (``grader-selfcheck``: the same files whichever pack it is built
for) and the pack wheel (``<pack>-selfcheck``: the public pack, requiring that engine wheel),
so that two assignments' kits install into one environment. A kit is refused (nothing left in
``out``) when its trees do not import without the project or when the audit finds anything
secret in either wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from grader.assignment import LocatedPack, locate
from grader.assignments import DEFAULT
from grader.errors import KitRefused
from grader.kit import audit
from grader.kit.package import (
    ENGINE_DISTRIBUTION,
    build_wheel,
    distribution_name,
    engine_pyproject,
    pack_pyproject,
)
from grader.kit.public_rubric import public_rubric_toml
from grader.kit.stage import StagedTree, engine_root, stage_engine, stage_pack, template
from grader.kit.template import render, write_template

TEMPLATE_DIR = "submission-template"


@dataclass(frozen=True)
class Kit:
    engine: Path  # the engine wheel
    pack: Path  # the pack wheel
    template: Path  # the submission-repository template folder

    @property
    def wheels(self) -> tuple[Path, Path]:
        return (self.engine, self.pack)


def default_constraints() -> Path | None:
    """The grading environment's pins, when the kit is built from a checkout that has them."""
    path = engine_root().parent / "constraints.txt"
    return path if path.is_file() else None


#: Run in a staged tree with nothing of the project on the path: does the check path import
#: (argv: the tree, then the pack to load, or nothing for the engine alone)?
SMOKE = """
import sys
import grader
assert grader.__file__.startswith(sys.argv[1]), grader.__file__
import grader.cli, grader.selfcheck, grader.api, grader.runtime.zygote, grader.runtime.worker
from grader.assignment import load_assignment
for name in sys.argv[2:]:
    a = load_assignment(name, with_reference=False)
    assert a.reference is None and a.checks
"""


def smoke_test(root: Path, *assignment: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", SMOKE, str(root), *assignment],
        cwd=root,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise KitRefused(f"the kit's code does not import on its own:\n{result.stderr[-3000:]}")


def _installed_together(trees: list[StagedTree], dest: Path) -> Path:
    """The trees merged into one folder, as pip installs the wheels into one site-packages."""
    for tree in trees:
        shutil.copytree(tree.root, dest, dirs_exist_ok=True)
    return dest


def build_kit(out: Path, assignment: str | LocatedPack = DEFAULT, *, constraints: Path | None = None) -> Kit:
    """Build the engine and pack wheels into ``out`` and ``out/submission-template/`` for
    ``assignment`` (what ``grader.assignment.locate`` takes, or a located pack)."""
    located = locate(assignment)
    instructor = located.load(with_reference=True)
    secrets = audit.secrets_of(instructor)
    pack = instructor.pack
    prefix = pack.read.prefix or pack.name
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="grader-kit-") as tmp:
        engine = stage_engine(Path(tmp) / "engine")
        packed = stage_pack(
            Path(tmp) / "pack", located, rubric_toml=public_rubric_toml(instructor.rubric)
        )
        pack_readme = render(
            template("package/README.md"), name=distribution_name(pack.name), prefix=prefix
        )
        for tree, readme, project in (
            (engine, render(template("package/ENGINE.md"), name=ENGINE_DISTRIBUTION), engine_pyproject),
            (packed, pack_readme, partial(pack_pyproject, located)),
        ):
            (tree.root / "README.md").write_text(readme, encoding="utf-8")
            (tree.root / "pyproject.toml").write_text(
                project([*tree.files, "README.md"]), encoding="utf-8"
            )
        smoke_test(engine.root)
        smoke_test(_installed_together([engine, packed], Path(tmp) / "together"), located.name)
        wheels = [build_wheel(engine.root, out), build_wheel(packed.root, out)]
    contents = {name: data for w in wheels for name, data in audit.wheel_contents(w).items()}
    found = audit.leaks(contents, secrets)
    if found:
        for wheel in wheels:
            wheel.unlink()
        raise KitRefused("the kit would give away:\n" + "\n".join(found))
    folder = out / TEMPLATE_DIR
    written = write_template(
        folder,
        wheels=wheels,
        prefix=prefix,
        constraints=constraints,
        index_urls=pack.kit_index_urls,
        notes=pack.kit_notes,
    )
    found = audit.leaks(
        {str(p.relative_to(out)): p.read_bytes() for p in written if p.suffix != ".whl"}, secrets
    )
    if found:
        raise KitRefused("the submission template would give away:\n" + "\n".join(found))
    return Kit(wheels[0], wheels[1], folder)
