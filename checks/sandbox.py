"""The CLI boundary: each of a student's commands runs as an unprivileged user inside bubblewrap.

What the docker CLI (or docker-compose) sees there, and nothing else of the host:

    /usr, /bin, /lib ...      read-only; /usr/local hidden, but for the docker CLI itself
    /etc                      a few read-only files (passwd, group, hosts, nsswitch.conf, ld.so.cache, ssl)
    /work  (cwd, HOME)        the copy of the submission folder  ┐ one tmpfs of bounded size,
    /tmp                      private                            ┘ mounted noexec, nosuid, nodev
    /etc/docker-grader        DOCKER_CONFIG, read-only and empty: no plugins, contexts or credential helpers
    /run/docker.sock          the API boundary's socket, never dockerd's own

with its own user, pid, ipc, uts and network namespaces (no network at all: only its own
loopback), no capabilities and no new privileges. So ``docker cp``, ``save -o``, ``export -o``,
``--env-file``, ``--cidfile``, build contexts and compose files can only read and write the
copy of the submission, and nothing written there can be run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from checks.errors import LabError
from checks.messages import msg

NOBODY = 65534
ETC_FILES = ("passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "ssl", "alternatives")
TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
MAX_COPY = 64 * 1024 * 1024  # a submission folder larger than this is not copied whole
PROGRAMS = {"docker": "docker", "docker-compose": "docker-compose"}


@dataclass
class Sandbox:
    """A scratch area (``root``) and the bubblewrap command line that confines a command to it."""

    root: Path
    socket: Path
    uid: int = NOBODY
    size: str = "256m"

    @property
    def files(self) -> Path:
        return self.root / "fs"

    @property
    def work(self) -> Path:
        return self.files / "work"

    @property
    def config(self) -> Path:
        return self.root / "config"

    def prepare(self, submission: Path) -> None:
        """Mounts the scratch tmpfs and copies the submission's regular files into it."""
        bwrap = shutil.which("bwrap")
        if bwrap is None:
            raise LabError(msg("lab.missing_program", program="bwrap", package="bubblewrap"))
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o711)
        self.files.mkdir(exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size},mode=0711,noexec,nosuid,nodev", "docker-grader-work", str(self.files)],
            check=True, capture_output=True,
        )
        for folder in (self.work, self.files / "tmp"):
            folder.mkdir()
            os.chown(folder, self.uid, self.uid)
        _copy_tree(submission, self.work, self.uid, [MAX_COPY])
        self.config.mkdir(exist_ok=True)
        (self.config / "config.json").write_text("{}\n")
        os.chmod(self.config, 0o755)

    def close(self) -> None:
        subprocess.run(["umount", "-l", str(self.files)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def argv(self, command: tuple[str, ...]) -> list[str]:
        """The bubblewrap command line that runs ``command`` (docker or docker-compose) confined."""
        program = shutil.which(PROGRAMS[command[0]]) or command[0]
        real = os.path.realpath(program)
        args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv"]
        args += ["--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local"]
        if real.startswith("/usr/local/"):
            args += ["--ro-bind", real, real]
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
            "--bind", str(self.work), "/work", "--bind", str(self.files / "tmp"), "/tmp",
            "--ro-bind", str(self.config), "/etc/docker-grader",
            "--bind", str(self.socket), "/run/docker.sock",
            "--chdir", "/work",
        ]
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/work", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
            "NO_COLOR": "1", "DOCKER_HOST": "unix:///run/docker.sock", "DOCKER_CONFIG": "/etc/docker-grader",
            "DOCKER_BUILDKIT": "0", "COMPOSE_DOCKER_CLI_BUILD": "0", "DOCKER_CLI_HINTS": "false",
        }
        for key, value in environment.items():
            args += ["--setenv", key, value]
        return args + ["--", real, *command[1:]]


def _copy_tree(source: Path, target: Path, uid: int, budget: list[int]) -> None:
    """Copies regular files and folders only (never links or devices), within a byte budget."""
    for entry in sorted(source.iterdir()):
        if entry.is_symlink():
            continue
        destination = target / entry.name
        if entry.is_dir():
            destination.mkdir()
            os.chown(destination, uid, uid)
            _copy_tree(entry, destination, uid, budget)
        elif entry.is_file():
            size = entry.stat().st_size
            if size > budget[0]:
                continue
            budget[0] -= size
            shutil.copyfile(entry, destination)
            os.chown(destination, uid, uid)
