"""The lab's processes: started detached with their logs, found again by what was recorded, stopped.

A pid alone is not enough to stop a process: after a crash, it may belong to another program
by now. So the lab records each process it starts as an identity, its pid and its start time
(field 22 of /proc/PID/stat, in clock ticks since boot), and a process counts as the lab's only
while both match. A command line is never evidence: anyone can name the lab's folder in theirs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from checks.errors import LabError
from checks.messages import msg
from checks.transport import TransportError, UnixTransport

KILL_TIMEOUT = 15.0  # a process in uninterruptible sleep dies when its I/O ends


def program(name: str, package: str) -> str:
    for folder in (os.environ.get("PATH", "") + ":/usr/sbin:/usr/bin:/sbin").split(":"):
        candidate = Path(folder or ".") / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise LabError(msg("lab.missing_program", program=name, package=package))


def spawn(args: list[str], log: Path, env: dict | None = None) -> dict:
    """Starts ``args`` detached, output to ``log``; returns its identity: {"pid": ..., "start": ...}."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    return identity(process.pid)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses): field 3 onwards."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return []


def identity(pid: int) -> dict:
    """What tells this process from a later one with the same pid."""
    return {"pid": pid, "start": start_time(pid)}


def start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot; kept across exec."""
    fields = _stat_fields(pid)
    return int(fields[19]) if len(fields) > 19 else None


def alive(identity: dict | None) -> bool:
    """A live process (not a zombie) that is still the one recorded: same pid, same start time."""
    if not identity or not identity.get("pid"):
        return False
    fields = _stat_fields(identity["pid"])
    return len(fields) > 19 and fields[0] != "Z" and int(fields[19]) == identity.get("start")


def signal_pid(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def kill(owned: list[dict | None]) -> None:
    """SIGKILLs each recorded identity that is still alive, then waits until all are gone.

    The lab's data is removed with it, so nothing is gained by a graceful stop: dockerd's own
    shutdown sleeps for containerd and waits out each running container's stop timeout.
    """
    targets = [identity for identity in owned if alive(identity)]
    for identity in targets:
        signal_pid(identity["pid"], signal.SIGKILL)
    deadline = time.monotonic() + KILL_TIMEOUT
    while time.monotonic() < deadline:
        for identity in targets:
            reap(identity["pid"])
        if not any(alive(identity) for identity in targets):
            break
        time.sleep(0.01)
    for identity in owned:
        reap((identity or {}).get("pid"))


def reap(pid: int | None) -> None:
    """Collects the exit status of a child of ours, so it does not linger as a zombie."""
    if pid:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass


# --- readiness ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_ok(url: str) -> bool:
    """Whether ``http://HOST:PORT/PATH`` answers 200 to a GET, within 2 s (one request: no proxy, no redirect)."""
    host, _, path = url.removeprefix("http://").partition("/")
    name, _, port = host.rpartition(":")
    try:
        with socket.create_connection((name, int(port)), timeout=2) as connection:
            connection.sendall(f"GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            status = connection.makefile("rb").readline(256).split()
    except (OSError, ValueError):
        return False
    return len(status) >= 2 and status[1] == b"200"


def ping(path: Path) -> bool:
    try:
        return UnixTransport(str(path), 2).get("/_ping", None, stream=False).status == 200
    except TransportError:
        return False
