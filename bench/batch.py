"""Benchmark of grading a class: `docker-grader run CLASS --jobs N` on the standard class of 40, side by side.

    python bench/batch.py [--jobs 1 2 auto] [--repeats 2] [--timeout 10] [--no-phases]

The class is bench/class40.py's (full marks, partial, empty, garbage files, one sleeping to its command
timeout). Each repeat runs every setting of --jobs once, in turn, the order reversed on every other
repeat, so that a change in the machine's load falls on all of them alike. For each batch it measures
the wall time, submissions a minute, the CPU time (user + system) of the processes the batch waited
for, and the peak memory of the batch's process tree: the sum of the RSS of the batch, its runs and
their descendants, and of every process in the cgroups of the labs those runs started (containerd and
the shims, which dockerd's death orphans), sampled every 0.2 s.

Then, unless --no-phases, one more batch at the setting `auto` picks, with each run timed phase by
phase (a worker that wraps `docker-grader run` and notes when each phase starts and ends): start-up
(interpreter, imports, exercises), lab up, the sandbox and boundary, the commands, grading, the report,
teardown, and the batch's own time between runs. Writes bench/out/batch.json; docs/performance.md
quotes its output.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import class40  # noqa: E402

from checks import batch  # noqa: E402

EXERCISES = ROOT / "exercises"
SAMPLE = 0.2  # seconds between looks at the process tree's memory
LAB_CGROUP = re.compile(r"/(docker-grader-[0-9a-f]{10})")
PAGE = os.sysconf("SC_PAGE_SIZE")
PR_SET_CHILD_SUBREAPER = 36
REAPER = None  # the Reaper, made by main()

# A run, timed phase by phase: the real `docker-grader run`, with the lab's, the sandbox's and the
# runner's steps wrapped to note their start and end (time.monotonic, one clock for every process).
PHASE_WORKER = """
import time
began = time.monotonic()
import json, os, sys
from pathlib import Path
from checks import cli, runner, submission
from checks.lab import Lab
from checks.sandbox import Sandbox
marks = {"began": began, "imported": time.monotonic()}
spans = {}

def timed(owner, name, phase):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        start = time.monotonic()
        marks.setdefault(phase + "_first", start)
        try:
            return original(*args, **kwargs)
        finally:
            spans[phase] = spans.get(phase, 0.0) + time.monotonic() - start
    setattr(owner, name, wrapper)

timed(Lab, "up", "lab_up")
timed(Lab, "down", "lab_down")
timed(Sandbox, "prepare", "sandbox")
timed(Sandbox, "close", "sandbox_close")
timed(submission, "run", "commands")
timed(runner, "_grade_one", "exercises")
timed(runner, "_boundary", "boundary")
timed(cli, "finish", "report")
code = cli.main(["run", *sys.argv[1:]])
marks["ended"] = time.monotonic()
Path(os.environ["DG_PHASES"], Path(sys.argv[1]).name + ".json").write_text(json.dumps({"marks": marks, "spans": spans}))
sys.exit(code)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Reaper:
    """Makes this process the subreaper of its descendants, and reaps those that end orphaned.

    dockerd's death orphans containerd and the shims; reparented here rather than to init and reaped
    here, their CPU time counts in this process's RUSAGE_CHILDREN, so the CPU figure is the whole
    class's: the batch, its runs, the docker CLI processes, the lab's daemons and the containers.
    ``keep`` (the batch's own process) is left for its Popen to reap, for its exit code.
    """

    def __init__(self):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")
        self.keep: set[int] = set()
        threading.Thread(target=self._loop, daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)
            except ChildProcessError:
                time.sleep(0.05)
                continue
            if info is None or info.si_pid in self.keep:
                time.sleep(0.05)  # the batch itself: its Popen reaps it
                continue
            try:
                os.waitpid(info.si_pid, 0)
            except ChildProcessError:
                pass


