"""The lab's own remapped user: a range of subordinate uids and gids that no other lab uses.

With ``--userns-remap default`` every lab's containers run as the same host uids (dockremap's
range), so whatever the kernel counts per user (pipe buffers, epoll watches, ...) is one count
for all labs: one lab filling it changes what another lab's containers can do. Each lab gets a
user of its own instead, ``dg-<hash>``, made by ``useradd``, which also gives it a free range in
/etc/subuid and /etc/subgid; ``userdel`` removes all three when the lab goes down.

What the kernel counts against the owner of a user namespace (inotify instances and watches,
message queues, pending signals) is not changed by this: runc makes every container's user
namespace as root, so those counts are root's, for all labs and the host (docs/security.md).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from checks.errors import LabError
from checks.messages import msg

SEARCH_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
TRIES = 50  # useradd and userdel give up at once when another holds /etc/passwd's lock (exit 10)
BUSY = 10
NO_SUCH_USER = 6


def user_name(tag: str) -> str:
    """dg- and the lab's hash: 13 characters, well within useradd's 32."""
    return "dg-" + tag.rsplit("-", 1)[-1]


def possible() -> bool:
    return all(shutil.which(tool, path=SEARCH_PATH) for tool in ("useradd", "userdel"))


def create(name: str) -> dict:
    """The user ``name`` with a subordinate range of its own (made, or found from a lab that crashed)."""
    if _range(name) is None:
        _run(["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name], ok=(0,))
    found = _range(name)
    if found is None:
        raise LabError(msg("lab.isolation", reason=f"useradd gave {name} no range in /etc/subuid"))
    return {"user": name, "uid": found[0], "count": found[1]}


def remove(name: str) -> None:
    """The user, its group and its ranges; a user already gone is fine."""
    _run(["userdel", name], ok=(0, NO_SUCH_USER))


def _range(name: str) -> tuple[int, int] | None:
    """(first uid, count) of the user's range in /etc/subuid; None without a line there."""
    try:
        lines = Path("/etc/subuid").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(":")
        if len(fields) == 3 and fields[0] == name and fields[1].isdigit() and fields[2].isdigit():
            return int(fields[1]), int(fields[2])
    return None


def _run(argv: list[str], ok: tuple[int, ...]) -> None:
    program = shutil.which(argv[0], path=SEARCH_PATH) or argv[0]
    for _ in range(TRIES):
        done = subprocess.run([program, *argv[1:]], capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode in ok:
            return
        if done.returncode != BUSY:
            break
        time.sleep(0.1)
    raise LabError(msg("lab.isolation", reason=f"{argv[0]}: {done.stderr.strip()[:200] or f'exit {done.returncode}'}"))
