"""The lab: a local registry and an isolated dockerd of the grader's own, started as one unit.

    network namespace of the lab's own (netns.py): its loopback, docker0 and bridges, nothing of the host's
    registry (its own namespace, 169.254.42.2:5000 over a veth only the lab's namespace routes to,
              storage on the data-root tmpfs) ← course images pushed over HTTP
    dockerd (own data-root on a size-capped tmpfs, exec-root, socket, pidfile, containerd namespace)
        default bridge, -p through docker-proxy  → a published port answers on the lab's 127.0.0.1
        --userns-remap default                   → root in a container is an unprivileged uid on the host
        --cgroup-parent /<tag>, with pids, memory and CPU limits on it → all containers together are capped
        --registry-mirror http://169.254.42.2:5000 → `docker pull alpine:3.14` is served locally
        HTTP(S)_PROXY at a closed loopback port  → a name the mirror lacks fails at once, offline

Everything a lab owns lives in its folder (and its data-root under /run/docker-grader) and is
found again from there, so ``down`` cleans up after a crash too: processes (by pid, checked
against their command line), the containers' cgroups, mounts, then the folders.

    __init__.py   the lifecycle: up, down, status, ``running()`` (up, and always down)
    processes.py  starting, finding and stopping the lab's processes; waiting until they answer
    cleanup.py    the cgroup parent and its limits, killing what is left in it, unmounting
    netns.py      the network namespace
    images.py     the course images, built byte for byte the same
    start.py      exercises' starting states
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from checks import hub, sandbox
from checks.errors import LabError, UsageError
from checks.lab import cleanup, netns, processes, readiness
from checks.lab import images as lab_images
from checks.messages import Message, msg

Progress = Callable[[Message], None]
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
SOCKET_LIMIT = 100  # sun_path holds 108 bytes; leave room
READY_TIMEOUT = 30.0
DATA_BASE = Path("/run/docker-grader")
REGISTRY_PORT = hub.REGISTRY_PORT  # in the registry's own network namespace, so every lab can use it
REGISTRY = hub.LAB_REGISTRY  # the lab registry's name, as dockerd and the boundary know it


@dataclass(frozen=True)
class Resources:
    """What all of a lab's containers may use together, and the size of its data-root."""

    pids: int = 1024
    memory: int = 2 * 1024**3
    cpus: float = 1.5
    data_size: str = "4g"
    nofile: str = "1024:4096"


def base_dir() -> Path:
    """Where labs live: DOCKER_GRADER_LABS, else /var/lib/docker-grader/labs (root) or ~/.local/state."""
    if os.environ.get("DOCKER_GRADER_LABS"):
        return Path(os.environ["DOCKER_GRADER_LABS"])
    if os.geteuid() == 0:
        return Path("/var/lib/docker-grader/labs")
    return Path.home() / ".local/state/docker-grader/labs"


def quiet(message: Message) -> None:
    pass


