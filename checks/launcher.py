"""One bubblewrap sandbox for all of a run's command lines: a launcher inside it starts each line.

Starting bubblewrap (its namespaces, its mounts) and the chain that puts it in the sandbox's
cgroup as the sandbox's user cost more than most docker commands themselves. So the sandbox is
started once, with ``python3 -I -S`` (from the read-only ``/usr``) running ``LAUNCHER`` as its
program, and each line is sent to it over a unix socket that only the grader holds the other end
of: the program's path, its words, and the line's stdin, stdout and stderr as file descriptors
(a pipe, or a pseudo-terminal's side). For each line the launcher:

    forks; the child starts a new session (no controlling terminal), takes those three
    descriptors, closes every other one (the socket too) and execs the program;
    waits for it, or kills its process group when the grader says the line ran out of time;
    then kills every process left in the sandbox but its init and itself, so that nothing a line
    started outlives it, as when each line had a sandbox of its own;
    and answers the exit status (128 + the signal for a line killed by one, as bubblewrap does).

Nothing of the submission runs in the sandbox (only the docker CLI and docker-compose, on its
words), and every line is still confined by all of ``checks.sandbox``'s bounds. When the
launcher cannot start (no ``/usr/bin/python3``, a kernel without ``pidfd_open``), each line
gets a sandbox of its own, as before.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess

PYTHONS = ("/usr/bin/python3", "/bin/python3")  # under the sandbox's read-only /usr, never /usr/local
READY_TIMEOUT = 10.0  # seconds the launcher has to say it is ready
EXIT_TIMEOUT = 30.0  # seconds its answer may take once a line ended or was killed (killing waits for I/O to end)
MAX_REPLY = 256  # bytes of one answer of the launcher's (a JSON line)

# The grader's messages: a 4-byte length, then that many bytes of JSON (a line: program and words,
# with its three descriptors attached to the length); a length of 0 is "kill the running line",
# which, arriving after the line ended by itself, is ignored. The launcher answers JSON lines.
LAUNCHER = r"""
import json, os, select, signal, socket, struct, sys
control = socket.socket(fileno=int(sys.argv[1]))
me = os.getpid()

def exactly(size, first=b""):
    data = first
    while len(data) < size:
        more = control.recv(size - len(data))
        if not more:
            sys.exit(0)
        data += more
    return data

def message():
    head, fds, _, _ = socket.recv_fds(control, 4, 3)
    if not head:
        sys.exit(0)
    size = struct.unpack("!I", exactly(4, head))[0]
    return (json.loads(exactly(size)) if size else None), fds

def others():
    return [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) not in (1, me)]

def sweep():
    for _ in range(500):
        left = others()
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        select.select([], [], [], 0.002)

def kill(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass

os.close(os.pidfd_open(me))  # before "ready": a kernel without it ends here, and every line gets a sandbox of its own
control.sendall(b'{"ready": true}\n')
while True:
    request, fds = message()
    if request is None or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        continue
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.closerange(3, 1 << 16)
            os.execv(request["program"], request["argv"])
        finally:
            os._exit(127)
    for fd in fds:
        os.close(fd)
    ended = os.pidfd_open(pid)
    while ended not in select.select([ended, control], [], [])[0]:
        try:
            extra = message()[1]
        except SystemExit:
            kill(pid)
            sweep()
            raise
        for fd in extra:
            os.close(fd)
        kill(pid)
    os.close(ended)
    status = os.waitpid(pid, 0)[1]
    sweep()
    code = os.waitstatus_to_exitcode(status)
    control.sendall(json.dumps({"exit": 128 - code if code < 0 else code}).encode() + b"\n")
"""


def python() -> str | None:
    """The Python the launcher runs on: one the sandbox sees, read-only, under /usr."""
    return next((path for path in PYTHONS if os.access(path, os.X_OK)), None)


class LauncherGone(Exception):
    """The launcher ended or stopped answering (the line it had, if any, is not known to have run)."""


class Session:
    """The launcher running in a sandbox: ``start`` a line, then ``wait`` for it (or ``kill`` it first)."""

    def __init__(self, command: list[str]):
        """``command``: what starts the sandbox with the launcher as its program, the socket's end as ``{fd}``."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.control = ours
        try:
            argv = [part.replace("{fd}", str(theirs.fileno())) for part in command]
            self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                            pass_fds=(theirs.fileno(),), start_new_session=True, cwd="/",
                                            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.ready = False

    def start(self, program: str, argv: list[str], stdin: int, stdout: int, stderr: int) -> None:
        """Hands a line to the launcher; a LauncherGone when it is not there to take it."""
        if not self.ready:
            self._answer(READY_TIMEOUT)
            self.ready = True
        body = json.dumps({"program": program, "argv": argv}).encode()
        try:
            self.control.settimeout(EXIT_TIMEOUT)
            socket.send_fds(self.control, [struct.pack("!I", len(body))], [stdin, stdout, stderr])
            self.control.sendall(body)
        except OSError as error:
            raise LauncherGone(str(error)) from None

    def kill(self) -> None:
        """The running line's process group killed (and, with it, everything left in the sandbox)."""
        try:
            self.control.sendall(struct.pack("!I", 0))
        except OSError:
            pass

    def wait(self) -> int:
        """The line's exit status, once it has ended and nothing it started is left."""
        return int(self._answer(EXIT_TIMEOUT)["exit"])

    def _answer(self, timeout: float) -> dict:
        """The launcher's next answer, one JSON line."""
        self.control.settimeout(timeout)
        data = b""
        try:
            while not data.endswith(b"\n"):
                more = self.control.recv(MAX_REPLY - len(data))
                if not more or len(data) + len(more) >= MAX_REPLY:
                    _gone("the launcher ended")
                data += more
            return json.loads(data)
        except (OSError, ValueError) as error:
            _gone(str(error))

    def close(self) -> None:
        """Ends the launcher (and the sandbox with it: it is bubblewrap's only program)."""
        self.control.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _gone(reason: str):
    raise LauncherGone(reason)


def arguments() -> tuple[str, ...]:
    """The launcher's words after the Python that runs it: isolated (no PYTHON* variable, no user site), no site module."""
    return ("-I", "-S", "-c", LAUNCHER, "{fd}")
