"""The lab's processes: started detached with their logs, found again by pid and command line, stopped.

A pid alone is not enough to stop a process: after a crash, it may belong to another program
by now. So a process counts as the lab's only if its command line names the lab's folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Callable

from checks.errors import LabError
from checks.messages import Message, msg
from checks.transport import TransportError, UnixTransport

KILL_TIMEOUT = 15.0  # a process in uninterruptible sleep dies when its I/O ends


def program(name: str, package: str) -> str:
    for folder in (os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin:/sbin").split(":"):
        candidate = Path(folder or ".") / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise LabError(msg("lab.missing_program", program=name, package=package))


def spawn(args: list[str], log: Path, env: dict | None = None) -> int:
    with open(log, "ab") as out:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    return process.pid


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int | None, marker: str) -> bool:
    """A live process with this pid whose command line names the lab (so a reused pid is not ours)."""
    if not pid:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z" and marker in cmdline(pid)


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill(owned: list[tuple[int | None, str]]) -> None:
    """SIGKILLs each (pid, marker) that is still the lab's, then waits until all are gone.

    The lab's data is removed with it, so nothing is gained by a graceful stop: dockerd's own
    shutdown sleeps for containerd and waits out each running container's stop timeout.
    """
    targets = [(pid, marker) for pid, marker in owned if alive(pid, marker)]
    for pid, _ in targets:
        signal_pid(pid, signal.SIGKILL)
    deadline = time.monotonic() + KILL_TIMEOUT
    while time.monotonic() < deadline:
        for pid, _ in targets:
            reap(pid)
        if not any(alive(pid, marker) for pid, marker in targets):
            break
        time.sleep(0.01)
    for pid, _ in owned:
        reap(pid)


def reap(pid: int | None) -> None:
    """Collects the exit status of a child of ours, so it does not linger as a zombie."""
    if pid:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


def pids_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid() and text in cmdline(int(entry.name)):
            found.append(int(entry.name))
    return found


# --- readiness ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_ok(url: str) -> bool:
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def ping(path: Path) -> bool:
    try:
        return UnixTransport(str(path), 2).get("/_ping", None, stream=False).status == 200
    except TransportError:
        return False


def wait(ready: Callable[[], bool], timeout: float, failure: Message) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise LabError(failure)
        time.sleep(0.02)
