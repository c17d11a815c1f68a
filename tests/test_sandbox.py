"""The hostile-submission suite: what a student who wants full marks may try in `docker-grader run`.

Each probe is a command file (with the files a submission may carry) graded by ``runner.run``
in a lab of this module's own, through the CLI sandbox and the API boundary, as in CI. After
every probe the host must be unchanged:

- a canary folder (root-only, with a secret) was neither read nor written;
- a service on the host's loopback got no connection;
- a second lab ("neighbour") has the same containers, images and registry content;
- no container of the hostile lab is left running;
- grading completed, with a valid document in every format.

Each probe is refused (the boundary's reason reaches the student as the docker CLI's error)
or contained (it runs, and what it reaches is the lab's own). The layers are also tested
one by one: the daemon boundary on its own at the end of this file, the API boundary on its
own in tests/test_boundary.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import docker
import pytest

from checks import exercises, runner, sandbox, submission
from checks.boundary import Limits
from checks.lab import REGISTRY, Lab, Resources, netns
from checks.lab import start as start_state
from checks.report import WRITERS

from conftest import ROOT
from test_reports import schema

REFUSED = "docker-grader refused this request"
PROBE_EXERCISE = """
id: probe
lesson: hostile
order: 1
title: {pt-BR: Sonda, en: Probe}
description: {pt-BR: Uma sonda., en: A probe.}
start: {images: [alpine:3.14]}
checks:
  - name: alpine-here
    kind: image
    image: alpine:3.14
    points: 1
    hint: {pt-BR: Baixe a alpine., en: Pull alpine.}
