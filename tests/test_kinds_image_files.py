"""image_config, files, volumes and networks on a real daemon, passing and failing: an image
built with `docker build`, a re-tagged image, a symbolic link, a container removed while grading,
and what each kind costs in requests, whatever else the daemon holds."""

from __future__ import annotations

import subprocess

import pytest

from checks.daemon import connect, read_snapshot
from checks.kinds import files, image_config, networks, volumes

from test_requests import served

DOCKERFILE = """\
FROM alpine:3.14
RUN mkdir /app && echo hi > /app/x && ln -s /app/x /app/link && ln -s x /app/relative
COPY note.txt /app/note.txt
WORKDIR /app
ENV MODE=production
EXPOSE 80 53/udp
LABEL course=docker
USER nobody
HEALTHCHECK CMD cat /app/x
CMD ["cat", "/app/note.txt"]
"""
BUILT = {"cmd": ["cat", "/app/note.txt"], "exposed_ports": [80, "53/udp"], "user": "nobody", "workdir": "/app",
         "env": {"MODE": "production", "PATH": True, "DEBUG": False}, "labels": {"course": "docker"},
         "healthcheck": "cat /app/x", "layers": 3, "instructions": ["COPY", "mkdir /app"], "base": "alpine:3.14",
         "max_size_mb": 3}


@pytest.fixture
def lab_daemon(daemon):
    """The emptied daemon, with no volume and no network of a test's own either, before and after."""
    def clear():
        daemon.reset()
        for volume in daemon.api.volumes().get("Volumes") or []:
            daemon.api.remove_volume(volume["Name"], force=True)
        for network in daemon.api.networks():
            if network["Name"] not in ("bridge", "host", "none"):
                daemon.api.remove_network(network["Id"])
    clear()
    yield daemon
    clear()


def evaluate(daemon, kind, **spec):
    with connect(daemon.lab.host) as client:
        return kind.evaluate(spec, read_snapshot(client))


