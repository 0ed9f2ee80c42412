"""Confine the current (freshly forked, single-threaded) process before student code runs in it.

Each function applies one layer and says whether it could; :func:`confine` applies them in
the only order that works (namespaces and uid changes need root, Landlock needs
no_new_privs and must come after the mounts) and returns the names of the active layers.
Everything goes through ``ctypes`` to libc because Python 3.11 has no ``os.unshare``.
"""

from __future__ import annotations

import ctypes
import functools
import os
import re
import resource
import signal
import stat
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.runtime import seccomp
from grader.runtime.results import Limits

_libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_BIND, MS_REC, MS_PRIVATE, MS_NOSUID, MS_NODEV, MS_NOEXEC = 4096, 16384, 1 << 18, 2, 4, 8
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38
_CAPABILITY_VERSION_3 = 0x20080522

# Landlock (include/uapi/linux/landlock.h); x86_64 syscall numbers.
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_TRUNCATE, FS_IOCTL_DEV = 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_FS_LATEST = (1 << 16) - 1  # ABI 5 and later
_FILE_ONLY = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2

READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


@dataclass(frozen=True)
class SandboxConfig:
    """What the confined process may touch. Plain data: it crosses from grader to zygote as JSON
    (``to_doc``/``from_doc``). Its resource limits are the submission's ``Limits``."""

    workdir: str
    uid: int = (
        -1
    )  # the unprivileged uid/gid to become when running as root (-1: chosen by the builder)
    privileged: bool = True  # False: behave as a grader without root would (no root-only layers)
    # The submission's limits: its rlimits and its private folder's size (disk_bytes).
    limits: Limits = field(default_factory=Limits)
    # Layers to leave out, as if this OS lacked them (``GRADER_SANDBOX_WITHOUT``): how the tests
    # and an instructor see what grading does on a kernel without them.
    without: tuple[str, ...] = ()
    # Filled in by the zygote, which computes them once for every submission.
    # read_paths: read/execute (the Python installation, site-packages entries, /usr...);
    # list_paths: directory listing only (site-packages dirs, so imports can search them);
    # hidden_paths: dropped from sys.path in the worker (the project checkout, if any);
    # mount_ns: the zygote runs in a private mount namespace (see expose_paths).
    read_paths: tuple[str, ...] = ()
    list_paths: tuple[str, ...] = ()
    hidden_paths: tuple[str, ...] = ()
    mount_ns: bool = False

    def to_doc(self) -> dict[str, Any]:
        """The config as JSON-able data (lists for tuples, the limits as an object)."""
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SandboxConfig:
        """The config ``to_doc`` wrote (with the zygote's paths filled in)."""
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in doc.items()}
        fields["limits"] = Limits(**doc["limits"])
        return cls(**fields)


# Read access for every submission, besides the Python installation and its site-packages.
SYSTEM_READ_PATHS = (
    "/usr",
    "/lib",
    "/lib64",
    "/lib32",
    "/bin",
    "/sbin",
    "/proc",
    "/dev/urandom",
    "/dev/random",
    "/dev/zero",
    "/dev/shm",
    "/sys/devices/system/cpu",
    "/sys/fs/cgroup",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/mime.types",
    "/etc/fonts",
)
SITE_DIRS = ("site-packages", "dist-packages")


def _check(ret: int, what: str) -> int:
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return ret


