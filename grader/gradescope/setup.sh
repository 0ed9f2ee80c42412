#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the zip is unpacked
# in $AUTOGRADER_ROOT/source. It installs Python >= 3.11, a virtualenv with the pinned grading
# environment, the grader itself and what grading the pack needs beside the engine
# (``Pack.dependencies``, from the pack's indexes too: ``Pack.kit_index_urls``, such as CPU-only
# wheels, Gradescope having no GPU).
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"

if ! command -v python3.11 >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv
fi
python3.11 -m venv "$ROOT/venv"
"$ROOT/venv/bin/pip" install --upgrade pip
PIP_CONSTRAINT="$SOURCE/constraints.txt" "$ROOT/venv/bin/pip" install__PACK_INDEXES__ \
    "$SOURCE"__PACK_DEPENDENCIES__
# Warm the caches once (imports, compiled bytecode) so that the first submission is not slow;
# from source/, as run_autograder runs, where a pack outside the engine imports.
cd "$SOURCE"
MPLBACKEND=Agg "$ROOT/venv/bin/python" -c "from grader.assignment import load_assignment; load_assignment('__ASSIGNMENT__')"
