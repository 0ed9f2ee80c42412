"""What the student kit holds: the check path, the public rubric, and nothing an instructor keeps.

These read the built files themselves (every entry of both wheels, every file of the
repository template), independently of the audit ``build_kit`` runs before handing a kit
over, and check the audit too.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import inspect
import re
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import reference
from grader import cli as instructor_cli
from grader.assignment import Assignment, locate
from grader.kit import audit
from grader.kit.build import Kit
from grader.kit.package import ENGINE_DEPENDENCIES, pack_dependencies
from grader.kit.stage import engine_files, pack_files
from grader.model.rubric import load_rubric

LEFT_OUT = (
    "frontends/batch/",
    "frontends/classfolder.py",
    "frontends/pool.py",
    "similarity/",
    "kit/",
    "frontends/manual.py",
    "gradescope/",
    "frontends/distributed.py",
    "summary.py",
)


def entries(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as z:
        return {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}


def wheel_entries(kit: Kit) -> dict[str, bytes]:
    """The entries of both wheels (the engine's and the pack's: no path is in both)."""
    engine, pack = entries(kit.engine), entries(kit.pack)
    assert not set(engine) & set(pack)
    return {**engine, **pack}


def every_file(kit: Kit) -> dict[str, str]:
    """Text of every wheel entry and every template file (the template's wheels are the same wheels)."""
    files = {
        f"wheel:{k}": v.decode("utf-8", errors="ignore") for k, v in wheel_entries(kit).items()
    }
    for path in sorted(p for p in kit.template.rglob("*") if p.is_file()):
        if path.suffix == ".whl":
            assert path.read_bytes() == kit.template.parent.joinpath(path.name).read_bytes()
        else:
            files[f"template:{path.relative_to(kit.template)}"] = path.read_text(encoding="utf-8")
    return files


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_wheels_hold_the_check_path_and_nothing_else(kit: Kit) -> None:
    engine, pack = set(entries(kit.engine)), set(entries(kit.pack))
    assert {n.removeprefix("grader/") for n in engine if n.startswith("grader/")} == {*engine_files(), "cli.py"}
    assert {n.split("/")[0] for n in engine} == {"grader", "grader_selfcheck-0.1.0.dist-info"}
    assert {n for n in pack if n.startswith("grader/")} == {
        *pack_files(locate("a2")),
        "grader/assignments/a2/rubric.toml",
    }
    assert {n.split("/")[0] for n in pack} == {"grader", "a2_selfcheck-0.1.0.dist-info"}
    assert all(n.startswith("grader/assignments/a2/") for n in pack if n.startswith("grader/"))
    names = engine | pack
    for name in names:
        parts = name.split("/")
        assert "reference" not in parts and parts[-1] != "hidden.py", name
        assert not any(
            name.startswith(f"grader/{x}") or name.endswith(f"/{x}") for x in LEFT_OUT
        ), name
    assert "grader/assignments/a2/public.py" in names and "grader/runtime/zygote.py" in names


def test_no_hidden_check_is_named_anywhere(kit: Kit, instructor: Assignment) -> None:
    hidden = [c.name for t in instructor.rubric.tasks for c in t.checks if c.visibility == "hidden"]
    assert len(hidden) >= 10  # the instructor rubric really has them: this test tests something
    for path, text in every_file(kit).items():
        for name in hidden:
            assert name not in text, f"{path} names the hidden check {name}"


def test_no_expected_answer_anywhere(kit: Kit, instructor: Assignment) -> None:
    answers = [t.expected_answer for t in instructor.rubric.tasks if t.expected_answer]
    assert answers
    fragments = {flat(a) for a in answers}
    fragments |= {flat(line) for a in answers for line in a.splitlines() if len(line.strip()) >= 25}
    for path, text in every_file(kit).items():
        for fragment in fragments:
            assert fragment not in flat(text), f"{path} holds the expected answer {fragment[:50]!r}"


def test_no_hidden_expected_value_anywhere(kit: Kit) -> None:
    for path, text in every_file(kit).items():
        for literal in ("258058", "258,058", "258 058", "258_058"):
            assert literal not in text, f"{path} holds the parameter count {literal}"


def test_no_reference_source_anywhere(kit: Kit, instructor: Assignment) -> None:
    """Neither a whole function or class of the reference, nor two lines of one (the audit's rule)."""
    sources = []
    for module in sorted(Path(inspect.getfile(reference)).parent.glob("*.py")):
        text = module.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, (ast.FunctionDef, ast.ClassDef))
                and node.end_lineno - node.lineno >= 2
            ):
                sources.append(
                    (f"{module.stem}.{node.name}", flat(ast.get_source_segment(text, node)))
                )
    assert len(sources) > 20
    files = every_file(kit)
    for path, text in files.items():
        for name, source in sources:
            assert source not in flat(text), f"{path} holds reference.{name}"
    assert (
        audit.leaks({k: v.encode() for k, v in files.items()}, audit.secrets_of(instructor)) == []
    )


