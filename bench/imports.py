"""What reading the Engine API costs to import: docker-py against the grader's own transport, side by side.

    python bench/imports.py [--runs 15]

Each run is a fresh interpreter that imports one module under ``-X importtime``, which reports the
cumulative time of that import alone (start-up excluded); the two are interleaved, so a busy machine
slows both alike. Prints the median milliseconds of each, their ratio and the load average. docs/performance.md quotes it for why docker-py is a test dependency, not a runtime one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

MODULES = {"docker-py (import docker)": "docker", "checks.transport": "checks.transport"}


def once(module: str) -> float:
    """Milliseconds that importing ``module`` took, with everything it imports, as -X importtime counts it."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=True)
    for line in reversed(done.stderr.splitlines()):  # "import time: self | cumulative | name", the outermost last
        _, cumulative_us, name = (part.strip() for part in line.split(":", 1)[1].split("|"))
        if name == module:
            return int(cumulative_us) / 1000
    raise RuntimeError(f"{module} not in -X importtime's output")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in MODULES}
    for _ in range(args.runs):
        for name, module in MODULES.items():
            times[name].append(once(module))
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:28} {median:7.1f} ms")
    docker, ours = medians.values()
    print(f"import cost ratio docker-py / checks.transport: {docker / ours:.1f}x")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
