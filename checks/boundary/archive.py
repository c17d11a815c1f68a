"""`docker load` and `docker build`: the archive read as it passes, so that dockerd never gets a file it would read whole
that is over the lab's bound.

dockerd's load unpacks the whole archive to a folder first, and only then reads ``manifest.json``
(or the legacy ``repositories`` and ``<id>/json``) and each image's config into memory, whole: a
360 KB gzip whose manifest is one 350 MB string made it grow by gigabytes. So the boundary reads the
archive as it streams (gunzipped, when it is a gzip, as dockerd would) and stops it before its end
when a member dockerd would read whole is over the lab's bound (``Limits.metadata``):

- by name: ``manifest.json``, ``index.json``, ``oci-layout``, ``repositories``, ``*.json``, ``*/json``,
  ``*/VERSION``;
- by content: any other member over the bound that is not a layer (a tar, or a compressed stream):
  a manifest may name any member as an image's config.

A build's context is the same kind of stream: dockerd unpacks it whole, then reads the Dockerfile (and
``.dockerignore``) whole, and what a Dockerfile says (a ``LABEL``, an ``ENV``) ends in the image's
configuration, which the grader reads back. So a context whose Dockerfile is over the bound, or is a
link (dockerd follows it, inside the context, to a file of any size), is refused the same way.

It reads the tar format the way Go's archive/tar does (PAX and GNU long names, base-256 sizes,
header-only types); anything else is refused rather than guessed at. Memory: a header, a PAX record
or long name (bounded) and the first block of a member; never the archive.
"""

from __future__ import annotations

import posixpath
import zlib

from checks.boundary.messages import msg
from checks.messages import Message

BLOCK = 512
MAX_EXTENDED = 64 * 1024  # a PAX header's records, a GNU long name
GZIP = b"\x1f\x8b"
OTHER_COMPRESSION = {b"BZh": "bzip2", b"\xfd7zXZ\x00": "xz", b"\x28\xb5\x2f\xfd": "zstd"}
LAYER_STARTS = (GZIP, *OTHER_COMPRESSION)
METADATA_NAMES = {"manifest.json", "index.json", "oci-layout", "repositories"}
FILES = {b"0", b"\x00", b"7"}
HEADER_ONLY = {b"1", b"2", b"3", b"4", b"5", b"6"}  # links, devices, folders, fifos: no content, whatever their size says


class ArchiveRefused(Exception):
    def __init__(self, reason: Message):
        super().__init__(reason.render("en"))
        self.reason = reason


def refused(reason: str) -> ArchiveRefused:
    return ArchiveRefused(msg("boundary.load_format", reason=reason))


class Archive:
    """A tar stream, plain or gzipped, fed piece by piece; ``feed`` raises ArchiveRefused as soon as it can tell."""

    def __init__(self, tar: "TarReader"):
        self._start = b""  # the first bytes, until the compression is known
        self._gunzip: zlib._Decompress | None = None
        self._tar = tar
        self._format: str | None = None

    @property
    def ended(self) -> bool:
        return self._tar.ended

    def feed(self, data: bytes) -> None:
        if self._format is None:
            self._start += data
            if len(self._start) < 6:
                return
            data, self._start = self._start, b""
            self._format = self._detect(data)
        if self._tar.ended:
            return  # dockerd stops reading the archive at its end too
        if self._format == "tar":
            self._tar.feed(data)
        else:
            self._gunzip_feed(data)

    def finish(self) -> None:
        """The body has ended; a short one is dockerd's to refuse (nothing of it is read as metadata)."""
        if self._format is None and self._start:
            self._format = self._detect(self._start)
            if self._format == "tar":
                self._tar.feed(self._start)

    def _detect(self, start: bytes) -> str:
        for magic, name in OTHER_COMPRESSION.items():
            if start.startswith(magic):
                raise refused(f"the archive is compressed with {name}")
        if start.startswith(GZIP):
            self._gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return "gzip"
        return "tar"

    def _gunzip_feed(self, data: bytes) -> None:
        try:
            while data and not self._tar.ended:
                self._tar.feed(self._gunzip.decompress(data, 1 << 16))  # bounded output: a gzip bomb is read in steps
                data = self._gunzip.unconsumed_tail
                if self._gunzip.eof:  # Go's gzip reader reads the members that follow, as one stream
                    data = self._gunzip.unused_data + data
                    self._gunzip = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error:
            raise refused("the gzip stream is damaged") from None


