"""``grader.assignment.locate``: one resolver from what a person typed to a located pack, and the
contract's defaults (a pack with no ``load``, its declared hooks)."""

from __future__ import annotations

import importlib.metadata
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.assignment import ENTRY_POINT_GROUP, LocatedPack, locate
from grader.errors import UnknownAssignment
from grader.notebook.sections import TaskLayout

REPO = Path(__file__).resolve().parents[2]
TOY = "examples.toypack"

MINIMAL_INIT = '''
from grader.api import Pack, ReadOptions
PACK = Pack(name="mini", read=ReadOptions(prefix="MINI"), reference="{reference}")
'''
MINIMAL_PUBLIC = '''
from grader.api import CheckSet, Context
CHECKS = CheckSet()

@CHECKS.check("1", "f.exists", needs=("f",), uses_reference=False)
def f_exists(ctx: Context) -> None:
    """f is defined."""
'''
MINIMAL_RUBRIC = '''
[assignment]
id = "MINI"
title = "Minimal"
total = 1

[tasks."1"]
title = "f"
kind = "code"
checks."f.exists" = { points = 1, visibility = "public" }
'''


@pytest.fixture
def clean_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Packs imported by a test are forgotten after it, and its ``sys.path`` entries too."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        del sys.modules[name]


def write_minimal(folder: Path, reference: str) -> Path:
    """A pack that is a rubric, checks and a reference: no ``load``, no hidden checks."""
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text(MINIMAL_INIT.format(reference=reference), encoding="utf-8")
    (folder / "public.py").write_text(MINIMAL_PUBLIC, encoding="utf-8")
    (folder / "rubric.toml").write_text(MINIMAL_RUBRIC, encoding="utf-8")
    return folder


def test_a_shipped_pack_by_its_name() -> None:
    located = locate("a2")
    assert (located.module, located.name, located.origin, located.paths) == ("grader.assignments.a2", "a2", "shipped", ())
    assert located.folder == REPO / "grader" / "assignments" / "a2"
    assert located.reference_folder == REPO / "reference" and located.reference_root == REPO
    assert locate(located) is located  # a located pack passes through


def test_a_pack_by_its_dotted_module() -> None:
    located = locate(TOY)
    assert (located.module, located.name, located.origin, located.paths) == (TOY, TOY, "module", ())
    assert located.root == REPO and located.top == "examples"
    assert located.reference_folder == REPO / "examples" / "toyref"


def test_a_pack_by_its_folder_is_made_importable(tmp_path: Path, clean_imports: None) -> None:
    write_minimal(tmp_path / "course" / "mini", "course.mini_ref")
    (tmp_path / "course" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "course" / "mini_ref").mkdir()
    (tmp_path / "course" / "mini_ref" / "__init__.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    located = locate(str(tmp_path / "course" / "mini"))
    assert (located.module, located.name, located.origin) == ("course.mini", "course.mini", "path")
    assert located.paths == (str(tmp_path),) and located.root == tmp_path
    assert located.reference_folder == tmp_path / "course" / "mini_ref"
    # the workers get what they need to import it themselves
    assert pickle.loads(pickle.dumps(located)) == located


def test_the_same_folder_given_relative_or_through_a_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for given in ("examples/toypack", "./examples/toypack/"):
        located = locate(given)
        assert (located.module, located.origin, located.paths) == (TOY, "path", (str(REPO),))


def test_an_installed_pack_by_its_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    declared = importlib.metadata.EntryPoints(
        [importlib.metadata.EntryPoint(name="warmup", value=TOY, group=ENTRY_POINT_GROUP)]
    )

    def entry_points(*, group: str, name: str) -> importlib.metadata.EntryPoints:
        return declared.select(group=group, name=name)

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    assert locate("warmup") == LocatedPack(TOY, TOY, "entry point")
    assert locate("a2").origin == "shipped"  # no entry point of that name


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("./no/such/pack", "no assignment pack at "),
        ("tests/support", "tests.support is not an assignment pack"),
        ("no.such.module", "no assignment pack 'no.such.module'"),
    ],
)
def test_what_is_no_pack_is_refused_in_one_line(
    given: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    with pytest.raises(UnknownAssignment, match=message):
        locate(given)


def test_a_folder_whose_package_name_is_taken_is_refused(tmp_path: Path, clean_imports: None) -> None:
    """``tests`` is this repository's: a pack at ``elsewhere/tests/hw`` would import the wrong one."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("", encoding="utf-8")
    write_minimal(tmp_path / "tests" / "hw", "nowhere")
    with pytest.raises(UnknownAssignment, match="another package named 'tests' is imported first"):
        locate(str(tmp_path / "tests" / "hw"))


def test_a_minimal_pack_needs_no_load(tmp_path: Path, clean_imports: None) -> None:
    write_minimal(tmp_path / "mini", "mini_ref")
    (tmp_path / "mini_ref").mkdir()
    (tmp_path / "mini_ref" / "__init__.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    located = locate(str(tmp_path / "mini"))
    student = located.load(with_reference=False)
    assert student.reference is None and student.diagnose is None and [c.name for c in student.checks] == ["f.exists"]
    instructor = located.load()  # no hidden.py: no hidden checks
    assert instructor.reference is not None and instructor.reference.f() == 1
    assert located.layout() == TaskLayout()  # no section rules: one part per notebook
    assert located.handout_file() is None


def test_the_declared_hooks() -> None:
    toy, a2 = locate(TOY), locate("a2")
    assert toy.layout() == TaskLayout(tasks=("1", "2", "3"), rules=toy.pack.section_rules)
    layout = a2.layout()
    assert layout.owners["gradient_nn"] == "1.2" and layout.tasks[0] == "1.1"
    instructor = a2.load()
    assert instructor.diagnose is not None and instructor.diagnose.__module__ == "grader.assignments.a2.diagnosis"
    assert a2.load(with_reference=False).diagnose is None
    assert a2.handout_file() == REPO / "reference" / "handout.py"
