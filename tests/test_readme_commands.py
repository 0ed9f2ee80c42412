"""The README starts with exactly its two commands, and CI runs the second as written: the
command a newcomer copies is the one CI proves on a fresh clone. CI's other steps name tox
environments that exist."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The README's first code block, one command a line, comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None and text.index("```bash") < text.index("\n## "), "no commands first"
    return [line.split("#", 1)[0].strip() for line in block.group(1).strip().splitlines()]


def ci_lines() -> list[str]:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readme_starts_with_grading_then_testing() -> None:
    grade, tests = readme_commands()
    assert grade.endswith("tox -e grade") and tests.endswith("tox -e tests")


def test_ci_runs_the_readmes_test_command() -> None:
    assert readme_commands()[1] in ci_lines()


def test_ci_names_tox_environments_that_exist() -> None:
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini", encoding="utf-8")
    defined = {section.removeprefix("testenv:") for section in tox.sections()}
    named = {
        env
        for line in ci_lines()
        for command in line.split("&&")
        if (words := shlex.split(command)) and words[0].endswith("tox") and "-e" in words
        for env in words[words.index("-e") + 1].split(",")
    }
    assert {"tests", "ruff", "docs"} <= named <= defined