class TarReader:
    """A tar stream, header by header, as Go's archive/tar reads it. Subclasses judge its members."""

    def __init__(self, limit: int):
        self.limit = limit
        self.ended = False
        self._buffer = bytearray()
        self._want = BLOCK  # bytes to gather before the next step
        self._step = self._header
        self._skip = 0  # bytes of content and padding to let pass
        self._sniff: tuple[str, int] | None = None  # (name, size) of a big member whose first block is awaited
        self._zero = False
        self._long_name: str | None = None
        self._pax: dict[str, str] = {}
        self._extended: tuple[bytes, int] | None = None

    def feed(self, data: bytes) -> None:
        view, position = memoryview(data), 0
        while position < len(view) and not self.ended:
            if self._skip and self._sniff is None:
                passed = min(self._skip, len(view) - position)
                position += passed
                self._skip -= passed
                continue
            taken = view[position:position + self._want - len(self._buffer)]
            self._buffer += taken
            position += len(taken)
            if len(self._buffer) == self._want:
                gathered = bytes(self._buffer)
                self._buffer.clear()
                self._step(gathered)

    # --- steps --------------------------------------------------------------------------
    def _header(self, block: bytes) -> None:
        if block == bytes(BLOCK):
            if self._zero:
                self.ended = True
            self._zero = True
            return
        if self._zero:
            raise refused("a header after an end-of-archive block")
        kind = block[156:157]
        size = _number(block[124:136])
        name = _name(block)
        if kind in (b"x", b"g", b"L", b"K"):
            if size > MAX_EXTENDED:
                raise refused(f"an extended header of {size} bytes")
            self._extended = (kind, size)
            self._gather(size, self._extended_header)
            return
        if self._long_name is not None:
            name, self._long_name = self._long_name, None
        pax, self._pax = self._pax, {}
        if any(key.startswith("GNU.sparse") for key in pax):
            raise refused(f"{name}: sparse files")
        name = pax.get("path", name)
        if "size" in pax:
            if not pax["size"].isdigit():
                raise refused(f"{name}: size {pax['size']!r}")
            size = int(pax["size"])
        name = clean(name)
        if kind in HEADER_ONLY:
            self._link(name, kind)
            return
        if kind not in FILES:
            raise refused(f"{name}: member type {kind!r}")
        self._member(name, size)

    def _link(self, name: str, kind: bytes) -> None:
        """A member without content (a folder, a link, a device)."""

    def _member(self, name: str, size: int) -> None:
        """A file of ``size`` bytes: sets ``_skip`` (or ``_sniff``) for its content, or raises ArchiveRefused."""
        self._skip = size + (-size) % BLOCK

    def _first_block(self, block: bytes) -> None:
        """The first block of a member ``_member`` chose to look into (``_sniff``)."""
        self._sniff = None
        self._want, self._step = BLOCK, self._header

    def _gather(self, size: int, then) -> None:
        padded = size + (-size) % BLOCK
        if padded == 0:
            then(b"")
            return
        self._want, self._step = padded, lambda data: then(data[:size])

    def _extended_header(self, data: bytes) -> None:
        kind, _ = self._extended
        self._want, self._step = BLOCK, self._header
        if kind == b"L":
            self._long_name = data.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif kind == b"x":
            self._pax = _pax_records(data)
        # g (global PAX, which Go returns and dockerd ignores) and K (a long link name) change no size or name


