"""Grading the whole catalog against daemons of growing size, side by side with what people would
otherwise write: (a) the floor, two list requests over the socket with a plain HTTP client; (b) docker-py
as its users write it (sparse list, low-level image list, an inspect only where needed); (b') docker-py
with server-side filters; (c) pytest-testinfra with one `docker ps -a --format` and one `docker images
--format`. The naive versions (docker-py's high-level objects, testinfra's one CLI call per object) are
extra rows, labelled so.

    python bench/compare.py [--sizes 0 100 1000 5000] [--images 300] [--runs 3] [--budget 120] [--out docs/bench]

First, a state matrix: small daemons in the states where the filtered version's verdicts differ
(an image removed with `rmi -f` under its containers, a container of an image committed from one),
each approach's verdicts compared with the grader's, check by check.

A lab of the benchmark's own holds the lesson's state (hello-world run twice, alpine pulled), a few
hundred unrelated images, and as many unrelated containers as the size says. Each approach runs as a
process of its own, so every figure includes interpreter start-up, and is measured for wall time
(median of the runs), API requests (counted by dockerd itself, --debug) and peak memory: the larger of the
program's own peak RSS and the sum of the RSS of it and its child processes (the docker CLI), sampled every
50 ms. Every approach must reach the grader's verdicts on the 13 checks, or the table says so.
A run that takes longer than --budget seconds is stopped and reported as "> budget"; that approach is
not run at larger sizes. Writes compare.json, compare.md and compare.png to --out, and prints the table.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPROACHES_DIR = Path(__file__).resolve().parent / "approaches"
sys.path.insert(0, str(ROOT))

import docker  # noqa: E402

from checks.lab import Lab  # noqa: E402

CALLING = re.compile(rb'msg="Calling (\w+) ')
GRADER, FLOOR = "docker-grader", "floor (raw HTTP)"
DOCKERPY, FILTERED, TESTINFRA = "docker-py", "docker-py filtered", "testinfra"
DOCKERPY_NAIVE, TESTINFRA_NAIVE = "docker-py naive (extra)", "testinfra naive (extra)"
ORDER = (GRADER, FLOOR, DOCKERPY, FILTERED, TESTINFRA, DOCKERPY_NAIVE, TESTINFRA_NAIVE)
PEERS = (DOCKERPY, FILTERED, TESTINFRA, DOCKERPY_NAIVE, TESTINFRA_NAIVE)
SLOW = (TESTINFRA_NAIVE,)  # one run from 1,000 containers: tens of seconds each

# States where "created from this image" and the daemon's ancestor= filter part ways, and the lesson's own.
STATES = {
    "the lesson (hello-world run twice, alpine pulled)": [
        ("pull", "alpine:3.14"), ("run", "--name", "hello-1", "hello-world"), ("run", "--name", "hello-2", "hello-world")],
    "`rmi -f hello-world` with its two containers still there": [
        ("run", "--name", "hello-1", "hello-world"), ("run", "--name", "hello-2", "hello-world"), ("rmi", "-f", "hello-world")],
    "a container of an image committed from a hello-world container": [
        ("run", "--name", "base", "hello-world"), ("commit", "base", "mine:1"), ("rm", "base"), ("run", "--name", "mine", "mine:1")],
    "`rmi -f alpine:3.14` with an alpine container left": [
        ("pull", "alpine:3.14"), ("run", "--name", "left", "alpine:3.14", "true"), ("rmi", "-f", "alpine:3.14")],
}


def commands(host: str) -> dict[str, list[str]]:
    python = [sys.executable, str(APPROACHES_DIR / "measured.py")]  # reports the program's own peak RSS
    return {
        GRADER: [*python, "-m", "checks", "check", "--host", host, "--format", "json"],
        FLOOR: [*python, str(APPROACHES_DIR / "floor.py"), host],
        DOCKERPY: [*python, str(APPROACHES_DIR / "dockerpy_sparse.py"), host],
        FILTERED: [*python, str(APPROACHES_DIR / "dockerpy_filtered.py"), host],
        TESTINFRA: [*python, str(APPROACHES_DIR / "testinfra_format.py"), host],
        DOCKERPY_NAIVE: [*python, str(APPROACHES_DIR / "dockerpy_naive.py"), host],
        TESTINFRA_NAIVE: [*python, str(APPROACHES_DIR / "testinfra_docker.py"), host],
    }


class Bench:
    def __init__(self, lab: Lab, budget: float):
        self.lab = lab
        self.budget = budget
        self.api = docker.APIClient(base_url=lab.host, version="auto", timeout=300)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **lab.environment()}

    def docker(self, *args: str) -> None:
        subprocess.run(["docker", *args], env=self.env, check=True, capture_output=True, timeout=300)

    def reset(self) -> None:
        for container in self.api.containers(all=True):
            self.api.remove_container(container["Id"], force=True)
        for image in self.api.images():
            self.api.remove_image(image["Id"], force=True)

    def prepare(self, images: int) -> None:
        """The lesson's state, and unrelated images (each a one-file layer of its own)."""
        self.docker("pull", "hello-world")
        self.docker("pull", "alpine:3.14")
        self.docker("run", "--name", "hello-1", "hello-world")
        self.docker("run", "--name", "hello-2", "hello-world")
        for index in range(images):
            data = io.BytesIO()
            with tarfile.open(fileobj=data, mode="w") as tar:
                content = f"noise {index}\n".encode()
                info = tarfile.TarInfo(f"noise-{index}.txt")
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
            self.api.import_image_from_data(data.getvalue(), repository=f"noise-{index}", tag="latest")
        self.images = images

    def grow(self, size: int) -> None:
        """Unrelated containers (created, never started) up to ``size``, from the unrelated images."""
        have = sum(1 for c in self.api.containers(all=True) if c["Names"][0].startswith("/noise-"))
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(self._noise, range(have, size)))

    def _noise(self, index: int) -> None:
        image = f"noise-{index % self.images}:latest" if self.images else "alpine:3.14"
        self.api.create_container(image, ["true"], name=f"noise-{index}")

    def measure(self, command: list[str]) -> dict:
        """One run: wall seconds, requests the daemon served, peak RSS in MiB, and what it printed."""
        log = self.lab.dockerd_log
        start = log.stat().st_size
        peak_file = self.lab.root / "peak"
        peak_file.unlink(missing_ok=True)
        began = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**self.env, "DG_PEAK_FILE": str(peak_file)},
            cwd=ROOT, start_new_session=True,
        )
        stopped = threading.Event()

        def stop() -> None:
            stopped.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(self.budget, stop)
        timer.start()
        sampled = [0]
        sampler = threading.Thread(target=sample_tree, args=(process, sampled), daemon=True)
        sampler.start()
        out = process.stdout.read()
        process.wait()
        timer.cancel()
        sampler.join()
        process.stdout.close()
        seconds = time.perf_counter() - began
        time.sleep(0.3)  # dockerd writes its log line as it serves; let the last one land
        with open(log, "rb") as stream:
            stream.seek(start)
            requests = len(CALLING.findall(stream.read()))
        return {
            "seconds": seconds,
            "requests": requests,
            "peak_mib": max(int(peak_file.read_text()) if peak_file.exists() else 0, sampled[0]) / 1024 or float("nan"),
            "stopped": stopped.is_set(),
            "output": out.decode(errors="replace"),
        }


