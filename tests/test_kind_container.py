"""The `container` kind and reference patterns against a real daemon, passing and failing.

The tests' dockerd has its default bridge and user-defined ones (`docker network create`) inside
the lab's network namespace, where -p really binds ports. A container only created keeps what -p
asked for in HostConfig.PortBindings, but `docker ps` shows no port for it.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from checks.daemon import connect, read_snapshot
from checks.kinds import container, containers, image
from checks.messages import msg
from checks.snapshot import Source

from test_requests import served

SLEEP = ["sleep", "300"]


class Counting(Source):
    """The daemon's lazy reads, each one asked recorded by its name."""

    def __init__(self, source: Source):
        super().__init__()
        self.source = source
        self.calls: list[str] = []

    def answer(self, name: str, *args):
        self.calls.append(name)
        return self.source.answer(name, *args)


def grade(daemon, kind=container, before=None, **spec):
    """Evaluates one check on a fresh snapshot; ``before`` runs between the snapshot and the check."""
    with connect(daemon.lab.host) as client:
        taken = read_snapshot(client)
        counting = Counting(taken.source)
        snapshot = replace(taken, source=counting)
        if before:
            before()
        return kind.evaluate(spec, snapshot), counting.calls


@pytest.fixture
def network(daemon):
    """A user-defined bridge network, where -p really binds ports; removed after the test."""
    daemon.docker("network", "create", "kc-net")
    yield "kc-net"
    daemon.reset()
    daemon.docker("network", "rm", "kc-net")


@pytest.fixture
def volume(daemon):
    yield "kc-site"
    daemon.reset()
    daemon.docker("volume", "rm", "-f", "kc-site")


def run(daemon, *args: str) -> str:
    return daemon.docker("run", "-d", *args).strip()


# --- ports -------------------------------------------------------------------------------
def test_ports_bound_on_all_interfaces_or_loopback(daemon, network):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "--network", network, "-p", "8080:80", "-p", "127.0.0.1:8081:81", "-p", "8082:82/udp",
        "alpine:3.14", *SLEEP)
    listed = json.loads(daemon.docker("ps", "--format", "{{json .Ports}}"))
    assert "127.0.0.1:8081->81/tcp" in listed and "0.0.0.0:8080->80/tcp" in listed  # really bound

    for ports in (["8080:80"], ["0.0.0.0:8080:80"], ["80"], ["127.0.0.1:8081:81"], ["8081:81"], ["0.0.0.0:8082:82/udp"],
                  [{"container_port": 81, "host_ip": "127.0.0.1"}], ["8080:80", "127.0.0.1:8081:81", "8082:82/udp"]):
        result, calls = grade(daemon, select={"name": "web"}, ports=ports)
        assert result.passed, (ports, result.found.render("en"))
        assert calls == []  # `docker ps` shows them: no inspect

    for ports, expected in ((["127.0.0.1:8080:80"], "127.0.0.1:8080->80/tcp"), (["0.0.0.0:8081:81"], "0.0.0.0:8081->81/tcp"),
                            (["8082:82"], "*:8082->82/tcp"), (["9090:80"], "*:9090->80/tcp")):
        result, calls = grade(daemon, select={"name": "web"}, ports=ports)
        assert not result.passed and result.found.params["expected"] == expected, ports
        assert calls == ["inspect"]  # what -p asked for is read before failing


def test_ports_asked_with_p_count_when_docker_ps_shows_none(daemon):
    # A container created, never started, binds no port: HostConfig.PortBindings keeps what -p
    # asked for (what Trybe's graders read).
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "-p", "127.0.0.1:8080:80", "alpine:3.14", *SLEEP)
    daemon.docker("create", "--name", "later", "-p", "8081:81", "alpine:3.14", *SLEEP)
    assert daemon.docker("ps", "-a", "--filter", "name=later", "--format", "{{.Ports}}").strip() == ""
    result, calls = grade(daemon, select={"name": "web"}, running=True, ports=["127.0.0.1:8080:80"])
    assert result.passed and calls == []  # bound on the default bridge: the list shows it
    result, _ = grade(daemon, select={"name": "web"}, ports=["0.0.0.0:8080:80"])
    assert not result.passed
    assert result.found == msg("container.mismatch", name="web", key="ports", expected="0.0.0.0:8080->80/tcp",
                               found="127.0.0.1:8080->80/tcp")
    result, calls = grade(daemon, select={"name": "later"}, running=False, ports=["0.0.0.0:8081:81"])
    assert result.passed and calls == ["inspect"]
    assert not grade(daemon, select={"name": "later"}, ports=["8081:80"])[0].passed


