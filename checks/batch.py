"""Grading a whole class: every submission of a folder (one subfolder each), ``jobs`` at a time.

    folder/alice/, folder/bob/ ...  → one ``docker-grader run`` process each, at most ``jobs`` at once,
                                       each with its own lab, sandbox and scratch folder
                                    → results/alice/result.json, result.txt, run.log ...
                                    → results/summary.csv and summary.json: submission, score, max, status, duration

Each submission is graded in a process of its own, so a crash or a timeout stops only that one:
its process group is ended, and whatever its run left in its scratch folder (a lab, a sandbox,
their processes, cgroups and mounts) is removed before the next submission takes its place.

Interrupted (SIGINT, SIGTERM): the runs under way get SIGTERM (each writes its own report, marked
interrupted, and tears its lab down), and only once they have ended is anything of theirs removed;
the summary lists every submission, those not finished as ``interrupted``. A run also gets SIGTERM
when the batch itself dies (even by SIGKILL: the kernel's parent-death signal), so none is orphaned.
A submission graded to the end is recorded with a fingerprint of its files and the run's options
(``results/NAME/graded.json``); with ``resume``, an unchanged one is not graded again.

The batch's exit code is the worst of its runs', in the order of ``SEVERITY``; 130 when interrupted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

from checks import signals
from checks.errors import EXIT_BAD_INPUT, EXIT_DAEMON, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_LAB, EXIT_OK, EXIT_UNKNOWN, UsageError
from checks.messages import msg, register
from checks.prefork import ForkedRun, Prefork
from checks.result_files import write_file  # through a rename: a reader never sees half a summary

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
MESSAGES.update({  # faults: an interrupted batch, and one resumed
    "batch.interrupted": {
        "pt-BR": "interrompido: {done} de {total} entregas corrigidas até o fim; o resumo marca as outras como interrupted. Para continuar de onde parou, rode de novo com --resume",
        "en": "interrupted: {done} of {total} submissions graded to the end; the summary marks the others interrupted. To go on where it stopped, run it again with --resume",
    },
})
MESSAGES.update({  # shards: a class graded over several machines, and the shards' results merged
    "shard.bad": {
        "pt-BR": "--shard {value}: esperado K/N, com 1 ≤ K ≤ N (por exemplo --shard 2/3)",
        "en": "--shard {value}: expected K/N, with 1 ≤ K ≤ N (for example --shard 2/3)",
    },
    "shard.needs_jobs": {
        "pt-BR": "--shard divide uma turma: use-o com --jobs N",
        "en": "--shard splits a class: use it with --jobs N",
    },
    "merge.not_results": {
        "pt-BR": "{folder} não é o resultado de uma turma corrigida com --shard ({reason}); indique as pastas --results de cada parte",
        "en": "{folder} is not the results of a class graded with --shard ({reason}); point at each shard's --results folder",
    },
    "merge.mixed_counts": {
        "pt-BR": "{folder} é a parte {index}/{count}, mas {first} é de uma divisão em {other}: junte partes de uma mesma correção",
        "en": "{folder} is shard {index}/{count}, but {first} is from a split into {other}: merge the shards of one grading",
    },
    "merge.duplicate_shard": {
        "pt-BR": "a parte {index}/{count} aparece duas vezes: {first} e {folder}",
        "en": "shard {index}/{count} is given twice: {first} and {folder}",
    },
    "merge.missing_shard": {
        "pt-BR": "faltam partes: {missing} de {count}; junte os resultados de todas as partes",
        "en": "shards missing: {missing} of {count}; merge the results of every shard",
    },
    "merge.duplicate_submission": {
        "pt-BR": "a entrega {submission} está em duas partes: {first} e {folder}",
        "en": "submission {submission} is in two shards: {first} and {folder}",
    },
    "merge.output_is_shard": {
        "pt-BR": "--output {output} é uma das partes a juntar: escolha outra pasta para o resumo",
        "en": "--output {output} is one of the shards to merge: choose another folder for the summary",
    },
    "merge.done": {
        "pt-BR": "{total} entregas de {count} partes. Resumo em {csv} e {json}",
        "en": "{total} submissions from {count} shards. Summary in {csv} and {json}",
    },
})
register(MESSAGES)

RUN = (sys.executable, "-m", "checks", "run")  # the default worker: `docker-grader run`
STOP_GRACE = 30.0  # seconds a run gets, after SIGTERM, to tear down its own lab before it is killed
FIELDS = ("submission", "score", "max", "status", "duration", "exit_code")
# Exit codes from the best to the worst: a fault of the grader's outweighs a student's failed check,
# and the lab's (4) outweighs the daemon's (3) and bad input (2). A run that ended with no report
# (crashed, stopped for its timeout) counts as the lab's fault: the grading machinery did not finish.
SEVERITY = (EXIT_OK, EXIT_FAILED, EXIT_UNKNOWN, EXIT_BAD_INPUT, EXIT_DAEMON, EXIT_LAB)
COMPLETE = ("passed", "failed")  # a status that a run graded to the end gives; only these are resumed


@dataclass(frozen=True)
class Graded:
    """One line of the class summary. ``status``: passed, failed, error (the run could not finish and
    said why), crashed (it ended without a report), timeout (it was stopped) or interrupted (the batch
    was, before this run ended; it is graded again with ``--resume``)."""

    submission: str
    score: float
    max: float
    status: str
    duration: float
    exit_code: int = EXIT_LAB


def exit_code(graded: Sequence[Graded], interrupted: bool = False) -> int:
    """The batch's: 130 when interrupted, else the worst of its runs' by ``SEVERITY``."""
    if interrupted:
        return EXIT_INTERRUPTED
    ranks = [SEVERITY.index(g.exit_code) if g.exit_code in SEVERITY else len(SEVERITY) - 1 for g in graded]
    return SEVERITY[max(ranks, default=0)]


@dataclass
class Outcome:
    """What ``grade_class`` did: a line per submission, and whether it was interrupted before the end."""

    graded: list[Graded]
    interrupted: bool = False
    resumed: int = 0
    forked: int = 0  # runs forked from the prefork server rather than started as interpreters of their own

    @property
    def exit_code(self) -> int:
        return exit_code(self.graded, self.interrupted)


# --jobs auto: how many runs side by side suit this machine. A run alone keeps its core busy about two
# thirds of its time (the rest it waits on dockerd, a container's exit, a command's timeout), so three
# runs fill two cores, and a fourth stands in for one that only waits: JOBS_PER_CORE. Each run needs
# about RUN_MEMORY (a batch's RSS grows by about 250 MiB a run, and a lab's data-root is a tmpfs on
# top), and the batch leaves MEMORY_RESERVE of the available memory to the rest of the machine.
# Measured with bench/batch.py: docs/performance.md, "A class".
JOBS_PER_CORE = 2
RUN_MEMORY = 384 * 1024**2
MEMORY_RESERVE = 1024**3


def auto_jobs(cores: int | None = None, available: int | None = None) -> int:
    """The number of runs side by side ``--jobs auto`` picks: JOBS_PER_CORE per core this process may
    use, at most as many as the available memory (less MEMORY_RESERVE) holds at RUN_MEMORY each; at least 1."""
    cores = cores if cores is not None else len(os.sched_getaffinity(0))
    available = available if available is not None else available_memory()
    return max(1, min(JOBS_PER_CORE * cores, (available - MEMORY_RESERVE) // RUN_MEMORY))


def available_memory() -> int:
    """MemAvailable from /proc/meminfo, in bytes: what the kernel can give without swapping."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return RUN_MEMORY + MEMORY_RESERVE  # not known: memory does not limit the count, the cores do


