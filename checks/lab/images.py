"""The lab's course images, built in Python byte for byte the same on every run.

Layers are tar files with fixed owners and timestamps, the config is canonical
JSON, so an image ID (the digest of its config) is the same on every machine
that has the same busybox-static package. They are written straight into the
lab's registry's storage before it starts (``store``), as a push would leave
them, where dockerd pulls them through ``--registry-mirror`` as if from Docker
Hub; ``push`` sends one to a registry already running, over its HTTP API.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import platform
import struct
import subprocess
import tarfile
from functools import cache
from pathlib import Path

from checks import cache as disk_cache
from checks import refs
from checks.errors import LabError
from checks.lab import archives
from checks.lab.blobs import CONFIG_TYPE, LAYER_TYPE, Blob, BuiltImage, canonical
from checks.lab.served import COURSE_IMAGES  # noqa: F401 (the lab's images, listed with what it serves)
from checks.messages import msg

CREATED = "2021-08-27T17:19:45Z"  # fixed, like the real alpine:3.14 of the lesson
EPOCH = 1630084785
BUSYBOX = Path("/bin/busybox")
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

HELLO_TEXT = """Hello from Docker!
This message shows that your installation appears to be working correctly.

To generate this message, Docker took the following steps:
 1. The Docker client contacted the Docker daemon.
 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.
    (served offline by the docker-grader lab's registry)
 3. The Docker daemon created a new container from that image which runs the
    executable that produces the output you are currently reading.
 4. The Docker daemon streamed that output to the Docker client, which sent it
    to your terminal.

To try something more ambitious, you can run an Alpine container with:
 $ docker run -it alpine:3.14 sh

For more examples and ideas, visit:
 https://docs.docker.com/get-started/

"""


def _arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


class _Layer:
    """A tar layer with fixed metadata, entries in the order they are added."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w", format=tarfile.USTAR_FORMAT)

    def _info(self, name: str, kind: bytes, mode: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.type, info.mode, info.mtime, info.uid, info.gid = kind, mode, EPOCH, 0, 0
        info.uname = info.gname = ""
        return info

    def directory(self, name: str, mode: int = 0o755) -> None:
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode))

    def file(self, name: str, data: bytes, mode: int = 0o644) -> None:
        info = self._info(name, tarfile.REGTYPE, mode)
        info.size = len(data)
        self.tar.addfile(info, io.BytesIO(data))

    def symlink(self, name: str, target: str) -> None:
        info = self._info(name, tarfile.SYMTYPE, 0o777)
        info.linkname = target
        self.tar.addfile(info)

    def blobs(self) -> tuple[str, Blob]:
        """(diff ID, gzipped blob); gzip with mtime 0 keeps the bytes stable too."""
        self.tar.close()
        raw = self.buffer.getvalue()
        diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
        return diff_id, Blob(gzip.compress(raw, compresslevel=6, mtime=0), LAYER_TYPE)


def hello_elf(text: str = HELLO_TEXT) -> bytes:
    """A static x86-64 Linux program that writes ``text`` to stdout and exits 0.

    Written here byte by byte so that it needs no compiler and never changes:
    write(1, text, len) then exit(0), in one loadable segment.
    """
    if _arch() != "amd64":
        raise LabError(msg("lab.arch", arch=platform.machine()))
    data = text.encode()
    code = (
        b"\xb8\x01\x00\x00\x00"  # mov eax, 1 (write)
        + b"\xbf\x01\x00\x00\x00"  # mov edi, 1 (stdout)
        + b"\x48\x8d\x35" + struct.pack("<i", 16)  # lea rsi, [rip+16] → the text after the code
        + b"\xba" + struct.pack("<I", len(data))  # mov edx, len
        + b"\x0f\x05"  # syscall
        + b"\xb8\x3c\x00\x00\x00"  # mov eax, 60 (exit)
        + b"\x31\xff"  # xor edi, edi
        + b"\x0f\x05"  # syscall
    )
    base, header_size = 0x400000, 64 + 56
    size = header_size + len(code) + len(data)
    elf_header = (
        b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
        + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, base + header_size, 64, 0, 0, 64, 56, 1, 0, 0, 0)
    )
    program_header = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    return elf_header + program_header + code + data