# --- env, user, command, entrypoint, -it, restart ----------------------------------------
def test_env_user_command_entrypoint(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "app", "-e", "MODE=production", "-e", "EMPTY=", "-u", "1000:1000", "--entrypoint", "sh",
        "alpine:3.14", "-c", "sleep 300")
    run(daemon, "--name", "plain", "alpine:3.14", *SLEEP)
    app = {"select": {"name": "app"}}
    for spec in ({"env": {"MODE": "production", "EMPTY": True, "DEBUG": False}}, {"env": {"EMPTY": ""}}, {"user": "1000:1000"},
                 {"entrypoint": ["sh"], "command": ["-c", "sleep 300"]}, {"command": "-c sleep 300"}):
        result, calls = grade(daemon, **app, **spec)
        assert result.passed, (spec, result.found.render("en"))
        assert calls == ["inspect"]
    for spec, key in (({"env": {"MODE": "dev"}}, "env"), ({"env": {"DEBUG": True}}, "env"), ({"env": {"MODE": False}}, "env"),
                      ({"user": ""}, "user"), ({"entrypoint": []}, "entrypoint"), ({"command": SLEEP}, "command")):
        result, _ = grade(daemon, **app, **spec)
        assert not result.passed and result.found.params["key"] == key, spec
    plain = {"select": {"name": "plain"}}
    assert grade(daemon, **plain, user="", entrypoint=[], command=SLEEP, env={"MODE": False})[0].passed
    result, _ = grade(daemon, **plain, user="1000:1000")
    assert result.found == msg("container.mismatch", name="plain", key="user", expected="'1000:1000'", found="''")


def test_tty_and_open_stdin(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "-it", "--name", "it", "alpine:3.14", "sh")
    run(daemon, "-i", "--name", "stdin", "alpine:3.14", "sh")
    run(daemon, "--name", "neither", "alpine:3.14", *SLEEP)
    assert grade(daemon, select={"name": "it"}, tty=True, open_stdin=True, running=True)[0].passed
    assert grade(daemon, select={"name": "stdin"}, tty=False, open_stdin=True)[0].passed
    result, _ = grade(daemon, select={"name": "stdin"}, tty=True, open_stdin=True)
    assert not result.passed and result.found.params["key"] == "tty"
    result, _ = grade(daemon, select={"name": "neither"}, open_stdin=True)
    assert not result.passed and result.found.params["key"] == "open_stdin"


def test_restart_policy(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "flaky", "--restart", "on-failure:3", "alpine:3.14", "sh", "-c", "exit 1")
    run(daemon, "--name", "always", "--restart", "unless-stopped", "alpine:3.14", *SLEEP)
    run(daemon, "--name", "never", "alpine:3.14", *SLEEP)
    assert grade(daemon, select={"name": "flaky"}, restart={"name": "on-failure", "max_retries": 3})[0].passed
    assert grade(daemon, select={"name": "always"}, restart="unless-stopped")[0].passed
    assert grade(daemon, select={"name": "never"}, restart="no")[0].passed
    result, _ = grade(daemon, select={"name": "flaky"}, restart={"name": "on-failure", "max_retries": 5})
    assert result.found == msg("container.mismatch", name="flaky", key="restart", expected="on-failure:5", found="on-failure:3")
    assert not grade(daemon, select={"name": "never"}, restart="always")[0].passed


