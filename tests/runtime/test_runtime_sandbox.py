"""The sandbox's filesystem view and its fallbacks when the OS lacks a layer."""

from __future__ import annotations

import importlib.metadata
import os
import sys
from pathlib import Path

import numpy
import pytest

from grader.runtime import namespaces, sandbox
from grader.runtime.spawner import PACKAGE_ROOT


def test_the_read_view_has_the_libraries_but_not_the_project():
    paths, _ = sandbox.filesystem_view((str(PACKAGE_ROOT),))
    numpy_dir = os.path.realpath(os.path.dirname(numpy.__file__))
    assert numpy_dir in paths and os.path.realpath(sys.base_prefix) in paths
    repo = str(PACKAGE_ROOT)
    assert repo not in paths and os.path.dirname(repo) not in paths and "/" not in paths
    assert not any(os.path.basename(p).split("-")[0] in ("grader", "reference") for p in paths)
    # the virtualenv may live inside the checkout (.venv, .tox/tests): its files are readable,
    # nothing else of the checkout is
    venv = os.path.realpath(sys.prefix)
    assert not any(p.startswith(repo) and not p.startswith(venv) for p in paths)


def test_without_landlock_nothing_is_applied(monkeypatch):
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    assert sandbox.apply_landlock(("/usr",), (), ("/tmp",)) is False
    assert sandbox.scope_signals() is False


def in_child(body) -> int:
    """Run ``body`` in a forked child (it may drop privileges or confine itself); its exit code."""
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(body())
        except BaseException:  # noqa: BLE001 - a forked child must never return into pytest
            os._exit(99)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


@pytest.mark.parametrize("privileged", [True, False], ids=["root", "laptop"])
def test_without_namespaces_there_are_no_namespace_layers(tmp_path, privileged):
    def body():
        sandbox._libc.unshare = lambda flags: -1
        cfg = sandbox.SandboxConfig(str(tmp_path), uid=65534, privileged=privileged)
        return 0 if namespaces.enter_namespaces(cfg) == ([], False) else 1

    assert in_child(body) == 0


def test_landlock_abi_is_a_version_number():
    assert sandbox.landlock_abi() >= 0


def test_tasks_of_counts_the_tasks_of_a_uid():
    assert sandbox.tasks_of(os.getuid()) >= len(os.listdir("/proc/self/task")) >= 1
    assert sandbox.tasks_of(2**31 - 7) == 0  # nobody runs as this uid


def test_the_projects_names_are_read_from_the_installed_metadata() -> None:
    """``grader``, the distribution that installs it and every top-level package it ships (the
    packs' reference solutions): no assignment's name is written in the sandbox."""
    names = sandbox.project_names()
    assert "grader" in names
    for dist in importlib.metadata.packages_distributions().get("grader", ()):
        shipped = importlib.metadata.distribution(dist).read_text("top_level.txt") or ""
        assert {dist.replace("-", "_").lower(), *shipped.split()} <= set(names)


#: The installed distribution that ships ``grader``, as its ``.dist-info`` folder spells it.
ENGINE_DIST = min(importlib.metadata.packages_distributions()["grader"]).replace("-", "_").lower()


def installed_python(root: Path) -> tuple[Path, Path]:
    """A Python's own prefix with the project ``pip install``-ed into its site-packages, as a
    Docker or distro Python has it: (prefix, site-packages)."""
    site = root / "usr" / "lib" / "python3.11" / "site-packages"
    for name in ("numpy/__init__.py", "reference/part1.py", "grader/assignments/a2/hidden.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("SECRET = 1\n" if "numpy" not in name else "x = 1\n")
    (site / f"{ENGINE_DIST}-0.1.0.dist-info").mkdir()
    (site.parent / "os.py").write_text("")
    return root / "usr", site


def test_a_project_installed_in_the_pythons_own_site_packages_is_left_out(tmp_path, monkeypatch):
    prefix, site = installed_python(tmp_path)
    for name in ("prefix", "base_prefix", "exec_prefix", "base_exec_prefix"):
        monkeypatch.setattr(sys, name, str(prefix))
    monkeypatch.setattr(sandbox, "site_dirs", lambda: (str(site),))
    monkeypatch.setattr(sandbox, "SYSTEM_READ_PATHS", ())
    read, listed = sandbox.filesystem_view(())  # the zygote's view when installed there
    assert str(prefix) not in read  # a rule on the prefix would open the project under it
    assert {str(site / "numpy"), str(site.parent / "os.py")} <= set(read)
    assert {str(prefix), str(site)} <= set(listed)
    assert not any(p.startswith(str(site / n)) for p in read for n in ("grader", "reference", ENGINE_DIST))
    if sandbox.landlock_abi() < 1:
        return

    def body():  # what a confined process can do with exactly those rules
        sandbox.apply_landlock(read, listed, ())
        for secret in ("reference/part1.py", "grader/assignments/a2/hidden.py"):
            try:
                open(site / secret).close()
                return 1
            except PermissionError:
                pass
        ok = (site / "numpy" / "__init__.py").read_text() == "x = 1\n"
        return 0 if ok and "reference" in os.listdir(site) else 2

    assert in_child(body) == 0


def test_a_directory_reached_through_a_link_is_split_at_its_real_path(tmp_path):
    """``/lib`` is ``/usr/lib`` on a merged-/usr system: a rule on the link is a rule on it."""
    prefix, site = installed_python(tmp_path)
    (tmp_path / "lib").symlink_to(prefix / "lib")
    read: set[str] = set()
    listed: set[str] = set()
    for root in (str(tmp_path / "lib"), str(prefix)):
        sandbox._split(os.path.realpath(root), {str(site / "reference")}, read, listed)
    assert str(prefix / "lib") not in read and str(site / "reference") not in read
    assert str(site / "numpy") in read and str(prefix / "lib") in listed


def test_a_virtualenv_under_nested_closed_directories_is_exposed(tmp_path):
    """A virtualenv in a 0700 checkout (mktemp -d) with a 0700 .tox: two closed levels, both
    opened for the sandbox's uid (as root: in a forked child's own mount namespace)."""
    leaf = tmp_path / "checkout" / ".tox" / "tests" / "site-packages"
    leaf.mkdir(parents=True)
    (leaf / "numpy").mkdir()
    (tmp_path / "checkout").chmod(0o700)
    (tmp_path / "checkout" / ".tox").chmod(0o700)
    blocked = sandbox._closed_ancestors((str(leaf),))
    assert blocked and all(str(leaf).startswith(anc) for anc in blocked)
    if os.geteuid() != 0:  # no mount namespace to open them in: what is closed is still found
        return
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.expose_paths((str(leaf),))
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if os.listdir(leaf) == ["numpy"] else 1)
        except BaseException:  # noqa: BLE001 - a forked child must never return into pytest
            os._exit(2)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
