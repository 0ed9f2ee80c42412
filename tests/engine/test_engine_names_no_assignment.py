"""The engine names no assignment: A2's name, numbers, packages, handout names (``gradient_nn``,
``ConvNet`` …, even in a docstring's example) and data appear in ``grader/`` only in
its pack (``grader/assignments/a2/``) and in the one default (``grader/assignments/__init__.py``).
Everything else reads them from the pack (``grader.assignment.Pack``)."""

from __future__ import annotations

import re
from pathlib import Path

import grader

ENGINE = Path(grader.__file__).resolve().parent
PACK = ENGINE / "assignments" / "a2"
#: The one place that chooses the default assignment, by name.
ALLOWED = {ENGINE / "assignments" / "__init__.py": ('DEFAULT = "a2"',)}

FORBIDDEN = {
    "the assignment's name": re.compile(r"\b[aA]2\b"),
    "the A2 distributions": re.compile(r"\ba2[-_](?:grader|selfcheck)\b", re.IGNORECASE),
    "A2's parameter count": re.compile(r"258[ ,_]?058"),
    # the handout's functions and classes, its data and its task numbers in a message
    "A2's handout names": re.compile(r"\b(?:gradient_nn|ConvNet|train_loop|gradcheck|sigm|dsigm)\b"),
    "A2's data": re.compile(r"double.moon|CIFAR", re.IGNORECASE),
    # the package, not the word: "reference", 'reference.handout', reference/..., import reference
    "the reference package": re.compile(
        r"""["']reference["'./]|(?<![\w.])reference/|^\s*(?:from|import)\s+reference\b""", re.MULTILINE
    ),
}


def engine_files() -> list[Path]:
    files = [p for p in ENGINE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [p for p in files if not p.is_relative_to(PACK) and p.suffix not in (".pyc", ".npz", ".mat")]


def test_the_scan_sees_the_engine_and_would_see_a_name() -> None:
    names = {p.relative_to(ENGINE).as_posix() for p in engine_files()}
    assert {"grading/pipeline.py", "kit/templates/package/cli.py", "gradescope/setup.sh"} <= names
    assert not any(n.startswith("assignments/a2/") for n in names)
    samples = [
        "prefix='A2'", "pip install a2-grader", "258,058 parameters", "find_spec('reference.handout')",
        'rt.call("gradient_nn", X)', "``ConvNet(10)``", "double_moon_train1000.mat", "CIFAR-10",
    ]
    assert all(any(p.search(s) for p in FORBIDDEN.values()) for s in samples)
    harmless = "the reference solution; reference_values; ctx.reference; sigmoid; a ConvNets' layer"
    assert not any(p.search(harmless) for p in FORBIDDEN.values())


def test_no_assignment_name_number_or_package_outside_its_pack() -> None:
    found = []
    for path in engine_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for line_number, line in enumerate(text.splitlines(), 1):
            if line.strip() in ALLOWED.get(path, ()):
                continue
            found += [
                f"{path.relative_to(ENGINE)}:{line_number}: {what}: {line.strip()}"
                for what, pattern in FORBIDDEN.items()
                if pattern.search(line)
            ]
    assert found == []


def test_the_engines_defaults_are_the_engines_own_stack() -> None:
    """What a pack does not declare is the engine's minimum: the runtime preloads numpy only, and
    the kit's README and CI workflow name no pack's library or index (A2 declares its torch
    stack: ``Pack.preload``, ``Pack.kit_index_urls``, ``Pack.kit_notes``)."""
    from grader.assignment import Pack
    from grader.notebook.model import ReadOptions
    from grader.runtime.results import DEFAULT_PRELOAD

    assert DEFAULT_PRELOAD == ("numpy",)
    bare = Pack(name="x", read=ReadOptions(), reference="x_reference")
    assert (bare.preload, bare.kit_index_urls, bare.kit_notes) == (DEFAULT_PRELOAD, (), "")
    stack = re.compile(r"torch|gradient check|scipy|matplotlib", re.IGNORECASE)
    texts = [p for p in (ENGINE / "kit" / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert texts
    found = [
        f"{path.relative_to(ENGINE)}:{number}: {line.strip()}"
        for path in texts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if stack.search(line)
    ]
    assert found == []
