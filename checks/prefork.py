"""A class's runs forked from one process that has already imported the grader, rather than each
started as a new interpreter.

    batch ──stdin: {"id", "argv", "env", "cwd", "log"}──▶ python -m checks.prefork (imports the run's modules once)
          ◀─stdout: {"id", "pid"} then {"pid", "code"}──     └─ fork → setsid → `docker-grader run ...` (cli.main)

A fresh interpreter spends about 0.2 s of CPU importing what `run` needs; for a class that is CPU
the runs themselves could use (bench/batch.py, docs/performance.md). Each forked run is what a
`docker-grader run` process is: a process and a session of its own (the batch ends it by its process
group), the environment the batch gives it (its own TMPDIR, so its lab and sandbox are under its own
scratch folder), stdin and stdout on /dev/null and stderr to its log, and its own lab: nothing of a
run is made before the fork, so no run shares state with another. The server only imports modules
and never calls the grader itself, and it is one thread, so forking it is safe.

A forked run gets SIGTERM when the server ends, and the server when the batch's main thread ends
(``setpriv --pdeathsig``, as a run started directly gets): a batch killed by SIGKILL orphans no run.
When stdin closes, the server waits for its runs and exits.
"""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Sequence

PR_SET_PDEATHSIG = 1
# What `docker-grader run --format json --report text=...` imports (sys.modules after one): importing
# them here spares each run the work. One that is not there (renamed) is skipped: it is only slower.
PRELOADED = ("checks.cli", "checks.runner", "checks.services", "checks.health", "checks.probe", "checks.compose_files",
             "checks.lab.start", "checks.lab.served", "checks.lab.archives", "checks.boundary.archive", "checks.report.json",
             "checks.report.text", "checks.report.feedback", "urllib.request", "tarfile", "gzip", "pty", "tty", "random")


class ForkedRun:
    """A run the server forked, with the part of ``subprocess.Popen`` the batch uses: pid, wait, returncode."""

    def __init__(self, pid: int, argv: Sequence[str]):
        self.pid = pid
        self.args = list(argv)
        self.returncode: int | None = None
        self._ended = threading.Event()

    def wait(self, timeout: float | None = None) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(self.args, timeout)
        return self.returncode

    def poll(self) -> int | None:
        return self.returncode

    def _end(self, code: int) -> None:
        self.returncode = code
        self._ended.set()


class Prefork:
    """The batch's side: starts the server, asks it for runs, and learns how each ended."""

    def __init__(self, prefix: Sequence[str] = ()):
        self.process = subprocess.Popen([*prefix, sys.executable, "-m", "checks.prefork"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        self.lock = threading.Lock()
        self.asked: dict[int, threading.Event] = {}
        self.forked: dict[int, int] = {}  # request id → pid
        self.runs: dict[int, ForkedRun] = {}
        self.exits: dict[int, int] = {}  # codes of runs that ended before their ForkedRun was made
        self.count = 0  # runs forked
        self.gone = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def start(self, argv: Sequence[str], env: dict[str, str], log: Path, cwd: str | None = None) -> ForkedRun:
        """``docker-grader ARGV`` forked with ``env``, its stderr appended to ``log``. OSError if the server is gone."""
        with self.lock:
            if self.gone:
                raise OSError("the prefork server has ended")
            request = self.count
            self.count += 1
            forked = self.asked[request] = threading.Event()  # the reader drops it from ``asked`` once set
            line = json.dumps({"id": request, "argv": list(argv), "env": env, "cwd": cwd or os.getcwd(), "log": str(log)})
            try:
                self.process.stdin.write(line.encode() + b"\n")
                self.process.stdin.flush()
            except (OSError, ValueError) as error:
                self.gone = True
                raise OSError(f"the prefork server has ended: {error}") from None
        forked.wait()
        with self.lock:
            pid = self.forked.pop(request, None)
            if pid is None:
                raise OSError("the prefork server ended before it forked the run")
            run = self.runs[pid] = ForkedRun(pid, argv)
            if pid in self.exits:
                run._end(self.exits.pop(pid))
        return run

    def _read(self) -> None:
        for raw in self.process.stdout:
            try:
                reply = json.loads(raw)
            except ValueError:
                continue  # not the server's: nothing else writes there, but a reader must not die of it
            with self.lock:
                if "id" in reply:
                    self.forked[reply["id"]] = reply["pid"]
                    self.asked.pop(reply["id"]).set()
                elif reply["pid"] in self.runs:
                    self.runs.pop(reply["pid"])._end(reply["code"])
                else:
                    self.exits[reply["pid"]] = reply["code"]
        with self.lock:  # the server is gone: its runs got SIGTERM from the kernel; none will report
            self.gone = True
            for event in self.asked.values():
                event.set()
            for run in self.runs.values():
                run._end(-signal.SIGKILL)
            self.runs.clear()

    def close(self) -> None:
        """Closes the server's input: it waits for its runs, then exits."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        self.reader.join()


def serve() -> None:
    """The server: forks a run per request line on stdin, says its pid, then its exit code, on stdout."""
    import importlib

    for name in PRELOADED:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    server = os.getpid()
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    pending, reading, children = b"", True, {}
    while reading or children:
        for key, _ in selector.select():
            if key.fd == 0:
                chunk = os.read(0, 65536)
                if not chunk:
                    reading = False
                    selector.unregister(0)
                    continue
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    request = json.loads(line)
                    ready, told = os.pipe()
                    pid = os.fork()
                    if pid == 0:
                        os.close(ready)
                        _child(request, server, told)  # never returns
                    os.close(told)
                    os.read(ready, 1)  # the run has its own session: the batch may end it by its process group
                    os.close(ready)
                    children[pid] = os.pidfd_open(pid)
                    selector.register(children[pid], selectors.EVENT_READ, pid)
                    _reply({"id": request["id"], "pid": pid})
            else:
                pid = key.data
                selector.unregister(key.fd)
                os.close(children.pop(pid))
                _, status = os.waitpid(pid, 0)
                _reply({"pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _reply(reply: dict) -> None:
    data = json.dumps(reply).encode() + b"\n"
    while data:
        data = data[os.write(1, data):]


def _child(request: dict, server: int, told: int) -> None:
    """In the forked process: become a `docker-grader run` process of its own, run it, and exit with its code."""
    code = 1
    try:
        os.setsid()
        os.close(told)  # the server may say the pid now: the run has its own process group
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != server:  # the server ended before the line above: so does the run
            os._exit(128 + signal.SIGTERM)
        for sig in (signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        os.dup2(null, 0)
        os.dup2(null, 1)
        os.dup2(log, 2)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the server's pipes, its selector and the other runs' pidfds
        os.environ.clear()
        os.environ.update(request["env"])
        import tempfile

        tempfile.tempdir = None  # found again from this run's TMPDIR
        os.chdir(request["cwd"])
        from checks import cli

        sys.argv = ["docker-grader", *request["argv"]]
        code = cli.main(request["argv"])
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except BaseException:  # a bug of the grader's: its traceback goes to the run's log, as an interpreter's would
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    serve()