def sample_tree(process: subprocess.Popen, peak: list) -> None:
    """The largest sum of VmRSS (KiB) over the processes of the run's session, every 50 ms, until it ends."""
    while process.poll() is None:
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[3]) != process.pid:  # the session's id
                        continue
                with open(f"/proc/{entry}/status") as status:
                    total += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            except (OSError, ValueError, IndexError):
                continue
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def verdicts_of(name: str, output: str) -> dict[str, bool] | None:
    try:
        document = json.loads(output)
    except ValueError:
        return None
    if name == GRADER:
        return {f"{e['id']}::{c['name']}": c["passed"] for e in document["exercises"] for c in e["checks"]}
    return document.get("verdicts")


def run_size(bench: Bench, size: int, runs: int, given_up: set[str], startup: float) -> dict:
    row: dict = {"containers": size}
    for name, command in commands(bench.lab.host).items():
        if name in given_up:
            row[name] = {"skipped": True}
            continue
        samples = []
        for _ in range(runs if name not in SLOW or size < 1000 else 1):
            sample = bench.measure(command)
            samples.append(sample)
            if sample["stopped"]:
                given_up.add(name)
                break
        last = samples[-1]
        seconds = [s["seconds"] for s in samples]
        row[name] = {
            "seconds": statistics.median(seconds) if not last["stopped"] else last["seconds"],
            "runs": len(samples),
            "stopped": last["stopped"],
            "requests": last["requests"],
            "peak_mib": max(s["peak_mib"] for s in samples),
            "verdicts": verdicts_of(name, last["output"]) if not last["stopped"] else None,
        }
    grader = row[GRADER]["verdicts"]
    for name in PEERS:
        if not row[name].get("skipped") and not row[name]["stopped"]:
            row[name]["agrees"] = row[name]["verdicts"] == grader
    for name in ORDER:
        row[name].pop("verdicts", None)
    row["startup_s"] = startup
    return row


