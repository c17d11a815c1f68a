"""Each check kind on a real daemon, passing and failing."""

from __future__ import annotations

import pytest

from checks.daemon import connect, read_snapshot
from checks.kinds import containers, image, image_count


def evaluate(daemon, kind, **spec):
    with connect(daemon.lab.host) as client:
        return kind.evaluate(spec, read_snapshot(client))


# --- image --------------------------------------------------------------------------
@pytest.mark.parametrize("reference", ["alpine:3.14", "docker.io/library/alpine:3.14", "library/alpine:3.14"])
def test_image_present_by_any_spelling(daemon, reference):
    assert not evaluate(daemon, image, image=reference).passed
    daemon.docker("pull", "alpine:3.14")
    assert evaluate(daemon, image, image=reference, pulled=True).passed
    assert not evaluate(daemon, image, image=reference, state="absent").passed


def test_image_latest_is_the_default_tag(daemon):
    daemon.docker("pull", "hello-world")
    assert evaluate(daemon, image, image="hello-world").passed
    assert evaluate(daemon, image, image="hello-world:latest").passed
    assert not evaluate(daemon, image, image="hello-world:linux").passed


def test_image_by_id_prefix(daemon):
    daemon.docker("pull", "alpine:3.14")
    image_id = daemon.docker("images", "-q", "alpine:3.14").strip()
    assert evaluate(daemon, image, image=image_id, pulled=True).passed
    assert evaluate(daemon, image, image=f"sha256:{image_id}").passed
    assert not evaluate(daemon, image, image="0123456789ab").passed


def test_image_tagged_but_not_pulled(daemon):
    daemon.docker("pull", "hello-world")
    daemon.docker("tag", "hello-world", "alpine:3.14")
    assert evaluate(daemon, image, image="alpine:3.14").passed
    result = evaluate(daemon, image, image="alpine:3.14", pulled=True)
    assert not result.passed and result.found.key == "image.not_pulled"


def test_local_registry_names_stay_themselves(daemon):
    daemon.docker("pull", "hello-world")
    daemon.docker("tag", "hello-world", "localhost:5000/x:1")
    assert evaluate(daemon, image, image="localhost:5000/x:1").passed
    assert not evaluate(daemon, image, image="x:1").passed


def test_image_accepted_ids(daemon, lab):
    daemon.docker("pull", "alpine:3.14")
    lab_id = lab.read_state()["images"]["alpine:3.14"]
    assert evaluate(daemon, image, image="alpine:3.14", ids=[lab_id]).passed
    assert evaluate(daemon, image, image="alpine:3.14", ids=[lab_id[:19]]).passed
    result = evaluate(daemon, image, image="alpine:3.14", ids=["sha256:" + "0" * 64])
    assert not result.passed and result.found.key == "image.unexpected_id"


# --- image_count --------------------------------------------------------------------
def test_image_count(daemon):
    assert evaluate(daemon, image_count, repository="hello-world", count=0).passed
    daemon.docker("run", "hello-world")
    daemon.docker("run", "hello-world")
    assert evaluate(daemon, image_count, repository="hello-world", count=1).passed
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("tag", "alpine:3.14", "hello-world:other")
    result = evaluate(daemon, image_count, repository="hello-world", count=1)
    assert not result.passed and result.found.params["count"] == 2
    assert evaluate(daemon, image_count, repository="hello-world", count={"min": 1, "max": 2}).passed


# --- containers ---------------------------------------------------------------------
def test_container_count_by_image(daemon):
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count=0).passed
    daemon.docker("run", "hello-world")
    daemon.docker("run", "hello-world")
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count=2).passed
    assert not evaluate(daemon, containers, select={"image": "hello-world"}, count=1).passed
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count={"max": 3}).passed
    assert evaluate(daemon, containers, select={"image": "alpine:3.14"}, count=0).passed


def test_container_selector_by_name_status_and_exit_code(daemon):
    daemon.docker("run", "--name", "ok", "alpine:3.14", "true")
    daemon.docker("run", "--name", "bad", "alpine:3.14", "sh", "-c", "exit 7", check=False)
    daemon.docker("run", "-d", "--name", "up", "alpine:3.14", "sleep", "300")
    assert evaluate(daemon, containers, select={"name": "bad", "exit_code": 7}, count=1).passed
    assert evaluate(daemon, containers, select={"status": "running"}, count=1).passed
    assert evaluate(daemon, containers, select={"status": "exited"}, count=2).passed
    assert evaluate(daemon, containers, select={"exit_code": 0}, count=1).passed
    assert not evaluate(daemon, containers, select={"name": "missing"}).passed


def test_exit_code_all_and_any(daemon):
    daemon.docker("run", "alpine:3.14", "true")
    daemon.docker("run", "alpine:3.14", "sh", "-c", "exit 2", check=False)
    select = {"image": "alpine:3.14"}
    assert not evaluate(daemon, containers, select=select, exit_code=0).passed
    assert evaluate(daemon, containers, select=select, exit_code=0, match="any").passed
    assert evaluate(daemon, containers, select=select, exit_code=2, match="any").passed
    assert not evaluate(daemon, containers, select=select, exit_code=5, match="any").passed


def test_all_needs_at_least_one_container(daemon):
    result = evaluate(daemon, containers, select={"image": "hello-world"}, exit_code=0)
    assert not result.passed and result.found.key == "containers.none"


def test_logs_contain_stdout_and_stderr(daemon):
    daemon.docker("run", "--name", "out", "alpine:3.14", "echo", "to stdout")
    daemon.docker("run", "--name", "err", "alpine:3.14", "sh", "-c", "echo to stderr >&2")
    daemon.docker("run", "-t", "--name", "tty", "alpine:3.14", "echo", "with a tty")
    assert evaluate(daemon, containers, select={"name": "out"}, logs_contain="to stdout").passed
    assert evaluate(daemon, containers, select={"name": "err"}, logs_contain="to stderr").passed
    assert evaluate(daemon, containers, select={"name": "tty"}, logs_contain="with a tty").passed
    assert not evaluate(daemon, containers, select={"name": "out"}, logs_contain="to stderr").passed
    select = {"image": "alpine:3.14"}
    assert not evaluate(daemon, containers, select=select, logs_contain="to stdout").passed
    assert evaluate(daemon, containers, select=select, logs_contain="to stdout", match="any").passed


def test_retag_does_not_fool_the_image_selector(daemon):
    daemon.docker("run", "hello-world")
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("tag", "alpine:3.14", "hello-world")  # the list now shows the old container by image ID
    listed = daemon.api.containers(all=True)[0]["Image"]
    assert listed.startswith("sha256:")
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count=1).passed
    assert evaluate(daemon, containers, select={"image": "alpine:3.14"}, count=0).passed


def test_removed_tag_does_not_fool_the_image_selector(daemon):
    daemon.docker("run", "hello-world")
    daemon.docker("rmi", "-f", "hello-world")  # untags; the container keeps its image
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count=1).passed


def test_container_created_by_image_id_matches_the_name(daemon):
    daemon.docker("pull", "hello-world")
    image_id = daemon.docker("images", "-q", "hello-world").strip()
    daemon.docker("run", image_id)
    assert evaluate(daemon, containers, select={"image": "hello-world"}, count=1).passed
