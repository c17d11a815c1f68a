"""The CLI boundary: each of a student's commands runs as an unprivileged user inside bubblewrap.

What the docker CLI (or docker-compose) sees there, and nothing else of the host:

    /usr, /bin, /lib ...      read-only; /usr/local hidden, but for the docker CLI itself
    /etc                      a few read-only files (passwd, group, hosts, nsswitch.conf, ld.so.cache, ssl)
    /work  (cwd)              the copy of the submission folder  ┐ one tmpfs of bounded size,
    /tmp                      private                            ┘ mounted noexec, nosuid, nodev
    /etc/docker-grader        HOME, read-only and empty: no .gitconfig, .ssh or Python user site
    /run/docker-config        DOCKER_CONFIG, on the noexec tmpfs: where `docker login` keeps its
                              credentials; before each command its config.json is cut back to
                              them (no plugins folder, context, credential helper or proxy setting)
    /usr/local/lib/docker/cli-plugins/docker-compose   Compose v2, read-only, when installed
    /run/docker.sock          the API boundary's socket, never dockerd's own

with its own user, pid, ipc, uts and network namespaces (no network at all: only its own
loopback), no further user namespaces, no capabilities, no new privileges, and a cgroup of its
own with pids, memory and CPU limits. So ``docker cp``, ``save -o``, ``export -o``,
``--env-file``, ``--cidfile``, build contexts and compose files can only read and write the
copy of the submission, and nothing written there is run: not as a program (noexec), and not
as configuration of the programs that do run (the CLI, docker-compose's Python, git), whose
configuration is read only from the read-only HOME and DOCKER_CONFIG.

One such sandbox serves all of a run's lines (``session``): its program is ``checks.launcher``,
which starts each line and kills whatever the line left before the next one. Where the launcher
cannot run, ``command`` wraps each line in a sandbox of its own, with the same view and limits.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from checks import launcher
from checks.errors import LabError, UsageError
from checks.lab import cleanup
from checks.messages import msg

NOBODY = 65534
ETC_FILES = ("passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "ssl", "alternatives")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
MAX_COPY = 64 * 1024 * 1024  # a submission folder larger than this is not copied whole
MAX_ENTRIES = 10_000  # files and folders copied
MAX_DEPTH = 32
PROGRAMS = ("docker", "docker-compose")
WORK = "/work"  # where the commands see the copy of the submission (their cwd)
# Compose v2, where scripts/setup.sh installs it (pinned): outside the docker CLI's own plugin
# folders, so the machine's `docker` is unchanged; in the sandbox, read-only where the CLI looks.
COMPOSE_VERSION = "2.40.3"  # what setup.sh installs
COMPOSE_PLUGIN = Path("/usr/local/lib/docker-grader/cli-plugins/docker-compose")
PLUGIN_FOLDER = "/usr/local/lib/docker/cli-plugins"
DOCKER_CONFIG = "/run/docker-config"
MAX_CONFIG = 256 * 1024  # bytes of config.json read back after a command


@dataclass
class Sandbox:
    """A scratch area (``root``) and the bubblewrap command line that confines a command to it."""

    root: Path
    socket: Path
    uid: int = NOBODY
    size: str = "256m"
    cgroups: dict = field(default_factory=dict)  # what limit_cgroups applied, and the files to join them
    group: int | None = None  # the host gid of a container's root (userns-remap), which the copy is shared with
    one_sandbox: bool = True  # all lines in one sandbox, through checks.launcher (when it can start); else one each
    _session: launcher.Session | None = field(default=None, init=False, repr=False)

    @property
    def files(self) -> Path:
        return self.root / "fs"

    @property
    def work(self) -> Path:
        return self.files / "work"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def docker_config(self) -> Path:
        """DOCKER_CONFIG, writable (docker login), on the sandbox's noexec tmpfs."""
        return self.files / "docker-config"

    @property
    def tag(self) -> str:
        """Names the sandbox's cgroup."""
        return "docker-grader-cli-" + hashlib.sha1(str(self.root).encode()).hexdigest()[:10]

    def prepare(self, submission: Path) -> None:
        """Mounts the scratch tmpfs and copies the submission's regular files into it."""
        self.mount()
        self.copy(submission)

    def copy(self, submission: Path) -> None:
        """The submission's regular files copied into the working folder (shared with ``group``, when set)."""
        _copy_tree(submission, self.work, self.uid, self.group)

    def mount(self) -> None:
        """The scratch tmpfs, its folders and the sandbox's cgroup: all the sandbox needs to start, before the copy."""
        if shutil.which("bwrap") is None:
            raise LabError(msg("lab.missing_program", program="bwrap", package="bubblewrap"))
        cleanup.mount_tmpfs(self.files, f"size={self.size},mode=0711,noexec,nosuid,nodev")
        os.chmod(self.root, 0o711)
        for folder in (self.work, self.files / "tmp", self.docker_config):
            folder.mkdir()
            os.chown(folder, self.uid, self.uid)
        self.config.mkdir(exist_ok=True)
        (self.config / "config.json").write_text("{}\n")
        os.chmod(self.config, 0o755)
        # What a command may use, with all it starts: the CLI or docker-compose are small.
        self.cgroups = cleanup.limit_cgroups(self.tag, pids=128, memory=1024**3, cpus=1.0)

    def session(self) -> launcher.Session | None:
        """The run's one sandbox, its launcher started on first use; None when lines get a sandbox each
        (``one_sandbox`` off, no Python for the launcher, or a launcher that failed: then for the rest of the run)."""
        if self._session is None and self.one_sandbox:
            python = launcher.python()
            if python is None:
                self.one_sandbox = False
                return None
            self._session = launcher.Session(self.command((python, *launcher.arguments()), programs=PROGRAMS))
        return self._session

    def lost_session(self) -> None:
        """The launcher ended or stopped answering: the rest of the run's lines get a sandbox each."""
        if self._session is not None:
            self._session.close()
            self._session = None
        self.one_sandbox = False

    def close(self) -> None:
        cleanup.kill_cgroups(self.tag)  # the launcher too: killed with the rest, not asked to end and waited for
        if self._session is not None:
            self._session.close()
            self._session = None
        subprocess.run(["umount", "-l", str(self.files)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def command(self, argv: tuple[str, ...], programs: tuple[str, ...] = ()) -> list[str]:
        """What the grader starts, as root: join the sandbox's cgroups, become the sandbox's user, run bubblewrap.

        The shell joins the cgroups before anything else runs, so nothing escapes them. ``programs``:
        more programs the sandbox must see (the launcher's lines run them).
        """
        self.reset_docker_config()
        joins = "; ".join(f"echo $$ > {shlex.quote(str(path))}" for path in self.cgroups.get("procs", ()))
        drop = ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups", "--no-new-privs", "--"]
        return ["sh", "-c", f'{joins + "; " if joins else ""}exec "$@"', "sandbox", *drop, *self.argv(argv, programs)]

    def reset_docker_config(self) -> None:
        """config.json as keep_credentials_only leaves it, written by root over whatever the last command left."""
        path = self.docker_config / "config.json"
        try:
            with open(path, "rb", opener=no_follow) as reading:
                text = reading.read(MAX_CONFIG).decode("utf-8", "replace")
        except OSError:
            text = "{}"
        for entry in self.docker_config.iterdir() if self.docker_config.is_dir() else ():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)  # contexts, cli-plugins, ...: none is the CLI's to keep
            else:
                entry.unlink(missing_ok=True)
        path.write_text(json.dumps(keep_credentials_only(text)) + "\n")
        os.chown(path, self.uid, self.uid)

    def argv(self, command: tuple[str, ...], programs: tuple[str, ...] = ()) -> list[str]:
        """The bubblewrap command line that runs ``command`` (docker or docker-compose) confined; the sandbox sees ``programs`` too."""
        real = program_path(command[0])
        args = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        args += ["--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local"]
        for seen in dict.fromkeys([real, *(program_path(name) for name in programs)]):
            if seen.startswith("/usr/local/"):
                args += ["--ro-bind", seen, seen]
        if compose_plugin() is not None:
            args += ["--ro-bind", str(COMPOSE_PLUGIN), f"{PLUGIN_FOLDER}/docker-compose"]
        args += ["--remount-ro", "/usr/local"]
        for name in TOP_LEVEL:
            path = Path("/") / name
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for name in ETC_FILES:
            if (Path("/etc") / name).exists():
                args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
        args += [
            "--proc", "/proc", "--dev", "/dev",
            "--bind", str(self.work), WORK, "--bind", str(self.files / "tmp"), "/tmp",
            "--ro-bind", str(self.config), "/etc/docker-grader",
            "--bind", str(self.docker_config), DOCKER_CONFIG,
            "--bind", str(self.socket), "/run/docker.sock",
            "--chdir", WORK,
        ]
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/etc/docker-grader", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
            "NO_COLOR": "1", "DOCKER_HOST": "unix:///run/docker.sock", "DOCKER_CONFIG": DOCKER_CONFIG,
            "DOCKER_BUILDKIT": "0", "COMPOSE_DOCKER_CLI_BUILD": "0", "DOCKER_CLI_HINTS": "false",
            # Configuration the programs that run here would read: none from anywhere a submission can write.
            "XDG_CONFIG_HOME": "/etc/docker-grader", "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
        }
        for key, value in environment.items():
            args += ["--setenv", key, value]
        return args + ["--", real, *command[1:]]


