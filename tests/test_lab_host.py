"""The lab behaves like the Docker host a course teaches (issue 22): the default bridge and `-p`,
a registry out of the student's ports and out of containers' reach, binds of the submission's
own files, a Docker Hub of the lab's own, and Compose v2. Against the tests' real lab."""

from __future__ import annotations

import pytest

from checks.lab import REGISTRY
from checks.probe import Prober

GET = "printf 'GET {path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}"  # busybox's static wget crashes
SERVE = "mkdir -p /w && echo {text} > /w/index.html && exec httpd -f -p {port} -h /w"


def serve(daemon, text: str, port: int, *options: str) -> str:
    """A container of busybox's httpd answering ``text``, started with the CLI's options."""
    return daemon.docker("run", "-d", *options, "alpine:3.14", "sh", "-c", SERVE.format(text=text, port=port)).strip()


def probe(lab, port: int):
    return Prober(namespace=lab.netns).probe(port, "/", attempts=10)


# --- 1. networking like a Docker host ---------------------------------------------------------
def test_a_port_published_on_the_default_network_answers(lab, daemon):
    serve(daemon, "published", 80, "-p", "8080:80")
    answer = probe(lab, 8080)
    assert answer.status == 200, answer.tried
    assert b"published" in answer.body


def test_port_5000_is_the_students_own(lab, daemon):
    """The registry used to listen on the lab's 127.0.0.1:5000: `-p 5000:5000` failed and a probe
    of 5000 was answered by the registry."""
    serve(daemon, "mine", 5000, "-p", "5000:5000")
    answer = probe(lab, 5000)
    assert answer.status == 200, answer.tried
    assert b"mine" in answer.body


@pytest.mark.parametrize("network", ["default", "user-defined"])
def test_containers_reach_published_ports_but_never_the_registry(lab, daemon, network):
    options = ()
    if network == "user-defined":
        daemon.docker("network", "rm", "lab-host-net", check=False)
        daemon.docker("network", "create", "lab-host-net")
        options = ("--network", "lab-host-net")
    serve(daemon, "neighbour", 80, "-p", "8081:80")
    host, port = REGISTRY.split(":")
    script = (
        "gw=$(ip route | awk '/default/ {print $3}'); "
        # The neighbour's httpd may still be starting: a few tries, all bounded.
        "for try in 1 2 3 4 5 6 7 8 9 10; do "
        f"  {GET.format(path='/', host='$gw', port=8081)} | grep -q neighbour && echo REACHED-PUBLISHED && break; sleep 0.3; "
        "done; "
        f"{GET.format(path='/v2/', host=host, port=port)} | grep -q HTTP && echo REACHED-REGISTRY; true"
    )
    output = daemon.docker("run", "--rm", *options, "alpine:3.14", "sh", "-c", script)
    daemon.docker("network", "rm", "lab-host-net", check=False)
    assert "REACHED-PUBLISHED" in output  # the container has a network: the lab's published ports answer it
    assert "REACHED-REGISTRY" not in output
