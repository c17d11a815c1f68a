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
        assert snap.read("inspect", container.id)["Name"] == "/files"
        assert snap.read("image_inspect", image.id)["Id"] == image.id
        assert snap.read("history", image.id)[0]["Id"] == image.id
        assert snap.read("volumes") == []
        assert {network["Name"] for network in snap.read("networks")} >= {"none", "host"}
        greeting = snap.read("archive", container.id, "/greeting")
        assert (greeting.kind, greeting.content, greeting.size, greeting.truncated) == ("file", b"hello\n", 6, False)
        link = snap.read("archive", container.id, "/link")
        assert (link.kind, link.target) == ("symlink", "/greeting")
        assert snap.read("archive", container.id, "/folder").kind == "dir"
        big = snap.read("archive", container.id, "/big")
        assert (big.size, len(big.content), big.truncated) == (70000, DaemonSource.FILE_LIMIT, True)
        assert snap.read("archive", container.id, "/missing") is None
        asked = client.requests[before:]
        assert len(asked) == 10 and all(request.startswith("GET ") for request in asked), asked
        # asked again: answered from the cache
        snap.read("inspect", container.id), snap.read("image_inspect", image.id), snap.read("history", image.id), snap.read("archive", container.id, "/greeting")
        snap.read("volumes"), snap.read("networks")
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
        assert snap.read("inspect", container.id) is None
        assert snap.read("archive", container.id, "/etc/os-release") is None
        assert snap.read("image_inspect", image.id) is None
        assert snap.read("history", image.id) is None


def test_a_path_through_a_file_is_absent_not_an_error(daemon):
    """dockerd answers 500 "not a directory" for /file/x or /file/: the student's state, not the grader's fault."""
    daemon.docker("run", "--name", "through", "alpine:3.14", "sh", "-c", "echo x > /f")
    with connect(daemon.lab.host) as client:
        snap = read_snapshot(client)
        (container,) = snap.containers
        assert snap.read("archive", container.id, "/f/x") is None
        assert snap.read("archive", container.id, "/f/") is None
        assert snap.read("archive", container.id, "/f").kind == "file"
