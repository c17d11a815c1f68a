"""A class's runs forked from one process that has already imported the grader, rather than each
started as a new interpreter.

    batch ──stdin: {"id", "argv", "env", "cwd", "log"}──▶ python -m checks.prefork_server (imports the run's modules once)
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
When stdin closes, the server waits for its runs and exits. The server is ``checks.prefork_server``,
a module of its own: it calls the CLI, which imports the batch, which imports this module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Sequence

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
        self.process = subprocess.Popen([*prefix, sys.executable, "-m", "checks.prefork_server"], stdin=subprocess.PIPE,
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
