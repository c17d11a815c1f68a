"""What one request costs on a lab's dockerd: /_ping, /version, /info and the two lists, side by side.

    python bench/requests.py [--runs 15]

Prints the median milliseconds of each (one connection per request, as the grader sends them) and the
load average; docs/performance.md quotes it for the version negotiation and the baseline lookup.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checks.lab import Lab  # noqa: E402
from checks.transport import UnixTransport  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="dgb-requests-", dir="/tmp"))
    lab = Lab("bench-requests", scratch / "lab")
    try:
        lab.up()
        transport = UnixTransport(str(lab.socket), 30)
        for path, params in (("/_ping", None), ("/version", None), ("/info", None), ("/v1.41/containers/json", {"all": 1}), ("/v1.41/images/json", None)):
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                answer = transport.get(path, params, False)
                times.append(time.perf_counter() - started)
            assert answer.status == 200, (path, answer.status)
            print(f"GET {path:<30} {1000 * statistics.median(times):7.2f} ms")
    finally:
        lab.down()
        shutil.rmtree(scratch, ignore_errors=True)
    load = os.getloadavg()
    print(f"median of {args.runs}; load average as it ended: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
