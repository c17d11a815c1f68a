"""One escaping function per kind of output, for text a submission controls.

A report's messages hold what a submission chose: its command lines and their output, container,
image and volume names, labels, file names. Every writer passes each such text through the function
owned by the place it lands in, at the moment it writes it (as MarkupSafe's ``escape`` does for
HTML); the writer's own formatting (headings, tables, colours) is never passed through it:

- ``printable``: any text, as every format gets it in the ``Sheet``: a byte that was not UTF-8 (a
  file name, kept by Python as a lone surrogate) is shown as ``\\xff``, so nothing fails to encode;
- ``terminal``: the text format: control characters, escape codes and invisible format characters
  are shown as ``\\x1b``, ``\\u202e``...; the report's own colours are added after;
- ``markdown``: inline Markdown (a table cell, a list item): every ASCII punctuation character is
  backslash-escaped (CommonMark shows any of them as itself then) and whitespace is one space, so no
  link, image, HTML tag, autolink, emphasis or block can form;
- ``markdown_after``: the same, after a start that is the course's own Markdown (a check's hint);
- ``markdown_block``: the inside of a fenced code block, with ``fence``, longer than any backtick
  run in it: shown as it is, control characters visible;
- ``workflow_inert``: anything GitHub Actions reads as a log (stdout, stderr, what the Classroom
  reporter prints): no line starts with ``::`` and no ``##[`` appears, so no workflow command runs;
- ``printed``: the edge of the CLI, whatever it writes to stdout or stderr, in every format:
  ``printable`` and ``workflow_inert``.

JSON and JUnit XML are escaped by their libraries; junit.clean drops what XML 1.0 cannot hold.
"""

from __future__ import annotations

import re
import string
import unicodedata

_SURROGATE = re.compile("[\ud800-\udfff]")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # controls, format, surrogates, private, unassigned, line breaks
_ZERO_WIDTH_SPACE = "\u200b"
# Python's line breaks (str.splitlines) are a superset of the runner's (\n, \r): a line is never missed.
_LINE_BREAK = re.compile(r"(\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029])")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN = str.maketrans({char: f"\\{char}" for char in string.punctuation})


def _shown(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """``text`` that encodes to UTF-8: each lone surrogate shown as an escape (``\\xff``)."""
    if text.isascii():  # most outputs: nothing to look for
        return text
    return _SURROGATE.sub(lambda match: _shown(match.group()), text)


def terminal(text: str, keep: str = "") -> str:
    """``text`` for a terminal: every control or invisible character but those in ``keep`` shown as an escape."""
    probe = text
    for char in keep:
        probe = probe.replace(char, "")
    if probe.isprintable():  # no control or invisible character (nor a space other than " ")
        return text
    return "".join(
        _shown(char) if char not in keep and unicodedata.category(char) in _INVISIBLE else char
        for char in text
    )


def markdown(text: str) -> str:
    """``text`` as inline Markdown that renders as exactly that text, on one line."""
    flat = " ".join(terminal(text, keep="\t\n\r\x0b\x0c").split())
    return flat.translate(_MARKDOWN)


def markdown_after(trusted: str, text: str) -> str:
    """``text`` as inline Markdown whose start, ``trusted`` (an exercise's hint: the course's own
    text, as trusted as the exercise file), keeps its Markdown (`code`); the rest is escaped as
    ``markdown`` escapes it."""
    if not trusted or not text.startswith(trusted):
        return markdown(text)
    rest = text[len(trusted):]
    return " ".join(trusted.split()) + (" " if rest[:1].isspace() else "") + markdown(rest)


def fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def markdown_block(text: str) -> str:
    """Lines for the inside of a fenced code block (with ``fence``): as they are, controls visible."""
    return terminal(text, keep="\t\n")


def workflow_inert(text: str) -> str:
    """``text`` that GitHub Actions prints as it is: no line of it is a workflow command.

    The runner takes a line as a command when it starts with ``::`` after leading whitespace, or
    holds ``##[`` anywhere (actions/runner, ActionCommand.TryParseV2 and TryParse). A zero-width
    space before the ``::``, or inside the ``##[``, leaves the text as it reads and the command inert.
    """
    if "::" not in text and "##[" not in text:
        return text
    pieces = _LINE_BREAK.split(text)
    for index in range(0, len(pieces), 2):  # the odd pieces are the line breaks themselves
        line = pieces[index].replace("##[", f"#{_ZERO_WIDTH_SPACE}#[")
        body = line.lstrip()
        if body.startswith("::"):
            line = line[: len(line) - len(body)] + _ZERO_WIDTH_SPACE + body
        pieces[index] = line
    return "".join(pieces)


def printed(text: str) -> str:
    """What the CLI writes to stdout or stderr: encodable, and no line of it a workflow command."""
    return workflow_inert(printable(text))