@cache
def _busybox_applets() -> tuple[str, ...]:
    if not BUSYBOX.is_file():
        raise LabError(msg("lab.missing_program", program=str(BUSYBOX), package="busybox-static"))
    listed = subprocess.run([str(BUSYBOX), "--list"], capture_output=True, text=True, check=True).stdout
    return tuple(sorted(set(listed.split()) - {"busybox"}))


ALPINE_RELEASE = (
    b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.14.2\n'
    b'PRETTY_NAME="Alpine Linux v3.14 (busybox stand-in of the docker-grader lab)"\n'
)

# The distributions the lab stands in for, as of CREATED: what their /etc files say, and their default command.
DISTRIBUTIONS = {
    "debian": {
        "etc/os-release": b'PRETTY_NAME="Debian GNU/Linux 11 (bullseye) (busybox stand-in of the docker-grader lab)"\n'
        b'NAME="Debian GNU/Linux"\nVERSION_ID="11"\nVERSION="11 (bullseye)"\nVERSION_CODENAME=bullseye\n'
        b'ID=debian\nHOME_URL="https://www.debian.org/"\n',
        "etc/debian_version": b"11.0\n",
    },
    "ubuntu": {
        "etc/os-release": b'NAME="Ubuntu"\nVERSION="20.04.3 LTS (Focal Fossa)"\nID=ubuntu\nID_LIKE=debian\n'
        b'PRETTY_NAME="Ubuntu 20.04.3 LTS (busybox stand-in of the docker-grader lab)"\nVERSION_ID="20.04"\n'
        b'HOME_URL="https://www.ubuntu.com/"\nVERSION_CODENAME=focal\nUBUNTU_CODENAME=focal\n',
        "etc/lsb-release": b"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=20.04\nDISTRIB_CODENAME=focal\n"
        b'DISTRIB_DESCRIPTION="Ubuntu 20.04.3 LTS"\n',
        "etc/debian_version": b"bullseye/sid\n",
    },
}
# busybox has no bash applet: `docker run -it ubuntu bash`, as courses type it, gets busybox's sh.
BASH = b'#!/bin/sh\nexec /bin/sh "$@"\n'


def _busybox_layer(distribution: str | None = None) -> tuple[str, Blob]:
    """busybox with its applets, and alpine's /etc/os-release (the alpine:3.14 stand-in's only layer); for
    a distribution, its own /etc files and a bash instead. Each stand-in is one layer of its own, as the
    real images share none: an image built FROM ubuntu must not pass for one built FROM alpine."""
    layer = _Layer()
    for name in ("bin", "dev", "etc", "home", "proc", "root", "sys", "usr", "usr/bin", "var"):
        layer.directory(name, 0o700 if name == "root" else 0o755)
    layer.directory("tmp", 0o1777)
    layer.file("bin/busybox", BUSYBOX.read_bytes(), 0o755)
    for applet in _busybox_applets():
        layer.symlink(f"bin/{applet}", "busybox")
    layer.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    layer.file("etc/group", b"root:x:0:\nnogroup:x:65534:\n")
    if distribution is None:
        layer.file("etc/os-release", ALPINE_RELEASE)
        return layer.blobs()
    for name, data in sorted(DISTRIBUTIONS[distribution].items()):
        layer.file(name, data)
    layer.file("bin/bash", BASH, 0o755)
    return layer.blobs()


def _hello_layer() -> tuple[str, Blob]:
    layer = _Layer()
    layer.file("hello", hello_elf(), 0o755)
    return layer.blobs()


# The httpd stand-in (for nginx, httpd...): busybox's httpd serving one page on port 80, in the foreground.
HTTPD_PAGE = b"<!DOCTYPE html>\n<html><body><h1>It works!</h1><p>busybox httpd, docker-grader lab</p></body></html>\n"
# Under a shell that ends on SIGTERM: httpd as PID 1 would ignore it, and every `docker stop` would wait 10 s.
HTTPD_CMD = ["sh", "-c", "trap 'exit 0' TERM; httpd -f -v -p 80 -h /var/www & wait"]
HTTPD_APPLETS = ("httpd", "wget")