class TreeMemory:
    """Samples the RSS of a process tree and of the lab cgroups its processes are in; keeps the peak."""

    def __init__(self, root: int):
        self.root = root
        self.peak = 0
        self.tags: set[str] = set()
        self.groups: dict[int, str] = {}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()

    def _loop(self) -> None:
        while not self.stopped.wait(SAMPLE):
            self.peak = max(self.peak, self.sample())

    def sample(self) -> int:
        parents: dict[int, int] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    with open(f"/proc/{entry.name}/stat") as stat:
                        parents[int(entry.name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, grown = {self.root}, True
        while grown:
            more = {pid for pid, parent in parents.items() if parent in tree and pid not in tree}
            tree |= more
            grown = bool(more)
        groups = {}
        for pid in parents:  # read once per process: the sampler's own CPU is taken from the batch's
            if pid not in self.groups:
                try:
                    self.groups[pid] = Path(f"/proc/{pid}/cgroup").read_text()
                except OSError:
                    continue
            groups[pid] = self.groups[pid]
        self.groups = groups  # pids that ended are forgotten (a new process may take the number)
        for pid in tree:
            self.tags.update(LAB_CGROUP.findall(groups.get(pid, "")))
        counted = tree | {pid for pid, text in groups.items() if any(tag in text for tag in self.tags)}
        total = 0
        for pid in counted:
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
            except (OSError, IndexError, ValueError):
                continue
        return total


def options(timeout: float) -> list[str]:
    return ["--exercises", str(EXERCISES), "--timeout", f"{timeout:g}", "--lang", "en"]


def measure(argv: list[str], results: Path, tree: Path = ROOT) -> dict:
    """One batch, in a process of its own: wall time, CPU, peak memory, and the summary it wrote."""
    shutil.rmtree(results, ignore_errors=True)
    cpu, started = children_cpu(), time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree)}  # `-m checks` from the tree's folder: that tree's grader
    process = subprocess.Popen(argv, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    REAPER.keep.add(process.pid)
    with TreeMemory(process.pid) as memory:
        out, errors = process.communicate()
    wall, cpu = time.perf_counter() - started, children_cpu() - cpu
    summary = json.loads((results / "summary.json").read_text())
    statuses: dict[str, int] = {}
    for line in summary:
        statuses[line["status"]] = statuses.get(line["status"], 0) + 1
    return {"seconds": wall, "per_minute": 60 * len(summary) / wall, "cpu_seconds": cpu, "cpu_per_submission": cpu / len(summary),
            "peak_mib": memory.peak / 2**20, "labs_seen": len(memory.tags), "statuses": statuses, "exit_code": process.returncode,
            "submissions": len(summary), "score": sum(line["score"] for line in summary), "stdout": out.decode(errors="replace"),
            "stderr_tail": errors.decode(errors="replace")[-300:]}


def class_batch(folder: Path, results: Path, jobs: str, timeout: float, tree: Path = ROOT) -> dict:
    """The class through the CLI, as a teacher runs it, with the grader of ``tree`` (a checkout)."""
    argv = [sys.executable, "-m", "checks", "run", str(folder), "--jobs", jobs, "--results", str(results), *options(timeout)]
    return {"jobs": jobs, "tree": str(tree), **measure(argv, results, tree)}


def phase_batch(folder: Path, results: Path, jobs: int, timeout: float) -> dict:
    """The class at ``jobs`` with each run timed phase by phase (``phases``, in a process of its own)."""
    argv = [sys.executable, __file__, "--phase-pass", str(folder), str(results), str(jobs), f"{timeout:g}"]
    row = measure(argv, results)
    return {**json.loads(row.pop("stdout")), **row}


def phases(folder: Path, results: Path, jobs: int, timeout: float) -> dict:
    """One batch at ``jobs`` with every run timed phase by phase; totals over the class, in seconds."""
    marks_folder = results.parent / "phases"
    shutil.rmtree(marks_folder, ignore_errors=True)
    marks_folder.mkdir()
    os.environ["DG_PHASES"] = str(marks_folder)
    os.environ["PYTHONPATH"] = str(ROOT)
    started = time.monotonic()
    outcome = batch.grade_class(folder, results, options(timeout), jobs, timeout * 200, worker=(sys.executable, "-c", PHASE_WORKER))
    wall = time.monotonic() - started
    totals: dict[str, float] = {}

    def add(name: str, seconds: float) -> None:
        totals[name] = totals.get(name, 0.0) + max(seconds, 0.0)

    timed = 0
    for path in marks_folder.glob("*.json"):
        record = json.loads(path.read_text())
        marks, spans = record["marks"], record["spans"]
        timed += 1
        first = marks.get("lab_up_first", marks["ended"])
        add("start-up (interpreter, imports, exercises)", first - marks["began"])
        add("lab up", spans.get("lab_up", 0))
        add("sandbox and boundary", spans.get("sandbox", 0) + spans.get("boundary", 0))
        add("commands", spans.get("commands", 0))
        add("grading (states, snapshots, checks)", spans.get("exercises", 0) - spans.get("commands", 0))
        add("report", spans.get("report", 0))
        add("teardown (sandbox, lab down)", spans.get("lab_down", 0) + spans.get("sandbox_close", 0))
        inside = ("lab_up", "sandbox", "boundary", "exercises", "report", "lab_down", "sandbox_close")
        add("other within the run", marks["ended"] - first - sum(spans.get(key, 0) for key in inside))
    durations = sum(line.duration for line in outcome.graded)
    # A slot's time outside a run's own process: starting and ending it, the batch's cleanup, and a
    # slot left with nothing to do at the end, while the last runs finish.
    add("between runs, or idle at the end", jobs * wall - durations)
    return {"jobs": jobs, "seconds": wall, "timed_runs": timed, "totals": totals}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", nargs="+", default=["1", "2", "auto"])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0, help="each command's timeout (the sleeper's): --timeout of run")
    parser.add_argument("--no-phases", action="store_true")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also grade the class with the grader of TREE (a checkout of an earlier commit), in turn with this one")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--phase-pass", nargs=4, metavar=("CLASS", "RESULTS", "JOBS", "TIMEOUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase_pass:
        folder, results, jobs, timeout = args.phase_pass
        print(json.dumps(phases(Path(folder), Path(results), int(jobs), float(timeout))))
        return 0
    global REAPER
    REAPER = Reaper()
    scratch = Path(tempfile.mkdtemp(prefix="dgb-batch-", dir="/tmp"))
    rows, profile = [], None
    auto = batch.auto_jobs()
    try:
        folder = scratch / "class"
        class40.generate(folder)
        for repeat in range(args.repeats):
            settings = [(tree, jobs) for jobs in args.jobs for tree in ([ROOT, args.before] if args.before else [ROOT])
                        if not (tree != ROOT and jobs == "auto")]  # an earlier grader may have no auto
            for tree, jobs in (settings if repeat % 2 == 0 else list(reversed(settings))):
                row = class_batch(folder, scratch / "results", jobs, args.timeout, tree)
                row["repeat"] = repeat + 1
                row["load_average"] = os.getloadavg()
                rows.append(row)
                print(f"  repeat {repeat + 1}, --jobs {jobs}, {tree}: {row['seconds']:.1f} s, {row['per_minute']:.1f} a minute, "
                      f"{row['cpu_per_submission']:.2f} CPU s a submission, {row['peak_mib']:.0f} MiB, {row['statuses']}, "
                      f"load {row['load_average'][0]:.2f}", file=sys.stderr, flush=True)
        if not args.no_phases:
            profile = phase_batch(folder, scratch / "results-phases", auto, args.timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    print(f"class of {class40.SIZE} (bench/class40.py), --timeout {args.timeout:g}; --jobs auto = {auto} here "
          f"({os.cpu_count()} cores, {batch.available_memory() / 2**30:.1f} GiB available)")
    print(f"{'repeat':>6} {'grader':>7} {'jobs':>5} {'wall (s)':>9} {'subs/min':>9} {'CPU (s)':>8} {'CPU/sub':>8} {'peak RSS (MiB)':>14} {'labs':>5}  statuses")
    for row in rows + ([{**profile, "repeat": "phases"}] if profile else []):
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(row["statuses"].items()))
        grader = "before" if row.get("tree", str(ROOT)) != str(ROOT) else "this"
        print(f"{row['repeat']:>6} {grader:>7} {row['jobs']:>5} {row['seconds']:>9.1f} {row['per_minute']:>9.1f} {row['cpu_seconds']:>8.1f} "
              f"{row['cpu_per_submission']:>8.2f} {row['peak_mib']:>14.0f} {row['labs_seen']:>5}  {statuses}")
    if profile:
        print(f"where the time goes at --jobs {profile['jobs']} (the 'phases' row; {profile['timed_runs']} runs timed; "
              f"seconds of wall time summed over the class):")
        whole = sum(profile["totals"].values())
        for name, seconds in profile["totals"].items():
            print(f"  {name:<52} {seconds:>7.1f} s  {100 * seconds / whole:>4.0f}%")
    print(f"load average as it ended: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": load,
            "timeout": args.timeout, "auto": auto}
    (args.out / "batch.json").write_text(json.dumps({"meta": meta, "rows": rows, "phases": profile}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
