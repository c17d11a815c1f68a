"""Grading the whole catalog against daemons of growing size, side by side with what people would
otherwise use: (a) the floor, two list requests over the socket with a plain HTTP client; (b) docker-py's
high-level API; (c) pytest-testinfra's docker module.

    python bench/compare.py [--sizes 0 100 1000 5000] [--images 300] [--runs 3] [--budget 120] [--out docs/bench]

A lab of the benchmark's own holds the lesson's state (hello-world run twice, alpine pulled), a few
hundred unrelated images, and as many unrelated containers as the size says. Each approach runs as a
process of its own, so every figure includes interpreter start-up, and is measured for wall time
(median of the runs), API requests (counted by dockerd itself, --debug) and peak memory (the process's
maximum RSS). Every approach must reach the grader's verdicts on the 13 checks, or the table says so.
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
GRADER, FLOOR, DOCKERPY, TESTINFRA = "docker-grader", "floor (raw HTTP)", "docker-py", "testinfra"
ORDER = (GRADER, FLOOR, DOCKERPY, TESTINFRA)


def commands(host: str) -> dict[str, list[str]]:
    python = [sys.executable, str(APPROACHES_DIR / "measured.py")]  # reports the program's own peak RSS
    return {
        GRADER: [*python, "-m", "checks", "check", "--host", host, "--format", "json"],
        FLOOR: [*python, str(APPROACHES_DIR / "floor.py"), host],
        DOCKERPY: [*python, str(APPROACHES_DIR / "dockerpy_naive.py"), host],
        TESTINFRA: [*python, str(APPROACHES_DIR / "testinfra_docker.py"), host],
    }


class Bench:
    def __init__(self, lab: Lab, budget: float):
        self.lab = lab
        self.budget = budget
        self.api = docker.APIClient(base_url=lab.host, version="auto", timeout=300)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **lab.environment()}

    def docker(self, *args: str) -> None:
        subprocess.run(["docker", *args], env=self.env, check=True, capture_output=True, timeout=300)

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
        out = process.stdout.read()
        process.wait()
        timer.cancel()
        process.stdout.close()
        seconds = time.perf_counter() - began
        time.sleep(0.3)  # dockerd writes its log line as it serves; let the last one land
        with open(log, "rb") as stream:
            stream.seek(start)
            requests = len(CALLING.findall(stream.read()))
        return {
            "seconds": seconds,
            "requests": requests,
            "peak_mib": int(peak_file.read_text()) / 1024 if peak_file.exists() else float("nan"),
            "stopped": stopped.is_set(),
            "output": out.decode(errors="replace"),
        }


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
        for _ in range(runs if name != TESTINFRA or size < 1000 else 1):
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
    for name in (DOCKERPY, TESTINFRA):
        if not row[name].get("skipped") and not row[name]["stopped"]:
            row[name]["agrees"] = row[name]["verdicts"] == grader
    for name in ORDER:
        row[name].pop("verdicts", None)
    row["startup_s"] = startup
    return row


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
        f"Machine: {report['machine']}. Interpreter start-up (`python -c pass`): {report['startup_s']:.3f} s.",
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
        "Ratios of wall time, from the same run:",
        "",
        "| containers | docker-grader ÷ floor | docker-py ÷ docker-grader | testinfra ÷ docker-grader |",
        "|--:|--:|--:|--:|",
    ]
    for row in report["rows"]:
        lines.append(f"| {row['containers']:,} | {ratio(row, GRADER, FLOOR)} | {ratio(row, DOCKERPY, GRADER)} | {ratio(row, TESTINFRA, GRADER)} |")
    lines += ["", "Targets:", ""]
    lines += [f"- {'met' if ok else 'MISSED'}: {text}" for text, ok in report["targets"]]
    return "\n".join(lines) + "\n"


def targets(report: dict) -> list[tuple[str, bool]]:
    rows = report["rows"]
    requests = {row[GRADER]["requests"] for row in rows}
    found = [(f"docker-grader sends the same number of requests at every size ({', '.join(map(str, sorted(requests)))})", len(requests) == 1)]
    at = next((row for row in rows if row["containers"] == 1000), None)
    if at:
        grader, floor = at[GRADER]["seconds"], at[FLOOR]["seconds"]
        bound = 2 * floor + report["startup_s"]
        found.append((f"at 1,000 containers, docker-grader within 2 × floor + start-up: {grader:.3f} s ≤ {bound:.3f} s", grader <= bound))
        for name in (DOCKERPY, TESTINFRA):
            other = at[name]
            if other.get("skipped"):
                found.append((f"at 1,000 containers, {name} over budget at a smaller size: more than 10× slower", True))
                continue
            times = other["seconds"] / grader
            found.append((f"at 1,000 containers, docker-grader ≥ 10× faster than {name}: {'>' if other['stopped'] else ''}{times:.1f}×", times >= 10))
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
        "rows": rows,
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