def test_the_audit_finds_what_it_guards_against(instructor: Assignment) -> None:
    secrets = audit.secrets_of(instructor)
    hidden_py = Path(inspect.getfile(sys.modules["grader.assignments.a2"])).with_name("hidden.py")
    solution = Path(inspect.getfile(reference)).with_name("part1.py")
    found = audit.leaks(
        {
            "grader/assignments/a2/hidden.py": hidden_py.read_bytes(),
            "grader/x.py": solution.read_bytes(),
            "notes.md": instructor.rubric.task("2.2").expected_answer.encode(),
            "reference/__init__.py": b"",
        },
        secrets,
    )
    assert any("hidden.py: an instructor-only file" in f for f in found)
    assert any("hidden.py: names the hidden check" in f for f in found)
    assert any(
        f.startswith("grader/x.py: holds the body of the reference's reference.part1.")
        for f in found
    )
    assert any(f.startswith("notes.md: holds an expected answer") for f in found)
    assert any(f.startswith("reference/__init__.py") for f in found)


def test_the_shipped_rubric_is_the_public_rubric_without_answers(
    kit: Kit, instructor: Assignment, tmp_path: Path
) -> None:
    text = wheel_entries(kit)["grader/assignments/a2/rubric.toml"].decode()
    assert "expected_answer" not in text and '"hidden"' not in text
    assert tomllib.loads(text)["assignment"]["total"] == instructor.rubric.public_only().max_score
    path = tmp_path / "rubric.toml"
    path.write_text(text)
    shipped, public = load_rubric(path), instructor.rubric.public_only()
    assert [(t.id, t.title, t.kind, t.manual_points) for t in shipped.tasks] == [
        (t.id, t.title, t.kind, t.manual_points) for t in public.tasks
    ]
    assert [t.checks for t in shipped.tasks] == [t.checks for t in public.tasks]
    assert all(not t.expected_answer for t in shipped.tasks)
    assert shipped.max_score == public.max_score < instructor.rubric.max_score


def _parsers(cli_module) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = cli_module.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return parser, sub.choices


def test_the_kit_command_is_the_instructors_check_and_only_that(kit: Kit, tmp_path: Path) -> None:
    path = tmp_path / "kit_cli.py"
    path.write_bytes(wheel_entries(kit)["grader/cli.py"])
    spec = importlib.util.spec_from_file_location("kit_cli", path)
    kit_cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kit_cli)
    _, kit_commands = _parsers(kit_cli)
    _, instructor_commands = _parsers(instructor_cli)
    assert set(kit_commands) == {"check"}

    def options(p: argparse.ArgumentParser) -> list[tuple]:
        return [(tuple(a.option_strings), a.dest, a.default, a.type, a.nargs) for a in p._actions]

    assert options(kit_commands["check"]) == options(instructor_commands["check"])


def _third_party(files: dict[str, bytes], preload: tuple[str, ...] = ()) -> set[str]:
    """Distributions of the third-party modules the files' Python imports (and ``preload``)."""
    imported = {name.split(".")[0] for name in preload}
    for name, content in files.items():
        if name.endswith(".py"):
            for node in ast.walk(ast.parse(content)):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    imported.add(node.module.split(".")[0])
    # known_values.py regenerates its JSON from the reference under ``__main__``: instructors only
    third_party = imported - set(sys.stdlib_module_names) - {"grader", "__future__", "reference"}
    distributions = importlib.metadata.packages_distributions()
    return {distributions[m][0].lower().replace("_", "-") for m in third_party}


def _projects(requirements: list[str] | tuple[str, ...]) -> set[str]:
    return {re.split(r"[<>=!~ ]", d)[0].lower() for d in requirements}


def test_the_dependencies_cover_every_import_of_the_kit(kit: Kit, instructor: Assignment) -> None:
    """Each third-party import of the engine wheel is its dependency; each of the pack wheel
    (and the zygote's preloads) is the pack's or the engine's, which the pack wheel requires
    at the very version."""
    engine, pack = entries(kit.engine), entries(kit.pack)
    # the runtime imports torch only inside the helpers that handle a pack's tensors: the
    # packs whose checks pass tensors require it (A2 does), the engine does not
    needed = _third_party(engine) - {"torch"}
    assert needed <= _projects(ENGINE_DEPENDENCIES), needed - _projects(ENGINE_DEPENDENCIES)
    assert "torch" in _projects(instructor.pack.kit_dependencies)
    requirements = pack_dependencies(instructor.pack)
    assert requirements[0] == "grader-selfcheck==0.1.0"
    needed = _third_party(pack, instructor.pack.preload)
    declared = _projects(ENGINE_DEPENDENCIES) | _projects(requirements)
    assert needed <= declared, needed - declared
    for wheel, declared_here in ((engine, ENGINE_DEPENDENCIES), (pack, requirements)):
        metadata = next(v for k, v in wheel.items() if k.endswith(".dist-info/METADATA")).decode()
        assert all(f"Requires-Dist: {d}" in metadata for d in declared_here)
    assert "[console_scripts]\ngrader = grader.cli:main" in engine[
        "grader_selfcheck-0.1.0.dist-info/entry_points.txt"
    ].decode()
    assert pack["a2_selfcheck-0.1.0.dist-info/entry_points.txt"].decode().split() == [
        "[grader.packs]",
        "a2",
        "=",
        "grader.assignments.a2",
    ]


