"""Run every benchmark script in this folder and print its figures (`tox -e bench`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("runtime_bench.py", "grading_bench.py", "batch_bench.py", "class_bench.py", "similarity_bench.py", "marking_bench.py")


def main() -> int:
    failed = []
    for name in SCRIPTS:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n== {name} " + "=" * (60 - len(name)), flush=True)
        if subprocess.run([sys.executable, str(script)], check=False, cwd=HERE.parent).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
