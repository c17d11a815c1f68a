"""The lab: a local registry and an isolated dockerd of the grader's own, started as one unit.

    network namespace of the lab's own (netns.py): its loopback, docker0 and bridges, nothing of the host's
    registry (its own namespace, 169.254.42.2:5000 over a veth only the lab's namespace routes to,
              storage on the data-root tmpfs) ← course images written into its storage before it starts
    dockerd (own data-root on a size-capped tmpfs, exec-root, socket, pidfile, containerd namespace)
        in the cgroup /<tag>-daemons (pids, memory, CPU limits; OOM score 500), from before it runs
                                                 → dockerd, containerd, the shims and runc are capped too
        in a mount namespace of its own          → its mounts never reach the host's mount table
        default bridge, -p through docker-proxy  → a published port answers on the lab's 127.0.0.1
        --userns-remap dg-<hash>                 → root in a container is an unprivileged uid on the host,
                                                   in a range of the lab's own (remap.py)
        --cgroup-parent /<tag>, with pids, memory and CPU limits on it → all containers together are capped
        --registry-mirror http://169.254.42.2:5000 → `docker pull alpine:3.14` is served locally
        HTTP(S)_PROXY at a closed loopback port  → a name the mirror lacks fails at once, offline

Everything a lab owns lives in its folder (and its data-root under /run/docker-grader) and is
found again from there, so ``down`` cleans up after a crash too: processes (dockerd and the
registry by the pid and start time recorded when they started, everything else by the lab's
cgroups), mounts, then the folders.

    __init__.py   the lifecycle: up, down, status, ``running()`` (up, and always down)
    processes.py  starting the lab's processes, knowing them again by pid and start time, stopping them
    cleanup.py    the cgroup parent and its limits, killing what is left in it, unmounting
    netns.py      the network namespace
    orphans.py    what runs killed by SIGKILL left (`lab down --all`)
    remap.py      the lab's own remapped user and range of uids
    images.py     the course images, built byte for byte the same
    start.py      exercises' starting states
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from checks import hub, sandbox
from checks.errors import LabError, UsageError
from checks.lab import cleanup, netns, processes, readiness, remap
from checks.lab import images as lab_images
from checks.messages import Message, msg

Progress = Callable[[Message], None]
T = TypeVar("T")
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
SOCKET_LIMIT = 100  # sun_path holds 108 bytes; leave room
READY_TIMEOUT = 30.0
LOCK_TIMEOUT = 180.0  # seconds a second `lab up` (or `down`) waits for another to finish with the same lab
LOG_TAIL = 5  # lines of a daemon's log quoted when it ends during start (teardown deletes the file)
DATA_BASE = Path("/run/docker-grader")
REGISTRY_PORT = hub.REGISTRY_PORT  # in the registry's own network namespace, so every lab can use it
REGISTRY = hub.LAB_REGISTRY  # the lab registry's name, as dockerd and the boundary know it
# The lab's daemons go first when the host runs out of memory: ending one lab is better than
# ending anything else on the machine (dockerd's own default, -500, would spare it instead).
DAEMON_OOM_SCORE_ADJ = 500


@dataclass(frozen=True)
class Resources:
    """What all of a lab's containers may use together, what its daemons may use, and the size of its data-root.

    The daemons (dockerd, containerd, the shims, runc and the registry) have a cgroup of their own
    beside the containers': a container that fills its memory or pids limit does not starve
    dockerd, and a request that makes dockerd grow ends this lab's daemons, not the machine.
    """

    pids: int = 1024
    memory: int = 2 * 1024**3
    cpus: float = 1.5
    data_size: str = "4g"
    nofile: str = "1024:4096"
    daemon_pids: int = 4096  # threads count: 59 with 3 containers (bench/lab_limits.py); the boundary allows 100, each with a shim
    daemon_memory: int = 1024**3
    daemon_cpus: float = 1.0


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
    userns: bool = True  # dockerd --userns-remap with a user of the lab's own (root in a container is not root on the host)

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
    def daemons_cgroup(self) -> str:
        """The cgroup of the lab's daemons, beside the containers' (``tag``)."""
        return self.tag + "-daemons"

    @property
    def netns(self) -> Path:
        return self.root / "netns"

    @property
    def exchange(self) -> Path:
        """A shared mount of the lab's folder: what the host mounts in it reaches dockerd's own mount namespace."""
        return self.root / "exchange"

    @property
    def registry_netns(self) -> Path:
        return self.root / "registry-netns"

    @property
    def data_root(self) -> Path:
        """Outside the lab folder: with --userns-remap, dockerd needs every folder above it searchable by others."""
        return DATA_BASE / self.tag

    @property
    def lock_file(self) -> Path:
        """Beside the lab folder, never removed: ``up`` and ``down`` of one lab take turns on it."""
        return Path(f"{self.root}.lock")

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
        """'up' (made to the end, and dockerd and registry answer), 'down' (nothing there),
        'starting' (a `lab up` is making it now) or 'broken' (leftovers, or a start that was cut short)."""
        state = self.read_state()
        if not self.root.exists():
            return "down"
        if not state.get("ready"):
            return "starting" if self.locked() else "broken"
        alive = processes.alive(state.get("dockerd_process")) and processes.alive(state.get("registry_process"))
        if alive and processes.ping(self.socket):
            return "up"
        return "broken"

    @contextlib.contextmanager
    def _turn(self, progress: Progress = quiet):
        """Holds the lab's lock for a ``with`` block: one ``up`` or ``down`` of this lab at a time,
        across processes. Another holder is waited for (and said so), up to LOCK_TIMEOUT."""
        self.root.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT
            told = False
            while not _try_lock(descriptor):
                if not told:
                    progress(msg("lab.waiting", name=self.name))
                    told = True
                if time.monotonic() > deadline:
                    raise LabError(msg("lab.busy", name=self.name, seconds=int(LOCK_TIMEOUT), lock=str(self.lock_file)))
                time.sleep(0.05)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def locked(self) -> bool:
        """Whether another process holds the lab's lock now (a `lab up` or `down` under way)."""
        try:
            descriptor = os.open(self.lock_file, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            return not _try_lock(descriptor)
        finally:
            os.close(descriptor)

    # --- up --------------------------------------------------------------------------
    def up(self, extra_images: list | tuple = (), progress: Progress = quiet, ready: list | None = None) -> bool:
        """Starts the lab; False (and nothing changed) when it is up already, or another `lab up` made it meanwhile.

        ``ready``: the warnings of a ``readiness.require()`` the caller made already (``run`` does, before
        its sandbox), so the machine is not probed twice."""
        with self._turn(progress):
            return self._up(extra_images, progress, ready)

    def _up(self, extra_images: list | tuple, progress: Progress, ready: list | None = None) -> bool:
        if self.status() == "up":
            progress(msg("lab.already_up", name=self.name, host=self.host))
            return False
        if self.root.exists():
            self._down(progress)
        for warning in readiness.require() if ready is None else ready:  # before anything is made: a machine that cannot host a lab says why
            progress(warning)
        programs = {name: processes.program(name, package) for name, package in (("dockerd", "docker.io"), ("docker-registry", "docker-registry"))}
        built = lab_images.lab_images(extra_images)  # fails early on a missing busybox
        try:
            self.root.mkdir(parents=True, mode=0o711)
            self.docker_config.mkdir()
            (self.docker_config / "config.json").write_text("{}\n")
            self._add_compose_plugin()
            # The owner: the process that makes the lab. `lab down --all` takes a run's lab whose owner has ended as left behind.
            state = {"name": self.name, "root": str(self.root), "host": self.host, "started": time.time(),
                     "owner": processes.identity(os.getpid())}
            self._write_state(state)
            registry = f"http://{REGISTRY}"
            state["userns"] = self.userns and remap.possible()
            if self.userns and not state["userns"]:
                progress(msg("lab.no_userns"))
            made = None
            if state["userns"]:
                state["remap_user"] = remap.user_name(self.tag)
                self._write_state(state)  # before it is made: down removes it even if `up` is killed meanwhile
                made = _beside(remap.create, state["remap_user"])  # useradd, while the namespace and mounts are made
            try:
                self._isolate(state)
            finally:
                if made is not None:  # waited for even when isolating failed: down must not race useradd
                    state["remap"] = made()
            # dockerd first: it takes longest to answer (its containerd, then its iptables rules, about
            # 0.2 s), and asks the registry nothing until the first pull, which only comes once it is up.
            progress(msg("lab.step_dockerd", socket=str(self.socket)))
            state["dockerd_process"] = self._start_dockerd(
                programs["dockerd"], registry, state.get("remap_user"), state["daemon_limits"], state["firewall"])
            state["dockerd_pid"] = state["dockerd_process"]["pid"]
            self._write_state(state)
            # The course images go straight into the registry's storage, as a push would leave them,
            # before it starts: no upload, and nothing for the registry to do but serve.
            progress(msg("lab.step_images", count=len(built), names=", ".join(image.reference.familiar for image in built)))
            lab_images.store(built, self.data_root / "registry")
            progress(msg("lab.step_registry", url=registry))
            self._isolate_registry()
            state["registry_process"] = self._start_registry(programs["docker-registry"], state["daemon_limits"])
            state["registry_pid"] = state["registry_process"]["pid"]
            state["registry"] = registry
            state["images"] = {image.reference.familiar: image.id for image in built}
            self._write_state(state)
            in_lab = lambda: processes.http_ok(f"{registry}/v2/")  # noqa: E731
            self._wait_for("registry", state["registry_process"], self.root / "registry.log", lambda: netns.run_in(self.netns, in_lab))
            self._wait_for("dockerd", state["dockerd_process"], self.dockerd_log, lambda: processes.ping(self.socket))
            state["ready"] = True  # only now: a start cut short anywhere above is never called up
            self._write_state(state)
        except BaseException:
            self._down()
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

    def _wait_for(self, part: str, identity: dict, log: Path, ready: Callable[[], bool]) -> None:
        """Until ``ready()``; a LabError quoting the end of its log as soon as the process ends, or after READY_TIMEOUT."""
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready():
            if not processes.alive(identity):
                raise LabError(msg("lab.ended", part=part, log=log, tail=_tail(log)))
            if time.monotonic() > deadline:
                raise LabError(msg("lab.not_ready", part=part, log=log, tail=_tail(log)))
            time.sleep(0.02)

    def _isolate(self, state: dict) -> None:
        """The lab's network namespace, its data-root on a tmpfs of bounded size, its cgroup limits."""
        try:
            netns.create(self.netns)
        except (OSError, subprocess.CalledProcessError) as error:
            raise _isolation_error(error) from None
        state["firewall"] = netns.firewall() is not None
        cleanup.mount_tmpfs(self.data_root, f"size={self.resources.data_size},mode=0711")
        cleanup.mount_shared(self.exchange)  # before dockerd starts: its mount namespace is made a slave of it
        state["netns"] = str(self.netns)
        state["cgroup_limits"] = cleanup.limit_cgroups(self.tag, self.resources.pids, self.resources.memory, self.resources.cpus)
        state["daemon_limits"] = cleanup.limit_cgroups(
            self.daemons_cgroup, self.resources.daemon_pids, self.resources.daemon_memory, self.resources.daemon_cpus)
        self._write_state(state)

    def _isolate_registry(self) -> None:
        """The registry's namespace, its veth to the lab's, and (with a firewall) the rule that keeps containers from it.
        Made while dockerd starts: no container runs before the lab is up, by which time the rule is there."""
        try:
            netns.create_registry(self.registry_netns, self.netns, netns.firewall())
        except (OSError, subprocess.CalledProcessError) as error:
            raise _isolation_error(error) from None

    def share(self, folder: Path, name: str) -> Path:
        """``folder`` (on a mount dockerd cannot see: made after it started) bound where dockerd sees it too."""
        shown = self.exchange / name
        cleanup.bind(folder, shown)
        return shown

    def _write_state(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2) + "\n")

    def _add_compose_plugin(self) -> None:
        """`docker compose` (v2) for the lab's DOCKER_CONFIG, when setup.sh installed the pinned plugin."""
        plugin = sandbox.compose_plugin()
        if plugin is not None:
            (self.docker_config / "cli-plugins").mkdir()
            (self.docker_config / "cli-plugins" / "docker-compose").symlink_to(plugin)

    # --- the registry and dockerd: where they listen, what the lab's network is like ---
    def _start_registry(self, program: str, limits: dict) -> dict:
        config = self.root / "registry.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            # On the data-root's tmpfs: what a submission pushes counts against the same bound.
            f"storage:\n  filesystem:\n    rootdirectory: {self.data_root / 'registry'}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {REGISTRY}\n"
        )
        argv = netns.command(self.registry_netns, [program, "serve", str(config)])
        return processes.spawn(cleanup.joined(limits["procs"], argv, DAEMON_OOM_SCORE_ADJ), self.root / "registry.log")

    def _start_dockerd(self, program: str, registry: str, remap_user: str | None, limits: dict, firewall: bool) -> dict:
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
        args += ["--oom-score-adjust", str(DAEMON_OOM_SCORE_ADJ)]  # containerd gets the same from dockerd
        if remap_user:
            args += ["--userns-remap", remap_user]
        # A name the mirror lacks would make dockerd try Docker Hub: send that to a closed
        # loopback port instead, so nothing leaves the machine and the pull fails at once.
        closed = f"http://127.0.0.1:{processes.free_port()}"
        env = {**os.environ, "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "NO_PROXY": f"127.0.0.1,localhost,{netns.REGISTRY_SIDE}",
               "TMPDIR": str(self.data_root)}  # containerd's stack dumps land in the lab's own folder, removed with it
        for key in ("http_proxy", "https_proxy", "no_proxy", "DOCKER_HOST"):
            env.pop(key, None)
        # In the daemons' cgroup and a mount namespace of its own: containerd, the shims and runc,
        # which dockerd starts, are in both too.
        argv = netns.command(self.netns, args, own_mounts=True)
        return processes.spawn(cleanup.joined(limits["procs"], argv, DAEMON_OOM_SCORE_ADJ), self.dockerd_log, env)

    # --- down ------------------------------------------------------------------------
    def down(self, progress: Progress = quiet) -> bool:
        """Stops everything and removes the folder; False when there was nothing to stop."""
        with self._turn(progress):
            return self._down(progress)

    def _down(self, progress: Progress = quiet) -> bool:
        if not self.root.exists():
            if self.data_root.exists():  # a lab folder removed by hand: its daemons are still found by their cgroups
                cleanup.kill_cgroups(self.daemons_cgroup)
                cleanup.kill_cgroups(self.tag)
                cleanup.unmount_under(self.data_root)
                shutil.rmtree(self.data_root, ignore_errors=True)
                remap.remove(remap.user_name(self.tag))
            return False
        state = self.read_state()
        progress(msg("lab.step_down", name=self.name))
        # Killed, not stopped: everything is removed below anyway. dockerd first (by the identity
        # recorded when it started), so that it starts nothing more; then everything in the
        # containers' cgroup and in the daemons' (containerd, the shims, the registry). Nothing is
        # found by its command line: an unrelated process may name the lab's folder in its own.
        processes.kill([state.get("dockerd_process")])
        cleanup.kill_cgroups(self.tag)  # the containers: with dockerd gone, nothing starts them again
        # Its containers are gone, so no uid of its range is in use any more: the remapped user (and
        # the range, which another lab may be given next) goes while the rest is killed, unmounted and
        # removed (userdel, which rewrites six files under a lock, takes longest).
        removed = _beside(remap.remove, state["remap_user"]) if state.get("remap_user") else lambda: None
        try:
            cleanup.kill_cgroups(self.daemons_cgroup)
            processes.kill([state.get("registry_process")])
            cleanup.unmount_under(self.root, self.data_root)
            shutil.rmtree(self.data_root, ignore_errors=True)
            shutil.rmtree(self.root, ignore_errors=True)
            if self.root.exists():
                cleanup.unmount_under(self.root)
                shutil.rmtree(self.root)
        finally:
            removed()
        progress(msg("lab.stopped", name=self.name))
        return True


