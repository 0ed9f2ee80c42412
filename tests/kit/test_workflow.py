"""The submission template's workflow, run locally on a fresh git repository made from the template.

Every ``run:`` step of ``.github/workflows/selfcheck.yml`` runs as written (see
``actions_local``): the kit's install step really installs the two wheels committed in
``.selfcheck/`` into a fresh environment (offline: ``PIP_NO_INDEX``, the dependencies
already there, checked against the pins), the notebook is found, ``grader check`` runs, the
job summary is written and the last step passes the verdict on. The ``uses:`` steps cannot
run locally and are skipped: checkout (the repository is already there), setup-python (the
fresh environment's ``python`` is first on PATH), the JUnit publisher (its input,
``selfcheck-report/junit.xml``, is checked instead) and the artifact upload.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from grader.kit.build import Kit
from tests.support.actions_local import JobRun, run_job
from tests.support.kitenv import bare_env

pytestmark = pytest.mark.slow

RUN_STEPS = [
    "Install the self-check kit",
    "Find the notebook",
    "Run the public checks",
    "Write the job summary",
    "Fail when a public check fails",
]


def student_repository(kit: Kit, folder: Path, notebook: Path | None) -> Path:
    """The template instantiated as a student would: copied, the notebook added, committed."""
    repo = Path(shutil.copytree(kit.template, folder / "repo"))
    if notebook is not None:
        shutil.copyfile(notebook, repo / "A2_DOE_Jane.ipynb")
    git = [
        "git",
        "-c",
        "user.name=Jane Doe",
        "-c",
        "user.email=jane@example.org",
        "-c",
        "init.defaultBranch=main",
    ]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "A2 submission"]):
        subprocess.run([*git, *command], cwd=repo, check=True, capture_output=True)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout
    assert all(f".selfcheck/{w.name}" in tracked for w in kit.wheels)
    assert ".github/workflows/selfcheck.yml" in tracked
    return repo


def run_selfcheck(kit: Kit, tmp_path: Path, notebook: Path | None) -> tuple[JobRun, Path]:
    repo = student_repository(kit, tmp_path, notebook)
    env = bare_env(tmp_path / "runner-venv")  # the runner's fresh Python: no kit yet
    job = run_job(
        repo / ".github/workflows/selfcheck.yml",
        "selfcheck",
        repo,
        env.environ(PIP_NO_INDEX="1"),
        tmp_path / "runner",
    )
    assert [s.name for s in job.steps if s.outcome != "action"] == RUN_STEPS
    assert job.step("Install the self-check kit").outcome == "success", job.step(
        "Install the self-check kit"
    ).output
    return job, repo


def test_a_passing_notebook_gives_a_green_run_with_a_summary(
    kit: Kit, reference_notebook: Path, tmp_path: Path
) -> None:
    job, repo = run_selfcheck(kit, tmp_path, reference_notebook)
    assert not job.failed, [(s.name, s.output[-2000:]) for s in job.steps if s.outcome == "failure"]
    assert "Public checks: ready to hand in." in job.step("Run the public checks").output
    assert job.summary == (repo / "selfcheck-report/report.md").read_text()
    assert job.summary.startswith("# Report for") and "| 1.2 |" in job.summary
    junit = (repo / "selfcheck-report/junit.xml").read_text()
    assert "<testcase" in junit and "<failure" not in junit


def test_a_failing_check_fails_the_run_after_publishing(
    kit: Kit, buggy_notebook: Path, tmp_path: Path
) -> None:
    job, repo = run_selfcheck(kit, tmp_path, buggy_notebook)
    assert (
        job.step("Run the public checks").outcome == "success"
    )  # the report is published first...
    assert job.step("Write the job summary").outcome == "success"
    assert job.step("Fail when a public check fails").outcome == "failure"  # ...then the job fails
    assert "grad_s_Wi is wrong" in job.step("Run the public checks").output
    summary = job.summary.replace("\\", "")  # Markdown escapes the underscores
    assert "gradient_nn.known_values" in summary and "grad_s_Wi is wrong" in summary
    assert "gradient_nn.known_values" in (repo / "selfcheck-report/junit.xml").read_text()


def test_a_repository_without_the_notebook_fails_and_says_so(kit: Kit, tmp_path: Path) -> None:
    job, _ = run_selfcheck(kit, tmp_path, None)
    find = job.step("Find the notebook")
    assert (
        find.outcome == "failure"
        and "::error::expected one A2_LASTNAME_Firstname.ipynb" in find.output
    )
    assert job.step("Run the public checks").outcome == "skipped"
    assert job.step("Write the job summary").outcome == "success"  # if: always()
    assert "No self-check report was written" in job.summary
    assert job.step("Fail when a public check fails").outcome == "skipped"
