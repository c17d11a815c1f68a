"""Whether this machine can host a lab, asked before anything is started.

Each probe answers one question and changes nothing that outlives it (a mount namespace
and a tmpfs that vanish with the probe's own process, an empty cgroup folder removed at
once). ``require()`` raises a LabError (exit 4) with one line that says what is missing and
what to do, for the first probe that fails; ``doctor`` shows all of them.

    linux       the lab is dockerd, namespaces and cgroups: Linux only
    root        dockerd, mounts and network namespaces need root
    programs    dockerd (docker.io), docker-registry, unshare/nsenter (util-linux)
    namespaces  a mount and a network namespace, and a tmpfs mounted in it: what a default,
                unprivileged container (Gradescope, most CI jobs) cannot do
    overlay     an overlay mount in that namespace; without it dockerd falls back to the slow
                vfs driver (a warning, not a stop)
    cgroups     a writable cgroup hierarchy, so the lab's limits hold; without it a hostile
                submission could exhaust the machine, so no lab starts
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from checks.errors import LabError
from checks.messages import Message, msg, register

CGROUP_ROOT = Path("/sys/fs/cgroup")
SEARCH_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
PROBE_TIMEOUT = 10  # seconds for the namespace probe: a machine that hangs there cannot host a lab
PROGRAMS = (("dockerd", "docker.io"), ("docker-registry", "docker-registry"), ("unshare", "util-linux"), ("nsenter", "util-linux"))

MESSAGES = {
    "ready.linux": {
        "pt-BR": "o laboratório precisa de Linux (dockerd, namespaces e cgroups), e este sistema é {system}. Use `docker-grader check` contra o seu daemon, ou rode o laboratório numa VM Linux",
        "en": "the lab needs Linux (dockerd, namespaces and cgroups), and this system is {system}. Use `docker-grader check` against your daemon, or run the lab in a Linux VM",
    },
    "ready.root": {
        "pt-BR": "o laboratório precisa de root (dockerd, montagens e namespaces de rede), e este processo roda como uid {uid}. Rode com sudo, ou use `docker-grader check` contra o seu próprio daemon",
        "en": "the lab needs root (dockerd, mounts and network namespaces), and this process runs as uid {uid}. Run it with sudo, or use `docker-grader check` against your own daemon",
    },
    "ready.namespaces": {
        "pt-BR": "esta máquina não deixa criar namespaces nem montar um tmpfs ({reason}){where}, e o dockerd do laboratório precisa disso para rodar qualquer container. Rode o avaliador numa VM Linux ou num container privilegiado (docs/ci.md diz onde cada plataforma pode rodar o laboratório); `check` contra um daemon funciona aqui",
        "en": "this machine does not allow creating namespaces or mounting a tmpfs ({reason}){where}, and the lab's dockerd needs that to run any container. Run the grader on a Linux VM or in a privileged container (docs/ci.md says where each platform can run the lab); `check` against a daemon works here",
    },
    "ready.in_container": {
        "pt-BR": " — o avaliador está dentro de um container sem privilégios",
        "en": " — the grader is inside an unprivileged container",
    },
    "ready.cgroups": {
        "pt-BR": "os cgroups não são graváveis em {path} ({reason}), então o laboratório não teria limites de processos, memória e CPU; rode como root numa máquina cujos cgroups o root pode escrever (não num container sem privilégios)",
        "en": "cgroups are not writable at {path} ({reason}), so the lab would have no process, memory or CPU limits; run as root on a machine whose cgroups root can write (not in an unprivileged container)",
    },
    "ready.overlay": {
        "pt-BR": "aviso: sem o sistema de arquivos overlay ({reason}), o dockerd do laboratório usa o driver vfs, que copia cada camada: funciona, mas fica lento e ocupa mais espaço",
        "en": "warning: without the overlay filesystem ({reason}), the lab's dockerd uses the vfs driver, which copies every layer: it works, but slowly and using more space",
    },
    "ready.ok": {"pt-BR": "pode iniciar um laboratório", "en": "can start a lab"},
}
register(MESSAGES)


@dataclass(frozen=True)
class Finding:
    """One probe's answer: ``ok``, and if not, why; ``fatal`` when no lab can start without it."""

    name: str
    ok: bool
    message: Message | None = None
    fatal: bool = True


