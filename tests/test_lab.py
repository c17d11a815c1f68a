"""The offline lab: start, stop, leftovers, side by side, faults."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import docker
import pytest

from checks import cli, exercises, runner
from checks.lab import Lab, images, processes

from conftest import EXERCISES, ROOT


def live_processes_mentioning(text: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if text in cmdline and state != "Z":
            found.append(cmdline)
    return found


def wait_for_a_running_container(lab: Lab, limit: float = 120) -> None:
    """Polls the lab's daemon until a container runs: a submission's long command is then busy. The
    limit only keeps a broken run from hanging the suite; no time is asserted."""
    api = docker.APIClient(base_url=lab.host, version="1.41", timeout=10)
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            try:
                if api.containers(filters={"status": "running"}):
                    return
            except (docker.errors.DockerException, OSError):
                pass  # the lab's socket is not there yet, or its daemon not answering yet
            time.sleep(0.1)
    finally:
        api.close()
    raise AssertionError(f"no container ever ran in the lab at {lab.root}")


def leftovers(lab: Lab) -> list[str]:
    mounts = [line for line in Path("/proc/self/mountinfo").read_text().splitlines() if str(lab.root) in line or str(lab.data_root) in line]
    cgroups = [str(p) for name in (lab.tag, lab.daemons_cgroup) for p in Path("/sys/fs/cgroup").glob(f"*/{name}")]
    # With --userns-remap, dockerd makes remapped copies of folders that others cannot search,
    # beside them (scratch is 0700): "<scratch>.<first uid>.<first gid>" of the lab's range.
    remapped = [str(path) for path in lab.root.parent.parent.glob(f"{lab.root.parent.name}.*.*")]
    folders = [str(path) for path in (lab.root, lab.data_root) if path.exists()] + remapped
    processes = live_processes_mentioning(str(lab.root)) + live_processes_mentioning(lab.tag)  # shims: by the tag
    user = [line for line in Path("/etc/subuid").read_text().splitlines() if line.startswith(f"dg-{lab.tag.rsplit('-', 1)[-1]}:")]
    return processes + mounts + cgroups + folders + user


@pytest.fixture
def scratch(tmp_path_factory):
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="dgl-", dir="/tmp"))
    yield path
    import shutil

    shutil.rmtree(path, ignore_errors=True)


BUILD = """
import json
from checks.lab import images
print(json.dumps([[str(i.reference), i.id, i.manifest.digest] for i in images.lab_images()]))
"""


def built_in_a_process_of_its_own(tmp_path: Path, **env: str) -> list:
    """The course images' references, IDs and manifest digests, as a fresh interpreter builds them
    (lab_images is cached within a process, so only two processes can tell a difference)."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD], capture_output=True, text=True, check=True, cwd=tmp_path, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    return json.loads(done.stdout)


def test_images_are_reproducible(tmp_path):
    first = built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(tmp_path / "first"))
    second_began = int(time.time()) + 1
    while time.time() < second_began:  # a timestamp from the clock would differ between the two
        time.sleep(0.05)
    second = built_in_a_process_of_its_own(tmp_path, TZ="America/Sao_Paulo", LC_ALL="C", DOCKER_GRADER_CACHE=str(tmp_path / "second"))
    assert [reference for reference, _, _ in first] == ["docker.io/library/alpine:3.14", "docker.io/library/hello-world:latest"] + [
        f"docker.io/library/{name}" for name in ("alpine:latest", "debian:11", "debian:bullseye", "debian:latest", "ubuntu:20.04", "ubuntu:focal", "ubuntu:latest")
    ]
    assert first == second
    assert [[str(i.reference), i.id, i.manifest.digest] for i in images.lab_images()] == first
    hello = images.hello_elf()
    assert hello[:4] == b"\x7fELF" and len(hello) < 2048


def test_built_layers_are_cached_on_disk_by_their_inputs_and_a_damaged_file_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    built = built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache))
    files = {path.name.split("-")[0]: path for path in (cache / "layers").iterdir()}
    assert sorted(files) == ["busybox", "debian", "hello", "ubuntu"]
    assert built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache)) == built
    # A whole file is used as it is: a layer of other bytes, with its own digest, gives another image.
    other = images.Blob(b"other layer", images.LAYER_TYPE)
    files["hello"].write_bytes(f"sha256:{'0' * 64} {other.digest}\n".encode() + other.data)
    forged = built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache))
    assert forged[0] == built[0] and forged[1] != built[1]
    # Bytes that do not match their digest (a damaged file) are rebuilt, and the file rewritten.
    files["busybox"].write_bytes(files["busybox"].read_bytes()[:-10])
    files["hello"].write_bytes(files["hello"].read_bytes()[:-1])
    assert built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache)) == built
    assert built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache)) == built
    assert sorted(path.name for path in (cache / "layers").iterdir()) == sorted(path.name for path in files.values())


