"""The prefork server (``python -m checks.prefork_server``): forks a class's runs from one process
that has already imported the grader. The batch's side, and why, is ``checks.prefork``; this is a
module of its own because a forked run calls the CLI, which imports the batch.
"""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import signal
import sys

PR_SET_PDEATHSIG = 1
# What `docker-grader run --format json --report text=...` imports (sys.modules after one): importing
# them here spares each run the work. One that is not there (renamed) is skipped: it is only slower.
PRELOADED = ("checks.cli", "checks.runner", "checks.services", "checks.health", "checks.probe", "checks.compose_files",
             "checks.lab.start", "checks.lab.served", "checks.lab.archives", "checks.boundary.archive", "checks.report.json",
             "checks.report.text", "checks.report.feedback", "urllib.request", "tarfile", "gzip", "pty", "tty", "random")


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
