"""No import cycle in ``grader``, and no import that runs back up its layers: every module can
be read, and moved, knowing only what it imports, and the packages read in data-flow order.

The graph is grimp's: every ``import`` statement of the package, those inside functions
included (a cycle held together by a function-local import is still a cycle). ``graphlib``
finds a cycle and names it; grimp finds a chain of imports from a lower layer to a higher one.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from pathlib import Path

import grimp
import pytest
from grimp import Layer

import grader

ROOT = Path(__file__).resolve().parents[1]

#: ``grader``'s packages and modules from the top (the commands) down to what every stage
#: shares: each may import only from the layers below it. A ``Layer`` of several holds
#: siblings that do not import each other (``independent=False``: they may). The packs
#: (``grader.assignments.<name>``) sit on the engine they plug into; ``grader.assignments``
#: itself only names the default pack and imports nothing (checked below), so any layer may
#: read that name.
LAYERS: tuple[str | Layer, ...] = (
    "__main__",
    "cli",  # the `grader` command
    Layer("gradescope", "kit", "selfcheck", "config"),  # other entry points; the command's options
    "frontends",  # a class graded, marked, handed back; the similarity command
    "<packs>",
    "api",  # what a pack imports (grader.api re-exports it)
    "grading",  # the one grading path, and scoring
    Layer("reports", "similarity"),  # renderers of a Report; the similarity engine
    "assignment",  # the pack contract
    "checks",
    Layer("model", "source", "runtime"),  # rubric and results; notebook -> Program; the sandbox
    "notebook",  # notebook -> Submission, problems, sections
    Layer("common", "errors"),  # bounds on student text, CSV, templates, prose; the errors
)

#: ``grader.frontends`` inside, the same way: the commands, the class's grading, the marks,
#: the class folder, Moodle's formats.
FRONTEND_LAYERS: tuple[str | Layer, ...] = (
    Layer("batch", "similarity", "moodle_command", "livenotebook"),  # `grader grade`, ... commands
    "distributed",
    "pool",
    Layer("manual", "marking", independent=False),  # the sheet and the app share the marks store
    "classfolder",  # the layout of --out
    "moodle",  # a Moodle download read, its worksheet and feedback ZIP written
)


def import_cycle(package: str) -> list[str] | None:
    """One cycle of ``package``'s import graph, each step with the line that imports
    (``a:12 -> b``), or None when the graph has none."""
    graph = grimp.build_graph(package, cache_dir=None)
    sorter = TopologicalSorter(
        {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}
    )
    try:
        sorter.prepare()
    except CycleError as exc:
        chain = exc.args[1][::-1]  # [a, ..., a]: each imports the one after it
        steps = []
        for importer, imported in pairwise(chain):
            lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
            steps.append(f"{importer}:{','.join(map(str, lines))} -> {imported}")
        return steps
    return None


def test_the_graph_read_is_this_checkout() -> None:
    assert Path(grader.__file__).resolve().parent == ROOT / "grader"


def test_grader_has_no_import_cycle() -> None:
    cycle = import_cycle("grader")
    assert cycle is None, "import cycle: " + "; ".join(cycle or ())


def test_a_cycle_held_by_a_function_local_import_is_found_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "driver.py").write_text("from cyclic.helper import helper\n")
    (package / "helper.py").write_text(
        "def helper():\n    from cyclic.driver import helper as again\n    return again\n"
    )
    (package / "leaf.py").write_text("import cyclic.helper\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cycle = import_cycle("cyclic")
    assert cycle is not None
    assert sorted(cycle) == ["cyclic.driver:1 -> cyclic.helper", "cyclic.helper:2 -> cyclic.driver"]
    assert cycle[0].split(" -> ")[1] == cycle[1].split(":")[0]  # a chain: each step starts where the last ended



def layers(graph: grimp.ImportGraph, container: str, declared: tuple[str | Layer, ...]) -> list[Layer]:
    """``declared`` with ``"<packs>"`` as the packs under ``<container>.assignments``."""

    def packs() -> list[str]:
        return sorted(m.removeprefix(f"{container}.") for m in graph.find_children(f"{container}.assignments"))

    return [
        Layer(*packs()) if layer == "<packs>" else layer if isinstance(layer, Layer) else Layer(layer)
        for layer in declared
    ]


def upward_imports(package: str, declared: tuple[str | Layer, ...], container: str | None = None) -> list[str]:
    """Every chain of imports from a lower layer of ``container`` (by default ``package``
    itself) to a higher one, each as ``lower.module -> ... -> higher.module``; empty when the
    layers hold."""
    graph = grimp.build_graph(package, cache_dir=None)
    container = container or package
    found = graph.find_illegal_dependencies_for_layers(
        layers=layers(graph, container, declared), containers={container}
    )
    return sorted(
        " -> ".join([",".join(sorted(route.heads)), *route.middle, ",".join(sorted(route.tails))])
        for dependency in found
        for route in dependency.routes
    )


def unlayered(package: str, declared: tuple[str | Layer, ...], container: str | None = None) -> set[str]:
    """The direct children of ``container`` (by default ``package``) that no layer names, and
    the layers that name no module (grimp ignores a layer it cannot find, so a misspelt one, or
    a new module left out, would pass unseen)."""
    graph = grimp.build_graph(package, cache_dir=None)
    container = container or package
    named = {f"{container}.{tail}" for layer in layers(graph, container, declared) for tail in layer.module_tails}
    packs = {m for m in named if m.startswith(f"{container}.assignments.")}
    children = graph.find_children(container) | packs
    return children - named - {f"{container}.assignments"} | (named - graph.modules)


def test_every_module_of_grader_sits_in_a_layer() -> None:
    assert not unlayered("grader", LAYERS)
    assert not unlayered("grader", FRONTEND_LAYERS, "grader.frontends")


def test_the_default_pack_name_imports_nothing() -> None:
    """``grader.assignments`` is in no layer, so that everything may read the default pack's
    name: it must stay a name, never a way up."""
    graph = grimp.build_graph("grader", cache_dir=None)
    assert not graph.find_modules_directly_imported_by("grader.assignments")


def test_no_import_runs_back_up_the_layers() -> None:
    upward = upward_imports("grader", LAYERS) + upward_imports("grader", FRONTEND_LAYERS, "grader.frontends")
    assert not upward, "imports from a lower layer to a higher one:\n" + "\n".join(upward)


def test_an_upward_import_is_found_and_a_missing_module_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "stacked"
    (package / "assignments" / "pack").mkdir(parents=True)
    for init in ("", "assignments/", "assignments/pack/"):
        (package / f"{init}__init__.py").write_text("")
    (package / "front.py").write_text("import stacked.stage\n")
    (package / "stage.py").write_text("def run():\n    from stacked.base import helper\n")
    (package / "base.py").write_text("def helper():\n    import stacked.front  # the way back up\n")
    (package / "stray.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    declared = ("front", "<packs>", "stage", "base", "gone")
    assert upward_imports("stacked", declared) == ["stacked.base -> stacked.front"]
    assert unlayered("stacked", declared) == {"stacked.stray", "stacked.gone"}
    assert upward_imports("stacked", ("base", "<packs>", "stage", "front")) == [
        "stacked.front -> stacked.stage",
        "stacked.stage -> stacked.base",
    ]


def reference_imports_of_grader() -> list[str]:
    """Every import from the reference into the grader (``reference.moons:19 -> grader.x``)."""
    graph = grimp.build_graph("reference", "grader", cache_dir=None)
    return [
        f"{found['importer']}:{','.join(str(d['line_number']) for d in graph.get_import_details(**found))}"
        f" -> {found['imported']}"
        for found in graph.find_matching_direct_imports(import_expression="reference.** -> grader.**")
    ]


def test_the_reference_never_imports_the_grader() -> None:
    """A2's pack depends on its reference, never the reverse: the reference is the
    assignment's solution, usable (and testable) without the engine or the pack."""
    found = reference_imports_of_grader()
    assert not found, "the reference imports the grader: " + "; ".join(found)
