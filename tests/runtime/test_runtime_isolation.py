"""The student's process cannot see the project, the network, or write outside its private dir."""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from grader.runtime import StudentRuntime, sandbox
from grader.runtime.spawner import PACKAGE_ROOT
from tests.support.runtime import TORCH_STACK, statements_from_code

REPO = PACKAGE_ROOT
TAG = f"escape-{uuid.uuid4().hex}"
TARGETS = [
    f"/tmp/{TAG}",
    f"{Path.home()}/{TAG}",
    f"{os.getcwd()}/{TAG}",
    f"{REPO}/{TAG}",
    f"{REPO}/reference/{TAG}",
    f"/{TAG}",
    f"/var/tmp/{TAG}",
    f"/dev/shm/{TAG}",
]

PROBES = """
import os, socket, sys

def read(path):
    with open(path, "rb") as f:
        return f.read(100)

def listdir(path):
    return sorted(os.listdir(path))

def import_(name):
    import importlib
    return str(importlib.import_module(name))

def connect(port):
    s = socket.socket()
    s.settimeout(2)
    s.connect(("127.0.0.1", port))
    return "connected"

def write_everywhere(targets):
    done = []
    for t in targets:
        try:
            with open(t, "w") as f:
                f.write("x")
            done.append(t)
        except OSError:
            pass
    return done

def environment():
    return {"cwd": os.getcwd(), "env": dict(os.environ), "path": sys.path, "uid": os.getuid()}

def loaded(names):
    return [n for n in names if n in sys.modules]

def lazy_imports():
    import json, csv, pickle, torch.distributions, scipy.signal, torchvision.models, PIL.Image
    return "ok"
"""


def probes(privileged: bool):
    rt = StudentRuntime(statements_from_code(PROBES), privileged=privileged, preload=TORCH_STACK)
    rt.start()
    return rt


@pytest.fixture(scope="module", params=[True, False], ids=["root", "laptop"])
def rt(request):
    runtime = probes(request.param)
    yield runtime
    runtime.close()


# Where the OS lacks a layer (no Landlock, no user namespaces, not root) the tests below check
# that the report is honest: what a claimed layer protects is denied, and only then.


def denied(r) -> bool:
    return r.status == "error" and r.error.type in (
        "PermissionError",
        "FileNotFoundError",
        "ConnectionRefusedError",
        "OSError",
    )


def test_the_active_layers_are_reported(rt):
    layers = set(rt.isolation)
    assert {"process", "rlimits", "private-cwd", "scrubbed-env"} <= layers
    assert ("landlock" in layers) == (sandbox.landlock_abi() >= 1)
    if rt.privileged and os.geteuid() == 0:
        assert {"unprivileged-user", "no-network", "mount-ns"} <= layers
        assert rt.call("environment").value["uid"] != 0
    else:
        assert "unprivileged-user" not in layers


@pytest.mark.parametrize(
    "path",
    [
        REPO / "reference" / "__init__.py",
        REPO / "grader" / "runtime" / "student.py",
        REPO / "pyproject.toml",
        Path("/root/.bash_history"),
        Path("/etc/shadow"),
    ],
)
def test_project_files_cannot_be_read(rt, path):
    r = rt.call("read", str(path))
    if "landlock" in rt.isolation or not path.is_relative_to(REPO):
        assert denied(r)
    else:
        assert (
            r.ok
        )  # no Landlock: the repository is readable, and isolation does not claim otherwise


def test_the_repository_cannot_be_listed(rt):
    for path in (REPO, REPO / "reference", REPO / "tests"):
        r = rt.call("listdir", str(path))
        assert denied(r) == ("landlock" in rt.isolation)


@pytest.mark.parametrize(
    "name", ["reference", "grader", "grader.assignments", "grader.runtime.student"]
)
def test_project_packages_cannot_be_imported(rt, name):
    r = rt.call("import_", name)
    assert r.status == "error" and r.error.type in (
        "ModuleNotFoundError",
        "ImportError",
        "PermissionError",
    )


def test_no_network(rt):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        r = rt.call("connect", server.getsockname()[1])
        cut_off = (
            "no-network" in rt.isolation or sandbox.landlock_abi() >= 4
        )  # Landlock 4: TCP rules
        assert denied(r) == cut_off
    finally:
        server.close()


def test_the_environment_is_scrubbed_and_private(rt):
    info = rt.call("environment").value
    assert info["cwd"] == rt.workdir and info["env"]["HOME"] == rt.workdir
    assert info["env"]["MPLBACKEND"] == "Agg" and "PYTHONPATH" not in info["env"]
    assert not any(p == str(REPO) or p.startswith(f"{REPO}/tests") for p in info["path"])


def test_lazy_imports_still_work_inside_the_sandbox(rt):
    assert rt.call("lazy_imports").value == "ok"


def test_nothing_is_written_outside_the_private_dir(rt):
    r = rt.call("write_everywhere", TARGETS + [f"{rt.workdir}/{TAG}"])
    # /dev/shm is the submission's own tmpfs there (private-shm): written, but not the host's
    own = [t for t in TARGETS if t.startswith("/dev/shm/")] if "private-shm" in rt.isolation else []
    try:
        if "landlock" in rt.isolation:
            assert r.value == [*own, f"{rt.workdir}/{TAG}"]
        assert not any(os.path.exists(t) for t in TARGETS if t not in r.value or t in own)
    finally:
        for t in r.value or ():
            if not t.startswith(rt.workdir) and os.path.exists(t):
                os.remove(t)
    if "landlock" in rt.isolation:
        assert not any(os.path.exists(t) for t in TARGETS)


def test_another_students_files_cannot_be_read(rt):
    with StudentRuntime(statements_from_code("x = 1"), files={"secret.txt": b"mine"}, preload=TORCH_STACK) as other:
        r = rt.call("read", f"{other.workdir}/secret.txt")
        if {"landlock", "unprivileged-user"} & set(rt.isolation):
            assert denied(r) and denied(rt.call("listdir", other.workdir))
        else:  # same user, no Landlock: nothing claims to separate two submissions
            assert r.value == b"mine"


def test_files_cannot_be_placed_outside_the_private_dir():
    for name in ("../escape.txt", "/tmp/escape.txt", "a/../../escape.txt", ""):
        with pytest.raises(ValueError, match="leaves"):
            StudentRuntime(statements_from_code("x = 1"), files={name: b"x"}, preload=TORCH_STACK)


def test_the_student_process_is_not_a_fork_of_the_grader(rt):
    grader_only = ["pytest", "hypothesis", "reference", "grader", "grader.runtime.student"]
    assert rt.call("loaded", grader_only).value == []
    assert rt.call("loaded", ["torch", "numpy", "matplotlib.pyplot"]).value == [
        "torch",
        "numpy",
        "matplotlib.pyplot",
    ]
