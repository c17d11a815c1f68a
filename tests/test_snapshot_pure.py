"""Snapshots built from hand-written Engine API JSON: how images and containers are read and found.

No daemon: the lists are the JSON dockerd sends, and lazy reads go to a ``FakeSource``, or to a
``DaemonClient`` over a fake transport for the HTTP statuses a real daemon answers with.
"""

from __future__ import annotations

import json
import struct

import pytest

from checks import daemon as daemon_module
from checks.errors import DaemonError
from checks.snapshot import Container, Image, Snapshot, container_from_api, image_from_api

from apijson import FakeSource, container_json, digest, image_id, image_json, snapshot

ALPINE = image_json(image_id("ab"), ["alpine:3.14"], ["alpine@" + digest("c")])
HELLO = image_json(image_id("cd"), ["hello-world:latest"], ["hello-world@" + digest("d")])
UNTAGGED = image_json(image_id("ef"), ["<none>:<none>"], ["<none>@<none>"])


# --- images from the API -----------------------------------------------------------------
def test_an_image_keeps_its_id_tags_and_digests_normalised():
    image = image_from_api(ALPINE)
    assert image.id == image_id("ab")
    assert [str(t) for t in image.tags] == ["docker.io/library/alpine:3.14"]
    assert [str(d) for d in image.digests] == ["docker.io/library/alpine@" + digest("c")]
    assert image.short_id == "abababababab"
    assert image.repositories() == {"docker.io/library/alpine"}


@pytest.mark.parametrize("tags, digests", [(None, None), ([], []), (["<none>:<none>"], ["<none>@<none>"])])
def test_an_untagged_image_has_no_tags_or_digests(tags, digests):
    image = image_from_api(image_json(image_id("ef"), tags, digests))
    assert image == Image(image_id("ef"))
    assert image.repositories() == set()


def test_an_image_without_tag_lists_and_without_sha256_prefix():
    image = image_from_api({"Id": "ef" * 32})
    assert image == Image("ef" * 32) and image.short_id == "efefefefefef"


def test_repositories_of_tags_and_digests_together():
    image = image_from_api(image_json(image_id("ab"), ["hello-world:latest", "alpine:3.14"], ["hello-world@" + digest("d")]))
    assert image.repositories() == {"docker.io/library/hello-world", "docker.io/library/alpine"}


# --- containers from the API -------------------------------------------------------------
def test_a_container_as_the_list_shows_it():
    container = container_from_api(container_json("f" * 64, "web", "alpine:3.14", image_id("ab"), "running", "Up 3 minutes"))
    assert container == Container("f" * 64, "web", "alpine:3.14", image_id("ab"), "running", None)
    assert container.short_id == "f" * 12


def test_the_leading_slash_of_a_name_is_stripped():
    assert container_from_api(container_json("1", "first", "x", "")).name == "first"
    assert container_from_api({"Id": "1", "Names": ["/a", "/b/a"]}).name == "a"
    assert container_from_api(container_json("1", "Xena", "x", "")).name == "Xena"  # only the slash goes


@pytest.mark.parametrize("item", [{"Id": "1"}, {"Id": "1", "Names": None}, {"Id": "1", "Names": []}])
def test_a_container_without_names_or_fields(item):
    container = container_from_api(item)
    assert container == Container("1", "", "", "", "", None)


@pytest.mark.parametrize("status, code", [
    ("Exited (0) 2 seconds ago", 0),
    ("Exited (1) About a minute ago", 1),
    ("Exited (137) 2 seconds ago", 137),
    ("Exited (-1) 5 minutes ago", -1),  # dockerd's code when it could not tell (a daemon restart)
    ("Exited (-127) 5 minutes ago", -127),
    ("Up 3 minutes", None),
    ("Created", None),
    ("Restarting (1) 2 seconds ago", None),
    ("Up 2 minutes (Paused)", None),
    ("", None),
])
def test_exit_codes_are_read_from_the_status(status, code):
    assert container_from_api(container_json("1", "a", "x", "", "exited", status)).exit_code == code


def test_a_status_that_is_absent_or_null_has_no_exit_code():
    assert container_from_api({"Id": "1", "Status": None}).exit_code is None


def test_from_api_keeps_the_lists_in_order():
    snap = snapshot([ALPINE, HELLO], [container_json("1", "b", "x", ""), container_json("2", "a", "x", "")])
    assert [i.id for i in snap.images] == [image_id("ab"), image_id("cd")]
    assert [c.name for c in snap.containers] == ["b", "a"]
    assert snap.source is None


# --- finding an image --------------------------------------------------------------------
@pytest.mark.parametrize("reference", [
    "alpine:3.14", "docker.io/library/alpine:3.14", "library/alpine:3.14", "index.docker.io/library/alpine:3.14",
])
def test_find_by_any_spelling_of_the_tag(reference):
    assert snapshot([HELLO, ALPINE]).find_image(reference).id == image_id("ab")