@dataclass
class Lab:
    name: str = "default"
    root: Path | None = None
    debug: bool = False  # dockerd --debug logs every API request it serves (tests count them)
    resources: Resources = Resources()
    userns: bool = True  # dockerd --userns-remap=default (root in a container is not root on the host)

    def __post_init__(self) -> None:
        if not NAME.fullmatch(self.name):
            raise UsageError(msg("lab.bad_name", name=self.name))
        self.root = Path(self.root or base_dir() / self.name).absolute()
        if len(str(self.socket)) > SOCKET_LIMIT:
            raise UsageError(msg("lab.long_path", path=str(self.root), limit=SOCKET_LIMIT - len("/docker.sock")))

    # --- where things are ------------------------------------------------------------
    @property
    def socket(self) -> Path:
        return self.root / "docker.sock"

    @property
    def host(self) -> str:
        return f"unix://{self.socket}"

    @property
    def options(self) -> str:
        """The lab's options for another docker-grader command: --name, and --dir when it is not the default folder."""
        given = f"--name {shlex.quote(self.name)}"
        return given if self.root == (base_dir() / self.name).absolute() else f"{given} --dir {shlex.quote(str(self.root))}"

    @property
    def tag(self) -> str:
        """Unique per lab folder: names its cgroup parent and containerd namespace."""
        return "docker-grader-" + hashlib.sha1(str(self.root).encode()).hexdigest()[:10]

    @property
    def netns(self) -> Path:
        return self.root / "netns"

    @property
    def registry_netns(self) -> Path:
        return self.root / "registry-netns"

    @property
    def data_root(self) -> Path:
        """Outside the lab folder: with --userns-remap, dockerd needs every folder above it searchable by others."""
        return DATA_BASE / self.tag

    @property
    def state_file(self) -> Path:
        return self.root / "lab.json"

    @property
    def dockerd_log(self) -> Path:
        return self.root / "dockerd.log"

    @property
    def docker_config(self) -> Path:
        """A DOCKER_CONFIG of the lab's own, so that commands never use the host's contexts or credentials."""
        return self.root / "docker-config"

    def read_state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def environment(self) -> dict[str, str]:
        return {"DOCKER_HOST": self.host, "DOCKER_CONFIG": str(self.docker_config)}

    # --- state -----------------------------------------------------------------------
    def status(self) -> str:
        """'up' (dockerd and registry answer), 'down' (nothing there) or 'broken' (leftovers)."""
        state = self.read_state()
        if not self.root.exists():
            return "down"
        alive = processes.alive(state.get("dockerd_pid"), str(self.socket)) and processes.alive(state.get("registry_pid"), str(self.root))
        if alive and processes.ping(self.socket):
            return "up"
        return "broken"

    # --- up --------------------------------------------------------------------------
    def up(self, extra_images: list | tuple = (), progress: Progress = quiet) -> bool:
        """Starts the lab; False (and nothing changed) when it is up already."""
        if self.status() == "up":
            progress(msg("lab.already_up", name=self.name, host=self.host))
            return False
        if self.root.exists():
            self.down(progress)
        for warning in readiness.require():  # before anything is made: a machine that cannot host a lab says why
            progress(warning)
        programs = {name: processes.program(name, package) for name, package in (("dockerd", "docker.io"), ("docker-registry", "docker-registry"))}
        built = lab_images.lab_images(extra_images)  # fails early on a missing busybox
        try:
            self.root.mkdir(parents=True, mode=0o711)
            self.docker_config.mkdir()
            (self.docker_config / "config.json").write_text("{}\n")
            self._add_compose_plugin()
            state = {"name": self.name, "root": str(self.root), "host": self.host, "started": time.time()}
            self._write_state(state)
            self._isolate(state)
            registry = f"http://{REGISTRY}"
            progress(msg("lab.step_registry", url=registry))
            state["registry_pid"] = self._start_registry(programs["docker-registry"])
            state["registry"] = registry
            self._write_state(state)
            # dockerd starts while the registry does and the images are pushed: it asks the
            # registry nothing until the first pull.
            progress(msg("lab.step_dockerd", socket=str(self.socket)))
            state["userns"] = self.userns and _userns_possible()
            if self.userns and not state["userns"]:
                progress(msg("lab.no_userns"))
            state["dockerd_pid"] = self._start_dockerd(programs["dockerd"], registry, state["userns"], state["firewall"])
            state["images"] = {image.reference.familiar: image.id for image in built}
            self._write_state(state)
            in_lab = lambda: processes.http_ok(f"{registry}/v2/")  # noqa: E731
            processes.wait(lambda: netns.run_in(self.netns, in_lab), READY_TIMEOUT, msg("lab.not_ready", part="registry", log=self.root / "registry.log"))
            progress(msg("lab.step_images", count=len(built), names=", ".join(image.reference.familiar for image in built)))
            pushed: dict[str, set[str]] = {}  # blobs sent once, mounted into the other repositories that share them
            netns.run_in(self.netns, lambda: [lab_images.push(image, registry, pushed) for image in built])
            processes.wait(lambda: processes.ping(self.socket), READY_TIMEOUT, msg("lab.not_ready", part="dockerd", log=self.dockerd_log))
        except BaseException:
            self.down()
            raise
        progress(msg("lab.ready", name=self.name, host=self.host, options=self.options))
        return True

    @contextlib.contextmanager
    def running(self, extra_images: list | tuple = (), progress: Progress = quiet):
        """The lab up for a ``with`` block, and always down after it: on an error, Ctrl-C or SIGTERM too."""
        self.up(extra_images, progress)
        try:
            yield self
        finally:
            self.down(progress)

    def _isolate(self, state: dict) -> None:
        """The lab's network namespace, its data-root on a tmpfs of bounded size, its cgroup limits."""
        try:
            netns.create(self.netns)
            state["firewall"] = netns.create_registry(self.registry_netns, self.netns)
        except (OSError, subprocess.CalledProcessError) as error:
            reason = getattr(error, "stderr", None) or str(error).encode()
            raise LabError(msg("lab.isolation", reason=reason.decode(errors="replace").strip()[:200])) from None
        cleanup.mount_tmpfs(self.data_root, f"size={self.resources.data_size},mode=0711")
        state["netns"] = str(self.netns)
        state["cgroup_limits"] = cleanup.limit_cgroups(self.tag, self.resources.pids, self.resources.memory, self.resources.cpus)
        self._write_state(state)

    def _write_state(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")

    def _add_compose_plugin(self) -> None:
        """`docker compose` (v2) for the lab's DOCKER_CONFIG, when setup.sh installed the pinned plugin."""
        plugin = sandbox.compose_plugin()
        if plugin is not None:
            (self.docker_config / "cli-plugins").mkdir()
            (self.docker_config / "cli-plugins" / "docker-compose").symlink_to(plugin)

    # --- the registry and dockerd: where they listen, what the lab's network is like ---
    def _start_registry(self, program: str) -> int:
        config = self.root / "registry.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            # On the data-root's tmpfs: what a submission pushes counts against the same bound.
            f"storage:\n  filesystem:\n    rootdirectory: {self.data_root / 'registry'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {REGISTRY}\n"
        )
        return processes.spawn(netns.command(self.registry_netns, [program, "serve", str(config)]), self.root / "registry.log")

    def _start_dockerd(self, program: str, registry: str, userns: bool, firewall: bool) -> int:
        args = [
            program,
            "--data-root", str(self.data_root / "docker"),
            # Under /run, like the data-root: with --userns-remap, dockerd makes remapped copies of
            # every folder above an exec-root that others cannot search, beside them, and leaves them.
            "--exec-root", str(self.data_root / "exec"),
            "--pidfile", str(self.root / "docker.pid"),
            "--host", self.host,
            # The default bridge, as on any Docker host: `-p 8080:80` answers on the lab namespace's
            # addresses (docker-proxy on its loopback). dockerd's iptables rules go to the lab's
            # namespace only (it runs there); without masquerading, and with netns.py's rule, no
            # container reaches the registry. The host's firewall is never touched.
            *(("--iptables=true",) if firewall else ("--iptables=false", "--ip-forward=false")),
            "--ip6tables=false",
            "--ip-masq=false",
            "--userland-proxy=true",
            "--registry-mirror", registry,
            "--insecure-registry", REGISTRY,  # plain HTTP, like 127.0.0.1 before: a link-local address is not assumed so
            "--cgroup-parent", f"/{self.tag}",
            "--containerd-namespace", self.tag,
            "--containerd-plugins-namespace", f"{self.tag}-plugins",
            "--shutdown-timeout", "2",
            "--default-ulimit", f"nofile={self.resources.nofile}",
            "--log-level", "debug" if self.debug else "warn",
        ]
        if userns:
            args += ["--userns-remap", "default"]
        # A name the mirror lacks would make dockerd try Docker Hub: send that to a closed
        # loopback port instead, so nothing leaves the machine and the pull fails at once.
        closed = f"http://127.0.0.1:{processes.free_port()}"
        env = {**os.environ, "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "NO_PROXY": f"127.0.0.1,localhost,{netns.REGISTRY_SIDE}",
               "TMPDIR": str(self.data_root)}  # containerd's stack dumps land in the lab's own folder, removed with it
        for key in ("http_proxy", "https_proxy", "no_proxy", "DOCKER_HOST"):
            env.pop(key, None)
        return processes.spawn(netns.command(self.netns, args), self.dockerd_log, env)

    # --- down ------------------------------------------------------------------------
    def down(self, progress: Progress = quiet) -> bool:
        """Stops everything and removes the folder; False when there was nothing to stop."""
        if not self.root.exists():
            if self.data_root.exists():  # a lab folder removed by hand: still unmount its data
                cleanup.unmount_under(self.data_root)
                shutil.rmtree(self.data_root, ignore_errors=True)
            return False
        state = self.read_state()
        progress(msg("lab.step_down", name=self.name))
        # Killed, not stopped: everything is removed below anyway. dockerd first, so that it
        # starts nothing more; then containerd and its shims (named by the lab's folder or tag),
        # the containers (by cgroup) and the registry.
        processes.kill([(state.get("dockerd_pid"), str(self.socket))])
        processes.kill([(pid, marker) for marker in (str(self.root), self.tag) for pid in processes.pids_mentioning(marker)])
        cleanup.kill_cgroups(self.tag)
        processes.kill([(state.get("registry_pid"), str(self.root))])
        cleanup.unmount_under(self.root)
        cleanup.unmount_under(self.data_root)
        shutil.rmtree(self.data_root, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.root.exists():
            cleanup.unmount_under(self.root)
            shutil.rmtree(self.root)
        progress(msg("lab.stopped", name=self.name))
        return True


def labs() -> list[Lab]:
    """The labs in the base folder, up or not."""
    base = base_dir()
    if not base.is_dir():
        return []
    return [Lab(path.name, path) for path in sorted(base.iterdir()) if (path / "lab.json").exists() and NAME.fullmatch(path.name)]


def _userns_possible() -> bool:
    """dockerd's --userns-remap=default needs the dockremap user, or the tools to create it."""
    try:
        if any(line.startswith("dockremap:") for line in Path("/etc/subuid").read_text().splitlines()):
            return True
    except OSError:
        pass
    return all(shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin") for tool in ("useradd", "usermod"))