def submissions(folder: Path) -> list[Path]:
    """The subfolders of ``folder``, by name; hidden ones and links are left out."""
    try:
        found = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))
    except OSError as error:
        raise UsageError(msg("submission.not_folder", path=str(folder))) from error
    if not found:
        raise UsageError(msg("batch.empty", folder=str(folder)))
    return found


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based): the submissions whose name hashes to it, see ``in_shard``."""

    index: int
    count: int


SHARD_FILE = "shard.json"  # in a shard's results folder: which shard, and which submissions it holds


def parse_shard(value: str) -> Shard:
    """``K/N`` with 1 ≤ K ≤ N, else a UsageError (exit 2)."""
    index, slash, count = value.partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return Shard(int(index), int(count))
    raise UsageError(msg("shard.bad", value=value))


def in_shard(name: str, shard: Shard) -> bool:
    """Whether submission ``name`` belongs to ``shard``: sha256 of the folder's name, mod the count. It
    depends on the name alone, so each runner finds the same share whatever else the class holds."""
    digest = hashlib.sha256(name.encode(errors="surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % shard.count == shard.index - 1


def share(paths: Sequence[Path], shard: Shard) -> list[Path]:
    """The submissions of ``paths`` that ``shard`` grades."""
    return [path for path in paths if in_shard(path.name, shard)]


def mark_shard(results: Path, shard: Shard, names: Sequence[str]) -> None:
    """Writes which shard ``results`` holds and its submissions, for ``merge`` to check the shards against."""
    write_file(results / SHARD_FILE, json.dumps({"shard": asdict(shard), "submissions": list(names)}) + "\n")


def grade_class(
    folder: Path,
    results: Path,
    run_options: Sequence[str] = (),
    jobs: int = 1,
    timeout: float = 1500.0,
    progress: Callable[[int, int, int], None] = lambda done, total, running: None,
    worker: Sequence[str] = RUN,
    resume: bool = False,
    shard: Shard | None = None,
) -> Outcome:
    """Grades each submission with ``worker SUBMISSION run_options --format json ...`` and writes the summary.

    ``timeout`` bounds each submission's whole process (lab, commands, grading, teardown). With the
    default worker, each run is forked from one process that imported the grader once (``checks.prefork``).
    """
    chosen = submissions(folder)
    if shard:  # a share of the class, maybe none of it: that shard's summary is then empty
        chosen = share(chosen, shard)
    try:
        results.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(results), reason=error.strerror or error)) from None
    if shard:
        mark_shard(results, shard, [path.name for path in chosen])
    else:
        (results / SHARD_FILE).unlink(missing_ok=True)  # an earlier sharded batch's marker must not stand for this one
    kept = {path.name: line for path in chosen if resume and (line := graded_before(path, results / path.name, run_options))}
    todo = [path for path in chosen if path.name not in kept]
    scratch = Path(tempfile.mkdtemp(prefix="dg-batch-"))
    os.chmod(scratch, 0o711)  # a run's sandbox user must reach its folders inside
    state = {"done": len(kept), "running": 0}
    lock = threading.Lock()
    runs = Runs(_prefork() if tuple(worker) == RUN else None)  # started here: the main thread ends with the batch

    def one(index: int, path: Path) -> Graded:
        with lock:
            state["running"] += 1
            progress(state["done"], len(chosen), state["running"])
        try:
            return _grade_one(path, results / path.name, scratch / str(index), run_options, timeout, worker, runs)
        finally:
            with lock:
                state["running"] -= 1
                state["done"] += 1
                progress(state["done"], len(chosen), state["running"])

    done: dict[str, Graded] = dict(kept)
    futures: dict = {}
    interrupted = False
    with signals.Interrupts() as interrupts:
        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        try:
            try:
                futures = {pool.submit(one, index, path): path for index, path in enumerate(todo)}
                wait(futures)
            except KeyboardInterrupt:
                interrupted = True
            finally:
                with interrupts.held():  # a second Ctrl-C may not take a scratch folder from under a run
                    runs.stop()  # no new run starts; those under way get SIGTERM, and are waited for
                    runs.close()
                    pool.shutdown(wait=True, cancel_futures=True)
                    shutil.rmtree(scratch, ignore_errors=True)
                    failures = []  # the grader's own bugs in a worker thread: raised once the summary is written
                    for future, path in futures.items():
                        if future.done() and not future.cancelled():
                            if future.exception() is None:
                                done[path.name] = future.result()
                            else:
                                failures.append(future.exception())
                                done[path.name] = Graded(path.name, 0, 0, "crashed", 0, EXIT_LAB)
                    lines = [done.get(path.name) or Graded(path.name, 0, 0, "interrupted", 0, EXIT_INTERRUPTED) for path in chosen]
                    write_summary(lines, results)
                    if failures:
                        raise failures[0]
        except KeyboardInterrupt:
            interrupted = True  # held during the teardown: the summary is written, the batch was interrupted
    return Outcome(lines, interrupted, len(kept), runs.forked)


class Runs:
    """The runs under way, so that an interrupted batch can stop them, and start no other. A run of
    ``RUN`` is forked by ``prefork`` when there is one; any other worker is a process started here."""

    def __init__(self, prefork: Prefork | None = None):
        self.lock = threading.Lock()
        self.live: set[subprocess.Popen | ForkedRun] = set()
        self.stopping = False
        self.prefork = prefork
        self.forked = 0

    def start(self, argv: list[str], **kwargs) -> subprocess.Popen | ForkedRun | None:
        with self.lock:
            if self.stopping:
                return None
            process = None
            if self.prefork and argv[:len(RUN)] == list(RUN):
                try:
                    process = self.prefork.start(argv[len(RUN) - 1:], kwargs["env"], Path(kwargs["stderr"].name))
                    self.forked += 1
                except OSError:
                    self.prefork = None  # the server is gone: this run and the next start as processes of their own
            if process is None:
                process = subprocess.Popen([*_ENDS_WITH_THE_BATCH, *argv], start_new_session=True, **kwargs)
            self.live.add(process)
            return process

    def close(self) -> None:
        """Ends the prefork server, once no run is under way."""
        if self.prefork:
            self.prefork.close()

    def ended(self, process: subprocess.Popen) -> None:
        with self.lock:
            self.live.discard(process)

    def stop(self) -> None:
        with self.lock:
            self.stopping = True
            live = list(self.live)
        threads = [threading.Thread(target=_end, args=(process,)) for process in live]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


# SIGTERM to the run when the thread that started it ends (the batch killed, even by SIGKILL), so that
# no run outlives its batch: Linux's parent-death signal, set by util-linux's setpriv (the lab needs
# util-linux already), which it keeps across the exec of the run. Not preexec_fn: unsafe with threads.
_ENDS_WITH_THE_BATCH = ("setpriv", "--pdeathsig", "TERM") if shutil.which("setpriv") else ()


def _prefork() -> Prefork | None:
    """The server that forks the runs, or None (each run then starts an interpreter of its own)."""
    try:
        return Prefork(_ENDS_WITH_THE_BATCH)
    except OSError:
        return None


def _grade_one(path: Path, out: Path, scratch: Path, run_options: Sequence[str], timeout: float, worker: Sequence[str],
               runs: Runs | None = None) -> Graded:
    runs = runs or Runs()
    out.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(mode=0o711)
    os.chmod(scratch, 0o711)
    report = out / "result.json"
    report.unlink(missing_ok=True)  # a report from an earlier batch must not stand for this one
    (out / GRADED).unlink(missing_ok=True)
    argv = [*worker, str(path), *run_options, "--format", "json", "--output", str(report), "--report", f"text={out / 'result.txt'}"]
    # TMPDIR: the run makes its lab and sandbox under this submission's own scratch folder, found there again after a crash.
    env = {**os.environ, "TMPDIR": str(scratch)}
    started = time.monotonic()
    status = None
    with open(out / "run.log", "wb") as log:
        process = runs.start(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, env=env)
        if process is None:
            return Graded(path.name, 0, 0, "interrupted", 0, EXIT_INTERRUPTED)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            status = "timeout"
            _end(process)
        finally:
            runs.ended(process)
    duration = time.monotonic() - started
    remove_leftovers(scratch)  # the run has ended: nothing of it is removed while it lives
    code = process.returncode
    if status == "timeout":
        code = EXIT_LAB
    elif code == EXIT_INTERRUPTED or (runs.stopping and code not in SEVERITY):
        status, code = "interrupted", EXIT_INTERRUPTED  # its report, if any, says so; it is graded again on --resume
    elif code not in SEVERITY:
        code = EXIT_LAB  # killed, or a traceback: no run of the grader's ends so
    try:
        document = json.loads(report.read_text())
        score, maximum, reported = float(document["score"]), float(document["max_score"]), str(document["status"])
    except (OSError, ValueError, KeyError, TypeError):
        return Graded(path.name, 0, 0, status or "crashed", round(duration, 3), code if status == "interrupted" else EXIT_LAB)
    line = Graded(path.name, score, maximum, status or reported, round(duration, 3), code)
    if line.status in COMPLETE:
        record_graded(path, out, run_options, line)
    return line


GRADED = "graded.json"  # in a submission's results folder: its summary line, and what it was graded from


def fingerprint(path: Path, run_options: Sequence[str]) -> str:
    """A digest of the run's options and the submission's files (names, types, bytes). Links are not
    followed and only regular files are read: a submission is hostile, and read here by the batch."""
    digest = hashlib.sha256(json.dumps(list(run_options)).encode())
    for root, folders, files in os.walk(path):
        folders.sort()
        for name in sorted(files + folders):
            entry = Path(root, name)
            info = entry.lstat()
            digest.update(f"{entry.relative_to(path)}\0{info.st_mode:o}\0{info.st_size}\0".encode(errors="surrogateescape"))
            if stat.S_ISREG(info.st_mode):
                with open(entry, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NOFOLLOW | os.O_NONBLOCK)) as stream:
                    digest.update(hashlib.file_digest(stream, "sha256").digest())
    return digest.hexdigest()


def record_graded(path: Path, out: Path, run_options: Sequence[str], line: Graded) -> None:
    try:
        digest = fingerprint(path, run_options)
    except OSError:
        return  # a file the batch cannot read: this submission is graded again on --resume
    write_file(out / GRADED, json.dumps({"fingerprint": digest, "line": asdict(line)}) + "\n")


def graded_before(path: Path, out: Path, run_options: Sequence[str]) -> Graded | None:
    """The summary line of an earlier batch's run of this submission, if it was graded to the end
    from the same files and options, and its report is still there."""
    try:
        record = json.loads((out / GRADED).read_text())
        line = Graded(**record["line"])
        if line.status in COMPLETE and (out / "result.json").is_file() and record["fingerprint"] == fingerprint(path, run_options):
            return line
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


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
    table = io.StringIO()
    writer = csv.DictWriter(table, FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in graded:
        writer.writerow({**asdict(line), "score": _number(line.score), "max": _number(line.max)})
    paths = (results / "summary.csv", results / "summary.json")
    write_file(paths[0], table.getvalue())
    write_file(paths[1], json.dumps([asdict(line) for line in graded], indent=2, ensure_ascii=False) + "\n")
    return paths


def merge(folders: Sequence[Path], output: Path) -> list[Graded]:
    """Joins shards' results folders into one summary in ``output``, as one batch of the whole class would
    have written it (its lines by submission name). Refuses (UsageError) a folder that is no shard's
    results, shards of different splits, a shard given twice or missing, a submission in two shards."""
    if any(folder.resolve() == output.resolve() for folder in folders):  # its summary would replace a shard's
        raise UsageError(msg("merge.output_is_shard", output=str(output)))
    seen: dict[int, Path] = {}
    owner: dict[str, Path] = {}
    lines: list[Graded] = []
    count = None
    for folder in folders:
        shard, graded = _read_shard(folder)
        if count is None:
            count, first = shard.count, folder
        elif shard.count != count:
            raise UsageError(msg("merge.mixed_counts", folder=str(folder), index=shard.index, count=shard.count, first=str(first), other=count))
        if shard.index in seen:
            raise UsageError(msg("merge.duplicate_shard", index=shard.index, count=count, first=str(seen[shard.index]), folder=str(folder)))
        seen[shard.index] = folder
        for line in graded:
            if line.submission in owner:
                raise UsageError(msg("merge.duplicate_submission", submission=line.submission, first=str(owner[line.submission]), folder=str(folder)))
            owner[line.submission] = folder
            lines.append(line)
    missing = [f"{index}/{count}" for index in range(1, (count or 0) + 1) if index not in seen]
    if missing:
        raise UsageError(msg("merge.missing_shard", missing=", ".join(missing), count=count))
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(msg("usage.output", path=str(output), reason=error.strerror or error)) from None
    lines.sort(key=lambda line: line.submission)  # as ``submissions`` orders a whole class
    write_summary(lines, output)
    return lines


def _read_shard(folder: Path) -> tuple[Shard, list[Graded]]:
    """A shard's marker and summary lines; a UsageError saying what is wrong when they are not sound."""
    where = {"folder": str(folder)}
    try:
        marker = json.loads((folder / SHARD_FILE).read_text())
        shard = Shard(int(marker["shard"]["index"]), int(marker["shard"]["count"]))
        names = marker["submissions"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(msg("merge.not_results", **where, reason=f"{SHARD_FILE}: {getattr(error, 'strerror', None) or error}")) from None
    if not 1 <= shard.index <= shard.count:
        raise UsageError(msg("merge.not_results", **where, reason=f"{SHARD_FILE}: {shard.index}/{shard.count}"))
    try:
        graded = [Graded(**line) for line in json.loads((folder / "summary.json").read_text())]
    except (OSError, ValueError, TypeError) as error:
        raise UsageError(msg("merge.not_results", **where, reason=f"summary.json: {getattr(error, 'strerror', None) or error}")) from None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in [*names, *(line.submission for line in graded)]) \
            or sorted(line.submission for line in graded) != sorted(names):  # a shard's summary lists each of its submissions
        raise UsageError(msg("merge.not_results", **where, reason=f"summary.json ≠ {SHARD_FILE}"))
    return shard, graded


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
