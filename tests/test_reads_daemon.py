"""The snapshot's lazy reads on a real daemon: one GET each, cached, and None/empty for what is gone."""

from __future__ import annotations

from checks.daemon import DaemonSource, connect, read_snapshot


def test_each_lazy_read_is_one_get_and_is_cached(daemon):
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("run", "--name", "files", "alpine:3.14", "sh", "-c",
                  "printf 'hello\\n' > /greeting; ln -s /greeting /link; mkdir /folder; head -c 70000 /dev/zero > /big")
    with connect(daemon.lab.host) as client:
        snap = read_snapshot(client)
        (container,) = snap.containers
        (image,) = snap.images
        before = len(client.requests)
        assert snap.inspect(container)["Name"] == "/files"
        assert snap.image_inspect(image)["Id"] == image.id
        assert snap.history(image)[0]["Id"] == image.id
        assert snap.volumes() == []
        assert {network["Name"] for network in snap.networks()} >= {"none", "host"}
        greeting = snap.read_path(container, "/greeting")
        assert (greeting.kind, greeting.content, greeting.size, greeting.truncated) == ("file", b"hello\n", 6, False)
        link = snap.read_path(container, "/link")
        assert (link.kind, link.target) == ("symlink", "/greeting")
        assert snap.read_path(container, "/folder").kind == "dir"
        big = snap.read_path(container, "/big")
        assert (big.size, len(big.content), big.truncated) == (70000, DaemonSource.FILE_LIMIT, True)
        assert snap.read_path(container, "/missing") is None
        asked = client.requests[before:]
        assert len(asked) == 10 and all(request.startswith("GET ") for request in asked), asked
        # asked again: answered from the cache
        snap.inspect(container), snap.image_inspect(image), snap.history(image), snap.read_path(container, "/greeting")
        snap.volumes(), snap.networks()
        assert len(client.requests) == before + 10


def test_reads_of_objects_removed_meanwhile_are_empty(daemon):
    daemon.docker("pull", "alpine:3.14")
    daemon.docker("run", "--name", "gone", "alpine:3.14", "true")
    with connect(daemon.lab.host) as client:
        snap = read_snapshot(client)
        (container,) = snap.containers
        (image,) = snap.images
        daemon.docker("rm", "gone")
        daemon.docker("rmi", "alpine:3.14")
        assert snap.inspect(container) == {}
        assert snap.read_path(container, "/etc/os-release") is None
        assert snap.image_inspect(image) == {}
        assert snap.history(image) == []


def test_a_path_through_a_file_is_absent_not_an_error(daemon):
    """dockerd answers 500 "not a directory" for /file/x or /file/: the student's state, not the grader's fault."""
    daemon.docker("run", "--name", "through", "alpine:3.14", "sh", "-c", "echo x > /f")
    with connect(daemon.lab.host) as client:
        snap = read_snapshot(client)
        (container,) = snap.containers
        assert snap.read_path(container, "/f/x") is None
        assert snap.read_path(container, "/f/") is None
        assert snap.read_path(container, "/f").kind == "file"