@pytest.mark.parametrize("reference", ["alpine", "alpine:latest", "alpine:3.15", "localhost:5000/alpine:3.14", "user/alpine:3.14"])
def test_another_tag_or_repository_is_not_found(reference):
    assert snapshot([HELLO, ALPINE]).find_image(reference) is None


def test_find_by_digest_of_the_same_repository():
    snap = snapshot([HELLO, ALPINE])
    assert snap.find_image("alpine@" + digest("c")).id == image_id("ab")
    assert snap.find_image("docker.io/library/alpine@" + digest("c")).id == image_id("ab")
    assert snap.find_image("alpine:3.14@" + digest("c")).id == image_id("ab")


def test_a_digest_does_not_match_across_repositories():
    # hello-world's digest, asked for under alpine's name: docker says "No such image".
    snap = snapshot([HELLO, ALPINE])
    assert snap.find_image("alpine@" + digest("d")) is None
    assert snap.find_image("hello-world@" + digest("c")) is None
    assert snap.find_image("alpine@" + digest("e")) is None


def test_a_tag_is_not_found_among_digests_nor_a_digest_among_tags():
    digest_only = image_json(image_id("ab"), [], ["alpine@" + digest("c")])
    assert snapshot([digest_only]).find_image("alpine:latest") is None
    assert snapshot([digest_only]).find_image("alpine") is None
    tag_only = image_json(image_id("ab"), ["alpine:3.14"], [])
    assert snapshot([tag_only]).find_image("alpine@" + digest("c")) is None


@pytest.mark.parametrize("prefix", ["cdcd", "c", "sha256:cdcd", "cd" * 32, image_id("cd")])
def test_find_by_a_unique_id_prefix(prefix):
    assert snapshot([ALPINE, HELLO, UNTAGGED]).find_image(prefix).id == image_id("cd")


def test_an_ambiguous_id_prefix_finds_no_image():
    one = image_json("sha256:abc1" + "0" * 60, ["one:1"])
    two = image_json("sha256:abc2" + "0" * 60, ["two:1"])
    snap = snapshot([one, two])
    assert snap.find_image("abc") is None
    assert snap.find_image("sha256:abc") is None
    assert snap.find_image("abc1").id == one["Id"]
    assert snap.find_image("abc2").id == two["Id"]


def test_an_id_prefix_is_a_prefix_not_a_substring():
    assert snapshot([image_json("sha256:" + "0" * 60 + "beef")]).find_image("beef") is None


def test_a_name_wins_over_an_id_prefix():
    # `docker run abcdef` runs the image tagged abcdef:latest, even when another ID starts with abcdef.
    named = image_json(image_id("12"), ["abcdef:latest"])
    by_id = image_json("sha256:abcdef" + "0" * 58)
    snap = snapshot([by_id, named])
    assert snap.find_image("abcdef").id == image_id("12")
    assert snap.find_image("abcdef0").id == by_id["Id"]


def test_not_a_reference_nor_an_id_finds_nothing():
    snap = snapshot([ALPINE])
    assert snap.find_image("Alpine") is None
    assert snap.find_image("sha256:XYZ") is None


def test_find_image_resolves_a_reference_once():
    snap = snapshot([ALPINE])
    first = snap.find_image("alpine:3.14")
    object.__setattr__(snap, "images", ())  # (a frozen snapshot, changed for this test) a second resolution would find nothing now
    assert snap.find_image("alpine:3.14") is first
    assert snap.find_image("hello-world") is None


# --- images of a repository --------------------------------------------------------------
def test_images_of_a_repository_by_tag_or_digest():
    other_tag = image_json(image_id("12"), ["alpine:3.15"])
    digest_only = image_json(image_id("34"), [], ["alpine@" + digest("e")])
    retagged = image_json(image_id("56"), ["localhost:5000/alpine:1", "hello-world:old"])
    snap = snapshot([ALPINE, HELLO, other_tag, digest_only, retagged, UNTAGGED])
    assert [i.id for i in snap.images_of("alpine")] == [image_id("ab"), image_id("12"), image_id("34")]
    assert [i.id for i in snap.images_of("docker.io/library/alpine")] == [image_id("ab"), image_id("12"), image_id("34")]
    assert [i.id for i in snap.images_of("hello-world")] == [image_id("cd"), image_id("56")]
    assert [i.id for i in snap.images_of("localhost:5000/alpine")] == [image_id("56")]
    assert snap.images_of("busybox") == []