# --- mounts ------------------------------------------------------------------------------
def test_mounts(daemon, volume, tmp_path):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "-v", f"{volume}:/html", "-v", f"{tmp_path}:/conf:ro", "alpine:3.14", *SLEEP)
    for mounts in ([{"destination": "/html"}], [{"type": "volume", "source": volume, "destination": "/html", "read_only": False}],
                   [{"type": "bind", "source": str(tmp_path), "destination": "/conf", "read_only": True}]):
        result, calls = grade(daemon, select={"name": "web"}, mounts=mounts)
        assert result.passed and calls == [], mounts  # the list has them
    for mounts in ([{"destination": "/data"}], [{"destination": "/html", "read_only": True}],
                   [{"type": "volume", "destination": "/conf"}], [{"source": "other", "destination": "/html"}]):
        result, calls = grade(daemon, select={"name": "web"}, mounts=mounts)
        assert not result.passed and result.found.params["key"] == "mounts" and calls == [], mounts


# --- health and running ------------------------------------------------------------------
def wait_for(daemon, name: str, health: str) -> None:
    for _ in range(100):
        if daemon.docker("inspect", "-f", "{{.State.Health.Status}}", name).strip() == health:
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} never became {health}")


def test_health_and_running(daemon):
    daemon.docker("pull", "alpine:3.14")
    health = ["--health-interval", "1s", "--health-retries", "1"]
    run(daemon, "--name", "good", "--health-cmd", "true", *health, "alpine:3.14", *SLEEP)
    run(daemon, "--name", "bad", "--health-cmd", "false", *health, "alpine:3.14", *SLEEP)
    run(daemon, "--name", "plain", "alpine:3.14", *SLEEP)
    wait_for(daemon, "good", "healthy")
    wait_for(daemon, "bad", "unhealthy")
    for name, status in (("good", "healthy"), ("bad", "unhealthy"), ("plain", "none")):
        result, calls = grade(daemon, select={"name": name}, health=status, running=True)
        assert result.passed and calls == [], name  # the list's Status says it
    result, _ = grade(daemon, select={"name": "bad"}, health="healthy")
    assert result.found == msg("container.mismatch", name="bad", key="health", expected="healthy", found="unhealthy")
    daemon.docker("stop", "-t", "0", "bad")
    result, calls = grade(daemon, select={"name": "bad"}, health="unhealthy", running=False)
    assert result.passed and calls == ["inspect"]
    result, _ = grade(daemon, select={"name": "bad"}, running=True)
    assert result.found == msg("container.mismatch", name="bad", key="running", expected=msg("container.yes"), found="exited")


# --- started again or re-created ---------------------------------------------------------
def test_started_again_versus_recreated(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "alpine:3.14", *SLEEP)
    assert grade(daemon, select={"name": "web"}, started_again=False)[0].passed
    daemon.docker("stop", "-t", "0", "web")
    daemon.docker("start", "web")
    assert grade(daemon, select={"name": "web"}, started_again=True, running=True)[0].passed
    daemon.docker("restart", "-t", "0", "web")
    assert grade(daemon, select={"name": "web"}, started_again=True)[0].passed
    daemon.docker("rm", "-f", "web")  # re-created under the same name
    run(daemon, "--name", "web", "alpine:3.14", *SLEEP)
    result, _ = grade(daemon, select={"name": "web"}, started_again=True)
    assert result.found == msg("container.mismatch", name="web", key="started_again", expected=msg("container.yes"),
                               found=msg("container.no"))
    daemon.docker("create", "--name", "created", "alpine:3.14", *SLEEP)
    daemon.docker("start", "created")  # created, then started once: not started again
    assert grade(daemon, select={"name": "created"}, started_again=False)[0].passed


