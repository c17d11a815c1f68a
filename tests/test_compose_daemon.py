"""The compose and http kinds on a real daemon: real compose projects in the tests' lab.

The lab's dockerd runs in a network namespace of its own: its default bridge and compose's
user-defined bridges work there, and a published port is served by docker-proxy on the
namespace's loopback, so the http kind's requests (checks.probe) go into that namespace.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from checks import probe, reads
from checks.daemon import connect, read_snapshot
from checks.kinds import compose, http
from checks.lab import REGISTRY, netns
from checks.lab import images as lab_images

COMPOSE = """services:
  web:
    image: nginx:1.25
    ports: ["{port}:80"]
    environment: {{MODE: {mode}}}
    volumes: [data:/var/www]
    depends_on: [db]
    networks: [back]
  db:
    image: alpine:3.14
    command: [sleep, "600"]
    networks: [back]
volumes:
  data: {{}}
networks:
  back: {{}}
"""


# A CGI script whose whole answer is a 500 (busybox httpd passes an answer that starts with HTTP as it is).
BROKEN_API = r"""services:
  api:
    image: alpine:3.14
    ports: ["8091:80"]
    command:
      - sh
      - -c
      - |
        mkdir -p /w/cgi-bin
        printf '#!/bin/sh\nprintf "HTTP/1.0 500 Internal Server Error\\r\\n\\r\\nbroken"\n' > /w/cgi-bin/fail
        chmod +x /w/cgi-bin/fail
        exec httpd -f -p 80 -h /w
"""


@pytest.fixture(scope="module")
def served(lab):
    """The httpd stand-in, pushed to the lab's registry as nginx:1.25 (the tests' lab starts without it)."""
    image = lab_images.build("nginx:1.25", "httpd")
    netns.run_in(lab.netns, lambda: lab_images.push(image, f"http://{REGISTRY}"))
    return image


class Projects:
    """docker-compose against the lab, as a student would run it; every project brought down after the test."""

    def __init__(self, lab, folder):
        self.lab, self.folder, self.names = lab, folder, []

    def compose(self, project: str, *args: str, text: str | None = None) -> str:
        folder = self.folder / project
        folder.mkdir(exist_ok=True)
        if text is not None:
            (folder / "docker-compose.yml").write_text(text)
        if project not in self.names:
            self.names.append(project)
        env = {"PATH": os.environ["PATH"], "HOME": "/tmp", **self.lab.environment()}
        done = subprocess.run(["docker-compose", "-p", project, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def down(self) -> None:
        for project in self.names:
            self.compose(project, "down", "-v", "--remove-orphans", "-t", "0")  # sleep and httpd as PID 1 ignore SIGTERM


@pytest.fixture
def projects(daemon, served, tmp_path):
    made = Projects(daemon.lab, tmp_path)
    yield made
    made.down()


def graded(lab, kind, spec, sleep=None):
    """The kind's verdict, the prober that sent its HTTP requests, and the Engine API requests."""
    with connect(lab.host) as client:
        snapshot = read_snapshot(client)
        sent_by = reads.prober(client)
        if sleep is not None:
            sent_by.sleep = sleep
        result = kind.evaluate(spec, snapshot)
        return result, sent_by, list(client.requests)


def test_a_project_with_its_services_ports_env_volumes_networks_and_dependency(projects, lab):
    projects.compose("shop", "up", "-d", text=COMPOSE.format(port=8080, mode="prod"))
    spec = {"project": "shop", "services": {
        "web": {"replicas": 1, "ports": ["8080:80"], "env": {"MODE": "prod"}, "volumes": ["data"], "networks": ["back"]},
        "db": {"networks": ["back"]}}}
    result, _, requests = graded(lab, compose, spec)
    assert result.passed, result.found.render("en")
    assert sum(r.startswith("GET /containers/") and r.endswith("/json") for r in requests) == 1  # web's env
    # docker-compose 1.x records no depends_on on the daemon, and `check` reads no project file: it cannot tell
    result = graded(lab, compose, {"project": "shop", "services": {"web": {"depends_on": ["db"]}}})[0]
    assert (result.passed, result.unknown) == (False, True)
    assert result.found.render("en").startswith("project shop: whether service web depends on db cannot be told")
    assert not graded(lab, compose, {"services": {"web": {"env": {"MODE": "dev"}}}})[0].passed
    projects.compose("shop", "up", "-d", "--scale", "db=2")
    assert graded(lab, compose, {"services": {"db": {"replicas": 2}}})[0].passed
    projects.compose("shop", "stop", "-t", "0", "db")
    result = graded(lab, compose, {"services": {"db": {"replicas": 2}}})[0]
    assert result.found.render("en").startswith("project shop: service db has 0 running container(s) (expected: 2)")
    assert graded(lab, compose, {"services": {"db": {"replicas": 2, "state": "exited"}}})[0].passed


def test_web_answers_on_its_published_port(projects, lab):
    projects.compose("shop", "up", "-d", text=COMPOSE.format(port=8080, mode="prod"))
    result, prober, requests = graded(lab, http, {"service": "web", "port": 80, "body_contains": "It works!",
                                                  "header": {"name": "content-type", "contains": "text/html"}})
    assert result.passed, result.found.render("en")
    assert result.found.render("en") == "http://127.0.0.1:8080/ answered 200, as expected"
    assert prober.namespace == lab.netns and 1 <= len(prober.sent) <= 5
    assert all(r.startswith("GET ") for r in requests)


