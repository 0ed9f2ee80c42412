"""Reading a pack's declaration, and building the ``grader`` command's parser, are cheap: the
commands start the runtime's zygote with ``PACK.preload`` only after both, so every heavy import
on that path delays torch's import there.

Each case runs in a fresh interpreter: this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import grader.api
import grader.runtime

ROOT = Path(__file__).resolve().parents[2]
#: What locating a pack and reading its ``PACK`` must not import (0.4 s of CPU together).
HEAVY = ("hypothesis", "nbformat", "IPython", "torch", "numpy", "PIL")
#: What building the parser must not import: the marking app's stack (1.6 s of CPU) and the above.
SERVED = ("sklearn", "starlette", "uvicorn", *HEAVY)

PROBE = """
import json, sys
from grader.assignment import locate
pack = locate(sys.argv[1]).pack
print(json.dumps([pack.name, sorted(m for m in sys.argv[2:] if m in sys.modules)]))
"""


def imported(probe: str, *args: str) -> object:
    """What ``probe`` prints as JSON, run with ``args`` in a fresh interpreter on this checkout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("given", "name"), [("a2", "a2"), ("examples.toypack", "toy"), ("examples/toypack", "toy")]
)
def test_reading_a_packs_declaration_imports_nothing_heavy(given: str, name: str) -> None:
    assert imported(PROBE, given, *HEAVY) == [name, []]


def test_building_the_command_parser_imports_nothing_heavy() -> None:
    """Every ``grader`` command builds the whole parser, every subcommand's options included."""
    probe = "import json, sys\nfrom grader.cli import build_parser\nbuild_parser()\n"
    probe += "print(json.dumps(sorted(m for m in sys.argv[1:] if m in sys.modules)))"
    assert imported(probe, *SERVED) == []


@pytest.mark.parametrize("module", [grader.api, grader.runtime], ids=lambda m: m.__name__)
def test_every_name_a_package_exports_is_there(module: ModuleType) -> None:
    """Names imported on first use (PEP 562) resolve: the lazy table misses none of ``__all__``."""
    assert [name for name in module.__all__ if getattr(module, name, None) is None] == []


#: Runs ``grader ARGS`` until it starts the runtime's zygote, then prints what it had imported.
UNTIL_ZYGOTE = """
import json, os, runpy, sys
watched = sys.argv[sys.argv.index("--") + 1:]
def started(event, args):
    if event == "subprocess.Popen" and any("sys.path.insert" in str(a) for a in args[1]):
        print(json.dumps(sorted(m for m in watched if m in sys.modules)), flush=True)
        os._exit(0)
sys.addaudithook(started)
sys.argv = ["grader", *sys.argv[1:sys.argv.index("--")]]
runpy.run_module("grader", run_name="__main__")
print("null")
"""


@pytest.mark.parametrize(
    "command",
    [["grade", "--jobs", "1"], ["grade"], ["check"]],
    ids=["grade-jobs-1", "grade-one-notebook", "check"],
)
def test_a_cold_command_starts_the_zygote_before_anything_heavy(tmp_path: Path, command: list[str]) -> None:
    """``grader check``, and ``grader grade`` that grades in its own process, start the zygote
    (torch's import) first: the batch's machinery, rich, numpy and the rest import meanwhile."""
    notebook = ROOT / "submissions" / "A2_REFERENCE_Solution.ipynb"
    out = ["--out", str(tmp_path / "out")] if command[0] == "grade" else []
    args = [command[0], str(notebook), *out, *command[1:], "--", "grader.frontends.batch", "rich", *HEAVY]
    assert imported(UNTIL_ZYGOTE, *args) == []
