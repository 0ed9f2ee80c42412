"""Helpers of the class-scale tests: tiny notebooks, report access, and worker functions for
pool tests (module-level, so spawned workers can import them).

The tiny notebooks define no graded function, so grading one takes a fraction of a second once
the runtime's zygote is up; their scores come from saved outputs (task 1.4's SUCCESS line) and
from manual marks."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.support.nbfactory import stream, write_notebook


def fake_grade(job) -> dict:
    """A stand-in for grading that kills its own worker on a notebook named ...KILL..."""
    if "KILL" in job.notebook.name:
        os._exit(9)
    time.sleep(0.1)
    return {"submission": job.notebook.name, "pid": os.getpid()}


def tiny_notebook(
    path: Path, answer: str = "By the chain rule, ds/dYo = -Y sigma(-Y Yo).", success: bool = True
) -> Path:
    output = "SUCCESS: Passed gradcheck.\n" if success else "FAILURE: gradcheck.\n"
    return write_notebook(
        path,
        [
            ("markdown", "# A2"),
            ("markdown", f"### Question 1.1\n**Answer:** {answer}"),
            ("markdown", "### Question 1.4"),
            ("code", "x = 1\nprint(x)", 1, [stream(output)]),
            ("markdown", "### Question 1.7\nAnswer: 0.02 is best, 2 diverges."),
            ("markdown", f"I, {path.stem.split('_')[-1]}, certify that this is my own work."),
        ],
    )


def report_json(out: Path, folder: str) -> dict:
    return json.loads((out / folder / "report.json").read_text(encoding="utf-8"))