# --- which image a container was created from ------------------------------------------
def test_created_from_the_image_a_reference_names_now():
    hello = container_json("1" * 64, "a", "hello-world", image_id("cd"))
    snap = snapshot([HELLO, ALPINE], [hello])
    (container,) = snap.containers
    assert snap.created_from(container, "hello-world")
    assert snap.created_from(container, "docker.io/library/hello-world:latest")
    assert snap.created_from(container, "cdcd")
    assert not snap.created_from(container, "alpine:3.14")


def test_created_from_the_typed_reference_when_the_image_is_gone():
    gone = container_json("1" * 64, "a", "alpine:3.14", image_id("99"))
    snap = snapshot([], [gone], FakeSource())
    (container,) = snap.containers
    assert snap.created_from(container, "alpine:3.14")
    assert snap.created_from(container, "docker.io/library/alpine:3.14")
    assert not snap.created_from(container, "alpine")
    assert not snap.created_from(container, "alpine:3.15")
    assert snap.source.calls == []  # the list named it: no inspect


def test_created_from_a_reference_that_now_names_another_image():
    # `docker run hello-world`, then `docker tag alpine:3.14 hello-world`: the list still shows
    # "hello-world" typed, but the name now finds alpine's ID.
    ran = container_json("1" * 64, "a", "hello-world", image_id("cd"))
    moved = image_json(image_id("ab"), ["alpine:3.14", "hello-world:latest"])
    old = image_json(image_id("cd"), [])
    snap = snapshot([moved, old], [ran], FakeSource())
    (container,) = snap.containers
    assert snap.created_from(container, "hello-world")
    assert not snap.created_from(container, "alpine:3.14")


def test_created_from_asks_the_source_when_the_list_shows_an_id():
    # The typed name no longer names the container's image, so the list shows its full ID;
    # an inspect gives back what was typed.
    untagged = container_json("1" * 64, "a", image_id("cd"), image_id("cd"))
    snap = snapshot([UNTAGGED], [untagged], FakeSource(created_with={"1" * 64: "hello-world"}))
    (container,) = snap.containers
    assert snap.created_from(container, "hello-world")
    assert not snap.created_from(container, "alpine")
    assert snap.source.calls == [("inspect", "1" * 64)]  # once per container, however many questions


def test_created_from_an_id_without_the_sha256_prefix_asks_too():
    shown = container_json("1" * 64, "a", "cd" * 32, image_id("cd"))
    snap = snapshot([], [shown], FakeSource(created_with={"1" * 64: "hello-world:latest"}))
    assert snap.created_from(snap.containers[0], "hello-world")


def test_an_id_that_is_not_the_containers_own_is_not_inspected():
    shown = container_json("1" * 64, "a", image_id("ab"), image_id("cd"))
    snap = snapshot([], [shown], FakeSource(created_with={"1" * 64: "hello-world"}))
    assert not snap.created_from(snap.containers[0], "hello-world")
    assert snap.source.calls == []


def test_created_from_without_a_source_or_an_answer_keeps_what_the_list_shows():
    untagged = container_json("1" * 64, "a", image_id("cd"), image_id("cd"))
    no_source = snapshot([], [untagged])
    assert not no_source.created_from(no_source.containers[0], "hello-world")
    assert no_source.created_with(no_source.containers[0]) is None
    gone = snapshot([], [untagged], FakeSource())  # inspect found nothing: removed meanwhile
    assert not gone.created_from(gone.containers[0], "hello-world")
    assert gone.created_with(gone.containers[0]) is None
    assert gone.source.calls == [("inspect", "1" * 64)]


def test_an_invalid_typed_reference_matches_nothing():
    odd = container_json("1" * 64, "a", "Not A Reference", image_id("99"))
    snap = snapshot([], [odd])
    assert not snap.created_from(snap.containers[0], "Not A Reference")


# --- logs --------------------------------------------------------------------------------
def test_logs_are_asked_once_per_container_and_text():
    source = FakeSource(logs={"1": "Hello from Docker!\n"})
    snap = snapshot([], [container_json("1", "a", "x", ""), container_json("2", "b", "x", "")], source)
    first, second = snap.containers
    assert snap.read("logs", first.id, "Hello") and snap.read("logs", first.id, "Hello")
    assert not snap.read("logs", first.id, "Bye") and not snap.read("logs", second.id, "Hello")
    assert source.calls == [("logs", "1", "Hello"), ("logs", "1", "Bye"), ("logs", "2", "Hello")]


def test_reads_without_a_source_are_none():
    snap = snapshot([], [container_json("1", "a", "x", "")])
    assert snap.read("logs", snap.containers[0].id, "x") is None
    assert snap.read("inspect", snap.containers[0].id) is None


# --- a daemon's answers, through a fake transport ---------------------------------------
class FakeResponse:
    def __init__(self, status: int, body: bytes = b"", headers: dict | None = None):
        self.status = status
        self._body = body
        self.headers = headers or {}
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        chunk, self._body = (self._body, b"") if size < 0 else (self._body[:size], self._body[size:])
        return chunk

    def json(self):
        return json.loads(self._body)

    def close(self) -> None:
        self.closed = True