def set_rlimits(cfg: SandboxConfig, nproc_base: int = 0) -> None:
    """CPU, data (memory), processes, file size, core dumps, open files; SIGXFSZ makes writes fail.

    RLIMIT_NPROC counts every task of the uid (in its user namespace): ``nproc_base`` is what
    already runs under the uid when the submission has neither a uid nor a namespace of its own.
    RLIMIT_DATA misses shared mappings (``mmap(MAP_SHARED)``), so the address space may also
    grow by at most ``memory_bytes`` beyond what is mapped now (torch alone maps ~3 GB).
    """
    limits = cfg.limits
    mapped = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    for res, value in (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_DATA, limits.memory_bytes),
        (resource.RLIMIT_AS, mapped + limits.memory_bytes),
        (resource.RLIMIT_NPROC, nproc_base + limits.max_processes),
        (resource.RLIMIT_FSIZE, limits.max_file_bytes),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, limits.max_open_files),
    ):
        _, hard = resource.getrlimit(res)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        # CPU: SIGXCPU at the soft limit tells "out of CPU time" apart from SIGKILL at the hard one
        top = value + 1 if res == resource.RLIMIT_CPU and value != hard else value
        resource.setrlimit(res, (value, top))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def expose_paths(paths: tuple[str, ...]) -> bool:
    """Make ``paths`` reachable for any uid, in a private mount namespace (root only).

    A Python installed under a 0700 home (``/root/.pyenv``), or a virtualenv in a 0700
    checkout (``mktemp -d``/.tox, itself 0700), cannot be traversed by an unprivileged uid. In
    a private mount namespace, each closed ancestor is covered with an empty tmpfs into which
    only the needed children are bind-mounted: the rest of it vanishes. A bind-mounted child
    keeps its own mode, so a closed directory below a closed directory is met in the next
    round. The zygote does this once at start; every submission inherits the namespace.
    """
    blocked = _closed_ancestors(paths)
    if not blocked:
        return False
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    for _ in range(32):  # one round per level of closed directories
        if not blocked:
            return True
        for anc, children in blocked.items():
            _cover(anc, children)
        blocked = _closed_ancestors(paths)
    raise OSError("expose_paths: closed directories nested too deep")


def _closed_ancestors(paths: tuple[str, ...]) -> dict[str, set[str]]:
    """For each path, its outermost ancestor others cannot traverse, and the child needed."""
    blocked: dict[str, set[str]] = {}
    for p in paths:
        parts = Path(p).parts
        for i in range(1, len(parts)):
            anc = Path(*parts[:i])
            try:
                st = os.stat(anc)
            except OSError:
                break
            if not st.st_mode & stat.S_IXOTH:
                blocked.setdefault(str(anc), set()).add(parts[i])
                break
    return blocked


