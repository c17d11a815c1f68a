"""What the API boundary's image lookup costs: one GET /images/{name}/json on the lab's dockerd socket,
made at each container create (compose's labels and health checks an image brings).

    .venv/bin/python bench/boundary.py [--lookups 200]

Starts a lab of its own (root), pulls alpine:3.14, and prints the median and 90th percentile of the
lookup, for an image the lab holds and for one it does not.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from checks.boundary import image_reader
from checks.lab import Lab


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=200)
    lookups = parser.parse_args().lookups
    scratch = Path(tempfile.mkdtemp(prefix="dg-bench-boundary-", dir="/tmp"))
    try:
        with Lab("bench-boundary", scratch / "lab").running() as lab:
            subprocess.run(["docker", "-H", lab.host, "pull", "-q", "alpine:3.14"], check=True, capture_output=True)
            inspect = image_reader(lab.socket)
            for name in ("alpine:3.14", "no-such-image:1"):
                times = []
                for _ in range(lookups):
                    started = time.perf_counter()
                    inspect(name)
                    times.append(time.perf_counter() - started)
                times.sort()
                print(f"{name}: median {statistics.median(times) * 1000:.2f} ms, "
                      f"90th percentile {times[int(len(times) * 0.9) - 1] * 1000:.2f} ms, over {lookups} lookups")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
