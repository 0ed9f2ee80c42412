"""What ``run_autograder`` runs: grade the one submitted notebook, write Gradescope's results.json.

Always writes a results.json and exits 0: a submission without a notebook, or a grader failure,
is a result the student reads (Gradescope would otherwise only say "the autograder failed").
The grader's own output (stdout) is for instructors: results.json hides it from students.
"""

from __future__ import annotations

import argparse
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.assignments import DEFAULT
from grader.reports.jsonreport import dump_json


def grade_submission(
    root: Path, assignment_name: str, seed: int, allow_weak_sandbox: bool = False
) -> dict[str, Any]:
    from grader.assignment import locate
    from grader.frontends.batch.plan import discover
    from grader.grading.pipeline import grade_notebook
    from grader.reports.gradescope import to_gradescope

    notebooks = discover([root / "submission"]) if (root / "submission").is_dir() else []
    if not notebooks:
        return _message(
            "No .ipynb notebook was found in your submission: upload your executed notebook."
        )
    assignment = locate(assignment_name).load()
    prefix = assignment.pack.read.prefix
    named = [p for p in notebooks if prefix and p.name.startswith(f"{prefix}_")]
    chosen = (named or notebooks)[0]
    print(f"grading {chosen}")
    report = grade_notebook(chosen, assignment, seed=seed, allow_weak_sandbox=allow_weak_sandbox)
    result = to_gradescope(report)
    if len(notebooks) > 1:
        note = f"Your submission holds {len(notebooks)} notebooks; {chosen.name} was graded."
        result["output"] = note + ("\n\n" + result["output"] if result.get("output") else "")
        result["output_format"] = "text"
    return result


def _message(text: str) -> dict[str, Any]:
    return {
        "score": 0.0,
        "output": text,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    parser.add_argument("--assignment", default=DEFAULT)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--allow-weak-sandbox",
        action="store_true",
        help="grade even where the sandbox lacks a layer; without it such a machine refuses",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        result = grade_submission(args.root, args.assignment, args.seed, args.allow_weak_sandbox)
    except Exception:  # noqa: BLE001 - the student gets a result either way
        print(traceback.format_exc())
        result = _message(
            "The autograder failed on this submission; your instructor will grade it by hand."
        )
    result["execution_time"] = round(time.monotonic() - started)
    (args.root / "results").mkdir(parents=True, exist_ok=True)
    dump_json(result, args.root / "results" / "results.json")
    print(
        f"score {result['score']}, {len(result['tests'])} test(s) -> {args.root / 'results' / 'results.json'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
