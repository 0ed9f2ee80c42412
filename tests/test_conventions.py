"""Conventions that live in one place: a second copy would drift, so a test finds it.

Each test scans the ``grader`` package's source (or the tree's data files) for the thing
a convention forbids outside its home.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from pathlib import Path

import grader

PACKAGE = Path(grader.__file__).parent


def modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_plots_use_the_object_api_not_pyplot():
    """pyplot's global figures leak between the reports a process draws; ``Figure`` has no state.

    The zygote imports pyplot for the submissions it forks (their code calls ``plt``), never to draw.
    """
    found = []
    for name, tree in modules():
        if name == "runtime/zygote.py":
            continue
        for node in ast.walk(tree):
            imported = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [f"{node.module}.{a.name}" for a in node.names] if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(i.startswith("matplotlib.pyplot") for i in imported) or (
                isinstance(node, ast.Name) and node.id == "plt"
            ):
                found.append(f"{name}:{node.lineno}")
    assert not found, f"pyplot used in grader/: {found}"


def test_every_jinja_environment_comes_from_the_one_factory():
    """Autoescaping and the shared filters are decided once, in ``grader.common.templating``."""
    found = [
        f"{name}:{node.lineno}"
        for name, tree in modules()
        if name != "common/templating.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Import) and any(a.name.startswith("jinja2") for a in node.names)
        or isinstance(node, ast.ImportFrom) and (node.module or "").startswith("jinja2")
        and any(a.name != "Environment" for a in node.names)  # the type, for annotations
    ]
    assert not found, f"jinja2 used outside grader.common.templating: {found}"


def test_html_is_escaped_and_kit_files_are_not():
    from grader.common import templating

    page = templating.environment().from_string("<p>{{ name }}</p>\n").render(name="<b>x</b>\x01")
    assert page == "<p>&lt;b&gt;x&lt;/b&gt;\\x01</p>\n"
    kit = templating.environment(text=True, delimiters={"variable_start_string": "@{",
                                                        "variable_end_string": "}@"})
    assert kit.from_string("if a < b: @{ name }@\n").render(name="x & y") == "if a < b: x & y\n"


#: The checkout's folders that hold files of the project (not what a run writes: reports/, .tox/).
SOURCE_FOLDERS = ("grader", "reference", "tests", "submissions", "benchmarks", "examples")
#: Suffixes of data files: a second copy of one is a copy to keep in step by hand.
DATA_SUFFIXES = {".mat", ".png", ".jpg", ".npy", ".npz", ".csv", ".json", ".ipynb", ".pt", ".gz", ".zip"}


def test_each_data_file_has_one_copy_in_the_tree():
    """The double-moon files were once in both ``reference/data`` and the A2 pack (the pack's
    are the copy: the kit ships them, and ``reference.moons`` writes them there)."""
    root = PACKAGE.parent
    by_content: dict[str, list[str]] = {}
    for folder in SOURCE_FOLDERS:
        for path in (root / folder).rglob("*"):
            if path.suffix in DATA_SUFFIXES and path.is_file() and path.stat().st_size:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                by_content.setdefault(digest, []).append(path.relative_to(root).as_posix())
    copies = [names for names in by_content.values() if len(names) > 1]
    assert not copies, f"data files held twice: {copies}"


def _calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, ast.unparse(node.func)


def test_one_function_seeds_the_random_generators():
    """``runtime.helpers.seed``: a second seeding drifts (it once imported torch, the other not)."""
    seeding = ("random.seed", "np.random.seed", "numpy.random.seed", "manual_seed", "torch.seed")
    found = [
        f"{name}:{call.lineno} {func}"
        for name, tree in modules()
        if name != "runtime/helpers.py"
        for call, func in _calls(tree)
        if func in seeding or func.endswith(".manual_seed")
    ]
    assert not found, f"seeded outside grader.runtime.helpers.seed: {found}"


def test_one_function_builds_the_environment_of_a_student_process():
    """``runtime.sandbox.scrubbed_environ``: the zygote's and the builder's environments are one."""
    found = [
        f"{name}:{node.lineno}"
        for name, tree in modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        and {"PATH", "HOME"} & {k.value for k in node.keys if isinstance(k, ast.Constant)}
        and name != "runtime/sandbox.py"
    ]
    assert not found, f"an environment built outside grader.runtime.sandbox.scrubbed_environ: {found}"
    from grader.runtime.sandbox import scrubbed_environ

    env = scrubbed_environ("/work", TMPDIR="/work")
    assert env["HOME"] == env["MPLCONFIGDIR"] == env["TMPDIR"] == "/work"
    assert env["PATH"] == "/usr/bin:/bin" and env["MPLBACKEND"] == "Agg"