def labs() -> list[Lab]:
    """The labs in the base folder, up or not."""
    base = base_dir()
    if not base.is_dir():
        return []
    return [Lab(path.name, path) for path in sorted(base.iterdir()) if (path / "lab.json").exists() and NAME.fullmatch(path.name)]


def _try_lock(descriptor: int) -> bool:
    """An exclusive flock without waiting: False when another open file holds it."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            return False
        raise


def _beside(function: Callable[..., T], *args: object) -> Callable[[], T]:
    """Calls ``function(*args)`` in a thread; the callable returned waits for it and returns what it
    returned, or raises what it raised."""
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed to the waiting thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="lab-beside")
    thread.start()

    def wait() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]
    return wait


def _isolation_error(error: Exception) -> LabError:
    reason = getattr(error, "stderr", None) or str(error).encode()
    return LabError(msg("lab.isolation", reason=reason.decode(errors="replace").strip()[:200]))


def _tail(log: Path) -> str:
    """The last lines of a log, shown in the error: the log itself goes with the lab's folder."""
    try:
        with open(log, "rb") as reading:
            reading.seek(max(0, reading.seek(0, os.SEEK_END) - 4096))
            lines = reading.read().decode(errors="replace").splitlines()[-LOG_TAIL:]
    except OSError:
        lines = []
    return "\n".join("    " + line[:300] for line in lines) or "    (empty)"