def _cover(anc: str, children: set[str]) -> None:
    """An empty tmpfs on ``anc``, with only ``children`` bind-mounted back into it."""
    fds = {
        c: os.open(os.path.join(anc, c), os.O_PATH)
        for c in children
        if os.path.exists(os.path.join(anc, c))
    }
    _check(
        _libc.mount(b"tmpfs", anc.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755,size=64k"),
        f"tmpfs on {anc}",
    )
    for child, fd in fds.items():
        target = os.path.join(anc, child)
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            os.mkdir(target)
        else:
            open(target, "w").close()
        source = f"/proc/self/fd/{fd}".encode()
        _check(_libc.mount(source, target.encode(), None, MS_BIND | MS_REC, None), f"bind {target}")
        os.close(fd)


def drop_privileges(uid: int) -> None:
    """Become ``uid``/``uid`` with no supplementary groups.

    The uid change makes the process non-dumpable, which would leave /proc/self owned by root
    (no uid_map for a later user namespace): dumpable is set back. Ptrace stays out of reach:
    Landlock forbids tracing processes outside the tracer's domain.
    """
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # lets us write /proc/self/uid_map later


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is unavailable."""
    ret = _libc.syscall(
        _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_RULESET_VERSION)
    )
    return max(ret, 0)


def apply_landlock(
    read_paths: tuple[str, ...], list_paths: tuple[str, ...], write_paths: tuple[str, ...]
) -> bool:
    """Allow reading ``read_paths``, listing ``list_paths``, read/write of ``write_paths``.

    Every other file access is denied, and so are TCP bind/connect (ABI 4+) and signals or
    abstract Unix sockets leaving the sandbox (ABI 6+).
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    fs = _FS_BY_ABI.get(abi, _FS_LATEST)
    attr = _RulesetAttr(
        fs,
        NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = _check(
        _libc.syscall(
            _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
        ),
        "landlock_create_ruleset",
    )
    try:
        for paths, access in ((read_paths, READ), (list_paths, FS_READ_DIR), (write_paths, fs)):
            for p in paths:
                try:
                    fd = os.open(p, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    allowed = (
                        access if stat.S_ISDIR(os.fstat(fd).st_mode) else access & _FILE_ONLY & fs
                    )
                    rule = _PathBeneath(allowed, fd)
                    _check(
                        _libc.syscall(
                            _SYS_ADD_RULE,
                            ruleset,
                            _RULE_PATH_BENEATH,
                            ctypes.byref(rule),
                            ctypes.c_uint32(0),
                        ),
                        f"landlock_add_rule {p}",
                    )
                finally:
                    os.close(fd)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _check(
            _libc.syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self"
        )
    finally:
        os.close(ruleset)
    return True


def adopt_orphans() -> None:
    """Become a child subreaper: descendants that double-fork or setsid stay in our tree."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(parent: int | None = None) -> None:
    """SIGKILL this process when its parent dies (reset by a uid change, so set it afterwards).

    With ``parent``, the pid it had: if that one died already, this process ends now.
    """
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def scope_signals() -> bool:
    """Enter a nested Landlock domain that may only signal itself and its descendants (ABI 6+)."""
    if landlock_abi() < 6:
        return False
    attr = _RulesetAttr(0, 0, SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET)
    ruleset = _libc.syscall(
        _SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(24), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        return False
    try:
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        return _libc.syscall(_SYS_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) == 0
    finally:
        os.close(ruleset)


def scrubbed_environ(home: str, **extra: str) -> dict[str, str]:
    """The whole environment of a process started for student code (the zygote, each builder):
    nothing of the grader's, only what the interpreter and its libraries need (a home and
    matplotlib's config dir it may write, headless plotting, one thread per BLAS library:
    submissions run side by side). ``extra``: what one of them needs more."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": home,
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        **extra,
    }


def scrub_interpreter(hidden_paths: tuple[str, ...]) -> None:
    """Forget the project: its sys.path entries, its modules, editable-install finders."""
    hidden = tuple(os.path.realpath(p) for p in hidden_paths)

    def is_hidden(path: str) -> bool:
        real = os.path.realpath(path or ".")
        inside = any(real == h or real.startswith(h + os.sep) for h in hidden)
        return inside and not any(d in real for d in SITE_DIRS)  # a venv inside the checkout

    sys.path[:] = [p for p in sys.path if p and not is_hidden(p)]
    for p in [p for p in sys.path_importer_cache if not p or is_hidden(p)]:
        del sys.path_importer_cache[p]
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    for name in [n for n in sys.modules if n == "grader" or n.startswith("grader.")]:
        del sys.modules[name]


def confine(cfg: SandboxConfig, namespaces: tuple[str, ...], own_userns: bool) -> tuple[str, ...]:
    """Apply every layer this OS allows, in order; return the names of those now active.

    ``namespaces`` are the layers the launcher already entered (see ``namespaces.py``);
    ``own_userns``: it made a user namespace of its own, whose capabilities are dropped here.
    """
    layers = ["process", "private-cwd", "scrubbed-env", *namespaces]
    root = os.geteuid() == 0
    if cfg.mount_ns:
        layers.append("mount-ns")
    if root:
        drop_privileges(cfg.uid)
        layers.append("unprivileged-user")
    elif own_userns:
        drop_capabilities()
    set_rlimits(cfg, nproc_base=0 if root or own_userns else tasks_of(os.getuid()))
    layers.append("rlimits")
    if "landlock" not in cfg.without:
        try:
            # /dev/shm is writable only where it is the submission's own tmpfs (private-shm)
            shm = ("/dev/shm",) if "private-shm" in namespaces else ()
            if apply_landlock(cfg.read_paths, cfg.list_paths, (cfg.workdir, "/dev/null", *shm)):
                layers.append("landlock")
        except OSError:
            pass
    if "socket-filter" not in cfg.without:
        memfd = "no-memfd" not in cfg.without
        if seccomp.install(memfd=memfd):
            layers += ["socket-filter", "no-memfd"] if memfd else ["socket-filter"]
    return tuple(layers)


def drop_capabilities() -> None:
    """Give up every capability (held in our own user namespace, over its mounts and network)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    data = (ctypes.c_uint32 * 6)()  # two 32-bit halves of effective, permitted, inheritable
    _check(_libc.capset(ctypes.byref(Header(_CAPABILITY_VERSION_3, 0)), data), "capset")


def tasks_of(uid: int) -> int:
    """How many tasks (threads included, as RLIMIT_NPROC counts them) ``uid`` runs now."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry}/task"))
            except OSError:
                pass
    return count