def test_processes_building_into_one_cache_at_once_agree(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_GRADER_CACHE": str(cache)}
    started = [subprocess.Popen([sys.executable, "-c", BUILD], stdout=subprocess.PIPE, text=True, cwd=tmp_path, env=env) for _ in range(4)]
    outputs = [json.loads(process.communicate(timeout=120)[0]) for process in started]
    assert all(output == outputs[0] for output in outputs)
    used = {name for item in images.COURSE_IMAGES for name in images.RECIPES[item["recipe"]][0]}
    assert len(list((cache / "layers").iterdir())) == len(used)  # one file per layer, no temporary file left
    assert built_in_a_process_of_its_own(tmp_path, DOCKER_GRADER_CACHE=str(cache)) == outputs[0]


def test_twenty_up_down_cycles_leave_nothing(scratch):
    lab = Lab("cycles", scratch / "lab")
    for _ in range(20):
        assert lab.up() is True
        assert lab.status() == "up"
        assert lab.down() is True
        assert leftovers(lab) == []


def test_two_labs_side_by_side_and_up_twice_changes_nothing(scratch, capsys):
    one, two = Lab("one", scratch / "one"), Lab("two", scratch / "two")
    try:
        one.up()
        two.up()
        assert one.status() == two.status() == "up"
        assert one.host != two.host and one.tag != two.tag
        state = one.read_state()
        assert one.up() is False
        assert one.read_state() == state
        # the same images, by ID, in both
        assert one.read_state()["images"] == two.read_state()["images"]
    finally:
        one.down()
        two.down()
    assert leftovers(one) == leftovers(two) == []


def test_lab_cli_up_env_status_down(scratch, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_GRADER_LABS", str(scratch))
    assert cli.main(["lab", "up", "--name", "cli", "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert "starting the local registry" in err and "lab cli is ready" in err
    assert cli.main(["lab", "env", "--name", "cli"]) == 0
    assert capsys.readouterr().out == f"export DOCKER_HOST=unix://{scratch}/cli/docker.sock\nexport DOCKER_CONFIG={scratch}/cli/docker-config\n"
    assert cli.main(["lab", "up", "--name", "cli", "--lang", "en"]) == 0
    assert "is up already" in capsys.readouterr().err
    assert cli.main(["lab", "status"]) == 0
    assert capsys.readouterr().out.startswith("cli  up  unix://")
    assert cli.main(["lab", "down", "--name", "cli"]) == 0
    capsys.readouterr()
    assert cli.main(["lab", "env", "--name", "cli", "--lang", "en"]) == 4
    assert "is not up" in capsys.readouterr().err


def test_check_against_a_lab_that_is_down_is_exit_3(scratch, capsys):
    lab = Lab("gone", scratch / "gone")
    lab.up()
    host = lab.host
    lab.down()
    assert cli.main(["check", "--host", host, "--lang", "en"]) == 3
    assert "is not answering" in capsys.readouterr().err


def course():
    return exercises.load([EXERCISES])


@pytest.mark.parametrize("example", ["full-marks", "partial", "tools"])
def test_examples_get_their_expected_score(example):
    expected = json.loads((ROOT / "examples" / "expected.json").read_text())[example]
    report = runner.run(ROOT / "examples" / example, course())
    assert report.error is None
    assert (report.score, report.max_score) == (expected["score"], expected["max_score"])


def test_a_hanging_command_is_stopped_and_the_rest_graded(tmp_path):
    (tmp_path / "run-hello-world").write_text("docker run alpine:3.14 sleep 600\ndocker run hello-world\n")
    (tmp_path / "pull-alpine.dc").write_text("docker pull alpine:3.14\n")
    report = runner.run(tmp_path, course()[:2], timeout=2)
    first, second = report.exercises
    assert first.commands[0].timed_out and first.commands[1].exit_code == 0
    assert first.error.key == "submission.timeout"
    assert first.score == 4 and second.score == 2  # a container of alpine is running: not-run fails


def test_refused_file_runs_nothing_and_scores_0(tmp_path):
    (tmp_path / "run-hello-world.dc").write_text("docker run hello-world\nrm -rf /tmp/x\n")
    report = runner.run(tmp_path, course()[:1])
    outcome = report.exercises[0]
    assert outcome.score == 0 and outcome.commands[0].refused.key == "policy.program"
    assert outcome.error.render("en") .startswith("no command of this file was run: line 2 was refused")


def test_killing_the_labs_dockerd_mid_run_is_a_clear_error(tmp_path, scratch):
    (tmp_path / "run-hello-world.dc").write_text("docker run alpine:3.14 sleep 5\n")
    lab = Lab("killed", scratch / "killed")
    lab.up()
    try:
        def kill_soon():
            wait_for_a_running_container(lab)  # mid-run: its `sleep 5` is running
            os.kill(lab.read_state()["dockerd_pid"], signal.SIGKILL)

        threading.Thread(target=kill_soon).start()
        report = runner.run(tmp_path, course()[:1], lab=lab)
        assert report.exit_code == 3
        assert report.error.key in ("daemon.unreachable", "daemon.lost")
    finally:
        lab.down()
    assert leftovers(lab) == []


def test_the_run_budget_stops_lines_from_running(tmp_path, capsys):
    (tmp_path / "run-hello-world.dc").write_text("docker run hello-world\ndocker ps -a\n")
    target = tmp_path / "result.json"
    code = cli.main(["run", str(tmp_path), "--exercise", "run-hello-world", "--run-timeout", "0.001",
                     "--format", "json", "--output", str(target), "--lang", "en"])
    commands = json.loads(target.read_text())["exercises"][0]["commands"]
    assert code == 1
    assert [c["refused"] for c in commands] == ["not run: the exercise's or the grading's time ran out"] * 2


def test_the_lab_records_its_isolation(scratch):
    lab = Lab("isolated", scratch / "isolated")
    lab.up()
    try:
        state = lab.read_state()
        inside = Path(f"/proc/{state['dockerd_pid']}/ns/net").resolve()
        assert state["userns"] is True and os.readlink(f"/proc/{state['dockerd_pid']}/ns/net") != os.readlink("/proc/self/ns/net")
        assert inside and state["cgroup_limits"]["pids.max"] == lab.resources.pids
        assert lab.data_root.is_mount()
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("hello-world:latest")
        container = api.create_container("hello-world:latest")
        api.start(container)
        assert api.wait(container, timeout=30)["StatusCode"] == 0
        api.close()
        # containerd writes a stack dump on SIGUSR1 (and when it is stopped hard) into its TMPDIR:
        # the lab's own folder, removed with it, never /tmp.
        (containerd,) = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                         if Path(f"/proc/{pid}/comm").exists() and Path(f"/proc/{pid}/comm").read_text().strip() == "containerd"
                         and str(lab.data_root) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")]
        os.kill(containerd, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while not list(lab.data_root.glob(f"containerd.{containerd}.stacks.log")) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list(lab.data_root.glob(f"containerd.{containerd}.stacks.log"))
        assert not Path(f"/tmp/containerd.{containerd}.stacks.log").exists()
    finally:
        lab.down()
    assert leftovers(lab) == []


@pytest.fixture
def signals():
    """A folder of the host's that containers may write to: root in them is an unprivileged uid here."""
    path = Path(tempfile.mkdtemp(prefix="dgl-signals-", dir="/tmp"))
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_down_kills_the_lab_and_its_running_containers_leaving_nothing(scratch, signals):
    """`down` kills dockerd rather than stopping it: a graceful stop would send the containers
    SIGTERM (and wait out their stop timeout, and dockerd's own wait for containerd). The
    containers here write down any SIGTERM they get, into a folder of the host's."""
    lab = Lab("killed-down", scratch / "killed-down")
    lab.up()
    try:
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        script = 'trap "echo TERM > /out/$HOSTNAME; exit 0" TERM; while true; do sleep 0.1; done'
        for policy in ("no", "always"):
            container = api.create_container(
                "alpine:3.14", ["sh", "-c", script],
                host_config=api.create_host_config(binds=[f"{signals}:/out"], restart_policy={"Name": policy}))
            api.start(container)
        assert len(api.containers(filters={"status": "running"})) == 2
        api.close()
        containerd = [pid for pid in map(int, Path(f"/sys/fs/cgroup/pids/{lab.daemons_cgroup}/cgroup.procs").read_text().split())
                      if processes.cmdline(pid).startswith("containerd ")]
        assert len(containerd) == 1
    finally:
        lab.down()
    assert leftovers(lab) == []
    assert list(signals.iterdir()) == []  # killed, never asked to stop
    assert not Path(f"/tmp/containerd.{containerd[0]}.stacks.log").exists()
