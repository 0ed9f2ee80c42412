"""No import cycle in ``grader``: every module can be read, and moved, knowing only what it imports.

The graph is grimp's: every ``import`` statement of the package, those inside functions
included (a cycle held together by a function-local import is still a cycle). ``graphlib``
finds a cycle and names it.
"""

from __future__ import annotations

from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from pathlib import Path

import grimp
import pytest

import grader

ROOT = Path(__file__).resolve().parents[1]


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