def test_restarted_by_its_policy_is_started_again(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "flaky", "--restart", "on-failure:2", "alpine:3.14", "sh", "-c", "exit 3")
    for _ in range(100):  # the daemon restarts it twice, then leaves it exited
        if daemon.docker("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "flaky").strip() == "2 exited":
            break
        time.sleep(0.2)
    assert grade(daemon, select={"name": "flaky"}, started_again=True, running=False)[0].passed


# --- images re-tagged or untagged, and patterns ------------------------------------------
def test_a_retagged_image_still_selects_its_containers(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "-e", "MODE=1", "alpine:3.14", *SLEEP)
    daemon.docker("tag", "alpine:3.14", "mine:1")
    for selector in ("alpine:3.14", "mine:1", "mine:*", "alpine:3.*", "*:1"):
        result, calls = grade(daemon, select={"image": selector}, count=1, env={"MODE": "1"})
        assert result.passed, selector
        assert calls == ["inspect"]  # the env; the selector needed nothing
    assert grade(daemon, select={"image": "nginx:*"}, count=0)[0].passed


def test_a_container_whose_image_tag_was_removed(daemon):
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("tag", "alpine:3.14", "course/app:2")
    run(daemon, "--name", "app", "--restart", "always", "course/app:2", *SLEEP)
    daemon.docker("rmi", "course/app:2")
    assert re.fullmatch(r"[0-9a-f]{12}", daemon.docker("ps", "--format", "{{.Image}}").strip())  # the list shows an ID
    for selector in ("course/app:2", "course/*:2", "*/app:*", "alpine:3.14"):
        result, calls = grade(daemon, select={"image": selector}, count=1, restart="always")
        assert result.passed, selector
    result, calls = grade(daemon, select={"image": "course/*:2"}, count=1, restart="always")
    assert calls == ["inspect"]  # Config.Image for the selector, cached for the restart policy
    assert grade(daemon, select={"image": "other/*"}, count=0)[0].passed


def test_image_kind_with_patterns(daemon):
    daemon.docker("pull", "alpine:3.14")
    assert grade(daemon, image, image="alpine:3.*", pulled=True)[0].passed
    assert grade(daemon, image, image="alpine:*", state="absent")[0].passed is False
    assert grade(daemon, image, image="*/getting-started")[0].passed is False
    daemon.docker("tag", "alpine:3.14", "docker/getting-started:latest")
    assert grade(daemon, image, image="*/getting-started")[0].passed
    result, calls = grade(daemon, image, image="*/getting-started", pulled=True)
    assert not result.passed and result.found.key == "image.not_pulled" and calls == []  # a tag is not a pull
    assert grade(daemon, containers, select={"image": "*/getting-started"}, count=0)[0].passed


# --- removed while grading ---------------------------------------------------------------
def test_a_container_removed_while_grading(daemon):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "-e", "A=1", "alpine:3.14", *SLEEP)
    result, calls = grade(daemon, select={"name": "web"}, env={"A": "1"}, before=lambda: daemon.docker("rm", "-f", "web"))
    assert not result.passed and result.found == msg("container.gone", name="web")
    assert calls == ["inspect"]
    assert result.found.render("en") == "container web was removed while grading; grade again"


# --- requests ----------------------------------------------------------------------------
def test_the_same_get_requests_with_1000_unrelated_containers(daemon, lab):
    daemon.docker("pull", "alpine:3.14")
    run(daemon, "--name", "web", "-p", "8080:80", "-e", "A=1", "alpine:3.14", *SLEEP)
    checks = [
        {"select": {"name": "web"}, "running": True, "env": {"A": "1"}, "ports": ["8080:80"], "tty": False},
        {"select": {"image": "alpine:3.*", "status": "running"}, "restart": "no", "started_again": False},
        {"select": {"name": "web"}, "mounts": [{"destination": "/nowhere"}]},
    ]

    def grade_all():
        with connect(lab.host) as client:
            snapshot = read_snapshot(client)
            verdicts.append([container.evaluate(spec, snapshot).passed for spec in checks])

    verdicts: list = []
    alone = served(lab, grade_all)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: daemon.api.create_container("alpine:3.14", command=["true"], name=f"noise-{i}"), range(1000)))
    crowded = served(lab, grade_all)
    assert verdicts == [[True, True, False]] * 2
    assert len(daemon.api.containers(all=True)) == 1001
    assert sorted(crowded) == sorted(alone)
    assert {method for method, _ in crowded} == {"GET"}
    paths = sorted(re.sub(r"/containers/\w+/", "/containers/ID/", path) for _, path in crowded if path.startswith(("/containers", "/images")))
    assert paths == sorted(["/containers/json?all=1", "/images/json", "/containers/ID/json"])  # one inspect, cached