def build(daemon, tmp_path, tag: str = "app:1", dockerfile: str = DOCKERFILE) -> None:
    """`docker build` with the classic builder, as a student would, from a folder of its own."""
    daemon.docker("pull", "alpine:3.14")
    context = tmp_path / tag.replace(":", "-")
    context.mkdir()
    (context / "Dockerfile").write_text(dockerfile)
    (context / "note.txt").write_text("hello note\n")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/tmp", "DOCKER_BUILDKIT": "0", **daemon.lab.environment()}
    done = subprocess.run(["docker", "build", "-q", "-t", tag, str(context)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr


# --- image_config -------------------------------------------------------------------------
def test_image_config_of_a_built_image(lab_daemon, tmp_path):
    build(lab_daemon, tmp_path)
    result = evaluate(lab_daemon, image_config, image="app:1", **BUILT)
    assert result.passed, result.found.render("en")
    assert evaluate(lab_daemon, image_config, image="app:1", cmd="cat /app/note.txt").passed


@pytest.mark.parametrize("spec, problem", [
    ({"cmd": ["cat", "/note.txt"]}, 'Cmd is ["cat", "/app/note.txt"], expected ["cat", "/note.txt"]'),
    ({"exposed_ports": [8080]}, 'ExposedPorts is ["53/udp", "80/tcp"], expected ["8080/tcp"]'),
    ({"user": ""}, "User is 'nobody', expected ''"),
    ({"workdir": "/"}, "WorkingDir is '/app', expected '/'"),
    ({"env": {"MODE": "dev"}}, "Env MODE is 'production', expected 'dev'"),
    ({"labels": {"course": False}}, "Labels course is 'docker', expected not set"),
    ({"healthcheck": False}, 'Healthcheck is ["CMD-SHELL", "cat /app/x"], expected false'),
    ({"layers": 1}, "3 layer(s) (expected: 1)"),
    ({"instructions": ["apk add"]}, "no step of its history was created by an instruction with 'apk add'"),
    ({"base": "hello-world"}, "its first layers are not those of hello-world: it was not built from it (FROM hello-world)"),
    ({"max_size_mb": 1}, "size 1.98 MB, over 1 MB"),
])
def test_image_config_of_a_built_image_fails(lab_daemon, tmp_path, spec, problem):
    build(lab_daemon, tmp_path)
    lab_daemon.docker("pull", "hello-world")
    result = evaluate(lab_daemon, image_config, image="app:1", **spec)
    assert not result.passed
    assert result.found.render("en").endswith(f"differs: {problem}")


def test_image_config_of_a_retagged_image(lab_daemon, tmp_path):
    """A tag names whatever image it was moved to: the re-tagged name follows it, the base check sees a re-tag."""
    build(lab_daemon, tmp_path)
    lab_daemon.docker("tag", "app:1", "app:2")
    assert evaluate(lab_daemon, image_config, image="app:2", **BUILT).passed
    lab_daemon.docker("tag", "alpine:3.14", "app:1")  # app:1 now names alpine itself
    result = evaluate(lab_daemon, image_config, image="app:1", base="alpine:3.14", user="nobody")
    assert not result.passed
    assert result.found.render("en").endswith("differs: User is '', expected 'nobody', it is base image alpine:3.14 itself (same ID): a tag is not a build")
    assert evaluate(lab_daemon, image_config, image="app:2", base="alpine:3.14").passed


def test_image_config_built_with_metadata_only_keeps_the_base_layers(lab_daemon, tmp_path):
    build(lab_daemon, tmp_path, "meta:1", "FROM alpine:3.14\nCMD [\"echo\", \"hi\"]\n")
    assert evaluate(lab_daemon, image_config, image="meta:1", base="alpine:3.14", layers=1, cmd="echo hi").passed
    lab_daemon.docker("rmi", "alpine:3.14")
    result = evaluate(lab_daemon, image_config, image="meta:1", base="alpine:3.14")
    assert not result.passed and "base image alpine:3.14 is not on the daemon" in result.found.render("en")


def test_image_config_size_comes_from_the_image_list(lab_daemon, tmp_path):
    build(lab_daemon, tmp_path)
    with connect(lab_daemon.lab.host) as client:
        snapshot = read_snapshot(client)
        listed = len(client.requests)
        assert image_config.evaluate({"image": "app:1", "max_size_mb": 3}, snapshot).passed
        result = image_config.evaluate({"image": "app:1", "max_size_mb": 1.5}, snapshot)
        assert not result.passed and result.found.render("en").endswith("differs: size 1.98 MB, over 1.5 MB")
        assert len(client.requests) == listed  # no request beyond the two lists


def test_image_config_of_a_missing_image(lab_daemon):
    result = evaluate(lab_daemon, image_config, image="app:1", user="nobody")
    assert not result.passed and result.found.render("en") == "image app:1 is not present"


# --- files --------------------------------------------------------------------------------
def test_files_in_an_image_through_a_created_container(lab_daemon, tmp_path):
    build(lab_daemon, tmp_path)
    lab_daemon.docker("create", "--name", "made", "app:1")  # never started
    select = {"image": "app:1"}
    result = evaluate(lab_daemon, files, select=select, path="/app/note.txt", type="file", contains="hello note")
    assert result.passed and result.found.render("en") == "in made, /app/note.txt contains 'hello note'"
    assert evaluate(lab_daemon, files, select=select, path="/app", type="dir").passed
    result = evaluate(lab_daemon, files, select=select, path="/app/note.txt", contains="goodbye")
    assert not result.passed and result.found.render("en") == "in made, /app/note.txt does not contain 'goodbye'"
    result = evaluate(lab_daemon, files, select=select, path="/app/missing")
    assert not result.passed and result.found.render("en") == "in made, /app/missing does not exist"
    assert evaluate(lab_daemon, files, select=select, path="/app/missing", state="absent").passed


def test_files_a_symlink_is_a_symlink_and_contains_follows_it(lab_daemon, tmp_path):
    build(lab_daemon, tmp_path)
    lab_daemon.docker("create", "--name", "made", "app:1")
    select = {"name": "made"}
    result = evaluate(lab_daemon, files, select=select, path="/app/link")
    assert result.passed and result.found.render("en") == "in made, /app/link is a symbolic link to /app/x"
    result = evaluate(lab_daemon, files, select=select, path="/app/link", type="file")
    assert not result.passed and result.found.render("en") == "in made, /app/link is a symbolic link to /app/x, not a file"
    assert evaluate(lab_daemon, files, select=select, path="/app/link", target="/app/x").passed
    assert not evaluate(lab_daemon, files, select=select, path="/app/link", target="x").passed
    result = evaluate(lab_daemon, files, select=select, path="/app/link", contains="hi")
    assert result.passed and result.found.render("en") == "in made, /app/link (a symbolic link to /app/x) contains 'hi'"
    result = evaluate(lab_daemon, files, select=select, path="/app/relative", contains="hi")
    assert result.passed and result.found.render("en") == "in made, /app/relative (a symbolic link to x) contains 'hi'"


def test_files_written_by_a_container_and_a_large_one(lab_daemon):
    lab_daemon.docker("run", "--name", "writer", "alpine:3.14", "sh", "-c",
                      "echo done > /result; head -c 70000 /dev/zero > /big; echo tail >> /big")
    select = {"name": "writer", "status": "exited"}
    assert evaluate(lab_daemon, files, select=select, path="/result", contains="done").passed
    result = evaluate(lab_daemon, files, select=select, path="/big", contains="tail")
    assert not result.passed
    assert result.found.render("en") == "in writer, the first 64 KiB of /big (70005 bytes) do not contain 'tail'"
    result = evaluate(lab_daemon, files, select=select, path="/result/inside")  # dockerd: 500 "not a directory"
    assert not result.passed and result.found.render("en") == "in writer, /result/inside does not exist"


def test_files_all_or_any_container(lab_daemon):
    lab_daemon.docker("run", "--name", "one", "alpine:3.14", "touch", "/mark")
    lab_daemon.docker("run", "--name", "two", "alpine:3.14", "true")
    select = {"image": "alpine:3.14"}
    assert not evaluate(lab_daemon, files, select=select, path="/mark").passed
    assert evaluate(lab_daemon, files, select=select, path="/mark", match="any").passed
    result = evaluate(lab_daemon, files, select={"name": "three"}, path="/mark")
    assert not result.passed and result.found.render("en") == "no container named three"


def test_files_of_a_container_removed_while_grading(lab_daemon):
    lab_daemon.docker("run", "--name", "gone", "alpine:3.14", "touch", "/mark")
    with connect(lab_daemon.lab.host) as client:
        snapshot = read_snapshot(client)
        lab_daemon.docker("rm", "gone")
        for state in ("present", "absent"):
            result = files.evaluate({"select": {"name": "gone"}, "path": "/mark", "state": state}, snapshot)
            assert not result.passed and result.found.render("en") == "container gone was removed during grading"


# --- volumes ------------------------------------------------------------------------------
def test_volumes(lab_daemon):
    assert not evaluate(lab_daemon, volumes, volume="todo-db").passed
    assert evaluate(lab_daemon, volumes, volume="todo-db", state="absent").passed
    lab_daemon.docker("volume", "create", "--label", "course=docker", "todo-db")
    lab_daemon.docker("volume", "create", "unrelated")
    result = evaluate(lab_daemon, volumes, volume="todo-db", driver="local", labels={"course": "docker"}, users=0)
    assert result.passed and result.found.render("en") == "volume todo-db exists (driver local, used by: none)"
    lab_daemon.docker("run", "--name", "web", "-v", "todo-db:/etc/todos", "alpine:3.14", "touch", "/etc/todos/db")
    lab_daemon.docker("create", "--name", "other", "-v", "unrelated:/data", "alpine:3.14")
    result = evaluate(lab_daemon, volumes, volume="todo-db", used_by=["web"], users=1)
    assert result.passed and result.found.render("en") == "volume todo-db exists (driver local, used by: web (/etc/todos))"
    result = evaluate(lab_daemon, volumes, volume="todo-db", used_by=["other"], driver="nfs", labels={"course": "k8s"})
    assert not result.passed
    assert result.found.render("en") == ("volume todo-db differs: Driver is local, expected nfs, Labels course is 'docker', "
                                         "expected 'k8s', not mounted by other; mounted by: web (/etc/todos)")
    result = evaluate(lab_daemon, volumes, volume="todo-db", state="absent")
    assert not result.passed and result.found.render("en") == "volume todo-db exists (driver local, used by: web (/etc/todos))"


# --- networks -----------------------------------------------------------------------------
def test_networks(lab_daemon):
    assert not evaluate(lab_daemon, networks, network="todo-app").passed
    assert evaluate(lab_daemon, networks, network="todo-app", state="absent").passed
    lab_daemon.docker("network", "create", "todo-app")
    lab_daemon.docker("network", "create", "unrelated")
    lab_daemon.docker("run", "-d", "--name", "mysql", "--network", "todo-app", "--network-alias", "db", "alpine:3.14", "sleep", "300")
    lab_daemon.docker("create", "--name", "app", "--network", "todo-app", "alpine:3.14")  # attached, never started
    lab_daemon.docker("run", "-d", "--name", "elsewhere", "--network", "unrelated", "alpine:3.14", "sleep", "300")
    result = evaluate(lab_daemon, networks, network="todo-app", driver="bridge", containers=["app", "mysql"], aliases={"mysql": ["db"]})
    assert result.passed and result.found.render("en") == "network todo-app exists (driver bridge, containers: app, mysql)"
    result = evaluate(lab_daemon, networks, network="todo-app", containers=["elsewhere"], aliases={"mysql": ["database"]})
    assert not result.passed
    assert result.found.render("en").startswith("network todo-app differs: elsewhere not attached to it; attached: app, mysql, "
                                                "mysql lacks alias(es) database on it; has: db, ")
    result = evaluate(lab_daemon, networks, network="todo-app", driver="overlay")
    assert not result.passed and result.found.render("en") == "network todo-app differs: Driver is bridge, expected overlay"


def test_networks_a_container_removed_while_grading(lab_daemon):
    lab_daemon.docker("network", "create", "todo-app")
    lab_daemon.docker("run", "-d", "--name", "mysql", "--network", "todo-app", "--network-alias", "db", "alpine:3.14", "sleep", "300")
    with connect(lab_daemon.lab.host) as client:
        snapshot = read_snapshot(client)
        lab_daemon.docker("rm", "-f", "mysql")
        result = networks.evaluate({"network": "todo-app", "aliases": {"mysql": ["db"]}}, snapshot)
    assert not result.passed
    assert result.found.render("en") == "network todo-app differs: container mysql was removed during grading"


# --- cost ---------------------------------------------------------------------------------
SPECS = [
    (image_config, {"image": "app:1", **BUILT}),
    (files, {"select": {"name": "made"}, "path": "/app/link", "contains": "hi"}),
    (volumes, {"volume": "todo-db", "used_by": ["made"]}),
    (networks, {"network": "todo-app", "containers": ["made"], "aliases": {"made": ["web"]}}),
]


def grade_new_kinds(lab_daemon) -> list[bool]:
    with connect(lab_daemon.lab.host) as client:
        snapshot = read_snapshot(client)
        return [kind.evaluate(spec, snapshot).passed for kind, spec in SPECS]


def test_requests_do_not_depend_on_unrelated_objects(lab_daemon, lab, tmp_path):
    build(lab_daemon, tmp_path)
    lab_daemon.docker("volume", "create", "todo-db")
    lab_daemon.docker("network", "create", "todo-app")
    lab_daemon.docker("create", "--name", "made", "--network", "todo-app", "--network-alias", "web", "-v", "todo-db:/data", "app:1")
    alone = served(lab, lambda: grade_new_kinds(lab_daemon))
    assert grade_new_kinds(lab_daemon) == [True, True, True, True]

    for i in range(3):
        build(lab_daemon, tmp_path, f"noise:{i}", DOCKERFILE.replace("hi", f"noise {i}"))
        lab_daemon.docker("network", "create", f"noise-{i}")
    for i in range(30):
        lab_daemon.docker("volume", "create", f"noise-{i}")
        lab_daemon.api.create_container("app:1", name=f"noise-{i}", volumes=["/data"],
                                        host_config=lab_daemon.api.create_host_config(binds=[f"noise-{i}:/data"], network_mode=f"noise-{i % 3}"))
    crowded = served(lab, lambda: grade_new_kinds(lab_daemon))

    assert sorted(crowded) == sorted(alone) and {method for method, _ in crowded} == {"GET"}
    kinds = sorted(path.split("?")[0].split("/")[1] + "/" + path.split("?")[0].split("/")[-1] for _, path in crowded)
    # the version probe (_ping), the two lists; image_config: image inspect, history, base inspect, base history (its steps
    # are not the image's own); files: two archive reads (the link, then its target); volumes: one list; networks: one list
    # and the named container's inspect
    assert kinds == sorted(["_ping/_ping", "containers/json", "images/json", "images/json", "images/history", "images/history",
                            "images/json", "containers/archive", "containers/archive", "volumes/volumes",
                            "networks/networks", "containers/json"]), kinds
