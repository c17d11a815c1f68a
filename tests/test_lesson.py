"""The lesson's exercises on a real daemon: its commands make each pass; left undone, each fails with its hint."""

from __future__ import annotations

from conftest import failed


def test_run_hello_world_passes_after_docker_run(daemon):
    assert failed(daemon.grade("run-hello-world")).keys() == {"image-pulled", "container-created", "greeting-shown"}
    daemon.docker("run", "hello-world")
    outcome = daemon.grade("run-hello-world")
    assert failed(outcome) == {}
    assert outcome.score == outcome.max_score == 4


def test_pull_alpine_passes_after_docker_pull(daemon):
    outcome = daemon.grade("pull-alpine")
    assert failed(outcome) == {"alpine-pulled": "image alpine:3.14 is not present"}
    hint = next(c.check.hint for c in outcome.checks if c.check.name == "alpine-pulled")
    assert "docker pull alpine:3.14" in hint["pt-BR"] and "docker pull alpine:3.14" in hint["en"]
    daemon.docker("pull", "alpine:3.14")
    assert failed(daemon.grade("pull-alpine")) == {}


def test_tagging_hello_world_as_alpine_is_not_a_pull(daemon):
    daemon.docker("pull", "hello-world")
    daemon.docker("tag", "hello-world", "alpine:3.14")
    found = failed(daemon.grade("pull-alpine"))
    assert list(found) == ["alpine-pulled"]
    assert "was not pulled from alpine" in found["alpine-pulled"]


def test_pull_alpine_fails_when_alpine_was_run(daemon):
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("run", "alpine:3.14", "echo", "hi")
    assert list(failed(daemon.grade("pull-alpine"))) == ["not-run"]


def test_two_containers_one_image(daemon):
    daemon.docker("run", "hello-world")
    assert list(failed(daemon.grade("two-containers-one-image"))) == ["two-containers"]
    daemon.docker("run", "hello-world")
    assert failed(daemon.grade("two-containers-one-image")) == {}
    daemon.docker("run", "hello-world")
    assert list(failed(daemon.grade("two-containers-one-image"))) == ["two-containers"]


def test_two_containers_fail_when_one_did_not_greet(daemon):
    daemon.docker("run", "hello-world")
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("tag", "alpine:3.14", "hello-world")  # hello-world now names a shell image
    daemon.docker("run", "hello-world", "sh", "-c", "exit 3", check=False)
    found = failed(daemon.grade("two-containers-one-image"))
    # The old image keeps its hello-world digest, the tag names alpine's: two images of the repository.
    assert set(found) == {"both-exited-0", "both-greeted", "one-image"}
    assert "=3 (exited)" in found["both-exited-0"]


def test_remove_containers_keeps_the_image(daemon):
    daemon.docker("run", "hello-world")
    daemon.docker("run", "hello-world")
    assert list(failed(daemon.grade("remove-containers"))) == ["no-container-left"]
    for container_id in daemon.docker("ps", "-aq").split():
        daemon.docker("rm", "-f", container_id)
    assert failed(daemon.grade("remove-containers")) == {}
    daemon.docker("rmi", "hello-world")
    assert list(failed(daemon.grade("remove-containers"))) == ["image-kept"]


def test_remove_images(daemon):
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("pull", "hello-world")
    assert set(failed(daemon.grade("remove-images"))) == {"alpine-removed", "hello-world-removed"}
    for image_id in daemon.docker("images", "-q").split():
        daemon.docker("rmi", image_id)
    assert failed(daemon.grade("remove-images")) == {}