def _httpd_layer() -> tuple[str, Blob]:
    """Above the busybox layer: httpd's applets and the page it serves."""
    layer = _Layer()
    for name in ("var", "var/www"):
        layer.directory(name)
    for applet in HTTPD_APPLETS:
        layer.symlink(f"bin/{applet}", "busybox")
    layer.file("var/www/index.html", HTTPD_PAGE)
    return layer.blobs()


# recipe → (its layers, bottom first, by name in LAYERS; its default command)
RECIPES = {
    "busybox": (("busybox",), ["/bin/sh"]),
    "alpine": (("busybox",), ["/bin/sh"]),  # the same image as busybox: alpine's os-release is in that layer
    "debian": (("debian",), ["bash"]),
    "ubuntu": (("ubuntu",), ["bash"]),
    "hello": (("hello",), ["/hello"]),
    "httpd": (("busybox", "httpd"), HTTPD_CMD),
}
LAYERS = {
    "busybox": _busybox_layer,
    "hello": _hello_layer,
    "debian": lambda: _busybox_layer("debian"),
    "ubuntu": lambda: _busybox_layer("ubuntu"),
    "httpd": _httpd_layer,
}


LAYER_FORMAT = "2"  # bump when a recipe's code changes what it builds: cached layers of the old code are then unused


@cache
def _busybox_digest() -> bytes:
    """The busybox binary's own digest (read and hashed once per process: three layers are built from it)."""
    return hashlib.sha256(BUSYBOX.read_bytes() if BUSYBOX.is_file() else b"").digest()


def _layer_key(name: str) -> str:
    """What a layer is built from: its name, this code's format, and its input bytes (busybox by its digest)."""
    if name == "busybox":
        inputs = _busybox_digest()
    elif name == "hello":
        inputs = hello_elf()
    elif name == "httpd":
        inputs = HTTPD_PAGE + repr(HTTPD_APPLETS).encode()
    else:  # busybox with a distribution's /etc files and bash
        inputs = _busybox_digest() + repr(sorted(DISTRIBUTIONS[name].items())).encode() + BASH
    return hashlib.sha256(f"{name}\0{LAYER_FORMAT}\0".encode() + inputs).hexdigest()


@cache
def _layer(name: str) -> tuple[str, Blob]:
    """A layer by its name in LAYERS, from the disk cache (checks.cache) when it was built before from the same inputs.

    An entry is ``diff ID, layer digest, newline, gzipped layer``; one whose bytes do not match
    its digest is rebuilt.
    """
    key = f"{name}-{_layer_key(name)}"
    try:
        head, _, data = (disk_cache.read("layers", key) or b"").partition(b"\n")
        diff_id, digest = head.decode().split(" ")
        blob = Blob(data, LAYER_TYPE)
        if blob.digest == digest:
            return diff_id, blob
    except ValueError:
        pass
    diff_id, blob = LAYERS[name]()
    disk_cache.write("layers", key, f"{diff_id} {blob.digest}\n".encode() + blob.data)
    return diff_id, blob


def build(reference: str, recipe: str, cmd: tuple[str, ...] | None = None) -> BuiltImage:
    names, default = RECIPES[recipe]
    layers = [_layer(name) for name in names]
    command = list(cmd) if cmd else default
    # One history entry per layer; a one-layer image's entry reads as it always has (stable IDs), so the
    # alpine and busybox recipes make one image.
    said = [f"docker-grader lab: {names[0]} recipe"] if len(names) == 1 else [f"docker-grader lab: {name} layer" for name in names]
    config = {
        "architecture": _arch(),
        "os": "linux",
        "created": CREATED,
        "config": {"Env": [PATH_ENV], "Cmd": command},
        "rootfs": {"type": "layers", "diff_ids": [diff_id for diff_id, _ in layers]},
        "history": [{"created": CREATED, "created_by": text} for text in said],
    }
    return BuiltImage(refs.parse(reference), Blob(canonical(config), CONFIG_TYPE), tuple(blob for _, blob in layers))


def lab_images(extra: list[dict] | tuple = ()) -> list[BuiltImage]:
    """The course images plus the ones exercises declare, one per reference."""
    chosen: dict[refs.Reference, dict] = {}
    for item in list(COURSE_IMAGES) + list(extra):
        chosen.setdefault(refs.parse(item["reference"]), item)
    return [
        archives.build(str(ref), item.get("path") or item["archive"]) if "archive" in item else build(str(ref), item["recipe"], tuple(item.get("cmd") or ()))
        for ref, item in chosen.items()
    ]