def state_matrix(bench: Bench) -> list[dict]:
    """Each state of STATES on an emptied daemon; each approach's verdicts against the grader's."""
    rows = []
    for state, steps in STATES.items():
        bench.reset()
        for step in steps:
            bench.docker(*step)
        verdicts = {name: verdicts_of(name, bench.measure(command)["output"]) for name, command in commands(bench.lab.host).items() if name != FLOOR}
        grader = verdicts.pop(GRADER)
        row = {"state": state, "grader_failed": sorted(k for k, ok in (grader or {}).items() if not ok)}
        for name, found in verdicts.items():
            row[name] = "no verdicts" if found is None or grader is None else sorted(k for k in grader if found.get(k) != grader[k])
        rows.append(row)
    bench.reset()
    return rows


def interpreter_startup(runs: int) -> float:
    samples = []
    for _ in range(max(runs, 3)):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def cell(result: dict) -> str:
    if result.get("skipped"):
        return "not run (over budget at a smaller size)"
    time_text = f"> {result['seconds']:.0f} s (stopped)" if result["stopped"] else f"{result['seconds']:.3f} s"
    agree = "" if result.get("agrees", True) else " ⚠ verdicts differ"
    return f"{time_text}, {result['requests']} req, {result['peak_mib']:.0f} MiB{agree}"


def ratio(row: dict, slow: str, fast: str) -> str:
    a, b = row[slow], row[fast]
    if a.get("skipped") or b.get("skipped"):
        return "–"
    prefix = ">" if a["stopped"] else ""
    return f"{prefix}{a['seconds'] / b['seconds']:.1f}×"


def markdown(report: dict) -> str:
    lines = [
        "# docker-grader against its peers",
        "",
        f"Command: `{report['command']}`",
        f"Machine: {report['machine']}. Interpreter start-up (`python -c pass`): {report['startup_s']:.3f} s. "
        f"Load average as it ended: {' '.join(f'{x:.2f}' for x in report['load_average'])}.",
        f"Each daemon also holds {report['images']} unrelated images and the lesson's state.",
        "",
        "Median wall time of the runs, API requests served by dockerd, peak RSS:",
        "",
        f"| containers | {' | '.join(ORDER)} |",
        "|--:|" + "---|" * len(ORDER),
    ]
    for row in report["rows"]:
        lines.append(f"| {row['containers']:,} | " + " | ".join(cell(row[name]) for name in ORDER) + " |")
    lines += [
        "",
        "Ratios of wall time, from the same run (a peer's time ÷ docker-grader's: above 1, docker-grader is faster):",
        "",
        "| containers | docker-grader ÷ floor | " + " | ".join(f"{name} ÷ docker-grader" for name in PEERS) + " |",
        "|--:|--:|" + "--:|" * len(PEERS),
    ]
    for row in report["rows"]:
        lines.append(f"| {row['containers']:,} | {ratio(row, GRADER, FLOOR)} | " + " | ".join(ratio(row, name, GRADER) for name in PEERS) + " |")
    lines += [
        "",
        "State matrix: checks whose verdict differs from docker-grader's (— : the same 13 verdicts).",
        "",
        "| state | docker-grader fails | " + " | ".join(name for name in PEERS) + " |",
        "|---|---|" + "---|" * len(PEERS),
    ]
    for row in report["matrix"]:
        cells = [", ".join(row[name]) or "—" if isinstance(row[name], list) else row[name] for name in PEERS]
        lines.append(f"| {row['state']} | {', '.join(row['grader_failed']) or '—'} | " + " | ".join(cells) + " |")
    lines += ["", "Targets:", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in report["targets"]]
    return "\n".join(lines) + "\n"