def program_path(name: str) -> str:
    """Where a program named on a line really is (links resolved), as the sandbox runs it."""
    return os.path.realpath(shutil.which(name) or name)


def keep_credentials_only(text: str) -> dict:
    """The parts of a docker CLI config.json that ``docker login`` writes, and nothing else: a
    command must not leave the next one a credential helper, a context, plugin folders or proxies."""
    try:
        config = json.loads(text)
    except ValueError:
        return {}
    auths = config.get("auths") if isinstance(config, dict) else None
    if not isinstance(auths, dict):
        return {}
    kept = {server: {"auth": entry["auth"]} for server, entry in auths.items()
            if isinstance(server, str) and isinstance(entry, dict) and isinstance(entry.get("auth"), str)}
    return {"auths": kept} if kept else {}


def _copy_tree(source: Path, target: Path, uid: int, group: int | None = None) -> None:
    """Copies regular files and folders only (never links or devices), within bounds of bytes,
    entries and depth; what is past them is left out. Any fault is the submission's: a UsageError.

    With a ``group`` (a container's root under userns-remap), the copy is shared with it: a
    container that binds a file or folder of the submission may read and write it, as on the
    student's own machine. Folders are set-group-id, so what the CLI writes later stays in the group."""
    budget, entries = MAX_COPY, 0
    gid = uid if group is None else group
    if group is not None:
        os.chown(target, uid, gid)
        os.chmod(target, 0o2775)
    pending = [(source, target, 0)]
    try:
        while pending:
            folder, into, depth = pending.pop()
            for entry in sorted(folder.iterdir()):
                entries += 1
                if entries > MAX_ENTRIES:
                    return
                destination = into / entry.name
                if entry.is_symlink():
                    continue
                if entry.is_dir() and depth < MAX_DEPTH:
                    destination.mkdir()
                    os.chown(destination, uid, gid)
                    if group is not None:
                        os.chmod(destination, 0o2775)
                    pending.append((entry, destination, depth + 1))
                elif entry.is_file() and entry.stat().st_size <= budget:
                    budget -= entry.stat().st_size
                    with open(entry, "rb", opener=no_follow) as reading, open(destination, "wb") as writing:
                        shutil.copyfileobj(reading, writing)
                    os.chown(destination, uid, gid)
                    if group is not None:
                        os.chmod(destination, 0o664)
    except (OSError, UnicodeError) as error:
        raise UsageError(msg("submission.unreadable", path=str(source), reason=getattr(error, "strerror", None) or error)) from None


def compose_plugin() -> Path | None:
    """The Compose v2 CLI plugin, when installed as setup.sh does: a regular file of root's that only root may change."""
    try:
        info = COMPOSE_PLUGIN.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        return None
    return COMPOSE_PLUGIN


def remapped_group(user: str) -> int | None:
    """The host gid of a container's root under dockerd's ``--userns-remap USER`` (the lab's own user,
    checks.lab.remap: its first subordinate gid), or None when it has none."""
    try:
        for line in Path("/etc/subgid").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name == user:
                return int(rest.split(":")[0])
    except (OSError, ValueError):
        pass
    return None


def no_follow(path: str, flags: int) -> int:
    """An ``open()`` opener that refuses a link: the grader reads a submission's files as root."""
    return os.open(path, flags | os.O_NOFOLLOW)
