"""The cgroups (with their limits) and tmpfs mounts the lab makes, and leaving nothing of them behind.

dockerd leaves its cgroup-parent folders behind when it stops, and a dockerd that was killed
leaves its containers running in them; mounts under the lab's folders (its network namespace,
its data-root tmpfs, containers' overlays) outlive the processes that made them.
"""

from __future__ import annotations

import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

from checks.errors import LabError
from checks.lab.processes import signal_pid
from checks.messages import msg

CGROUP_ROOT = Path("/sys/fs/cgroup")


def mount_tmpfs(target: Path, options: str) -> None:
    """A tmpfs at ``target`` (a size, and flags such as noexec); a LabError says why it could not be."""
    _mounted(target, ["mount", "-t", "tmpfs", "-o", options, "docker-grader", str(target)])


def mount_shared(target: Path) -> None:
    """``target`` bound onto itself and made a shared mount, so that mounts under it propagate to its slaves."""
    _mounted(target, ["mount", "--bind", str(target), str(target)], ["mount", "--make-shared", str(target)])


def bind(source: Path, target: Path) -> None:
    """``source`` bound at ``target`` (a folder made for it)."""
    _mounted(target, ["mount", "--bind", str(source), str(target)])


def _mounted(target: Path, *commands: list[str]) -> None:
    """The folder ``target`` made, then each mount command run; a LabError says why one could not be."""
    try:
        target.mkdir(mode=0o711, parents=True, exist_ok=True)
        for argv in commands:
            subprocess.run(argv, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as error:
        reason = getattr(error, "stderr", None) or str(error).encode()
        raise LabError(msg("lab.isolation", reason=reason.decode(errors="replace").strip()[:200])) from None


def unbind(target: Path) -> None:
    """Undoes ``bind``; a target already gone is fine."""
    subprocess.run(["umount", "-l", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    try:
        target.rmdir()
    except OSError:
        pass


def limit_cgroups(tag: str, pids: int, memory: int, cpus: float) -> dict:
    """Creates the cgroup ``tag`` with these limits in each controller (cgroup v1 or v2).

    Returns the limits that hold (one missing means this machine cannot set it) and, under
    "procs", the files a process writes its pid to, to join the cgroup everywhere.
    """
    applied: dict = {"procs": []}
    v2 = (CGROUP_ROOT / "cgroup.controllers").exists()
    settings = (
        [("", "pids.max", pids), ("", "memory.max", memory), ("", "cpu.max", f"{int(cpus * 100000)} 100000")]
        if v2 else
        [("pids", "pids.max", pids), ("memory", "memory.limit_in_bytes", memory),
         ("cpu", "cpu.cfs_period_us", 100000), ("cpu", "cpu.cfs_quota_us", int(cpus * 100000))]
    )
    for hierarchy, name, value in settings:
        folder = CGROUP_ROOT / hierarchy / tag if hierarchy else CGROUP_ROOT / tag
        try:
            folder.mkdir(exist_ok=True)
            (folder / name).write_text(f"{value}\n")
            applied[name] = value
        except OSError:
            continue
        if str(folder / "cgroup.procs") not in applied["procs"]:
            applied["procs"].append(str(folder / "cgroup.procs"))
    return applied


def joined(procs: list[str], argv: list[str], oom_score_adj: int | None = None) -> list[str]:
    """``argv`` started inside the cgroups whose ``cgroup.procs`` files are given (and with this OOM priority).

    A shell writes its own pid into each file, then execs ``argv``: the pid stays the same, so the
    program and everything it starts are in the cgroups from their first instruction, and nothing
    runs before it joins them. A file it cannot write stops it there (exit 1), never running outside.
    """
    steps = [f"echo $$ > {shlex.quote(path)}" for path in procs]
    if oom_score_adj is not None:
        steps.append(f"echo {int(oom_score_adj)} > /proc/self/oom_score_adj")
    return ["sh", "-c", " && ".join(steps + ['exec "$@"']), "docker-grader", *argv]


def cgroup_dirs(tag: str) -> list[Path]:
    if not CGROUP_ROOT.is_dir():
        return []
    candidates = [CGROUP_ROOT / tag] + [path / tag for path in CGROUP_ROOT.iterdir() if path.is_dir()]
    return [path for path in candidates if path.is_dir()]


def read_pids(procs: Path) -> list[int]:
    try:
        return [int(line) for line in procs.read_text().split()]
    except (OSError, ValueError):
        return []


def unmount_under(*roots: Path) -> None:
    """Lazily unmounts every mount point under the lab's folders, deepest first."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return
    points = [unescape(line.split()[4]) for line in lines]
    inside = lambda point: any(point == str(root) or point.startswith(f"{root}/") for root in roots)  # noqa: E731
    under = sorted((p for p in points if inside(p)), key=len, reverse=True)
    if under:  # one umount for all of them (a point mounted twice, twice), deepest first: it goes on past one that fails
        subprocess.run(["umount", "-l", *under], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def unescape(path: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), path)


def kill_cgroups(tag: str) -> None:
    """Ends every process in the cgroups ``tag`` (and below), then removes them.

    Whatever is in them is the lab's by construction: the lab's daemons joined theirs before they
    ran, and containers are placed in theirs by runc. Killed again until none is left, since a
    process may fork while its siblings are being killed.
    """
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = [pid for hierarchy in cgroup_dirs(tag) for procs in hierarchy.rglob("cgroup.procs") for pid in read_pids(procs)]
        if not found:
            break
        for pid in found:
            signal_pid(pid, signal.SIGKILL)
        time.sleep(0.01)
    for hierarchy in cgroup_dirs(tag):
        for directory in sorted((p for p in hierarchy.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)) + [hierarchy]:
            while time.monotonic() < deadline:
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)