class FakeTransport:
    """Answers GET paths (without the version prefix) from a dict of (status, body)."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        self.answers = {"/_ping": (200, b"OK"), **answers}
        self.responses: list[FakeResponse] = []

    def get(self, path: str, params, stream: bool) -> FakeResponse:
        status, body = self.answers.get(path.removeprefix("/v1.43"), (404, b'{"message": "no such container"}'))
        self.responses.append(FakeResponse(status, body, {"api-version": "1.43"} if path == "/_ping" else {}))
        return self.responses[-1]

    def close(self) -> None:
        pass


def frames(*parts: tuple[int, bytes]) -> bytes:
    return b"".join(bytes([stream, 0, 0, 0]) + struct.pack(">I", len(data)) + data for stream, data in parts)


@pytest.fixture
def fake_daemon(monkeypatch):
    """A DaemonClient whose transport is a FakeTransport built from the answers given."""

    def connect(answers: dict[str, tuple[int, bytes]]):
        transport = FakeTransport(answers)
        monkeypatch.setattr(daemon_module, "open_transport", lambda host, tls, timeout, ssh_argv=None: transport)
        client = daemon_module.DaemonClient(daemon_module.Endpoint("unix:///fake.sock"))
        return client, transport

    return connect


def lists(containers: list[dict], images: list[dict]) -> dict[str, tuple[int, bytes]]:
    return {"/containers/json": (200, json.dumps(containers).encode()), "/images/json": (200, json.dumps(images).encode())}


def test_read_snapshot_is_two_list_requests(fake_daemon):
    client, _ = fake_daemon(lists([container_json("1", "a", "hello-world", image_id("cd"))], [HELLO]))
    snap = daemon_module.read_snapshot(client)
    assert client.requests == ["GET /_ping", "GET /containers/json?all=1", "GET /images/json"]
    assert [c.name for c in snap.containers] == ["a"] and [i.id for i in snap.images] == [image_id("cd")]


@pytest.mark.parametrize("status", [404, 409])
def test_a_container_removed_while_its_logs_are_read_reads_as_gone(fake_daemon, status):
    # 409: "can not get logs from container which is dead or marked for removal" (a `docker rm` meanwhile)
    answers = lists([container_json("1", "a", "x", "")], [])
    answers["/containers/1/logs"] = (status, b'{"message": "removal in progress"}')
    client, transport = fake_daemon(answers)
    snap = daemon_module.read_snapshot(client)
    assert snap.read("logs", snap.containers[0].id, "Hello") is False
    assert transport.responses[-1].closed


def test_a_daemon_error_on_logs_is_a_daemon_error(fake_daemon):
    answers = lists([container_json("1", "a", "x", "")], [])
    answers["/containers/1/logs"] = (500, b'{"message": "boom"}')
    client, transport = fake_daemon(answers)
    snap = daemon_module.read_snapshot(client)
    with pytest.raises(DaemonError):
        snap.read("logs", snap.containers[0].id, "Hello")
    assert transport.responses[-1].closed


def test_logs_in_frames_and_a_needle_across_two_frames(fake_daemon):
    answers = lists([container_json("1", "a", "x", "")], [])
    answers["/containers/1/logs"] = (200, frames((1, b"Hello from "), (2, b"Dock"), (1, b"er!\n")))
    client, _ = fake_daemon(answers)
    snap = daemon_module.read_snapshot(client)
    assert snap.read("logs", snap.containers[0].id, "Hello from Docker!")
    assert not snap.read("logs", snap.containers[0].id, "\x01")  # frame headers are not text


def test_a_removed_container_inspected_reads_as_unknown(fake_daemon):
    answers = lists([container_json("1", "a", image_id("cd"), image_id("cd"))], [])
    client, _ = fake_daemon(answers)  # GET /containers/1/json: 404
    snap = daemon_module.read_snapshot(client)
    assert snap.created_with(snap.containers[0]) is None
    assert not snap.created_from(snap.containers[0], "hello-world")


def test_a_ping_without_an_api_version_falls_back_to_version(fake_daemon, monkeypatch):
    monkeypatch.setattr(FakeTransport, "get", lambda self, path, params, stream: self.responses.append(
        FakeResponse(*self.answers.get(path, (404, b"")))) or self.responses[-1])
    client, _ = fake_daemon({"/version": (200, b'{"ApiVersion": "1.40"}')})
    assert (client.api_version, client.requests) == ("1.40", ["GET /_ping", "GET /version"])


def test_snapshot_is_a_plain_value_to_build_by_hand():
    snap = Snapshot((Image(image_id("ab")),), ())
    assert snap.find_image("abab").id == image_id("ab")
