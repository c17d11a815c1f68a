"""The course images written into the registry's storage (images.store): what a push leaves, with no push.

Against a real docker-registry on loopback: the same images pushed over its HTTP API into one
storage and stored into another give the same files, byte for byte; and a lab up sends its
registry no request to upload anything, while its dockerd still pulls the course images.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import docker

from checks.lab import Lab, processes
from checks.lab import images as lab_images


def files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative path; empty folders as None (a push leaves _uploads/)."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        found[relative] = path.read_bytes() if path.is_file() else None
    return found


def test_stored_images_are_file_for_file_what_pushing_them_leaves(tmp_path):
    built = lab_images.lab_images()
    pushed_root, stored_root = tmp_path / "pushed", tmp_path / "stored"
    port = processes.free_port()
    config = tmp_path / "registry.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\n"
        f"storage:\n  filesystem:\n    rootdirectory: {pushed_root}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    registry = subprocess.Popen([processes.program("docker-registry", "docker-registry"), "serve", str(config)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not processes.http_ok(f"http://127.0.0.1:{port}/v2/"):
            assert time.monotonic() < deadline and registry.poll() is None
            time.sleep(0.05)
        shared: dict[str, set[str]] = {}
        for image in built:
            lab_images.push(image, f"http://127.0.0.1:{port}", shared)
    finally:
        registry.kill()
        registry.wait()
    written = lab_images.store(built, stored_root)
    assert files(stored_root) == files(pushed_root)
    blobs = {blob.digest: len(blob.data) for image in built for blob in (image.config, *image.layers, image.manifest)}
    assert written == sum(blobs.values())  # each blob written once, however many images share it


def test_a_lab_up_uploads_nothing_to_its_registry_and_still_serves_the_course_images(tmp_path, monkeypatch):
    requests: list[str] = []
    real = lab_images._request
    monkeypatch.setattr(lab_images, "_request", lambda method, url, *a, **k: requests.append(f"{method} {url}") or real(method, url, *a, **k))
    lab = Lab("stored", tmp_path / "lab")
    with lab.running():
        assert requests == []
        client = docker.APIClient(base_url=lab.host, version="auto")
        try:
            for reference in ("alpine:3.14", "hello-world:latest", "ubuntu:20.04"):
                client.pull(reference)
                assert client.inspect_image(reference)["Id"] == lab.read_state()["images"][reference]
        finally:
            client.close()