def test_the_template_has_the_workflow_readme_and_kit(kit: Kit, instructor: Assignment) -> None:
    files = {p.relative_to(kit.template).as_posix() for p in kit.template.rglob("*") if p.is_file()}
    assert files == {
        ".github/workflows/selfcheck.yml",
        ".gitignore",
        "README.md",
        ".selfcheck/grader_selfcheck-0.1.0-py3-none-any.whl",
        ".selfcheck/a2_selfcheck-0.1.0-py3-none-any.whl",
        ".selfcheck/constraints.txt",
    }
    readme = (kit.template / "README.md").read_text()
    for needed in (
        "A2_LASTNAME_Firstname.ipynb",
        "authorship",
        "grader check",
        "Exit status",
        "pip install .selfcheck/grader_selfcheck-0.1.0-py3-none-any.whl .selfcheck/a2_selfcheck-0.1.0-py3-none-any.whl",
        "%pip install grader_selfcheck-0.1.0-py3-none-any.whl a2_selfcheck-0.1.0-py3-none-any.whl",
    ):
        assert needed in readme
    assert "@{" not in readme and "}@" not in readme
    # the pack's own texts: its notes and its index (PyTorch's CPU wheels), in the README and CI
    pack = instructor.pack
    assert "## About this assignment" in readme and pack.kit_notes.strip() in readme
    workflow = (kit.template / ".github/workflows/selfcheck.yml").read_text()
    for url in pack.kit_index_urls:
        assert f"--extra-index-url {url}" in readme and f"--extra-index-url {url}" in workflow


def test_the_workflow_is_well_formed(kit: Kit) -> None:
    workflow = yaml.safe_load((kit.template / ".github/workflows/selfcheck.yml").read_text())
    assert workflow["permissions"]["checks"] == "write"
    steps = workflow["jobs"]["selfcheck"]["steps"]
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert set(uses) == {
        "actions/checkout",
        "actions/setup-python",
        "mikepenz/action-junit-report",
        "actions/upload-artifact",
    }
    assert all(re.fullmatch(r"v\d+|[0-9a-f]{40}", s["uses"].split("@")[1]) for s in uses.values())
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    junit = uses["mikepenz/action-junit-report"]
    assert (
        junit["with"]["report_paths"] == "selfcheck-report/junit.xml" and "always()" in junit["if"]
    )
    runs = [s for s in steps if "run" in s]
    assert all("${{" not in s["run"] for s in runs)  # so that running them locally is faithful
    assert "grader check" in runs[2]["run"] and "GITHUB_STEP_SUMMARY" in runs[3]["run"]
    assert (
        runs[-1] is steps[-1] and "if" not in steps[-1]
    )  # the verdict comes last, after publishing


@pytest.mark.parametrize("text", ["A2 @{ prefix }@", "@{ prefix }@_*.ipynb"])
def test_templates_render_with_the_kits_delimiters(text: str) -> None:
    from grader.kit.template import render

    assert "@" not in render(text, prefix="A2") and "A2" in render(text, prefix="A2")


def test_the_wheels_are_small(kit: Kit) -> None:
    assert kit.engine.stat().st_size + kit.pack.stat().st_size < 512 * 1024


def test_a_kit_that_would_leak_is_refused_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build's own audit is the last gate: here hidden.py is forced into the kit."""
    from grader.kit import build, stage

    closure = stage.pack_files
    monkeypatch.setattr(
        stage, "pack_files", lambda a: [*closure(a), "grader/assignments/a2/hidden.py"]
    )
    with pytest.raises(build.KitRefused, match="hidden.py: an instructor-only file"):
        build.build_kit(tmp_path, "a2")
    assert list(tmp_path.iterdir()) == []


def test_the_instructor_cli_has_the_student_kit_command(tmp_path: Path) -> None:
    from grader.kit import cli as kit_cli

    args = instructor_cli.build_parser().parse_args(
        ["student-kit", "--out", str(tmp_path), "--no-constraints"]
    )
    assert args.run is kit_cli.run and args.out == tmp_path and args.no_constraints
    with pytest.raises(SystemExit):
        instructor_cli.build_parser().parse_args(
            ["student-kit", "--out", "x", "--no-constraints", "--constraints", "c"]
        )