def registry_path(reference: refs.Reference) -> str:
    """Where a reference lives in the mirror: Docker Hub names without their docker.io/ domain."""
    return reference.repository.removeprefix(refs.DEFAULT_DOMAIN + "/")


STORE = Path("docker/registry/v2")  # under the registry's filesystem rootdirectory (distribution's storage driver)


def store(images: list[BuiltImage], root: Path) -> int:
    """The images written into a registry's filesystem storage at ``root``, file for file what pushing them
    leaves there: each blob once under blobs/, and per repository its layer links, manifest revision and
    tag. For a registry that has not started yet; returns the number of blob bytes written."""
    written = 0
    top = root / STORE
    for image in images:
        repository = top / "repositories" / registry_path(image.reference)
        manifest = image.manifest
        for blob in (image.config, *image.layers, manifest):
            data = top / "blobs" / _sharded(blob.digest) / "data"
            if not data.exists():
                data.parent.mkdir(parents=True, exist_ok=True)
                data.write_bytes(blob.data)
                written += len(blob.data)
        for blob in (image.config, *image.layers):
            _link(repository / "_layers" / _split(blob.digest), blob.digest)
        _link(repository / "_manifests" / "revisions" / _split(manifest.digest), manifest.digest)
        tag = repository / "_manifests" / "tags" / (image.reference.tag or "latest")
        _link(tag / "current", manifest.digest)
        _link(tag / "index" / _split(manifest.digest), manifest.digest)
        (repository / "_uploads").mkdir(exist_ok=True)
    return written


def _split(digest: str) -> Path:
    """sha256:abcd... → sha256/abcd..."""
    algorithm, _, hexadecimal = digest.partition(":")
    return Path(algorithm) / hexadecimal


def _sharded(digest: str) -> Path:
    """sha256:abcd... → sha256/ab/abcd..., as distribution spreads its blobs."""
    algorithm, _, hexadecimal = digest.partition(":")
    return Path(algorithm) / hexadecimal[:2] / hexadecimal


def _link(folder: Path, digest: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "link").write_text(digest)


def push(image: BuiltImage, registry: str, pushed: dict[str, set[str]] | None = None) -> None:
    """Pushes blobs then the manifest, over the registry's HTTP API (monolithic uploads).

    ``pushed`` (blob digest → repositories), shared between the calls that fill a fresh registry,
    says what is there already: a blob in this repository is skipped, and one in another mounted
    from it rather than sent again (the distributions share busybox's layer), without asking first.
    """
    fresh = pushed is not None
    pushed = {} if pushed is None else pushed
    name = registry_path(image.reference)
    for blob in (image.config, *image.layers):
        where = pushed.setdefault(blob.digest, set())
        if name in where or (not fresh and _request("HEAD", f"{registry}/v2/{name}/blobs/{blob.digest}", ok=(200, 404)) == 200):
            where.add(name)
            continue
        mount = f"?mount={blob.digest}&from={min(where)}" if where else ""
        location = _request("POST", f"{registry}/v2/{name}/blobs/uploads/{mount}", want="Location")
        if "/blobs/uploads/" in location:  # not mounted (that answers with the blob's own URL): an upload to finish
            location = location if location.startswith("http") else registry + location
            separator = "&" if "?" in location else "?"
            _request("PUT", f"{location}{separator}digest={blob.digest}", blob.data, "application/octet-stream")
        where.add(name)
    manifest = image.manifest
    _request("PUT", f"{registry}/v2/{name}/manifests/{image.reference.tag or 'latest'}", manifest.data, manifest.media_type)


def _request(method: str, url: str, data: bytes | None = None, content_type: str | None = None, ok=(200, 201, 202), want: str | None = None):
    import urllib.error
    import urllib.request  # here: a lab's own images are stored, not pushed, so `run` never needs it

    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    # The registry is on loopback: never go through a proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=30) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers
    except OSError as error:
        raise LabError(msg("lab.registry", url=url, reason=error)) from error
    if status not in ok:
        raise LabError(msg("lab.registry", url=url, reason=f"HTTP {status}"))
    return headers.get(want) if want else status

