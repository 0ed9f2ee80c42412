"""``build_kit``: stage, check, package and audit the student kit, then write the repository template.

A kit is refused (nothing left in ``out``) when its tree does not import without the project
or when the audit finds anything secret in it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import LocatedPack, locate
from grader.assignments import DEFAULT
from grader.errors import KitRefused
from grader.kit import audit
from grader.kit.package import build_wheel, distribution_name, pyproject
from grader.kit.public_rubric import public_rubric_toml
from grader.kit.stage import engine_root, stage, template
from grader.kit.template import render, write_template

TEMPLATE_DIR = "submission-template"


@dataclass(frozen=True)
class Kit:
    wheel: Path
    template: Path  # the submission-repository template folder
    files: tuple[str, ...]  # the files in the wheel


def default_constraints() -> Path | None:
    """The grading environment's pins, when the kit is built from a checkout that has them."""
    path = engine_root().parent / "constraints.txt"
    return path if path.is_file() else None


#: Run in the staged tree with nothing of the project on the path: does the check path import?
SMOKE = """
import sys
import grader
assert grader.__file__.startswith(sys.argv[1]), grader.__file__
import grader.cli, grader.selfcheck, grader.runtime.zygote, grader.runtime.worker
from grader.assignment import load_assignment
a = load_assignment(sys.argv[2], with_reference=False)
assert a.reference is None and a.checks
"""


def smoke_test(root: Path, assignment: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", SMOKE, str(root), assignment],
        cwd=root,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise KitRefused(f"the kit's code does not import on its own:\n{result.stderr[-3000:]}")


def build_kit(out: Path, assignment: str | LocatedPack = DEFAULT, *, constraints: Path | None = None) -> Kit:
    """Build ``out/<wheel>`` and ``out/submission-template/`` for ``assignment`` (what
    ``grader.assignment.locate`` takes, or a located pack)."""
    located = locate(assignment)
    instructor = located.load(with_reference=True)
    secrets = audit.secrets_of(instructor)
    pack = instructor.pack
    prefix = pack.read.prefix or pack.name
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="grader-kit-") as tmp:
        tree = stage(
            Path(tmp) / "src", located, rubric_toml=public_rubric_toml(instructor.rubric)
        )
        files = [*tree.files, "README.md"]
        (tree.root / "pyproject.toml").write_text(
            pyproject(pack, files), encoding="utf-8"
        )
        readme = render(
            template("package/README.md"), name=distribution_name(pack.name), prefix=prefix
        )
        (tree.root / "README.md").write_text(readme, encoding="utf-8")
        smoke_test(tree.root, located.name)
        wheel = build_wheel(tree.root, out)
    contents = audit.wheel_contents(wheel)
    found = audit.leaks(contents, secrets)
    if found:
        wheel.unlink()
        raise KitRefused("the kit would give away:\n" + "\n".join(found))
    folder = out / TEMPLATE_DIR
    written = write_template(
        folder,
        wheel=wheel,
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
    return Kit(wheel, folder, tuple(sorted(contents)))
