"""The submission-repository template: a student README, the self-check workflow, the kit itself.

Files under ``templates/submission`` are copied with their leading dot restored
(``github/`` -> ``.github/``, ``gitignore`` -> ``.gitignore``: package data with dotted
names is easy to lose) and rendered with the assignment's names. The kit's wheels (and
the grading environment's pins, when known) go into ``.selfcheck/``, where the workflow and
the README expect them.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from grader.common import templating

DOTTED = ("github", "gitignore")
KIT_DIR = ".selfcheck"
WORKFLOW = ".github/workflows/selfcheck.yml"
#: Jinja delimiters that clash neither with GitHub's ``${{ }}`` nor with bash or Markdown.
DELIMITERS: templating.Delimiters = {
    "variable_start_string": "@{",
    "variable_end_string": "}@",
    "block_start_string": "@%",
    "block_end_string": "%@",
    "comment_start_string": "@#",
    "comment_end_string": "#@",
}


def render(text: str, **names: object) -> str:
    return templating.environment(text=True, delimiters=DELIMITERS).from_string(text).render(**names)


def write_template(
    dest: Path,
    *,
    wheels: list[Path],
    prefix: str,
    constraints: Path | None,
    index_urls: tuple[str, ...] = (),
    notes: str = "",
) -> list[Path]:
    """Write the template into ``dest`` (created); return the files written. ``index_urls`` and
    ``notes`` are the pack's (``Pack.kit_index_urls``, ``Pack.kit_notes``): the template's own
    text names no assignment's libraries."""
    source = Path(str(resources.files("grader.kit").joinpath("templates", "submission")))
    names = {
        "prefix": prefix,
        "wheels": [w.name for w in wheels],
        "kit_dir": KIT_DIR,
        "workflow": WORKFLOW,
        "pinned": constraints is not None,
        "index_urls": index_urls,
        "notes": notes.strip(),
    }
    written = []
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        target = dest / (("." + relative) if relative.split("/")[0] in DOTTED else relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = render(path.read_text(encoding="utf-8"), **names)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    kit = dest / KIT_DIR
    kit.mkdir(parents=True, exist_ok=True)
    written += [Path(shutil.copyfile(w, kit / w.name)) for w in wheels]
    if constraints is not None:
        written.append(Path(shutil.copyfile(constraints, kit / "constraints.txt")))
    return written
