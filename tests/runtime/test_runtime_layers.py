"""The runtime is the bottom layer of the engine: it imports nothing of the grader above it
but ``grader.errors``, the leaf that holds the base of the grader's own errors.

It runs what it is given (``grader.runtime.Code``) under the limits it is given
(``grader.runtime.Limits``); the grader converts its own records at the call site. A
runtime module that imported ``grader.source`` (or anything else above it) would pull the
notebook reader into the zygote and make the two layers move together.
"""

from __future__ import annotations

import grimp


def test_the_runtime_imports_only_the_runtime_and_the_errors_leaf_from_grader() -> None:
    graph = grimp.build_graph("grader", cache_dir=None)
    allowed = graph.find_descendants("grader.runtime") | {"grader.runtime", "grader.errors"}
    upward = sorted(
        f"{module} -> {imported}"
        for module in allowed
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.split(".")[0] == "grader" and imported not in allowed
    )
    assert upward == []
