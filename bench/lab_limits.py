"""What a lab's daemons use of the machine, and which kernel-wide counts a lab still shares with the host.

    python bench/lab_limits.py

Starts a lab, runs 3 containers in it, and prints: the lab's mounts in the host's mount table and
in dockerd's own; the memory (peak) and pids of the daemons' cgroup against its caps; the host uid that root
in a container runs as, and the lab's range; and, with a C compiler at hand, how many inotify
instances host root can still create while one of the lab's containers holds 100 (128 is the
kernel's default per-user limit). docs/security.md quotes its output.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose requests.py would hide the requests package docker-py imports

import docker  # noqa: E402

from checks.lab import Lab  # noqa: E402

CGROUPS = Path("/sys/fs/cgroup")
HOLDER = r"""
#include <sys/inotify.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  int want = atoi(argv[1]), made = 0;
  while (made < want && inotify_init1(0) >= 0) made++;
  printf("%d\n", made); fflush(stdout);
  sleep(60);
  return 0;
}
"""


def mounts_of(lab: Lab, table: str = "/proc/self/mountinfo") -> int:
    """Mount points under the lab's folder or data-root in a mount table (the host's, by default)."""
    points = [line.split()[4] for line in Path(table).read_text().splitlines()]
    return sum(any(point == str(f) or point.startswith(f"{f}/") for f in (lab.root, lab.data_root)) for point in points)


def inotify_left() -> int:
    """How many inotify instances this process (root) can still create, up to 1,000."""
    libc = ctypes.CDLL(None, use_errno=True)
    made = []
    while len(made) < 1000 and (fd := libc.inotify_init1(0)) >= 0:
        made.append(fd)
    for fd in made:
        os.close(fd)
    return len(made)


def holder(folder: Path) -> Path | None:
    """A static program that holds inotify instances, built with the machine's C compiler (None without one)."""
    if not shutil.which("cc"):
        return None
    (folder / "holder.c").write_text(HOLDER)
    subprocess.run(["cc", "-static", "-O2", "-o", str(folder / "holder"), str(folder / "holder.c")], check=True)
    return folder / "holder"


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="dg-bench-limits-", dir="/tmp"))
    os.chmod(scratch, 0o755)
    program = holder(scratch)
    lab = Lab("limits", scratch / "lab")
    lab.up()
    try:
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        for _ in range(3):
            api.start(api.create_container("alpine:3.14", ["sleep", "60"]))
        state = lab.read_state()
        daemons = CGROUPS / "memory" / lab.daemons_cgroup
        inside = mounts_of(lab, f"/proc/{state['dockerd_pid']}/mountinfo")
        print(f"the lab's mounts with 3 containers running: {mounts_of(lab)} in the host's table, {inside} in dockerd's own")
        print(f"daemons' memory: peak {int((daemons / 'memory.max_usage_in_bytes').read_text()) / 1024**2:.0f} MiB"
              f" of {int((daemons / 'memory.limit_in_bytes').read_text()) / 1024**2:.0f} MiB")
        pids = CGROUPS / "pids" / lab.daemons_cgroup
        print(f"daemons' pids (threads): {pids.joinpath('pids.current').read_text().strip()} of {pids.joinpath('pids.max').read_text().strip()}")
        remap = state.get("remap") or {}
        print(f"containers' root: host uids {remap.get('uid')}..{remap.get('uid', 0) + remap.get('count', 0) - 1} ({remap.get('user')})")
        if program:
            alone = inotify_left()
            container = api.create_container("alpine:3.14", ["/holder/holder", "100"],
                                             host_config=api.create_host_config(binds=[f"{scratch}:/holder:ro"]))
            api.start(container)
            while not api.logs(container).strip():
                pass
            held = api.logs(container).decode().strip()
            print(f"inotify instances host root can create: {alone} alone, {inotify_left()} while a container of the lab holds {held}")
        api.close()
    finally:
        lab.down()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"the lab's mounts in the host's table after lab down: {mounts_of(lab)}")


if __name__ == "__main__":
    main()
