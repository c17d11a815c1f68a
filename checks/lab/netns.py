"""The lab's own network namespaces: dockerd and containers in one, the registry in another.

    lab namespace         lo, docker0 and the bridges of `docker network create`, dockerd, containerd,
                          the ports containers publish; dockerd's iptables rules, and one of the lab's:
                          what arrives for the registry is dropped (no iptables: forwarding off)
        reg0 169.254.42.1/30 ──veth── eth0 169.254.42.2/30
    registry namespace    lo and eth0 only: the registry listens on 169.254.42.2:5000

127.0.0.1 in the lab namespace is the lab's own loopback, where `-p` publishes, so every port is
the student's to use. Nothing a submission does reaches a service on the host's loopback, another
lab, or the host's networks. Only the lab namespace itself (dockerd pulling, the grader pushing)
reaches the registry: containers sit on bridges behind it, and no packet of theirs passes onto
the veth (the registry's namespace has no route back to them either). Each namespace is kept by a bind mount on a file in the lab
folder, and ends (with the veth) when that is unmounted.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable, TypeVar

from checks import hub

CLONE_NEWNET = 0x40000000
T = TypeVar("T")


def create(path: Path) -> None:
    """A new network namespace kept at ``path``, with its loopback up."""
    path.touch()
    subprocess.run(["unshare", f"--net={path}", "true"], check=True, capture_output=True)
    subprocess.run(["nsenter", f"--net={path}", "ip", "link", "set", "lo", "up"], check=True, capture_output=True)


REGISTRY_LINK = "reg0"  # the lab namespace's end of the veth
LAB_SIDE = "169.254.42.1"
REGISTRY_SIDE = hub.REGISTRY_HOST  # link-local: no Docker address pool and no course uses it


def firewall() -> str | None:
    """The iptables program, when this machine has one: then the lab's namespace gets a firewall."""
    return shutil.which("iptables", path="/usr/sbin:/usr/bin:/sbin:/bin")


def create_registry(path: Path, lab: Path, program: str | None) -> None:
    """The registry's namespace at ``path``, joined to the lab's namespace by a veth on a /30 of its own.

    With the iptables ``program`` (``firewall()``), packets that arrive in the lab's namespace for
    the registry, which only containers send, are dropped before routing, and dockerd may forward
    and keep its own rules there as on any Docker host. Without it, dockerd must not forward at
    all (containers are then confined to their bridges). dockerd may be starting meanwhile, adding
    rules of its own: ``--wait`` takes turns with it on the xtables lock.
    """
    create(path)
    steps = [
        command(lab, ["ip", "link", "add", REGISTRY_LINK, "type", "veth", "peer", "name", "eth0", "netns", str(path)]),
        command(lab, ["ip", "address", "add", f"{LAB_SIDE}/30", "dev", REGISTRY_LINK]),
        command(lab, ["ip", "link", "set", REGISTRY_LINK, "up"]),
        command(path, ["ip", "address", "add", f"{REGISTRY_SIDE}/30", "dev", "eth0"]),
        command(path, ["ip", "link", "set", "eth0", "up"]),
    ]
    if program:  # in the lab's namespace only: dockerd's own requests leave through OUTPUT, never PREROUTING
        steps.append(command(lab, [program, "--wait", "-t", "raw", "-A", "PREROUTING", "-d", REGISTRY_SIDE, "-j", "DROP"]))
    for step in steps:
        subprocess.run(step, check=True, capture_output=True)


def command(path: Path, argv: list[str], own_mounts: bool = False) -> list[str]:
    """``argv`` run inside the namespace; with ``own_mounts``, in a mount namespace of its own too.

    That mount namespace starts as a copy of the host's (so it sees the lab's data-root tmpfs and
    folder), each mount a slave of the host's: what is mounted in it afterwards (dockerd's
    overlays, shm, network namespace files) never reaches the host's mount table, and goes when its
    last process does, while what the host mounts under a shared mount (the lab's exchange folder:
    a run's copy of the submission, which containers may bind) still reaches it.
    """
    if own_mounts:
        argv = ["unshare", "--mount", "--propagation", "slave", "--", *argv]
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
