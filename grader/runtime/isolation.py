"""The layers of isolation grading relies on: which a sandbox lacks, and refusing to grade without them."""

from __future__ import annotations

from collections.abc import Sequence

from grader.errors import RuntimeFailure
from grader.runtime.student import StudentRuntime

# The layers grading with hidden checks relies on, and how to get each where it is missing.
REQUIRED_LAYERS = {
    "landlock": (
        "Landlock keeps the reference solution, other submissions and the project unreadable: "
        "Linux 5.13 or later with `landlock` in the LSM list (`cat /sys/kernel/security/lsm`; "
        "boot with `lsm=landlock,...`); in a container, a seccomp profile that allows the "
        "landlock_* system calls (Docker 20.10+)"
    ),
    "pid-ns": (
        "a PID namespace kills every process of a submission when it ends: run the grader as "
        "root, or allow unprivileged user namespaces (`sysctl user.max_user_namespaces=10000`, "
        "`kernel.apparmor_restrict_unprivileged_userns=0` on Ubuntu 24.04); in a container, "
        "`--security-opt seccomp=unconfined` or a profile that allows unshare"
    ),
    "ipc-ns": (
        "an IPC namespace keeps shared memory from passing between submissions: as for pid-ns"
    ),
    "socket-filter": (
        "a seccomp filter keeps host Unix sockets out of reach: an x86_64 kernel with "
        "CONFIG_SECCOMP_FILTER (every distribution kernel)"
    ),
    "no-memfd": (
        "the same seccomp filter refuses memfd_create, whose memory a submission could hold "
        "out of the memory budget's sight (a memfd in flight on a socketpair): as for socket-filter"
    ),
}


def missing_layers(isolation: Sequence[str]) -> list[str]:
    """The required layers that ``isolation`` (a runtime's active layers) lacks."""
    return [name for name in REQUIRED_LAYERS if name not in isolation]


class SandboxTooWeak(RuntimeFailure):
    """Grading with hidden checks refused: the sandbox lacks a layer it relies on."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        how = "\n".join(f"  - {name}: {REQUIRED_LAYERS[name]}" for name in self.missing)
        super().__init__(
            f"grading refused: the student sandbox on this machine lacks {', '.join(self.missing)}."
            f"\n{how}\nTo grade anyway with the weaker sandbox, pass --allow-weak-sandbox "
            "(allow_weak_sandbox=True in the API); every report then says which layers were missing."
        )


def probe_isolation(privileged: bool | None = None, preload: Sequence[str] = ()) -> tuple[str, ...]:
    """The layers a submission gets on this machine (a runtime of no statements, started once).

    The runtime's zygote, started here if this process has none, imports ``preload`` first:
    the pack's when this process grades next (it then forks every submission), nothing when
    the probe is all it will do.
    """
    with StudentRuntime([], privileged=privileged, preload=preload) as runtime:
        return runtime.isolation
