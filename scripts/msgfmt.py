"""Compiles the command line's gettext catalogs, checks/locale/*/LC_MESSAGES/*.po, to the .mo files beside them.

The same output for the same input (entries sorted, no timestamps), so the compiled files can be kept
in the repository and shipped in the wheel; tests/test_cli_lang.py fails while one is out of date.
Usage: python scripts/msgfmt.py [--check]
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "checks" / "locale"


def parse(text: str) -> dict[bytes, bytes]:
    """The entries of a .po file: msgid (with its plural after a NUL) to msgstr (forms joined by NULs)."""
    entries: dict[bytes, bytes] = {}
    fields: dict[str, str] = {}
    current = None

    def flush() -> None:
        if "msgid" in fields:
            key = fields["msgid"] + ("\0" + fields["msgid_plural"] if "msgid_plural" in fields else "")
            forms = [fields[name] for name in sorted(n for n in fields if n.startswith("msgstr"))]
            if all(forms):
                entries[key.encode()] = "\0".join(forms).encode()
        fields.clear()

    for line in text.splitlines() + [""]:
        line = line.strip()
        if not line or line.startswith("#"):
            if not line:
                flush()
            continue
        if line.startswith('"'):
            fields[current] += ast.literal_eval(line)
            continue
        current, _, value = line.partition(" ")
        if current == "msgid" and "msgid" in fields:
            flush()
        fields[current] = ast.literal_eval(value)
    return entries


def compile_mo(entries: dict[bytes, bytes]) -> bytes:
    """The GNU .mo format: a header, two tables of (length, offset), then the strings."""
    keys = sorted(entries)
    ids = b"".join(key + b"\0" for key in keys)
    strs = b"".join(entries[key] + b"\0" for key in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets, position = [], 0
    for key in keys:
        offsets.append((len(key), start + position))
        position += len(key) + 1
    value_offsets, position = [], 0
    for key in keys:
        value_offsets.append((len(entries[key]), start + len(ids) + position))
        position += len(entries[key]) + 1
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    tables = b"".join(struct.pack("ii", *pair) for pair in offsets + value_offsets)
    return header + tables + ids + strs


def main(argv: list[str]) -> int:
    stale = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        compiled = compile_mo(parse(po.read_text(encoding="utf-8")))
        mo = po.with_suffix(".mo")
        if "--check" in argv:
            if not mo.is_file() or mo.read_bytes() != compiled:
                stale.append(str(mo))
        else:
            mo.write_bytes(compiled)
            print(mo)
    if stale:
        print("out of date: " + ", ".join(stale) + "; run python scripts/msgfmt.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
