"""A worker process that dies costs its submission only; Ctrl-C stops cleanly and resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grader.cli import exit_status
from grader.frontends.batch import grade_all
from grader.frontends.classfolder import plan
from grader.frontends.pool import run_pool
from tests.support.batch import fake_grade, report_json, tiny_notebook

ROOT = Path(__file__).resolve().parents[2]


def test_a_dead_worker_costs_only_the_submission_that_killed_it(tmp_path):
    names = ["A2_A_A", "A2_B_B", "A2_KILL_Me", "A2_C_C", "A2_D_D", "A2_E_E"]
    jobs = plan([tmp_path / f"{n}.ipynb" for n in names], tmp_path / "out", "salt")
    dead = []

    def on_death(job, detail):
        dead.append((job.notebook.name, detail))
        return {"submission": job.notebook.name, "dead": True}

    results = {
        job.notebook.name: result
        for job, result in run_pool(jobs, fake_grade, 2, on_death=on_death)
    }
    assert sorted(results) == sorted(f"{n}.ipynb" for n in names)
    assert [name for name, _ in dead] == ["A2_KILL_Me.ipynb"]
    assert "died" in dead[0][1]
    assert all("pid" in r for n, r in results.items() if n != "A2_KILL_Me.ipynb")
    # the pool was replaced: the jobs after the death ran in other processes
    assert len({r["pid"] for r in results.values() if "pid" in r}) >= 3


def _children(pid: int) -> set[int]:
    return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def _alive(pid: int) -> bool:
    """Running (a zombie left to a container's init that does not reap counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ctrl_c_stops_the_workers_and_the_same_command_resumes(tmp_path, count_gradings):
    folder = tmp_path / "in"
    folder.mkdir()
    names = [f"A2_N{i:02d}_Student" for i in range(12)]
    for name in names:
        tiny_notebook(folder / f"{name}.ipynb")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "grader.cli",
            "grade",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    first = proc.stdout.readline()  # "[1/12] ...": one submission is done
    assert first.startswith("[1/12]"), first
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, first + rest
    assert "interrupted" in rest
    time.sleep(0.5)
    assert len(workers) >= 2 and not [pid for pid in workers if _alive(pid)]

    finished = {
        n
        for n in names
        if (out / n / "report.json").exists() and "fingerprint" in report_json(out, n)["meta"]
    }
    assert 1 <= len(finished) < len(names)
    # what is kept is counted on disk: a worker's report whose result never reached the driver counts
    assert f"interrupted: {len(finished)} notebook(s) graded in this run are kept" in rest
    assert exit_status(grade_all([folder], out, jobs=1)) == 0
    assert sorted(count_gradings) == sorted(f"{n}.ipynb" for n in names if n not in finished)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]


def test_ctrl_c_counts_the_reports_written_before_their_results_came_back(class_dir, tmp_path, monkeypatch, capsys):
    """Workers write their reports themselves: two written whose results never reached the
    driver (Ctrl-C in between) are kept, and said to be."""
    from grader.frontends.batch import schedule

    real = schedule.run_local

    def interrupted(todo, *args, **kwargs):
        """As run_local, a generator; Ctrl-C comes before it hands back anything."""
        for n, job in enumerate(todo):
            if n == 2:
                raise KeyboardInterrupt
            for _ in real([job], *args, **kwargs):  # graded and written, never handed back
                yield from ()

    monkeypatch.setattr(schedule, "run_local", interrupted)
    result = grade_all([class_dir], tmp_path / "out", jobs=1)
    assert result.interrupted and len(result.graded) == 2
    assert "interrupted: 2 notebook(s) graded in this run are kept" in capsys.readouterr().out