class ImageTar(TarReader):
    """`docker load`: metadata members within the bound, by name; any other big member must be a layer."""

    def _member(self, name: str, size: int) -> None:
        base = name.rsplit("/", 1)[-1]
        if size > self.limit and (name in METADATA_NAMES or name.endswith(".json") or base in ("json", "VERSION")):
            raise ArchiveRefused(msg("boundary.load_member", member=name[:120], size=size, limit=self.limit))
        padded = size + (-size) % BLOCK
        if size > self.limit:  # read its first block before letting the rest pass
            self._sniff = (name, size)
            self._want, self._step, self._skip = BLOCK, self._first_block, padded - BLOCK
            return
        self._skip = padded

    def _first_block(self, block: bytes) -> None:
        name, size = self._sniff
        super()._first_block(block)
        if block[257:262] != b"ustar" and not block.startswith(LAYER_STARTS):
            raise ArchiveRefused(msg("boundary.load_member", member=name[:120], size=size, limit=self.limit))


class BuildContextTar(TarReader):
    """`docker build`: the Dockerfile (the one named, and any the builder would look for) and .dockerignore
    within the bound, and never a link."""

    def __init__(self, limit: int, dockerfile: str):
        super().__init__(limit)
        self.dockerfile = clean(dockerfile)

    def _read_whole(self, name: str) -> bool:
        base = name.rsplit("/", 1)[-1].lower()
        return name == self.dockerfile or base.startswith(("dockerfile", ".dockerfile")) or base == ".dockerignore"

    def _link(self, name: str, kind: bytes) -> None:
        if kind in (b"1", b"2") and self._read_whole(name):
            raise ArchiveRefused(msg("boundary.build_member", member=name[:120], size="a link", limit=self.limit))

    def _member(self, name: str, size: int) -> None:
        if size > self.limit and self._read_whole(name):
            raise ArchiveRefused(msg("boundary.build_member", member=name[:120], size=f"{size} bytes", limit=self.limit))
        super()._member(name, size)


class ImageArchive(Archive):
    """The body of ``POST /images/load``."""

    def __init__(self, limit: int):
        super().__init__(ImageTar(limit))


class BuildContext(Archive):
    """The body of ``POST /build``: its context."""

    def __init__(self, limit: int, dockerfile: str):
        super().__init__(BuildContextTar(limit, dockerfile))


def clean(name: str) -> str:
    """A path inside the archive as dockerd resolves it: ``./a``, ``/a`` and ``b/../a`` are all ``a``."""
    return posixpath.normpath("/" + name).lstrip("/")


def _name(block: bytes) -> str:
    name = block[0:100].split(b"\0", 1)[0]
    if block[257:263] == b"ustar\x00":  # POSIX: a prefix; GNU's "ustar  " uses those bytes for times
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "replace")


def _number(field: bytes) -> int:
    """A size as Go's archive/tar reads it: base-256 when the high bit is set, else octal."""
    if field and field[0] & 0x80:
        if field[0] & 0x40:
            raise refused("a negative size")
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    text = field.strip(b" \x00")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise refused(f"size {text[:20]!r}") from None


def _pax_records(data: bytes) -> dict[str, str]:
    """``LENGTH KEY=VALUE\\n`` records; the last of a key wins, as in Go."""
    records: dict[str, str] = {}
    while data:
        length_text, space, _ = data.partition(b" ")
        if not space or not length_text.isdigit() or not 0 < int(length_text) <= len(data):
            raise refused("a malformed PAX header")
        record, data = data[:int(length_text)], data[int(length_text):]
        key, equals, value = record[len(length_text) + 1:].rstrip(b"\n").partition(b"=")
        if not equals or not record.endswith(b"\n"):
            raise refused("a malformed PAX header")
        records[key.decode("utf-8", "replace")] = value.decode("utf-8", "replace")
    return records
