"""The lab's own network namespace: its registry, dockerd and containers see no network of the host.

Inside it, 127.0.0.1 is the lab's own loopback (where its registry listens) and the bridges
that ``docker network create`` makes are the lab's alone, so nothing a submission does can
reach a service on the host's loopback, another lab's registry, or the host's networks. The
namespace is kept by a bind mount on a file in the lab folder, and ends when that is unmounted.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
from pathlib import Path
from typing import Callable, TypeVar

CLONE_NEWNET = 0x40000000
T = TypeVar("T")


def create(path: Path) -> None:
    """A new network namespace kept at ``path``, with its loopback up."""
    path.touch()
    subprocess.run(["unshare", f"--net={path}", "true"], check=True, capture_output=True)
    subprocess.run(["nsenter", f"--net={path}", "ip", "link", "set", "lo", "up"], check=True, capture_output=True)


def command(path: Path, argv: list[str], own_mounts: bool = False) -> list[str]:
    """``argv`` run inside the namespace; with ``own_mounts``, in a mount namespace of its own too.

    That mount namespace starts as a private copy of the host's (so it sees the lab's data-root
    tmpfs and folder), and what is mounted in it afterwards (dockerd's overlays, shm, network
    namespace files) never reaches the host's mount table: it goes when its last process does.
    """
    if own_mounts:
        argv = ["unshare", "--mount", "--propagation", "private", "--", *argv]
    return ["nsenter", f"--net={path}", "--", *argv]


def run_in(path: Path, function: Callable[[], T]) -> T:
    """Calls ``function`` in a thread that has joined the namespace, so its sockets are the lab's."""
    outcome: dict = {}

    def target() -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
            try:
                if _libc().setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
            finally:
                os.close(fd)
            outcome["value"] = function()
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    thread = threading.Thread(target=target, name="lab-netns")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _libc():
    return ctypes.CDLL(None, use_errno=True)