def probe(system: str | None = None, uid: int | None = None) -> list[Finding]:
    """Every probe, in order; those after a fatal finding that they depend on are not run."""
    system = sys.platform if system is None else system
    if system != "linux":
        return [Finding("linux", False, msg("ready.linux", system=system))]
    findings = [Finding("linux", True)]
    uid = current_uid() if uid is None else uid
    if uid != 0:
        return findings + [Finding("root", False, msg("ready.root", uid=uid))]
    findings.append(Finding("root", True))
    missing = [msg("lab.missing_program", program=name, package=package) for name, package in PROGRAMS if not which(name)]
    findings.append(Finding("programs", not missing, missing[0] if missing else None))
    if which("unshare"):
        findings += _namespaces()
    findings.append(_cgroups())
    return findings


def require() -> list[Message]:
    """Raises LabError for the first fatal finding; returns the warnings (e.g. no overlay)."""
    findings = probe()
    for finding in findings:
        if not finding.ok and finding.fatal:
            raise LabError(finding.message)
    return [finding.message for finding in findings if not finding.ok]


def current_uid() -> int:
    return os.geteuid()


def in_container() -> bool:
    """Docker and podman leave a marker file; other runtimes name themselves in PID 1's cgroup."""
    if Path("/.dockerenv").exists() or Path("/run/.containerenv").exists():
        return True
    try:
        text = Path("/proc/1/cgroup").read_text()
    except OSError:
        return False
    return any(word in text for word in ("docker", "kubepods", "containerd", "lxc"))


def which(name: str) -> str | None:
    return shutil.which(name, path=os.environ.get("PATH", "") + ":" + SEARCH_PATH)


# A shell run in fresh mount and network namespaces: a tmpfs, then an overlay on it. Both
# mounts vanish with the namespace when the shell exits. Exit 3: no tmpfs; 4: no overlay.
_SCRIPT = """
mount -t tmpfs -o size=1m docker-grader-probe "$1" || exit 3
mkdir "$1/l" "$1/u" "$1/w" "$1/m" || exit 3
mount -t overlay overlay -o "lowerdir=$1/l,upperdir=$1/u,workdir=$1/w" "$1/m" || exit 4
"""


def _namespaces() -> list[Finding]:
    folder = tempfile.mkdtemp(prefix="docker-grader-probe-")
    try:
        done = subprocess.run(
            [which("unshare"), "--mount", "--net", "--propagation", "private", "--", "/bin/sh", "-c", _SCRIPT, "probe", folder],
            capture_output=True, text=True, timeout=PROBE_TIMEOUT, stdin=subprocess.DEVNULL,
        )
        code, reason = done.returncode, (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:200]
    except subprocess.TimeoutExpired:
        code, reason = 1, f"no answer in {PROBE_TIMEOUT} s"
    except OSError as error:
        code, reason = 1, str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    where = msg("ready.in_container") if in_container() else ""
    if code not in (0, 4):
        return [Finding("namespaces", False, msg("ready.namespaces", reason=reason, where=where))]
    overlay = Finding("overlay", code == 0, None if code == 0 else msg("ready.overlay", reason=reason), fatal=False)
    return [Finding("namespaces", True), overlay]


def _cgroups() -> Finding:
    """A probe folder made and removed in the pids controller (v1) or the unified tree (v2)."""
    v2 = (CGROUP_ROOT / "cgroup.controllers").exists()
    parent = CGROUP_ROOT if v2 else CGROUP_ROOT / "pids"
    folder = parent / f"docker-grader-probe-{os.getpid()}"
    try:
        folder.mkdir()
        folder.rmdir()
    except OSError as error:
        return Finding("cgroups", False, msg("ready.cgroups", path=str(parent), reason=error.strerror or error))
    return Finding("cgroups", True)