def test_a_port_published_on_another_host_port(projects, lab):
    projects.compose("shop", "up", "-d", text=COMPOSE.format(port=8081, mode="prod"))
    result = graded(lab, compose, {"services": {"web": {"ports": ["8080:80"]}}})[0]
    assert result.found.render("en") == "project shop: service web does not publish 8080:80; published ports: 8081:80/tcp"
    slept = []
    result, prober, _ = graded(lab, http, {"host_port": 8080, "attempts": 3}, sleep=slept.append)
    assert result.found.render("en") == "no answer; tried: GET http://127.0.0.1:8080/ → connection refused (×3)"
    assert len(prober.sent) == 3 and len(slept) == 2
    assert graded(lab, http, {"service": "web", "port": 80})[0].passed  # found on 8081
    assert graded(lab, compose, {"services": {"web": {"ports": ["8081:80", "80"]}}})[0].passed


def test_a_service_that_never_answers(projects, lab):
    projects.compose("mute", "up", "-d", text='services:\n  web:\n    image: alpine:3.14\n    command: [sleep, "600"]\n    ports: ["8090:80"]\n')
    slept = []
    result, prober, _ = graded(lab, http, {"service": "web", "port": 80, "attempts": 4}, sleep=slept.append)
    assert not result.passed
    assert result.found.render("en") == "no answer; tried: GET http://127.0.0.1:8090/ → connection closed without an answer (×4)"
    assert len(prober.sent) == 4 and slept == [probe.INTERVAL] * 3
    assert graded(lab, compose, {"services": {"web": {"ports": ["8090:80"]}}})[0].passed  # published, yet mute


def test_a_service_that_answers_500(projects, lab):
    text = BROKEN_API
    projects.compose("broken", "up", "-d", text=text)
    slept = []
    result, prober, _ = graded(lab, http, {"service": "api", "port": 80, "path": "/cgi-bin/fail", "attempts": 3}, sleep=slept.append)
    assert result.found.render("en") == "answered 500, expected 200; tried: GET http://127.0.0.1:8091/cgi-bin/fail → 500 (×3)", result.found.render("en")
    assert len(prober.sent) == 3
    assert graded(lab, http, {"service": "api", "port": 80, "path": "/cgi-bin/fail", "status": 500, "body_contains": "broken"})[0].passed
    result, prober, _ = graded(lab, http, {"service": "api", "port": 80, "path": "/nothing", "attempts": 3})
    assert result.found.render("en").startswith("answered 404, expected 200") and len(prober.sent) == 1  # a 4xx is not retried


def test_two_projects_with_the_same_service_names(projects, lab):
    projects.compose("one", "up", "-d", text=COMPOSE.format(port=8080, mode="one"))
    projects.compose("two", "up", "-d", "--scale", "db=2", text=COMPOSE.format(port=8082, mode="two"))
    assert graded(lab, compose, {"project": "one", "services": {"web": {"env": {"MODE": "one"}, "ports": ["8080:80"]}, "db": {"replicas": 1}}})[0].passed
    assert graded(lab, compose, {"project": "two", "services": {"web": {"env": {"MODE": "two"}, "ports": ["8082:80"]}, "db": {"replicas": 2}}})[0].passed
    mixed = graded(lab, compose, {"project": "one", "services": {"web": {"env": {"MODE": "two"}}}})[0]
    assert mixed.found.render("en") == "project one: variable MODE=two is missing in one_web_1 (service web)"
    # Without a project: one of them must hold everything, never the two together.
    assert not graded(lab, compose, {"services": {"web": {"ports": ["8080:80"]}, "db": {"replicas": 2}}})[0].passed
    assert graded(lab, compose, {"services": {"web": {"ports": ["8082:80"]}, "db": {"replicas": 2}}})[0].found.render("en") == (
        "project two: web (1), db (2); all as expected")
    assert graded(lab, http, {"service": "web", "project": "one", "port": 80})[0].found.render("en") == (
        "http://127.0.0.1:8080/ answered 200, as expected")


def test_requests_do_not_depend_on_unrelated_containers(projects, lab, daemon):
    projects.compose("shop", "up", "-d", text=COMPOSE.format(port=8080, mode="prod"))
    spec = {"services": {"web": {"env": {"MODE": "prod"}}, "db": {}}}
    _, _, quiet = graded(lab, compose, spec)
    _, quiet_probe, _ = graded(lab, http, {"service": "web", "port": 80})
    for i in range(30):
        daemon.api.create_container("alpine:3.14", command=["true"], name=f"noise-{i}")
    projects.compose("noise", "up", "-d", "--scale", "db=3", text=COMPOSE.format(port=8083, mode="noise"))
    _, _, crowded = graded(lab, compose, {"project": "shop", **spec})
    _, crowded_probe, _ = graded(lab, http, {"service": "web", "project": "shop", "port": 80})
    assert len(crowded) == len(quiet) == 1 + 2 + 1  # version, the two lists, web's inspect
    assert len(crowded_probe.sent) == len(quiet_probe.sent) == 1