def targets(report: dict) -> list[tuple[str, bool]]:
    rows = report["rows"]
    requests = {row[GRADER]["requests"] for row in rows}
    found = [(f"docker-grader sends the same number of requests at every size ({', '.join(map(str, sorted(requests)))})", len(requests) == 1)]
    for at in (row for row in rows if row["containers"] in (0, 1000)):
        size = f"{at['containers']:,}"
        grader, floor, dockerpy = at[GRADER]["seconds"], at[FLOOR]["seconds"], at[DOCKERPY]["seconds"]
        found.append((f"at {size} containers, docker-grader at most 1.3 × floor: {grader / floor:.2f}×", grader <= 1.3 * floor))
        found.append((f"at {size} containers, docker-grader at least 1.5× faster than docker-py (sparse): {dockerpy / grader:.2f}×", dockerpy >= 1.5 * grader))
    agreeing = all(row[name] == [] for row in report.get("matrix", ()) for name in (DOCKERPY, TESTINFRA))
    found.append(("in every state of the matrix, docker-py (sparse) and testinfra (--format) reach docker-grader's verdicts", agreeing))
    return found


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (times, requests) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name in ORDER:
        points = [(row["containers"], row[name]) for row in report["rows"] if not row[name].get("skipped")]
        xs = [max(x, 1) for x, _ in points]
        times.plot(xs, [r["seconds"] for _, r in points], marker="o", label=name)
        requests.plot(xs, [max(r["requests"], 1) for _, r in points], marker="o", label=name)
    for axis, title in ((times, "wall time per run (s)"), (requests, "API requests per run")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("containers on the daemon (0 drawn at 1)")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    times.legend()
    figure.suptitle("Grading the whole catalog (13 checks); each approach in a process of its own")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 100, 1000, 5000])
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=120.0, help="seconds one run may take before it is stopped")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="dg-bench-", dir="/tmp"))
    lab = Lab("bench-compare", scratch / "lab", debug=True)
    rows, given_up = [], set()
    try:
        print("[bench] starting a lab and building the daemon's state", file=sys.stderr, flush=True)
        lab.up()
        bench = Bench(lab, args.budget)
        print("[bench] the state matrix", file=sys.stderr, flush=True)
        matrix = state_matrix(bench)
        bench.prepare(args.images)
        startup = interpreter_startup(args.runs)
        for size in sorted(args.sizes):
            bench.grow(size)
            print(f"[bench] {size} containers", file=sys.stderr, flush=True)
            rows.append(run_size(bench, size, args.runs, given_up, startup))
    finally:
        lab.down()
        shutil.rmtree(scratch, ignore_errors=True)

    report = {
        "command": " ".join(["python bench/compare.py", *(argv if argv is not None else sys.argv[1:])]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        "images": args.images,
        "runs": args.runs,
        "budget_s": args.budget,
        "startup_s": startup,
        "load_average": os.getloadavg(),
        "rows": rows,
        "matrix": matrix,
    }
    report["targets"] = targets(report)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (args.out / "compare.md").write_text(text)
    plot(report, args.out / "compare.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
