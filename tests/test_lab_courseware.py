"""The lab for the course's later lessons, on a real daemon: the distributions' stand-ins, starting
states with volumes, networks and running containers, images shipped as `docker save` archives,
`-it` lines in `run`, and the `output` kind through `run`."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from checks import cli, exercises, runner
from checks.lab import Lab, archives, images
from checks.lab import start as start_state
from checks.runner import Budget

from conftest import EXERCISES


# --- lab images ----------------------------------------------------------------------------
def test_each_distribution_stand_in_says_which_it_is(daemon):
    for reference, lines in (
        ("alpine:3.14", ["ID=alpine", "VERSION_ID=3.14.2"]),
        ("alpine", ["ID=alpine"]),
        ("debian:11", ["ID=debian", 'VERSION_ID="11"', "VERSION_CODENAME=bullseye"]),
        ("debian", ["ID=debian"]),
        ("ubuntu:20.04", ["ID=ubuntu", 'VERSION_ID="20.04"', "ID_LIKE=debian"]),
        ("ubuntu:focal", ["ID=ubuntu"]),
    ):
        printed = daemon.docker("run", "--rm", reference, "cat", "/etc/os-release").splitlines()
        assert set(lines) <= set(printed), reference
    assert daemon.docker("run", "--rm", "ubuntu", "bash", "-c", "echo from bash") == "from bash\n"
    assert daemon.docker("run", "--rm", "debian", "cat", "/etc/debian_version") == "11.0\n"
    ids = {ref: daemon.docker("image", "inspect", "--format", "{{.Id}}", ref).strip() for ref in ("alpine:3.14", "alpine", "debian:11", "debian", "ubuntu")}
    assert ids["alpine"] == ids["alpine:3.14"] == images.lab_images()[0].id  # alpine:latest is the lesson's alpine
    assert ids["debian"] == ids["debian:11"] != ids["ubuntu"]
    # The distributions share the busybox layer and add one of their own.
    assert len(json.loads(daemon.docker("image", "inspect", "--format", "{{json .RootFS.Layers}}", "ubuntu"))) == 2
    assert daemon.docker("image", "inspect", "--format", "{{json .Config.Cmd}}", "debian").strip() == '["bash"]'


# --- starting states -----------------------------------------------------------------------
START = {
    "images": ["alpine:3.14"],
    "volumes": [{"name": "app-data", "labels": {"course": "docker"}}],
    "networks": [{"name": "app-net"}],
    "containers": [
        {"image": "alpine:3.14", "name": "web", "command": ["sleep", "3600"], "running": True, "network": "app-net",
         "volumes": ["app-data:/data"]},
        {"image": "hello-world", "count": 2},
        {"image": "alpine:3.14", "name": "done", "command": ["sh", "-c", "echo ready"]},
    ],
}


def test_a_starting_state_with_volumes_networks_and_a_running_container(daemon):
    for name in ("app-net",):
        for network in daemon.api.networks(names=[name]):
            daemon.api.remove_network(network["Id"])
    for volume in daemon.api.volumes().get("Volumes") or ():
        daemon.api.remove_volume(volume["Name"], force=True)
    start_state.apply(START, daemon.lab.host)
    web = daemon.api.inspect_container("web")
    assert web["State"]["Running"] and web["Config"]["Cmd"] == ["sleep", "3600"]
    assert list(web["NetworkSettings"]["Networks"]) == ["app-net"]
    assert [(m["Type"], m["Name"], m["Destination"]) for m in web["Mounts"]] == [("volume", "app-data", "/data")]
    assert web["HostConfig"]["PidsLimit"] == 256 and web["HostConfig"]["LogConfig"]["Config"]["max-size"] == "10m"
    assert daemon.api.inspect_volume("app-data")["Labels"] == {"course": "docker"}
    assert daemon.api.inspect_network("app-net")["Driver"] == "bridge"
    done = daemon.api.inspect_container("done")
    assert done["State"]["Status"] == "exited" and daemon.api.logs("done") == b"ready\n"
    assert len(daemon.api.containers(all=True, filters={"ancestor": "hello-world"})) == 2
    before = sorted(c["Id"] for c in daemon.api.containers(all=True))

    # Where it is there already, nothing is added; a named container that was stopped runs again.
    daemon.api.kill("web")
    start_state.apply(START, daemon.lab.host)
    assert sorted(c["Id"] for c in daemon.api.containers(all=True)) == before
    assert daemon.api.inspect_container("web")["State"]["Running"]
    assert len(daemon.api.networks(names=["app-net"])) == 1 and len(daemon.api.volumes()["Volumes"]) == 1

    # What runs when the exercise ends is killed, like the student's own containers.
    start_state.stop_running(daemon.lab.host)
    assert daemon.api.containers() == []
    daemon.api.remove_network("app-net")


def test_running_containers_are_counted_only_when_running(daemon):
    item = {"image": "alpine:3.14", "command": ["sleep", "3600"], "running": True, "count": 2}
    start_state.apply({"containers": [item]}, daemon.lab.host)
    assert len(daemon.api.containers()) == 2
    start_state.stop_running(daemon.lab.host)
    start_state.apply({"containers": [item]}, daemon.lab.host)  # the two exited ones do not count
    assert len(daemon.api.containers()) == 2 and len(daemon.api.containers(all=True)) == 4
    start_state.stop_running(daemon.lab.host)


def test_a_running_container_whose_command_ends_does_not_hold_the_start(daemon, monkeypatch):
    asked = []
    inspect = type(daemon.api).inspect_container

    def counting(self, container):
        asked.append(container)
        return inspect(self, container)

    monkeypatch.setattr(type(daemon.api), "inspect_container", counting)
    start_state.apply({"containers": [{"image": "alpine:3.14", "name": "quick", "command": ["true"], "running": True}]}, daemon.lab.host)
    monkeypatch.undo()
    assert daemon.api.inspect_container("quick")["State"]["Status"] == "exited"
    # It was looked at until it had ended, not for the whole UP_WAIT (UP_WAIT / POLL = 100 looks).
    assert 1 <= len(asked) < 50


@pytest.mark.parametrize("start, where", [
    ({"containers": [{"image": "alpine:3.14", "name": "web", "count": 2}]}, "$.start.containers[0].count"),
    ({"containers": [{"image": "alpine:3.14", "volumes": ["/etc:/host"]}]}, "$.start.containers[0].volumes[0]"),
    ({"containers": [{"image": "alpine:3.14", "count": 21}]}, "$.start.containers[0].count"),
    ({"volumes": [{"name": "bad name"}]}, "$.start.volumes[0].name"),
    ({"networks": [{"name": "net", "driver": "host"}]}, "$.start.networks[0].driver"),
])
def test_starting_states_out_of_bounds_are_refused_with_their_line(tmp_path, capsys, start, where):
    path = tmp_path / "ex.yaml"
    path.write_text(exercise_text("start-bounds", {"start": start}))
    assert cli.main(["validate", str(path), "--lang", "en"]) == 2
    out = capsys.readouterr()
    assert f"{path}:" in out.out + out.err and where in out.out + out.err


def exercise_text(exercise_id: str, extra: dict, checks: list | None = None) -> str:
    document = {
        "id": exercise_id, "lesson": "courseware", "order": 1,
        "title": {"pt-BR": "Um exercício", "en": "An exercise"},
        "description": {"pt-BR": "Um exercício.", "en": "An exercise."},
        **extra,
        "checks": checks or [{"name": "alpine-here", "kind": "image", "image": "alpine:3.14", "points": 1,
                              "hint": {"pt-BR": "Baixe a alpine.", "en": "Pull alpine."}}],
    }
    return json.dumps(document, indent=1)  # JSON is YAML: one key a line, so faults have lines