def site_dirs() -> tuple[str, ...]:
    """The site-packages directories on sys.path."""
    return tuple(p for p in sys.path if p.endswith(SITE_DIRS) and os.path.isdir(p))


@functools.cache
def project_names() -> tuple[str, ...]:
    """The project's own top-level names, left out of site-packages: ``grader``; the installed
    distribution that ships it (its ``.dist-info``) with every other top-level package it ships
    (the packs' reference solutions); and likewise every distribution that requires it (a pack
    installed on its own, with its reference). Read from the installed metadata, so no
    assignment's name is written here."""
    import importlib.metadata

    def normal(name: str) -> str:  # PEP 503, with "_" as the .dist-info folder writes it
        return re.sub(r"[-_.]+", "_", name).lower()

    def tops(dist: importlib.metadata.Distribution) -> set[str]:
        listed = dist.read_text("top_level.txt")
        if listed is not None:
            return set(listed.split())
        return {f.parts[0].split(".")[0] for f in dist.files or () if f.parts and ".." not in f.parts}

    dists = {normal(d.metadata["Name"] or ""): d for d in importlib.metadata.distributions()}
    # the engine is built by setuptools, which always writes top_level.txt: no RECORD is read
    engine = {n for n, d in dists.items() if "grader" in (d.read_text("top_level.txt") or "").split()}
    names = {"grader"}
    for name, dist in dists.items():
        needs = {normal(re.split(r"[^A-Za-z0-9._-]", r, maxsplit=1)[0]) for r in dist.requires or ()}
        if name in engine or needs & engine:
            names |= {name, *tops(dist)}
    return tuple(sorted(names))


def filesystem_view(
    hidden_paths: tuple[str, ...], hidden_names: tuple[str, ...] | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(read, list_only): the Python installation, site-packages, system libraries, minus the project.

    The project is its checkout (``hidden_paths``) and, in every site-packages, its own entries
    (``hidden_names``, by default :func:`project_names`; editable-install finders, ``.pth`` files). Landlock rules are unions: a
    rule on ``/usr`` would open a ``grader`` or a reference solution installed in
    ``/usr/lib/python3/dist-packages`` however the entries are listed. So a directory that
    holds part of the project is never allowed whole: it is split into its entries, the
    ones on the way to the project only listable, down to the project's siblings. Paths are
    real paths: ``/lib`` is ``/usr/lib`` on a merged-/usr system, and a rule follows the link.
    A venv inside the checkout (``.tox``, ``.venv``) stays readable: only its own files are
    asked for.
    """
    hidden_names = project_names() if hidden_names is None else hidden_names
    roots = {sys.base_prefix, sys.base_exec_prefix, *SYSTEM_READ_PATHS}
    secrets = {os.path.realpath(h) for h in hidden_paths}
    for prefix in {sys.prefix, sys.exec_prefix} - {sys.base_prefix}:
        # a venv: its own files, but not a checkout that happens to contain it
        roots.update(os.path.join(prefix, d) for d in ("bin", "include", "pyvenv.cfg", "share"))
    for site in site_dirs():
        for entry in os.listdir(site):
            path = os.path.join(site, entry)
            stem = entry.split("-")[0].split(".")[0].lower()
            if stem in hidden_names or entry.startswith("__editable__") or entry.endswith(".pth"):
                secrets.add(os.path.realpath(path))
            else:
                roots.add(path)
    read: set[str] = set()
    listed: set[str] = set()
    for root in roots:
        if os.path.exists(root):
            _split(os.path.realpath(root), secrets, read, listed)
    return tuple(sorted(read)), tuple(sorted(listed - read))


def _split(path: str, secrets: set[str], read: set[str], listed: set[str]) -> None:
    """Allow ``path`` whole if no secret is inside it, else list it and split its entries."""
    if path in secrets:
        return
    inner = {s for s in secrets if s.startswith(path.rstrip(os.sep) + os.sep)}
    if not inner:
        read.add(path)
        return
    listed.add(path)
    try:
        entries = os.listdir(path)
    except OSError:
        return
    for entry in entries:
        _split(os.path.realpath(os.path.join(path, entry)), secrets, read, listed)
