"""The standard class of 40 that bench/batch.py grades: the mix of a real class, byte for byte the same each time.

    python bench/class40.py FOLDER      # writes FOLDER/s00-full ... FOLDER/s39-sleeper

    16 full marks        examples/full-marks
    12 partial           examples/partial
     4 empty             a folder with nothing in it: every exercise missing
     2 binary            full marks, but one command file holds NUL bytes (refused whole)
     2 huge line         full marks, but one command file is a single line of 900,000 bytes
     2 bad encoding      full marks, but one command file has bytes that are not UTF-8
     1 garbage files     full marks, beside files that are no command file (random bytes, a note)
     1 sleeper           full marks, but one line sleeps in a container until the command timeout

Nothing is random at run time: the "random" bytes come from a fixed seed, so every generated class
has the same files and the same fingerprints.
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "examples" / "full-marks"
PARTIAL = ROOT / "examples" / "partial"
MIX = (("full", 16), ("partial", 12), ("empty", 4), ("binary", 2), ("hugeline", 2), ("badutf8", 2), ("garbage", 1), ("sleeper", 1))
SIZE = sum(count for _, count in MIX)


def kinds() -> list[str]:
    """The kind of each of the 40 submissions, in a fixed interleaving, so that a batch meets every kind early
    (not 16 full marks first): submission i takes the next kind that still has some left, round robin."""
    left = dict(MIX)
    order: list[str] = []
    while len(order) < SIZE:
        for kind, _ in MIX:
            if left[kind]:
                order.append(kind)
                left[kind] -= 1
    return order


def write(folder: Path, kind: str) -> None:
    shutil.copytree(PARTIAL if kind == "partial" else FULL, folder) if kind != "empty" else folder.mkdir()
    target = folder / "pull-alpine.dc"
    if kind == "binary":
        target.write_bytes(b"docker pull alpine:3.14\n\0\x01\x02\xff binary\n")
    elif kind == "hugeline":
        target.write_bytes(b"docker pull alpine:3.14 " + b"x" * 900_000 + b"\n")
    elif kind == "badutf8":
        target.write_bytes(b"docker pull alpine:3.14\ndocker images \xff\xfe\xc3\x28\n")
    elif kind == "garbage":
        (folder / "photo.jpg").write_bytes(random.Random(40).randbytes(64 * 1024))
        (folder / "notes").write_text("things I tried\n")
    elif kind == "sleeper":
        (folder / "run-hello-world.dc").write_text("docker run --name hello-1 hello-world\ndocker run alpine:3.14 sleep 3600\n"
                                                  "docker run --name hello-2 hello-world\n")


def generate(folder: Path) -> list[Path]:
    """Writes the class into ``folder`` (which must not exist yet); returns the submissions' folders."""
    folder.mkdir(parents=True)
    made = []
    for index, kind in enumerate(kinds()):
        path = folder / f"s{index:02d}-{kind}"
        write(path, kind)
        made.append(path)
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in generate(Path(sys.argv[1])):
        print(path)
