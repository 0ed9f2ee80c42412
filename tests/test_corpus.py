"""The verdict corpus, graded once with the batch path: every verdict the grader must reach.

Correct styles keep every automatic point; a seeded bug costs exactly its task; broken and
hostile notebooks get a clear problem or status, never more than their honest version, and
leave the grader's environment as it was. The cases live in ``tests/support/corpus/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from grader.assignment import load_assignment
from grader.cli import EXIT_NEEDS_PERSON, exit_status
from grader.frontends.batch import grade_all
from grader.model.results import READ_KINDS, Counterexample, Report
from grader.reports import STUDENT_DIR, STUDENT_FILES, write_student_report
from grader.selfcheck import ready
from tests.support.corpus import CASES, ROOT, build_corpus, write_samples
from tests.support.students import variants as V

BY_NAME = {case.name: case for case, _ in CASES}
# Unique per run: two runs of this test at once (two checkouts, CI and a developer) each
# remove their own sentinels at the end, which once looked like hostile code escaping.
SENTINEL = f"corpus-sentinel-do-not-delete-{os.getpid()}"
PLANTED = ("/tmp/pwned_by_student", str(ROOT / "pwned_by_student"), os.path.expanduser("~/pwned"))


def _tmp_entries() -> dict[str, int]:
    """Top-level entries of /tmp and their owners."""
    found = {}
    for entry in os.scandir("/tmp"):
        try:
            found[entry.name] = entry.stat(follow_symlinks=False).st_uid
        except FileNotFoundError:
            pass
    return found


def _deleted_tracked_files() -> set[str]:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return {line[3:] for line in status.splitlines() if "D" in line[:2]}


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Build the corpus, grade it once in a batch of 2 workers; reports by case name."""
    notebooks = tmp_path_factory.mktemp("corpus")
    out = tmp_path_factory.mktemp("reports")
    home_sentinel = Path.home() / f".{SENTINEL}"
    tmp_sentinel = Path("/tmp") / SENTINEL
    for path in (home_sentinel, tmp_sentinel):
        path.write_text("still here")
    before = {"tmp": _tmp_entries(), "deleted": _deleted_tracked_files()}

    cases = build_corpus(notebooks)
    # The runtime's folders go to a TMPDIR of our own, so that what it leaves behind is told
    # apart from other processes' files in /tmp (0755: the sandbox's uid must traverse it).
    private_tmp = Path(tempfile.mkdtemp(prefix="corpus-tmpdir-"))
    private_tmp.chmod(0o755)
    saved_tmpdir = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(private_tmp)
    started = time.monotonic()
    vanished: dict[str, float] = {}  # sentinel -> seconds into the batch when it was gone
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.5):
            for p in (home_sentinel, tmp_sentinel):
                if str(p) not in vanished and not p.exists():
                    vanished[str(p)] = round(time.monotonic() - started, 1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        code = exit_status(grade_all([notebooks], out, jobs=2))
    finally:
        done.set()
        watcher.join()
        elapsed = time.monotonic() - started
        if saved_tmpdir is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved_tmpdir
    runtime_leftovers = {
        entry.name: entry.stat(follow_symlinks=False).st_uid
        for entry in os.scandir(private_tmp)
        if entry.name.startswith(("student-", "grader-zygote-"))
        or entry.stat(follow_symlinks=False).st_uid != os.getuid()
    }
    subprocess.run(["rm", "-rf", "--one-file-system", str(private_tmp)], check=False)

    after = {"tmp": _tmp_entries(), "deleted": _deleted_tracked_files()}
    sentinels = {
        str(p): p.exists() and p.read_text() == "still here" for p in (home_sentinel, tmp_sentinel)
    }
    for path in (home_sentinel, tmp_sentinel):
        path.unlink(missing_ok=True)
    reports = {}
    for case in cases:
        path = out / case.stem / "report.json"
        reports[case.name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    slowest = sorted(
        ((r["meta"].get("seconds", 0), n) for n, r in reports.items() if r), reverse=True
    )[:8]
    print(f"\ncorpus: {len(cases)} notebooks graded in {elapsed:.0f} s; slowest: {slowest}")
    return {
        "cases": cases, "reports": reports, "out": out, "exit": code, "elapsed": elapsed,
        "before": before, "after": after, "sentinels": sentinels, "vanished": vanished, "runtime_leftovers": runtime_leftovers,
    }  # fmt: skip


def _checks(report: dict) -> dict[str, dict]:
    return {c["name"]: c for t in report["tasks"] for c in t["checks"] if c["status"] != "manual"}


def _task_scores(report: dict) -> dict[str, float]:
    return {t["id"]: t["score"] for t in report["tasks"]}


def _explain(report: dict, names) -> str:
    checks = _checks(report)
    return "; ".join(
        f"{n}: {checks[n]['status']} {checks[n]['message'][:160]}" for n in names if n in checks
    )


def _by_kind(kind: str) -> list:
    return [pytest.param(case.name, id=case.name) for case, _ in CASES if case.kind == kind]


# ---------------------------------------------------------------- the batch itself


def test_every_case_has_a_report(corpus):
    # broken and hostile cases have problems: the batch says some submission needs a person
    assert corpus["exit"] == EXIT_NEEDS_PERSON
    missing = [name for name, report in corpus["reports"].items() if report is None]
    assert missing == []
    assert (corpus["out"] / "gradebook.csv").exists()


def test_no_grader_errors(corpus):
    """A grader bug shows as a grader-error problem or a check the grader could not run."""
    found = []
    for name, report in corpus["reports"].items():
        found += [
            f"{name}: {p['message']}" for p in report["problems"] if p["code"] == "grader-error"
        ]
        found += [
            f"{name}: {c}: {v['message']}"
            for c, v in _checks(report).items()
            if "the grader could not" in v["message"]
        ]
    assert found == []


def test_reference_has_every_automatic_point(corpus):
    report = corpus["reports"]["reference"]
    assert {n: c["status"] for n, c in _checks(report).items() if c["status"] != "passed"} == {}
    assert report["problems"] == []


def _secrets_replaced(report: Report) -> Report:
    """``report`` with every hidden check's name, message and counterexample, and every expected
    answer, replaced by a marker of its own."""
    tasks = []
    for t, task in enumerate(report.tasks):
        checks = tuple(
            replace(
                c,
                name=f"HIDDEN-NAME-{t}-{k}",
                message=f"HIDDEN-MESSAGE-{t}-{k}",
                counterexample=c.counterexample and Counterexample(
                    f"HIDDEN-INPUT-{t}-{k}", f"HIDDEN-EXPECTED-{t}-{k}", f"HIDDEN-GOT-{t}-{k}"
                ),
            )
            if c.visibility == "hidden"
            else c
            for k, c in enumerate(task.checks)
        )
        tasks.append(replace(task, checks=checks, expected_answer=f"EXPECTED-ANSWER-{t}" if task.expected_answer else ""))
    return replace(report, tasks=tuple(tasks))


def test_student_reports_give_away_no_answer_and_no_hidden_check(corpus, tmp_path):
    """Every notebook's student view (what the feedback ZIP holds) is the same whatever the
    hidden checks' names, messages, inputs and expected values and the rubric's expected answers
    are: none of them can show. Checked on the files ``grader grade`` wrote."""
    answers = [t.expected_answer for t in load_assignment("a2").rubric.tasks if t.expected_answer]
    hidden_counterexamples, differing = 0, []
    for case in corpus["cases"]:
        report = Report.from_dict(corpus["reports"][case.name])
        hidden_counterexamples += sum(
            1 for t in report.tasks for c in t.checks if c.visibility == "hidden" and c.counterexample
        )
        written = corpus["out"] / case.stem / STUDENT_DIR
        masked = tmp_path / case.stem
        write_student_report(_secrets_replaced(report), masked)
        for name in STUDENT_FILES:
            text = (written / name).read_text(encoding="utf-8")
            if text != (masked / name).read_text(encoding="utf-8"):
                differing.append(f"{case.name}/{name}")
            assert not [a for a in answers if a in text], f"{case.name}/{name}: an expected answer"
    assert hidden_counterexamples > 0, "the corpus has failing hidden checks to hide"
    assert differing == []


# ---------------------------------------------------------------- correct styles


@pytest.mark.parametrize("name", _by_kind("correct"))
def test_correct_style_keeps_every_point(corpus, name):
    case, report = BY_NAME[name], corpus["reports"][name]
    failing = {
        n: f"{c['status']}: {c['message'][:200]}"
        for n, c in _checks(report).items()
        if c["status"] != "passed"
    }
    assert failing == {}, case.why
    assert _task_scores(report) == _task_scores(corpus["reports"]["reference"])
    problems = {p["code"]: p["message"] for p in report["problems"]}
    assert set(problems) == set(case.problems), (
        f"{case.why}: a correct notebook gets no other problem"
    )
    assert ready(Report.from_dict(report)), f"{case.why}: the self-check would not say ready"


# ---------------------------------------------------------------- seeded bugs


@pytest.mark.parametrize("name", _by_kind("bug"))
def test_seeded_bug_costs_its_task_only(corpus, name):
    case, report = BY_NAME[name], corpus["reports"][name]
    reference = _task_scores(corpus["reports"]["reference"])
    scores = _task_scores(report)
    checks = _checks(report)
    still_passing = [n for n in case.failing if checks[n]["status"] == "passed"]
    assert still_passing == [], f"{case.why}: these checks should catch it"
    if case.only_failing:
        task_checks = [n for n, c in checks.items() if _task_of(report, n) == case.task]
        other_failures = [
            n for n in task_checks if n not in case.failing and checks[n]["status"] != "passed"
        ]
        assert other_failures == [], _explain(report, other_failures)
    if case.task != "provided":
        assert scores[case.task] < reference[case.task]
    changed = {
        t: (reference[t], s) for t, s in scores.items() if t != case.task and s != reference[t]
    }
    assert changed == {}, f"{case.why}: other tasks lost points — " + _explain(
        report,
        [
            n
            for n, c in checks.items()
            if c["status"] != "passed" and _task_of(report, n) in changed
        ],
    )


def _task_of(report: dict, check: str) -> str:
    return next(t["id"] for t in report["tasks"] for c in t["checks"] if c["name"] == check)


# ---------------------------------------------------------------- broken and hostile


@pytest.mark.parametrize("name", _by_kind("broken"))
def test_broken_notebook_gets_a_clear_verdict(corpus, name):
    case, report = BY_NAME[name], corpus["reports"][name]
    codes = {p["code"] for p in report["problems"]}
    assert set(case.problems) <= codes, f"{case.why}: problems {sorted(codes)}"
    checks = _checks(report)
    statuses = {n: checks[n]["status"] for n in case.statuses}
    assert statuses == dict(case.statuses), _explain(report, case.statuses)
    still_passing = [n for n in case.failing if checks[n]["status"] == "passed"]
    assert still_passing == [], case.why
    if case.honest is not None:
        honest = corpus["reports"][case.honest]
        if case.same_as_honest:
            assert report["score"] == honest["score"], (
                f"{case.why}: honest version ({case.honest}) scores {honest['score']}"
            )
        else:
            assert report["score"] <= honest["score"], (
                f"{case.why}: honest version ({case.honest}) scores {honest['score']}"
            )
        if case.task is not None:
            assert _task_scores(report)[case.task] <= _task_scores(honest)[case.task]
    if case.others_intact:
        reference = _task_scores(corpus["reports"]["reference"])
        changed = {
            t: (reference[t], s)
            for t, s in _task_scores(report).items()
            if t != case.task and s != reference[t]
        }
        assert changed == {}, f"{case.why}: " + _explain(
            report, [n for n, c in checks.items() if c["status"] != "passed"]
        )


@pytest.mark.parametrize("name", ["empty", "truncated", "not-notebook", "latin"])
def test_unreadable_file_scores_nothing(corpus, name):
    report = corpus["reports"][name]
    assert report["score"] == 0
    assert [n for n, c in _checks(report).items() if c["status"] == "passed"] == []
    assert report["student"] == {
        "last_name": "BROKEN",
        "first_name": BY_NAME[name].stem.split("_")[-1],
    }


def test_bad_name_takes_the_identity_from_the_student_cell_and_is_graded(corpus):
    report = corpus["reports"]["bad-name"]
    assert report["student"] == {"last_name": "SOLUTION", "first_name": "Reference"}
    assert {p["code"] for p in report["problems"]} == {"bad-filename", "identity-from-cell"}
    assert report["score"] == corpus["reports"]["reference"]["score"]


def test_flood_of_output_keeps_the_report_small(corpus):
    size = (corpus["out"] / BY_NAME["print-flood"].stem / "report.json").stat().st_size
    assert size < 1_000_000


# ---------------------------------------------------------------- the environment


def test_hostile_code_left_the_environment_intact(corpus):
    """Nothing deleted, nothing planted, nothing left behind by the student runtime."""
    assert all(corpus["sentinels"].values()), (
        corpus["sentinels"],
        "gone at (s into the batch):",
        corpus["vanished"],
    )
    assert [p for p in PLANTED if os.path.exists(p)] == []
    assert corpus["after"]["deleted"] <= corpus["before"]["deleted"]
    for path in (
        "grader/grading/pipeline.py",
        "reference/part1.py",
        "pyproject.toml",
        "tests/support/corpus/__init__.py",
    ):
        assert (ROOT / path).is_file()
    assert corpus["runtime_leftovers"] == {}, "folders the student runtime left behind"
    # Other processes share /tmp (and their own runtimes' student-* folders come and go); the
    # corpus's runtime writes under its private TMPDIR, so anything else new in /tmp that a
    # sandbox uid owns was written by student code.
    before, after = corpus["before"]["tmp"], corpus["after"]["tmp"]
    left = {
        name: uid for name, uid in after.items()
        if name not in before and uid != os.getuid() and not name.startswith(("student-", "grader-zygote-"))
    }  # fmt: skip
    assert left == {}, "files written to /tmp by student code"
    reports = [p for p in corpus["out"].rglob("report.json")]
    assert len(reports) == len(corpus["cases"])


#: Run one hostile gradient_nn outside any sandbox, from a folder that is not the checkout, in
#: an isolated interpreter (-I: neither the working folder nor PYTHONPATH on sys.path).
UNSANDBOXED = """
import json, sys
import numpy as np
namespace = {"np": np}
exec(sys.argv[1], namespace)
grads = namespace["gradient_nn"](*json.loads(sys.argv[2]))
loaded = [m.__file__ for n, m in list(sys.modules.items()) if n.startswith("reference") and getattr(m, "__file__", None)]
print(json.dumps({"grads": [np.asarray(g, dtype=float).ravel().tolist() for g in grads], "loaded": loaded}))
"""


@pytest.mark.parametrize(
    ("name", "source"),
    [("reads-reference", V.GRAD_READS_REFERENCE), ("imports-reference", V.GRAD_IMPORTS_REFERENCE)],
    ids=["reads-reference", "imports-reference"],
)
def test_the_reference_attacks_work_where_the_checkout_is_exposed(name, source, tmp_path):
    """What the hostile cases claim: unsandboxed, their gradient_nn finds this checkout's
    reference by its path and returns the right gradient. So their scoring as the stub in the
    corpus shows that the grader hid the checkout, in whatever folder it is cloned."""
    from reference.part1 import gradient_nn

    args = [[0.5, -1.0], -1, [[0.3, -0.2, 0.8], [0.1, 0.4, -0.6]], [0.1, -0.3, 0.2], [0.7, -0.5, 0.9], [0.05]]
    done = subprocess.run(
        [sys.executable, "-I", "-c", UNSANDBOXED, source, json.dumps(args)],
        check=False, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    expected = gradient_nn(*(np.asarray(a, dtype=float) if isinstance(a, list) else a for a in args))
    assert len(result["grads"]) == 4
    for got, want in zip(result["grads"], expected, strict=True):
        np.testing.assert_allclose(got, np.asarray(want, dtype=float).ravel())
    if name == "imports-reference":
        assert result["loaded"] and all(Path(f).is_relative_to(ROOT) for f in result["loaded"])


# ---------------------------------------------------------------- written answers


def _answers(report: dict) -> dict[str, str]:
    """Written tasks' answers."""
    return {t["id"]: t["answer"] for t in report["tasks"] if any(c["name"] == "written answer" for c in t["checks"])}


def _shown(report: dict) -> dict[str, str]:
    """What the report shows of each task's text: written answers, and the text and outputs a
    numeric task's checks read."""
    return {**_answers(report), **{t["id"]: t["answer"] for t in report["tasks"] if t["kind"] in READ_KINDS}}


def test_every_written_answer_of_the_reference_is_found(corpus):
    answers = _answers(corpus["reports"]["reference"])
    assert answers and {task: text for task, text in answers.items() if not text.strip()} == {}
    assert not any("WRITE YOUR ANSWER HERE" in text or "#####" in text for text in answers.values())


@pytest.mark.parametrize("name", [pytest.param(c.name, id=c.name) for c, _ in CASES if c.answers])
def test_written_answers_are_found_where_students_put_them(corpus, name):
    answers = _shown(corpus["reports"][name])
    for task, text in BY_NAME[name].answers.items():
        if text:
            assert text in answers[task], (task, answers[task][:300])
        else:
            assert answers[task] == "", (task, answers[task][:300])


def test_the_sample_class_is_what_the_corpus_writes(tmp_path):
    """submissions/ is generated (python -m tests.support.corpus): stale samples fail here."""
    for path in write_samples(tmp_path):
        assert path.read_bytes() == (ROOT / "submissions" / path.name).read_bytes(), path.name


# ---------------------------------------------------------------- diagnoses (tests/diagnosis/)

#: The known mistake each seeded bug is diagnosed as (grader/assignments/a2/mistakes.py). A bug
#: not listed is outside the catalogue: nothing may be claimed about it.
DIAGNOSES = {
    "bo-sign": {"gradient_nn.sign_flipped"},
    "no-relu-mask": {"gradient_nn.no_relu_mask"},
    "wi-transposed": {"gradient_nn.wi_transposed"},
    "wo-uses-z": {"gradient_nn.wo_without_relu"},
    "sigmoid-argument": {"gradient_nn.sigmoid_argument"},
    "ascent": {"gradient_nn.sign_flipped"},
    "numerical-forward": {"numerical.one_sided"},
    "numerical-denominator": {"numerical.missing_half"},
    "gradcheck-true": {"gradcheck.never_fails"},
    "gradcheck-only-wi": {"gradcheck.only_wi"},
    "convnet-relu": {"convnet.relu_for_tanh"},
    "convnet-avgpool": {"convnet.average_pooling"},
    # the mask is the mistake; grad_Wo and grad_bo pass with an exact sigm, which they say
    "exp-times-sigm-no-mask": {"gradient_nn.no_relu_mask", "handout.sigm_clamp"},
    "numerical-indexed-by-eps": {"numerical.missing_half"},
    "convnet-no-fc-tanh": {"convnet.missing_activation"},
    "convnet-no-conv2-tanh": {"convnet.missing_activation"},
    "both-signs": {"gradient_nn.sign_inside_and_outside"},
}
#: What a correct style's passing checks say: the handout's edge it meets (not a mistake).
CORRECT_DIAGNOSES = {"grad-exp-times-sigm": {"handout.sigm_clamp"}}


def _diagnoses(report: dict) -> set[str]:
    return {d["code"] for c in _checks(report).values() for d in c.get("diagnoses", ())}


@pytest.mark.parametrize("name", _by_kind("bug"))
def test_seeded_bug_gets_its_own_diagnosis(corpus, name):
    assert _diagnoses(corpus["reports"][name]) == DIAGNOSES.get(name, set()), BY_NAME[name].why


@pytest.mark.parametrize("name", _by_kind("correct"))
def test_correct_style_gets_no_diagnosis(corpus, name):
    assert _diagnoses(corpus["reports"][name]) == CORRECT_DIAGNOSES.get(name, set()), BY_NAME[name].why
