"""`check` of the whole catalog against the floor and docker-py, each installed as a user installs it.

    .venv/bin/python bench/check_floor.py [--sizes 0 1000] [--runs 15] [--earlier TREE]

Builds docker-grader's wheel and installs it, with docker-py, in a throwaway virtualenv (no editable
install, whose import hook every process would pay for, no PYTHONPATH), starts a lab of its own with
the lesson's state (hello-world run twice, alpine pulled) and as many unrelated containers as each
size says, then times programs of that one virtualenv, each a process of its own, so every figure
includes interpreter start-up:

- docker-grader: ``docker-grader check --format json`` of the catalog (its exercise files cached by
  a first run, as on a student's second ``check``);
- the floor: bench/approaches/floor.py, ``GET /containers/json?all=1`` and ``GET /images/json`` with
  http.client, JSON parsed (no grader can do less);
- docker-py: bench/approaches/dockerpy_sparse.py, as a competent user writes it (compare.py says how);
- with ``--earlier TREE``, docker-grader built from another source tree (``git archive`` of an
  earlier commit), in a virtualenv of its own.

The runs are interleaved, one of each program per round in a rotating order, so a busy machine slows
all of them alike. Prints the median wall time of each and its CPU time (user + system, which a busy
machine inflates less than the wall time), the ratios, the requests dockerd served in one run
(--debug), the load average, and ``-X importtime`` of docker-grader's ``check``; docs/performance.md
quotes it.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPROACHES = ROOT / "bench" / "approaches"
sys.path[0] = str(ROOT)  # not bench/, whose requests.py would shadow the requests package docker-py imports

import docker  # noqa: E402

from checks.lab import Lab  # noqa: E402

GRADER, FLOOR, DOCKERPY, EARLIER = "docker-grader", "floor (raw HTTP)", "docker-py", "docker-grader (--earlier)"
CALLING = re.compile(rb'msg="Calling (\w+) ')


def install(scratch: Path, tree: Path = ROOT) -> Path:
    """A virtualenv in ``scratch`` with docker-grader's wheel, built from ``tree``, and docker-py installed by pip; its bin folder."""
    environ = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / "source"
    shutil.copytree(tree, source, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "build", "dist", "*.egg-info", "mutants", "bench"))
    pip = ["-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([sys.executable, *pip, "wheel", "--no-deps", "-w", str(scratch / "dist"), str(source)], check=True, env=environ, timeout=900)
    wheel = next((scratch / "dist").glob("docker_grader-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(scratch / "venv")], check=True, env=environ, timeout=300)
    python = str(scratch / "venv" / "bin" / "python")
    subprocess.run([python, *pip, "install", str(wheel), "docker"], check=True, env=environ, timeout=900)
    return scratch / "venv" / "bin"


def commands(bin_folder: Path, host: str) -> dict[str, list[str]]:
    python = str(bin_folder / "python")
    return {
        GRADER: [str(bin_folder / "docker-grader"), "check", "--host", host, "--format", "json", "--exercises", str(ROOT / "exercises")],
        FLOOR: [python, str(APPROACHES / "floor.py"), host],
        DOCKERPY: [python, str(APPROACHES / "dockerpy_sparse.py"), host],
    }


def timed(command: list[str], environ: dict, cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, of the program and anything it started) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environ, cwd=cwd, timeout=300)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: a check failed, which the lesson's state may well give
        raise SystemExit(f"{command[0]} exited with {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def requests_of(lab: Lab, command: list[str], environ: dict, cwd: Path) -> int:
    """The API requests dockerd served during one run (it logs each one as it serves it, with --debug)."""
    start = lab.dockerd_log.stat().st_size
    timed(command, environ, cwd)
    time.sleep(0.3)  # the log line of the last request lands within milliseconds of its answer
    with open(lab.dockerd_log, "rb") as stream:
        stream.seek(start)
        return len(CALLING.findall(stream.read()))


def import_profile(bin_folder: Path, host: str, environ: dict, cwd: Path, runs: int) -> tuple[float, list[tuple[str, float, float]]]:
    """``-X importtime`` of docker-grader's ``check``: the median total of the modules imported, and
    the grader's own modules and the standard library's heaviest, by median cumulative and self ms."""
    command = [str(bin_folder / "python"), "-X", "importtime", "-m", "checks", *commands(bin_folder, host)[GRADER][1:]]
    selfs: dict[str, list[int]] = {}
    cumulative: dict[str, list[int]] = {}
    totals = []
    for _ in range(runs):
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environ, cwd=cwd, timeout=300)
        total = 0
        for line in done.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, whole, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
            selfs.setdefault(name, []).append(int(own))
            cumulative.setdefault(name, []).append(int(whole))
            total += int(own)
        totals.append(total)
    rows = [(name, statistics.median(cumulative[name]) / 1000, statistics.median(values) / 1000) for name, values in selfs.items()]
    return statistics.median(totals) / 1000, sorted(rows, key=lambda row: -row[2])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 1000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--earlier", type=Path, help="also time docker-grader built from this source tree (e.g. `git archive main`), interleaved")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="dg-floor-", dir="/tmp"))
    lab = Lab("bench-floor", scratch / "lab", debug=True)
    try:
        print("[bench] building the wheel and a virtualenv", file=sys.stderr, flush=True)
        bin_folder = install(scratch / "wheel")
        earlier = install(scratch / "earlier", args.earlier) if args.earlier else None
        print("[bench] starting a lab", file=sys.stderr, flush=True)
        lab.up()
        api = docker.APIClient(base_url=lab.host, version="auto", timeout=300)
        environ = {"PATH": f"{bin_folder}:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(scratch), "LANG": "C.UTF-8",
                   "XDG_STATE_HOME": str(scratch / "state"), "DOCKER_GRADER_CACHE": str(scratch / "cache"), **lab.environment()}
        for step in (("pull", "hello-world"), ("pull", "alpine:3.14"), ("run", "--name", "hello-1", "hello-world"), ("run", "--name", "hello-2", "hello-world")):
            subprocess.run(["docker", *step], env=environ, check=True, capture_output=True, timeout=300)
        programs = commands(bin_folder, lab.host)
        if earlier is not None:
            programs[EARLIER] = commands(earlier, lab.host)[GRADER]
        rows = []
        for size in sorted(args.sizes):
            have = sum(1 for c in api.containers(all=True) if c["Names"][0].startswith("/noise-"))
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda i: api.create_container("alpine:3.14", ["true"], name=f"noise-{i}"), range(have, size)))
            print(f"[bench] {size} containers", file=sys.stderr, flush=True)
            requests = {name: requests_of(lab, command, environ, scratch) for name, command in programs.items()}  # also warms caches
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in programs}
            names = list(programs)
            for round_ in range(args.runs):
                for name in names[round_ % len(names):] + names[: round_ % len(names)]:
                    times[name].append(timed(programs[name], environ, scratch))
            wall = {name: statistics.median(value[0] for value in values) for name, values in times.items()}
            cpu = {name: statistics.median(value[1] for value in values) for name, values in times.items()}
            rows.append((size, wall, cpu, requests))
        total, modules = import_profile(bin_folder, lab.host, environ, scratch, args.runs)
        api.close()
    finally:
        lab.down()
        shutil.rmtree(scratch, ignore_errors=True)

    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Median of {args.runs} interleaved runs per program, wall time (CPU time of the program); requests dockerd served "
          f"in one run. Load average as it ended: {load}.\n")
    print(f"| containers | {GRADER} | {FLOOR} | {DOCKERPY} | {GRADER} ÷ floor | {DOCKERPY} ÷ {GRADER} |")
    print("|--:|--:|--:|--:|--:|--:|")
    for size, wall, cpu, requests in rows:
        cells = " | ".join(f"{wall[name] * 1000:.0f} ms ({cpu[name] * 1000:.0f} ms CPU), {requests[name]} req" for name in (GRADER, FLOOR, DOCKERPY))
        ratios = (f"{wall[GRADER] / wall[FLOOR]:.2f}× ({cpu[GRADER] / cpu[FLOOR]:.2f}×)",
                  f"{wall[DOCKERPY] / wall[GRADER]:.2f}× ({cpu[DOCKERPY] / cpu[GRADER]:.2f}×)")
        print(f"| {size:,} | {cells} | {ratios[0]} | {ratios[1]} |")
    if args.earlier:
        print(f"\n{EARLIER}, built from {args.earlier}, in the same rounds:\n")
        for size, wall, cpu, requests in rows:
            print(f"- {size:,} containers: {wall[EARLIER] * 1000:.0f} ms ({cpu[EARLIER] * 1000:.0f} ms CPU), {requests[EARLIER]} req: "
                  f"{wall[EARLIER] / wall[FLOOR]:.2f}× the floor ({cpu[EARLIER] / cpu[FLOOR]:.2f}× in CPU)")
    grader = sum(own for name, _, own in modules if name == "checks" or name.startswith("checks."))
    print(f"\n`python -X importtime -m checks check` ({args.runs} runs at {rows[-1][0]:,} containers, medians): {len(modules)} modules, "
          f"{total:.1f} ms of imports, {grader:.1f} ms of them in the grader's own modules. The 15 heaviest by self time:\n")
    print("| module | self ms | cumulative ms |\n|---|--:|--:|")
    for name, whole, own in modules[:15]:
        print(f"| `{name}` | {own:.1f} | {whole:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
