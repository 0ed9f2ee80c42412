"""Run a GitHub Actions job's ``run:`` steps locally, the way the runner does, to test a workflow.

What it emulates: steps in order under ``bash --noprofile --norc -eo pipefail`` (the runner's
``bash`` shell), a failed step skipping every later step whose ``if:`` does not say
``always()``, ``$GITHUB_ENV`` lines becoming the next steps' environment, and a
``$GITHUB_STEP_SUMMARY`` file. What it does not: ``uses:`` steps (actions are JavaScript
fetched from GitHub) are recorded as skipped, and ``${{ }}`` expressions are not evaluated
(the tested workflow has none in its ``run:`` scripts, and a test checks that).
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class StepRun:
    name: str
    outcome: str  # success | failure | skipped (not run after a failure) | action (a `uses:` step)
    output: str = ""


@dataclass
class JobRun:
    steps: list[StepRun] = field(default_factory=list)
    summary: str = ""

    @property
    def failed(self) -> bool:
        return any(s.outcome == "failure" for s in self.steps)

    def step(self, name: str) -> StepRun:
        return next(s for s in self.steps if s.name == name)


def run_job(
    workflow: Path, job: str, workspace: Path, env: Mapping[str, str], scratch: Path
) -> JobRun:
    """Run ``job`` of ``workflow`` in ``workspace`` with base environment ``env``."""
    steps = yaml.safe_load(workflow.read_text())["jobs"][job]["steps"]
    scratch.mkdir(parents=True, exist_ok=True)
    github_env, summary = scratch / "github_env", scratch / "step_summary"
    github_env.write_text("")
    summary.write_text("")
    result = JobRun()
    for k, step in enumerate(steps):
        name = step.get("name", step.get("uses", f"step {k}"))
        if "uses" in step:
            result.steps.append(StepRun(name, "action"))
            continue
        if result.failed and "always()" not in str(step.get("if", "")):
            result.steps.append(StepRun(name, "skipped"))
            continue
        script = scratch / f"step{k}.sh"
        script.write_text(step["run"])
        step_env = {
            **env,
            **_read_env_file(github_env),
            **{str(a): str(b) for a, b in step.get("env", {}).items()},
            "GITHUB_ENV": str(github_env),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTIONS": "true",
            "CI": "true",
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        outcome = "success" if done.returncode == 0 else "failure"
        result.steps.append(StepRun(name, outcome, done.stdout + done.stderr))
    result.summary = summary.read_text()
    return result


def _read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines, the later winning (the multi-line ``<<EOF`` form is not used here)."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k: v for k, v in pairs}
