"""The lab's own daemons inside the lab's caps: their cgroup, their OOM priority, their mounts.

dockerd, containerd, the shims and runc do the work a student asks for; these tests show they
run in a cgroup of the lab's own (not the host's), that a request which makes dockerd grow
ends that lab's daemons and nothing else, and that what dockerd mounts stays out of the host's
mount table.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import time
import tarfile
import tempfile
from pathlib import Path

import docker
import pytest

from checks.lab import DAEMON_OOM_SCORE_ADJ, Lab, Resources, processes

CGROUPS = Path("/sys/fs/cgroup")


@pytest.fixture
def scratch():
    path = Path(tempfile.mkdtemp(prefix="dgc-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def cgroups_of(pid: int) -> dict[str, str]:
    """The cgroup of a process in each v1 hierarchy that the lab limits (or the unified one, v2)."""
    found = {}
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") or [""]:
            found[name] = path
    return found


def children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()]


def shims_of(lab: Lab) -> list[int]:
    """The lab's containerd shims, found through the daemons' cgroup (a shim is no child of containerd's)."""
    procs = CGROUPS / "pids" / lab.daemons_cgroup / "cgroup.procs"
    return [pid for pid in map(int, procs.read_text().split()) if Path(f"/proc/{pid}/comm").read_text().startswith("containerd-shim")]


def test_dockerd_containerd_and_the_shims_run_in_the_labs_own_cgroup_with_limits(scratch):
    lab = Lab("caps", scratch / "caps")
    lab.up()
    try:
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        container = api.create_container("alpine:3.14", ["sleep", "60"])
        api.start(container)
        api.close()
        state = lab.read_state()
        dockerd = state["dockerd_pid"]
        (containerd,) = [pid for pid in children(dockerd) if Path(f"/proc/{pid}/comm").read_text().strip() == "containerd"]
        daemons = [dockerd, containerd, state["registry_pid"], *shims_of(lab)]
        assert len(daemons) == 4  # one shim: the one container
        own = cgroups_of(os.getpid())
        for pid in daemons:
            where = cgroups_of(pid)
            for controller in ("memory", "pids", "cpu"):
                assert where[controller] == f"/{lab.daemons_cgroup}", (pid, controller)
                assert where[controller] != own[controller]  # not the host's (the test's) cgroup
        assert int(Path(f"/proc/{dockerd}/oom_score_adj").read_text()) == DAEMON_OOM_SCORE_ADJ
        assert int(Path(f"/proc/{containerd}/oom_score_adj").read_text()) == DAEMON_OOM_SCORE_ADJ
        assert int((CGROUPS / "memory" / lab.daemons_cgroup / "memory.limit_in_bytes").read_text()) == lab.resources.daemon_memory
        assert int((CGROUPS / "pids" / lab.daemons_cgroup / "pids.max").read_text()) == lab.resources.daemon_pids
        assert int((CGROUPS / "cpu" / lab.daemons_cgroup / "cpu.cfs_quota_us").read_text()) == int(lab.resources.daemon_cpus * 100000)
        # The container itself is in the containers' cgroup, not the daemons'.
        # (its first process is runc's init until it has exec'd sleep: wait for that, bounded)
        for _ in range(250):
            sleepers = [pid for pid in children(shims_of(lab)[0]) if Path(f"/proc/{pid}/comm").read_text().strip() == "sleep"]
            if sleepers:
                break
            time.sleep(0.02)
        (sleeper,) = sleepers
        assert cgroups_of(sleeper)["memory"].startswith(f"/{lab.tag}/")
    finally:
        lab.down()
    assert not list(CGROUPS.glob(f"*/{lab.daemons_cgroup}"))


def post_huge_label(lab: Lab, size: int) -> None:
    """POST /containers/create with a label of ``size`` bytes, straight to dockerd, which decodes it in memory."""
    body = b'{"Image": "alpine:3.14", "Labels": {"x": "' + b"a" * size + b'"}}'
    head = f"POST /containers/create HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(60)
        connection.connect(str(lab.socket))
        try:
            connection.sendall(head.encode() + body)
            connection.recv(1024)
        except OSError:  # dockerd was killed while reading or decoding
            pass


def test_a_request_that_makes_dockerd_grow_ends_that_labs_daemons_and_nothing_else(scratch):
    small = Resources(daemon_memory=256 * 1024**2)
    victim, neighbour = Lab("grows", scratch / "grows", resources=small), Lab("beside", scratch / "beside")
    victim.up()
    neighbour.up()
    try:
        dockerd = victim.read_state()["dockerd_process"]
        post_huge_label(victim, 300 * 1024**2)
        oom = dict(line.split() for line in (CGROUPS / "memory" / victim.daemons_cgroup / "memory.oom_control").read_text().splitlines())
        assert int(oom["oom_kill"]) >= 1
        assert not processes.alive(dockerd)
        assert victim.status() == "broken"
        assert neighbour.status() == "up"
        assert processes.alive(neighbour.read_state()["dockerd_process"])
    finally:
        victim.down()
        neighbour.down()


def host_mounts_under(*folders: Path) -> list[str]:
    points = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    return [point for point in points if any(point == str(f) or point.startswith(f"{f}/") for f in folders)]


def test_dockerds_mounts_stay_in_the_labs_own_mount_namespace(scratch):
    lab = Lab("mounts", scratch / "mounts")
    lab.up()
    try:
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        for _ in range(3):
            container = api.create_container("alpine:3.14", ["sleep", "60"], host_config=api.create_host_config(tmpfs={"/scratch": "size=1m"}))
            api.start(container)
        api.close()
        dockerd = lab.read_state()["dockerd_pid"]
        inside = [line.split()[4] for line in Path(f"/proc/{dockerd}/mountinfo").read_text().splitlines()]
        assert len([point for point in inside if point.startswith(f"{lab.data_root}/")]) >= 3  # the containers' overlays
        assert host_mounts_under(lab.data_root) == [str(lab.data_root)]
        # the lab's own: its network namespaces, and the exchange folder where a run shows dockerd its copy
        assert sorted(host_mounts_under(lab.root)) == sorted([str(lab.netns), str(lab.registry_netns), str(lab.exchange)])
    finally:
        lab.down()
    assert host_mounts_under(lab.data_root, lab.root) == []


def subordinate_ranges() -> dict[str, range]:
    ranges = {}
    for line in Path("/etc/subuid").read_text().splitlines():
        name, start, count = line.split(":")
        ranges[name] = range(int(start), int(start) + int(count))
    return ranges


def container_uid(api: docker.APIClient, container: str) -> int:
    """The host uid that root in the container runs as."""
    pid = api.inspect_container(container)["State"]["Pid"]
    line = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Uid:"))
    return int(line.split()[1])


def test_each_lab_remaps_root_to_a_range_of_its_own(scratch):
    """Per-user kernel counts (pipe buffers, epoll watches) are per host uid: two labs never share one."""
    one, two = Lab("range-one", scratch / "one"), Lab("range-two", scratch / "two")
    one.up()
    two.up()
    try:
        uids = []
        for lab in (one, two):
            api = docker.APIClient(base_url=lab.host, version="auto")
            api.pull("alpine:3.14")
            container = api.create_container("alpine:3.14", ["sleep", "60"])
            api.start(container)
            uids.append(container_uid(api, container))
            api.close()
        assert uids[0] != uids[1]
        ranges = subordinate_ranges()
        users = [lab.read_state()["remap_user"] for lab in (one, two)]
        assert users[0] != users[1]
        assert uids[0] in ranges[users[0]] and uids[1] in ranges[users[1]]
        assert uids[0] not in ranges[users[1]] and uids[1] not in ranges[users[0]]
        others = [used for name, used in ranges.items() if name not in users]  # dockremap's and other labs'
        assert not any(uid in used for uid in uids for used in others)
    finally:
        one.down()
        two.down()
    assert not set(users) & set(subordinate_ranges())
    assert not any(line.split(":")[0] in users for line in Path("/etc/passwd").read_text().splitlines())


def test_what_dockerd_writes_into_a_tmpfs_volume_counts_against_the_daemons_cap(scratch):
    """`docker cp` into a tmpfs volume (`o=size=20g`) filled the host's RAM outside every cap: now each byte is the lab's."""
    lab = Lab("tmpfs", scratch / "tmpfs")
    lab.up()
    try:
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        api.create_volume("big", driver_opts={"type": "tmpfs", "device": "tmpfs", "o": "size=20g"})
        container = api.create_container("alpine:3.14", ["sleep", "60"], host_config=api.create_host_config(binds=["big:/big"]))
        api.start(container)
        usage = CGROUPS / "memory" / lab.daemons_cgroup / "memory.usage_in_bytes"
        before = int(usage.read_text())
        size = 64 * 1024**2
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w") as tar:
            entry = tarfile.TarInfo("blob")
            entry.size = size
            tar.addfile(entry, io.BytesIO(bytes(size)))
        api.put_archive(container, "/big", archive.getvalue())
        api.close()
        # charged to the daemons' cgroup (outside it, the growth would be about 0); what else the
        # daemons freed meanwhile may take a little off the 64 MiB
        assert int(usage.read_text()) - before >= size * 3 // 4
    finally:
        lab.down()
