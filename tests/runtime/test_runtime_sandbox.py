"""The sandbox's filesystem view and its fallbacks when the OS lacks a layer."""

from __future__ import annotations

import os
import sys

import numpy

from grader.runtime import sandbox
from grader.runtime.client import PACKAGE_ROOT


def test_the_read_view_has_the_libraries_but_not_the_project():
    paths = sandbox.default_read_paths((str(PACKAGE_ROOT),))
    numpy_dir = os.path.dirname(numpy.__file__)
    assert numpy_dir in paths and sys.base_prefix in paths
    repo = str(PACKAGE_ROOT)
    assert repo not in paths and os.path.dirname(repo) not in paths and "/" not in paths
    assert not any(os.path.basename(p).split("-")[0] in ("grader", "reference") for p in paths)
    # the virtualenv may live inside the checkout (.venv, .tox/tests): its files are readable,
    # nothing else of the checkout is
    assert not any(p.startswith(repo) and not p.startswith(sys.prefix) for p in paths)


def test_without_landlock_nothing_is_applied(monkeypatch):
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    assert sandbox.apply_landlock(("/usr",), (), ("/tmp",)) is False
    assert sandbox.scope_signals() is False


def test_without_namespaces_there_is_no_network_layer(monkeypatch):
    monkeypatch.setattr(sandbox._libc, "unshare", lambda flags: -1)
    assert sandbox.unshare_network(privileged=True) is False
    assert sandbox.unshare_network(privileged=False) is False


def test_landlock_abi_is_a_version_number():
    assert sandbox.landlock_abi() >= 0


def test_tasks_of_counts_the_tasks_of_a_uid():
    assert sandbox.tasks_of(os.getuid()) >= len(os.listdir("/proc/self/task")) >= 1
    assert sandbox.tasks_of(2**31 - 7) == 0  # nobody runs as this uid


def test_an_installed_project_hides_its_entries_not_the_python_around_it():
    site = sandbox.site_dirs()[0]
    paths = sandbox.default_read_paths(())  # what the zygote uses when installed in site-packages
    assert sys.base_prefix in paths and os.path.join(site, "numpy") in paths
    assert not any(os.path.basename(p) in sandbox.HIDDEN_NAMES for p in paths)


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
