"""The lab's processes are found by what the lab recorded when it started them, never by a command line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docker
import pytest

from checks import lab as lab_module
from checks.errors import LabError
from checks.lab import Lab, Resources, orphans, processes
from checks.sandbox import Sandbox

from conftest import ROOT


@pytest.fixture
def scratch():
    path = Path(tempfile.mkdtemp(prefix="dgp-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def bystanders():
    """Processes of someone else's, stopped at the end of the test whatever happened."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def test_an_unrelated_process_whose_arguments_name_the_lab_survives_down(scratch, bystanders):
    lab = Lab("named", scratch / "named")
    lab.up()
    try:
        # Someone reading the lab's log, and a program that names the lab's folder and tag in its arguments.
        bystanders.append(subprocess.Popen(["tail", "-f", str(lab.dockerd_log)], stdout=subprocess.DEVNULL))
        bystanders.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", str(lab.root), lab.tag, str(lab.data_root)]))
    finally:
        assert lab.down() is True
    assert [process.poll() for process in bystanders] == [None, None]
    assert not lab.root.exists()


def test_a_recorded_pid_that_now_belongs_to_another_process_is_left_alone(bystanders):
    bystanders.append(subprocess.Popen(["sleep", "600"]))
    pid = bystanders[0].pid
    identity = {"pid": pid, "start": processes.start_time(pid)}
    assert processes.alive(identity)
    reused = {**identity, "start": identity["start"] - 1}  # the pid of a process that ended; the number came back
    assert not processes.alive(reused)
    processes.kill([reused, None, {"pid": None}])
    assert bystanders[0].poll() is None
    processes.kill([identity])
    assert bystanders[0].poll() is not None


def lab_command(scratch: Path, *args: str, prelude: str = "") -> list[str]:
    """`docker-grader lab ...` in a process of its own (``prelude`` runs first, in that interpreter)."""
    code = f"{prelude}\nfrom checks import cli\nraise SystemExit(cli.main({list(args)!r}))"
    return [sys.executable, "-c", code]


def environment(scratch: Path) -> dict:
    return {**os.environ, "DOCKER_GRADER_LABS": str(scratch), "PYTHONPATH": str(ROOT)}


