"""Grading a whole class: every submission of a folder (one subfolder each), ``jobs`` at a time.

    folder/alice/, folder/bob/ ...  → one ``docker-grader run`` process each, at most ``jobs`` at once,
                                       each with its own lab, sandbox and scratch folder
                                    → results/alice/result.json, result.txt, run.log ...
                                    → results/summary.csv and summary.json: submission, score, max, status, duration

Each submission is graded in a process of its own, so a crash or a timeout stops only that one:
its process group is ended, and whatever its run left in its scratch folder (a lab, a sandbox,
their processes, cgroups and mounts) is removed before the next submission takes its place.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from checks.errors import UsageError
from checks.messages import msg, register

MESSAGES = {
    "batch.empty": {
        "pt-BR": "{folder} não tem subpastas: para corrigir uma turma, ponha cada entrega numa subpasta (turma/aluno/...)",
        "en": "{folder} has no subfolders: to grade a class, put each submission in a subfolder of its own (class/student/...)",
    },
    "batch.progress": {
        "pt-BR": "{done}/{total} entregas corrigidas, {running} em andamento",
        "en": "{done}/{total} submissions graded, {running} running",
    },
    "batch.summary": {
        "pt-BR": "{total} entregas: {passed} aprovadas, {failed} com falhas, {error} não corrigidas. Resumo em {csv} e {json}",
        "en": "{total} submissions: {passed} passed, {failed} failed, {error} not graded. Summary in {csv} and {json}",
    },
}
register(MESSAGES)

STOP_GRACE = 30.0  # seconds a run gets, after SIGTERM, to tear down its own lab before it is killed
FIELDS = ("submission", "score", "max", "status", "duration")


@dataclass(frozen=True)
class Graded:
    """One line of the class summary. ``status``: passed, failed, error (the run could not finish and
    said why), crashed (it ended without a report) or timeout (it was stopped)."""

    submission: str
    score: float
    max: float
    status: str
    duration: float


def submissions(folder: Path) -> list[Path]:
    """The subfolders of ``folder``, by name; hidden ones and links are left out."""
    try:
        found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    except OSError as error:
        raise UsageError(msg("submission.not_folder", path=str(folder))) from error
    if not found:
        raise UsageError(msg("batch.empty", folder=str(folder)))
    return found


def grade_class(
    folder: Path,
    results: Path,
    run_options: Sequence[str] = (),
    jobs: int = 1,
    timeout: float = 1500.0,
    progress: Callable[[int, int, int], None] = lambda done, total, running: None,
    worker: Sequence[str] = (sys.executable, "-m", "checks", "run"),
) -> list[Graded]:
    """Grades each submission with ``worker SUBMISSION run_options --format json ...`` and writes the summary.

    ``timeout`` bounds each submission's whole process (lab, commands, grading, teardown).
    """
    chosen = submissions(folder)
    try:
        results.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(results), reason=error.strerror or error)) from None
    scratch = Path(tempfile.mkdtemp(prefix="dg-batch-"))
    os.chmod(scratch, 0o711)  # a run's sandbox user must reach its folders inside
    state = {"done": 0, "running": 0}
    lock = threading.Lock()

    def one(index: int, path: Path) -> Graded:
        with lock:
            state["running"] += 1
            progress(state["done"], len(chosen), state["running"])
        try:
            return _grade_one(path, results / path.name, scratch / str(index), run_options, timeout, worker)
        finally:
            with lock:
                state["running"] -= 1
                state["done"] += 1
                progress(state["done"], len(chosen), state["running"])

    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            graded = list(pool.map(one, range(len(chosen)), chosen))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_summary(graded, results)
    return graded


def _grade_one(path: Path, out: Path, scratch: Path, run_options: Sequence[str], timeout: float, worker: Sequence[str]) -> Graded:
    out.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(mode=0o711)
    os.chmod(scratch, 0o711)
    report = out / "result.json"
    report.unlink(missing_ok=True)  # a report from an earlier batch must not stand for this one
    argv = [*worker, str(path), *run_options, "--format", "json", "--output", str(report), "--report", f"text={out / 'result.txt'}"]
    # TMPDIR: the run makes its lab and sandbox under this submission's own scratch folder, found there again after a crash.
    env = {**os.environ, "TMPDIR": str(scratch)}
    started = time.monotonic()
    status = None
    with open(out / "run.log", "wb") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=env, start_new_session=True)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            status = "timeout"
            _end(process)
    duration = time.monotonic() - started
    remove_leftovers(scratch)
    try:
        document = json.loads(report.read_text())
        score, maximum, reported = float(document["score"]), float(document["max_score"]), str(document["status"])
    except (OSError, ValueError, KeyError, TypeError):
        return Graded(path.name, 0, 0, status or "crashed", round(duration, 3))
    return Graded(path.name, score, maximum, status or reported, round(duration, 3))


def _end(process: subprocess.Popen) -> None:
    """SIGTERM to the run's process group (the run then tears its lab down), SIGKILL after a grace."""
    for sig, grace in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, None)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def remove_leftovers(scratch: Path) -> None:
    """Removes what a run left under its scratch folder when it could not (killed): its lab, its sandbox, the folder."""
    from checks.lab import Lab
    from checks.sandbox import Sandbox

    for run in sorted(scratch.glob("dg-run-*")):
        Sandbox(run / "sandbox", run / "api" / "docker.sock").close()
        Lab("leftover", run / "lab").down()
    shutil.rmtree(scratch, ignore_errors=True)


def write_summary(graded: list[Graded], results: Path) -> tuple[Path, Path]:
    from checks.cli import write_file  # through a rename: a reader never sees half a summary

    table = io.StringIO()
    writer = csv.DictWriter(table, FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in graded:
        writer.writerow({**asdict(line), "score": _number(line.score), "max": _number(line.max)})
    paths = (results / "summary.csv", results / "summary.json")
    write_file(paths[0], table.getvalue())
    write_file(paths[1], json.dumps([asdict(line) for line in graded], indent=2, ensure_ascii=False) + "\n")
    return paths


def _number(value: float) -> str:
    return f"{value:g}"


class ProgressBar:
    """A one-line bar on stderr, redrawn in place; drawn only when stderr is a terminal."""

    def __init__(self, lang: str, stream=None, width: int = 30):
        self.lang = lang
        self.stream = stream or sys.stderr
        self.width = width
        self.shown = self.stream.isatty()

    def __call__(self, done: int, total: int, running: int) -> None:
        if not self.shown:
            return
        filled = self.width * done // max(total, 1)
        text = msg("batch.progress", done=done, total=total, running=running).render(self.lang)
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {text}\x1b[K")
        if done == total and not running:
            self.stream.write("\n")
        self.stream.flush()