"""


# --- the host's canaries ---------------------------------------------------------------------
class Canary:
    """A root-only folder with a secret, and a service on the host's loopback that counts its visitors."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="dg-canary-", dir="/tmp"))
        self.token = secrets.token_hex(16)
        (self.folder / "secret").write_text(self.token + "\n")
        os.chmod(self.folder / "secret", 0o600)
        (self.folder / "compose.yml").write_text("services: {s: {image: alpine:3.14}}\n")
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.visits = 0
        threading.Thread(target=self._serve, daemon=True).start()
        self.before = self.state()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.visits += 1
            conn.close()

    def state(self) -> dict:
        return {
            str(path.relative_to(self.folder)): (path.stat().st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
            for path in sorted(self.folder.rglob("*"))
        }

    def restore(self):
        """Removes what a failed probe planted, so that the next probe is judged on its own."""
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if str(path.relative_to(self.folder)) not in self.before:
                path.unlink() if not path.is_dir() or path.is_symlink() else shutil.rmtree(path)
        self.visits = 0

    def close(self):
        self.server.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def canary():
    the_canary = Canary()
    yield the_canary
    the_canary.close()


@pytest.fixture(scope="module")
def labs():
    """The hostile lab (small limits, so that floods end fast) and a neighbour that must stay untouched."""
    scratch = Path(tempfile.mkdtemp(prefix="dgh-", dir="/tmp"))
    hostile = Lab("hostile", scratch / "hostile", resources=Resources(pids=200, memory=384 * 1024**2, cpus=1.0, data_size="1g"))
    neighbour = Lab("neighbour", scratch / "neighbour")
    hostile.up()
    neighbour.up()
    api = docker.APIClient(base_url=neighbour.host, version="auto")
    api.pull("alpine:3.14")
    api.create_container("alpine:3.14", name="neighbours-own")
    try:
        yield hostile, neighbour
    finally:
        api.close()
        hostile.down()
        neighbour.down()
        shutil.rmtree(scratch, ignore_errors=True)


def neighbour_state(lab: Lab) -> tuple:
    api = docker.APIClient(base_url=lab.host, version="auto")
    try:
        containers = sorted((c["Id"], c["State"]) for c in api.containers(all=True))
        images = sorted(i["Id"] for i in api.images())
    finally:
        api.close()

    def catalog():
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://{REGISTRY}/v2/_catalog", timeout=5) as answer:
            repositories = json.loads(answer.read())["repositories"]
        tags = {}
        for name in repositories:
            with opener.open(f"http://{REGISTRY}/v2/{name}/tags/list", timeout=5) as answer:
                tags[name] = sorted(json.loads(answer.read())["tags"] or [])
        return tags

    return containers, images, netns.run_in(lab.netns, catalog)


def reset(lab: Lab) -> None:
    api = docker.APIClient(base_url=lab.host, version="auto")
    try:
        for container in api.containers(all=True):
            api.remove_container(container["Id"], force=True, v=True)
        api.prune_volumes()
        api.prune_networks()
        for image in api.images():
            if not {"alpine:3.14", "hello-world:latest"} & set(image.get("RepoTags") or []):
                api.remove_image(image["Id"], force=True)
    finally:
        api.close()


# --- probes ----------------------------------------------------------------------------------
@dataclass
class Probe:
    id: str
    lines: list[str]
    expect: str = "refused"  # refused: the last line gets the boundary's refusal; fails: it fails; runs: it succeeds
    files: dict[str, str] = field(default_factory=dict)
    then: Callable | None = None  # more assertions: then(outcome, lab, canary)
    limits: Limits = Limits(containers=10)


def container_inspect(lab: Lab, name: str) -> dict:
    api = docker.APIClient(base_url=lab.host, version="auto")
    try:
        return api.inspect_container(name)
    finally:
        api.close()


def pids_limited(outcome, lab, canary):
    assert container_inspect(lab, "bomb")["HostConfig"]["PidsLimit"] == Limits().pids


def oom_or_failed(outcome, lab, canary):
    state = container_inspect(lab, "hog")["State"]
    assert state["OOMKilled"] or state["ExitCode"] != 0


def disk_capped(outcome, lab, canary):
    state = container_inspect(lab, "filler")["State"]
    assert state["ExitCode"] != 0  # no room (or no memory) for 2 GB, on a 1 GB data-root
    assert shutil.disk_usage(lab.data_root).used <= 1024**3


def log_capped(outcome, lab, canary):
    info = container_inspect(lab, "flood")
    assert info["HostConfig"]["LogConfig"]["Config"]["max-size"] == Limits().log_size
    assert os.path.getsize(info["LogPath"]) <= 11 * 1024**2


def output_bounded(outcome, lab, canary):
    flood = outcome.commands[-1]
    assert flood.timed_out and len(flood.output.encode()) <= submission.MAX_OUTPUT + 64
    assert "bytes more]" in flood.output


def nothing_planted_ran(outcome, lab, canary):
    assert all("BusyBox" not in run.output for run in outcome.commands[-2:])


def built_and_copied(outcome, lab, canary):
    assert all(run.exit_code == 0 for run in outcome.commands), [(r.text, r.output) for r in outcome.commands]
    assert "copied-in" in outcome.commands[-1].output


def bridge_reaches_nothing_of_the_host(outcome, lab, canary):
    assert "reached" not in outcome.commands[-1].output


def too_many(outcome, lab, canary):
    outputs = [run.output for run in outcome.commands]
    assert sum(REFUSED in text for text in outputs) == 2 and "containers" in outputs[-1]


def rest_not_run(outcome, lab, canary):
    assert outcome.commands[-1].refused.key == "submission.budget"


COMPOSE_BIND = "services:\n  web:\n    image: alpine:3.14\n    volumes: ['{canary}:/h']\n"
COMPOSE_PRIVILEGED = "services:\n  web:\n    image: alpine:3.14\n    privileged: true\n"
COMPOSE_OK = "services:\n  web:\n    image: alpine:3.14\n    command: echo composed\n"
BUILD = "FROM alpine:3.14\nCOPY note.txt /note.txt\nCMD [\"cat\", \"/note.txt\"]\n"
ADD_URL = "FROM alpine:3.14\nADD http://127.0.0.1:{port}/secret /secret\n"
BRIDGE_SCRIPT = (
    "gw=$(ip route | awk '/default/ {{print $3}}')\n"
    "for target in 127.0.0.1 $gw; do nc -w 2 $target {port} </dev/null && echo reached $target; done\n"
    "true\n"
)
FORK_BOMB = "docker run --name bomb alpine:3.14 sh -c 'i=0; while [ $i -lt 400 ]; do sleep 20 & i=$((i+1)); done; wait'"

PROBES = [
    # host files through the CLI: the sandbox sees none of the host
    Probe("cp-out-to-host", ["docker create --name c1 alpine:3.14", "docker cp c1:/bin/busybox {canary}/planted"], "fails"),
    Probe("cp-out-to-system", ["docker create --name c1 alpine:3.14", "docker cp c1:/bin/busybox /usr/local/bin/planted"], "fails"),
    Probe("save-to-host", ["docker image save -o {canary}/image.tar alpine:3.14"], "fails"),
    Probe("export-to-host", ["docker create --name c1 alpine:3.14", "docker container export -o {canary}/c1.tar c1"], "fails"),
    Probe("env-file", ["docker run --rm --env-file {canary}/secret alpine:3.14 env"], "fails"),
    Probe("label-file", ["docker run --rm --label-file /etc/shadow alpine:3.14 true"], "fails"),
    Probe("cidfile-on-host", ["docker run --rm --cidfile {canary}/cid alpine:3.14 true"], "fails"),
    Probe("build-host-context", ["docker build -t stolen {canary}"], "fails"),
    Probe("build-grader-files", [f"docker build -t stolen {ROOT}"], "fails"),
    Probe("load-host-file", ["docker image load -i {canary}/secret"], "fails"),
    Probe("import-host-file", ["docker import {canary}/secret stolen"], "fails"),
    Probe("compose-file-on-host", ["docker-compose -f {canary}/compose.yml up -d"], "fails"),
    Probe("plant-cli-plugin", [
        "docker create --name c1 alpine:3.14",
        "docker cp c1:/bin/busybox .docker/cli-plugins/docker-compose",
        "docker cp c1:/bin/busybox cli-plugins/docker-compose",
        "docker cp c1:/bin/busybox /run/docker-config/cli-plugins/docker-compose",  # DOCKER_CONFIG is writable
        "docker compose version",
        "docker --log-level error compose version",
    ], "runs" if sandbox.compose_plugin() else "fails", then=nothing_planted_ran),  # the grader's Compose v2, or none
    # host paths through the daemon
    Probe("bind-mount", ["docker run --rm -v {canary}:/h alpine:3.14 cat /h/secret"]),
    Probe("bind-mount-no-space", ["docker run --rm -v{canary}:/h alpine:3.14 cat /h/secret"]),
    Probe("bind-mount-combined-flags", ["docker run --rm -tv{canary}:/h alpine:3.14 cat /h/secret"]),
    Probe("bind-root", ["docker run --rm -v /:/host alpine:3.14 ls /host"]),
    Probe("mount-bind", ["docker run --rm --mount type=bind,source={canary},target=/h alpine:3.14 cat /h/secret"]),
    Probe("mount-bind-upper", ["docker run --rm --mount TYPE=BIND,SOURCE={canary},TARGET=/h alpine:3.14 cat /h/secret"], "fails"),
    Probe("volume-opt-bind", [
        "docker volume create --driver local --opt type=none --opt o=bind --opt device={canary} v1",
    ]),
    Probe("mount-volume-opt-bind", [
        "docker run --rm --mount type=volume,source=v2,target=/h,volume-opt=type=none,volume-opt=o=bind,volume-opt=device={canary} alpine:3.14 cat /h/secret",
    ]),
    Probe("volume-ext4-device", ["docker volume create --opt type=ext4 --opt device=/dev/vda v3"]),
    Probe("volume-proc", ["docker volume create --opt type=proc --opt device=proc v4"]),
    Probe("volume-overlay", ["docker volume create --opt type=overlay --opt device=overlay --opt o=lowerdir=/etc v5"]),
    Probe("device", ["docker run --rm --device /dev/vda alpine:3.14 true"]),
    Probe("device-cgroup-rule", ['docker run --rm --device-cgroup-rule "c 1:11 rwm" alpine:3.14 true']),
    Probe("compose-bind", ["docker-compose up -d"], files={"docker-compose.yml": COMPOSE_BIND}),
    Probe("compose-privileged", ["docker-compose up -d"], files={"docker-compose.yml": COMPOSE_PRIVILEGED}),
    # host namespaces and capabilities
    Probe("privileged", ["docker run --rm --privileged alpine:3.14 true"]),
    Probe("pid-host", ["docker run --rm --pid host alpine:3.14 ps"]),
    Probe("network-host", ["docker run --rm --network host alpine:3.14 true"]),
    Probe("ipc-host", ["docker run --rm --ipc host alpine:3.14 true"]),
    Probe("uts-host", ["docker run --rm --uts host alpine:3.14 true"]),
    Probe("userns-host", ["docker run --rm --userns host alpine:3.14 true"]),
    Probe("cap-add", ["docker run --rm --cap-add SYS_ADMIN alpine:3.14 true"]),
    Probe("seccomp-unconfined", ["docker run --rm --security-opt seccomp=unconfined alpine:3.14 true"]),
    Probe("systempaths-unconfined", ["docker run --rm --security-opt systempaths=unconfined alpine:3.14 true"]),
    Probe("cgroup-parent", ["docker run --rm --cgroup-parent /escape alpine:3.14 true"]),
    Probe("sysctl", ["docker run --rm --sysctl kernel.shm_rmid_forced=1 alpine:3.14 true"]),
    Probe("ulimit-above-lab", ["docker run --rm --ulimit nofile=1048576:1048576 alpine:3.14 true"]),
    Probe("pids-limit-lifted", ["docker run --rm --pids-limit -1 alpine:3.14 true"]),
    Probe("exec-privileged", ["docker run -d --name c2 alpine:3.14 sleep 60", "docker exec --privileged c2 true"]),
    Probe("update-lifts-limits", ["docker run -d --name c2 alpine:3.14 sleep 60", "docker update --pids-limit -1 c2"]),
    # host and loopback network, other labs
    Probe("pull-host-loopback", ["docker pull 127.0.0.1:{port}/x:1"]),
    Probe("pull-localhost", ["docker pull localhost:{port}/x:1"]),
    Probe("pull-other-registry", ["docker pull registry.example.com/x:1"]),
    Probe("push-elsewhere", ["docker tag alpine:3.14 127.0.0.1:{port}/x:1", "docker push 127.0.0.1:{port}/x:1"]),
    Probe("push-own-registry", ["docker tag alpine:3.14 " + REGISTRY + "/library/alpine:3.14", "docker push " + REGISTRY + "/library/alpine:3.14"], "runs"),
    Probe("import-url", ["docker import http://127.0.0.1:{port}/x.tar stolen"]),
    Probe("build-url", ["docker build -t stolen http://127.0.0.1:{port}/context.tar"], "fails"),
    Probe("add-url", ["docker build -t stolen ."], "fails", files={"Dockerfile": ADD_URL}),
    Probe("log-syslog", ["docker run --rm --log-driver syslog --log-opt syslog-address=tcp://127.0.0.1:{port} alpine:3.14 echo hi"]),
    Probe("log-gelf", ["docker run --rm --log-driver gelf --log-opt gelf-address=udp://127.0.0.1:{port} alpine:3.14 echo hi"]),
    Probe("log-fluentd", ["docker run --rm --log-driver fluentd --log-opt fluentd-address=127.0.0.1:{port} alpine:3.14 echo hi"]),
    Probe("log-splunk", ["docker run --rm --log-driver splunk --log-opt splunk-url=http://127.0.0.1:{port} alpine:3.14 echo hi"]),
    Probe("macvlan", ["docker network create -d macvlan -o parent=eth0 mv"]),
    Probe("ipvlan", ["docker network create -d ipvlan -o parent=eth0 iv"]),
    Probe("bridge-to-host", [
        "docker network create n1",
        "docker build -t prober .",
        "docker run --rm --network n1 prober sh /probe.sh",
    ], "runs", files={"Dockerfile": "FROM alpine:3.14\nCOPY probe.sh /probe.sh\n", "probe.sh": BRIDGE_SCRIPT},
        then=bridge_reaches_nothing_of_the_host),
    # the grader's own files and results, and containers left running
    Probe("left-running", ["docker run -d --restart always alpine:3.14 sleep 600"], "runs"),
    Probe("plugin-install", ["docker plugin install vieux/sshfs"]),
    Probe("swarm-init", ["docker swarm init"]),
    Probe("context-elsewhere", ["docker context create evil --docker host=unix:///var/run/docker.sock", "docker context use evil"], "fails"),
    # resources
    Probe("fork-bomb", [FORK_BOMB], "fails", then=pids_limited),
    Probe("memory-hog", ['docker run --name hog alpine:3.14 sh -c "head -c 2000m /dev/zero | tail"'], "fails", then=oom_or_failed),
    Probe("disk-fill", ['docker run --name filler alpine:3.14 sh -c "head -c 2000m /dev/zero > /big"'], "fails", then=disk_capped),
    Probe("log-flood", ['docker run -d --name flood alpine:3.14 sh -c "yes flooding"', "docker wait flood"], "fails", then=log_capped),
    Probe("output-flood", ['docker run --rm alpine:3.14 sh -c "yes flooding"'], "fails", then=output_bounded),
    Probe("too-many-containers", ["docker create alpine:3.14"] * 12, then=too_many),
    Probe("budget", ["docker run --rm alpine:3.14 sleep 20", "docker run --rm alpine:3.14 sleep 20", "docker ps"], "budget", then=rest_not_run),
    # what a course needs, which the boundary must let through
    Probe("build-cp-compose", [
        "docker build -t course-app .",
        "docker run --name app course-app",
        "docker cp app:/note.txt copied.txt",
        "docker cp copied.txt app:/copied.txt",
        "docker image save -o app.tar course-app",
        "docker image load -i app.tar",
        "docker-compose up",
        "docker run --rm -v data:/data alpine:3.14 sh -c 'echo copied-in > /data/x; cat /data/x'",
    ], "runs", files={"Dockerfile": BUILD, "note.txt": "a note\n", "docker-compose.yml": COMPOSE_OK}, then=built_and_copied),
]


@pytest.fixture(scope="module")
def probe_course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe-course")
    (folder / "probe.yaml").write_text(PROBE_EXERCISE)
    return exercises.load([folder])


def complete_documents(report) -> None:
    """Every format renders, and the structured ones read back valid."""
    for name, write in WRITERS.items():
        text = write(report, "en")
        assert text.strip(), name
        if name in ("json", "gradescope", "classroom", "trybe"):
            document = json.loads(text)
            errors = [e.message for e in schema(name).iter_errors(document)]
            assert not errors, (name, errors)
        elif name == "junit":
            ElementTree.fromstring(text)


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_probe_is_refused_or_contained(probe, labs, canary, probe_course, tmp_path, monkeypatch):
    hostile, neighbour = labs
    reset(hostile)
    before = neighbour_state(neighbour)
    values = {"canary": canary.folder, "port": canary.port}
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.dc").write_text("\n".join(line.format(**values) for line in probe.lines) + "\n")
    for name, content in probe.files.items():
        (folder / name).write_text(content.format(**values))
    budget = runner.Budget(command=8, exercise=12 if probe.expect == "budget" else 60, run=90)

    report = runner.run(folder, probe_course, lab=hostile, budget=budget, limits=probe.limits)

    assert report.error is None, report.error.render("en")
    outcome = report.exercises[0]
    last = outcome.commands[-1]
    shown = [(run.text, run.exit_code, run.output[-300:]) for run in outcome.commands]
    if probe.expect == "refused":
        assert REFUSED in last.output and last.exit_code != 0, shown
    elif probe.expect == "fails":
        assert last.exit_code != 0 or last.timed_out, shown
    elif probe.expect == "runs":
        assert last.exit_code == 0, shown
    if probe.then:
        probe.then(outcome, hostile, canary)
    # the host is unchanged
    try:
        assert canary.state() == canary.before
        assert canary.visits == 0
    finally:
        canary.restore()
    assert all(canary.token not in run.output for run in outcome.commands)
    assert neighbour_state(neighbour) == before
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        assert api.containers(filters={"status": "running"}) == []
    finally:
        api.close()
    complete_documents(report)


def test_the_suite_is_large_enough():
    assert len(PROBES) >= 40


# --- fair scoring ----------------------------------------------------------------------------
def course():
    from conftest import EXERCISES

    return exercises.load([EXERCISES])


def test_an_empty_submission_scores_0(labs, tmp_path):
    hostile, _ = labs
    reset(hostile)
    report = runner.run(tmp_path, course(), lab=hostile)
    assert report.error is None and report.score == 0
    assert all(outcome.error.key == "submission.missing" for outcome in report.exercises)


def test_work_in_one_file_does_not_earn_another_exercises_points(labs, tmp_path):
    hostile, _ = labs
    reset(hostile)
    (tmp_path / "run-hello-world.dc").write_text("docker run hello-world\ndocker pull alpine:3.14\n")
    report = runner.run(tmp_path, course()[:2], lab=hostile)
    run_hello, pull = report.exercises
    assert run_hello.score == run_hello.max_score and pull.score == 0
    assert pull.error.key == "submission.missing"


def test_a_starting_state_meeting_a_never_ending_image_still_reports(labs, tmp_path, monkeypatch):
    hostile, _ = labs
    reset(hostile)
    monkeypatch.setattr(start_state, "RUN_WAIT", 1)
    # The student re-tags hello-world to an image whose command never ends; the next
    # exercise's starting state then runs it.
    (tmp_path / "run-hello-world.dc").write_text(
        "docker run --name base alpine:3.14 true\n"
        "docker commit --change 'CMD [\"sleep\", \"600\"]' base hello-world:latest\n"
    )
    chosen = [e for e in course() if e.id in ("run-hello-world", "remove-containers")]
    report = runner.run(tmp_path, chosen, lab=hostile)
    assert report.error is None, report.error.render("en")
    assert [o.exercise.id for o in report.exercises] == ["run-hello-world", "remove-containers"]
    complete_documents(report)


# --- the daemon boundary on its own: what holds if a request slipped through -----------------
def test_root_in_a_container_is_not_root_on_the_host(labs, canary):
    """Straight to dockerd, no boundary: a bind mount of the canary reads and writes nothing."""
    hostile, _ = labs
    reset(hostile)
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        container = api.create_container(
            "alpine:3.14", ["sh", "-c", "cat /h/secret; echo x > /h/planted; id -u"],
            host_config=api.create_host_config(binds=[f"{canary.folder}:/h"]),
        )
        api.start(container)
        api.wait(container, timeout=30)
        logs = api.logs(container).decode()
    finally:
        api.close()
    assert "Permission denied" in logs and canary.token not in logs
    assert canary.state() == canary.before


@pytest.mark.parametrize("network", ["probe-net", "default"])
def test_the_labs_network_reaches_nothing_of_the_host(labs, canary, tmp_path, network):
    """Straight to dockerd: a container on a user-defined bridge, or the default one, tries the host's loopback service."""
    hostile, _ = labs
    reset(hostile)
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        if network == "probe-net":
            api.create_network("probe-net")
        script = BRIDGE_SCRIPT.format(port=canary.port)
        container = api.create_container(
            "alpine:3.14", ["sh", "-c", script], host_config=api.create_host_config(network_mode=network),
        )
        api.start(container)
        api.wait(container, timeout=30)
        logs = api.logs(container).decode()
    finally:
        api.close()
    assert "reached" not in logs and canary.visits == 0
    host_links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert "br-" not in host_links and "docker0" not in host_links  # the lab's bridges live in its own namespace


def test_the_labs_cgroup_caps_processes_without_a_per_container_limit(labs):
    """Straight to dockerd, no PidsLimit: the lab's cgroup parent still stops a fork bomb."""
    hostile, _ = labs
    reset(hostile)
    limit = hostile.resources.pids
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        container = api.create_container(
            "alpine:3.14", ["sh", "-c", "i=0; while [ $i -lt 400 ]; do sleep 30 & i=$((i+1)); done; sleep 2; echo done"],
        )
        api.start(container)
        api.wait(container, timeout=60)
        logs = api.logs(container).decode()
        pids = Path(f"/sys/fs/cgroup/pids/{hostile.tag}/pids.max").read_text().strip()
        api.remove_container(container, force=True)
    finally:
        api.close()
    assert pids == str(limit)
    assert "can't fork" in logs or "Resource temporarily unavailable" in logs


def test_the_tools_example_runs_compose_build_cp_save_and_load(labs):
    """examples/tools: every command succeeds inside the sandbox, and the lesson gets full marks."""
    hostile, _ = labs
    reset(hostile)
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        for reference in ("alpine:3.14", "hello-world:latest"):  # so that the example pulls them itself
            try:
                api.remove_image(reference, force=True)
            except docker.errors.ImageNotFound:
                pass
    finally:
        api.close()
    report = runner.run(ROOT / "examples" / "tools", course(), lab=hostile)
    failed = [(run.text, run.output[-200:]) for o in report.exercises for run in o.commands if run.exit_code != 0]
    assert failed == []
    used = " ".join(run.text for o in report.exercises for run in o.commands)
    assert all(tool in used for tool in ("docker-compose", "docker build", "docker cp", "image save", "image load"))
    assert (report.score, report.max_score) == (17, 17)