def test_three_lab_ups_at_once_with_one_name_make_one_lab(scratch):
    starts = [subprocess.Popen(lab_command(scratch, "lab", "up", "--name", "race", "--lang", "en"), env=environment(scratch),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [(start.wait(timeout=300), start.stderr.read()) for start in starts]
    for start in starts:
        start.stdout.close()
        start.stderr.close()
    lab = Lab("race", scratch / "race")
    try:
        assert [code for code, _ in outcomes] == [0, 0, 0]
        assert not any("Traceback" in err for _, err in outcomes)
        assert sorted("lab race is ready" in err for _, err in outcomes) == [False, False, True]
        assert sorted("is up already" in err for _, err in outcomes) == [False, True, True]
        assert lab.status() == "up"
        assert [found.name for found in labs_in(scratch)] == ["race"]
    finally:
        lab.down()
    assert not lab.root.exists() and not lab.data_root.exists()


def labs_in(scratch: Path) -> list[Lab]:
    return [Lab(path.name, path) for path in sorted(scratch.iterdir()) if (path / "lab.json").exists()]


# The images are stored in well under a second; a pause before keeps the process there long
# enough for the signal to land while they are, every time.
SLOW_STORE = """
import time
from checks.lab import images
_store = images.store
images.store = lambda *args: (time.sleep(0.6), _store(*args))[1]
"""


def test_sigterm_while_the_images_are_stored_leaves_no_lab_that_status_calls_up(scratch):
    start = subprocess.Popen(lab_command(scratch, "lab", "up", "--name", "cut", "--lang", "en", prelude=SLOW_STORE),
                             env=environment(scratch), stderr=subprocess.PIPE, text=True)
    for line in start.stderr:
        if "storing" in line:
            start.send_signal(signal.SIGTERM)
            break
    start.wait(timeout=60)
    start.stderr.close()
    lab = Lab("cut", scratch / "cut")
    try:
        assert lab.root.exists()  # cut short, not cleaned: SIGTERM ends `lab up` where it is
        assert lab.status() == "broken"
        status = subprocess.run(lab_command(scratch, "lab", "status"), env=environment(scratch), capture_output=True, text=True)
        assert status.stdout.startswith("cut  broken  ")
        assert lab.up() is True  # made again from the start, not "up already"
        api = docker.APIClient(base_url=lab.host, version="auto")
        api.pull("alpine:3.14")
        assert api.images("alpine")
        api.close()
    finally:
        lab.down()


def test_a_dockerd_that_ends_during_start_is_exit_4_quoting_its_log(scratch, monkeypatch):
    monkeypatch.setattr(lab_module, "READY_TIMEOUT", 10.0)
    lab = Lab("ends", scratch / "ends", resources=Resources(nofile="not-a-limit"))
    with pytest.raises(LabError) as raised:
        lab.up()
    text = raised.value.render("en")
    assert "the lab's dockerd ended while the lab was starting" in text
    assert "nofile=not-a-limit" in text  # dockerd's own words, from its log
    assert raised.value.exit_code == 4
    assert not lab.root.exists()


def wait_for(found, what: str, tries: int = 600):
    """``found()`` once it is truthy, polling every 0.1 s; fails the test naming ``what`` otherwise."""
    for _ in range(tries):
        value = found()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never saw {what}")


def running_container(run: Path) -> bool:
    state = Lab("leftover", run / "lab").read_state()
    if not state.get("ready"):
        return False
    api = docker.APIClient(base_url=f"unix://{run / 'lab' / 'docker.sock'}", version="auto")
    try:
        return bool(api.containers(filters={"status": "running"}))
    finally:
        api.close()


def in_cgroups(*tags: str) -> list[dict]:
    """The identities of every process in these cgroups (any controller)."""
    return [processes.identity(int(pid)) for tag in tags for procs in Path("/sys/fs/cgroup").glob(f"*/{tag}/**/cgroup.procs")
            for pid in procs.read_text().split()]


def test_lab_down_all_removes_all_that_a_run_killed_by_sigkill_left(scratch):
    submission, temporary, labs = scratch / "submission", scratch / "tmp", scratch / "labs"
    os.chmod(scratch, 0o711)  # the sandbox's user goes through it to the run's folders
    for folder in (submission, temporary, labs):
        folder.mkdir(mode=0o711)
    (submission / "run-hello-world.dc").write_text("docker run alpine:3.14 sleep 600\n")
    env = {**environment(labs), "TMPDIR": str(temporary)}
    kept = Lab("kept", labs / "kept")
    kept.up()  # a lab of `lab up`'s, in the labs' folder: --all removes it too
    try:
        run = subprocess.Popen(lab_command(scratch, "run", str(submission), "--exercise", "run-hello-world"), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            (folder,) = wait_for(lambda: list(temporary.glob("dg-run-*")), "the run's scratch folder")
            wait_for(lambda: running_container(folder), "the student's container running")
        finally:
            run.kill()
            run.wait()
        lab, sandbox = Lab("leftover", folder / "lab"), Sandbox(folder / "sandbox", folder / "api" / "docker.sock")
        tags = (lab.tag, lab.daemons_cgroup, sandbox.tag, kept.tag, kept.daemons_cgroup)
        left = in_cgroups(*tags)
        assert len(left) >= 5  # dockerd, containerd, a shim, the registry, the container: all still there
        assert sandbox.files.is_mount() and lab.data_root.is_mount()

        done = subprocess.run(lab_command(scratch, "lab", "down", "--all", "--lang", "en"), env=env, capture_output=True, text=True, timeout=120)

        assert (done.returncode, done.stderr) == (0, "removed: 1 lab(s), and what 1 killed run(s) left (lab, sandbox, cgroups, folder)\n")
        assert list(temporary.iterdir()) == [] and not (labs / "kept").exists()
        assert not any(processes.alive(identity) for identity in left)
        assert [tag for tag in tags if list(Path("/sys/fs/cgroup").glob(f"*/{tag}"))] == []
        mounts = Path("/proc/self/mountinfo").read_text()
        assert str(scratch) not in mounts and str(lab.data_root) not in mounts and str(kept.data_root) not in mounts
        assert not lab.data_root.exists() and not kept.data_root.exists()
    finally:  # should the command have failed: what it had to remove goes all the same, never left on the machine
        for left_folder in temporary.glob("dg-run-*"):
            Sandbox(left_folder / "sandbox", left_folder / "api" / "docker.sock").close()
            Lab("leftover", left_folder / "lab").down()
        kept.down()


def test_lab_down_all_leaves_a_run_that_is_still_going(scratch):
    temporary = scratch / "tmp"
    live = temporary / "dg-run-live"
    (live / "lab").mkdir(parents=True)
    (live / "lab" / "lab.json").write_text(json.dumps({"owner": processes.identity(os.getpid())}))
    dead = temporary / "dg-run-dead"
    (dead / "lab").mkdir(parents=True)
    (dead / "lab" / "lab.json").write_text(json.dumps({"owner": {"pid": os.getpid(), "start": processes.start_time(os.getpid()) - 1}}))
    starting = temporary / "dg-run-starting"
    starting.mkdir()
    assert [orphans.left_behind(folder) for folder in orphans.runs(temporary)] == [True, False, False]


def test_a_lab_being_made_is_starting_and_one_cut_short_is_broken(scratch):
    lab = Lab("half", scratch / "half")
    lab.root.mkdir()
    lab.state_file.write_text(json.dumps({"name": "half", "owner": processes.identity(os.getpid())}))
    with lab._turn():  # as a `lab up` holds it while it makes the lab
        assert lab.status() == "starting"
    assert lab.status() == "broken"


def test_a_dockerd_killed_during_start_is_exit_4_at_once(scratch, monkeypatch):
    """Killed while the images are stored, before dockerd answers."""
    monkeypatch.setattr(lab_module, "READY_TIMEOUT", 20.0)  # had the kill gone unnoticed, this ends it as "not ready"
    lab = Lab("killed-start", scratch / "killed-start")
    real_store = lab_module.lab_images.store
    killed = []

    def kill_then_store(*args):
        os.kill(lab.read_state()["dockerd_pid"], signal.SIGKILL)
        killed.append(True)
        return real_store(*args)

    monkeypatch.setattr(lab_module.lab_images, "store", kill_then_store)
    with pytest.raises(LabError) as raised:
        lab.up()
    assert killed and raised.value.message.key == "lab.ended" and raised.value.exit_code == 4
    assert "dockerd.log (deleted with the lab):" in raised.value.render("en")
    assert not lab.root.exists()


def test_a_lab_whose_folder_was_removed_by_hand_is_still_stopped_by_its_cgroups(scratch):
    lab = Lab("by-hand", scratch / "by-hand")
    lab.up()
    state = lab.read_state()
    try:
        for point in (lab.netns, lab.registry_netns, lab.exchange):  # the lab's mounts, as someone removing it by hand must
            subprocess.run(["umount", "-l", str(point)], check=True)
        shutil.rmtree(lab.root)  # lab.json and the identities in it are gone
        assert lab.down() is False  # nothing to say "stopped" about, but nothing left running either
        assert not processes.alive(state["dockerd_process"]) and not processes.alive(state["registry_process"])
        assert not lab.data_root.exists()
        assert not any(line.startswith(f"{state['remap_user']}:") for line in Path("/etc/subuid").read_text().splitlines())
    finally:
        processes.kill([state["dockerd_process"], state["registry_process"]])
        Lab("by-hand", lab.root).down()
