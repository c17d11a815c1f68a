"""``docker-grader doctor``: what this machine can do, one line per part, and why not.

    check    the daemon `check` would grade (as the docker CLI picks it) and whether it answers
    lab      whether a lab can start here (checks.lab.readiness), and each warning
    sandbox  the layers `run` confines a submission with: bubblewrap, user namespaces, cgroup limits
    tools    the docker CLI and compose a submission's lines run with

It only reads: one GET /version to the daemon, probes that leave nothing behind, and
``--version`` of each tool. Exit 0 when `run` can work here, 4 when it cannot.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from checks.errors import EXIT_LAB, EXIT_OK, GraderError
from checks.lab import readiness
from checks.messages import Message, msg, register

TOOL_TIMEOUT = 10
MARKS = {True: "✔", False: "✘", None: "-"}

MESSAGES = {
    "doctor.check_ok": {"pt-BR": "{host}: Docker {version} (API {api})", "en": "{host}: Docker {version} (API {api})"},
    "doctor.check_error": {"pt-BR": "{host}: {reason}", "en": "{host}: {reason}"},
    "doctor.bwrap_ok": {"pt-BR": "bubblewrap {version}: cria os namespaces do sandbox", "en": "bubblewrap {version}: creates the sandbox's namespaces"},
    "doctor.bwrap_missing": {"pt-BR": "bubblewrap não encontrado; instale o pacote bubblewrap", "en": "bubblewrap not found; install the bubblewrap package"},
    "doctor.bwrap_error": {"pt-BR": "bubblewrap não consegue criar os namespaces do sandbox: {reason}", "en": "bubblewrap cannot create the sandbox's namespaces: {reason}"},
    "doctor.cgroups_ok": {"pt-BR": "limites de cgroup: graváveis", "en": "cgroup limits: writable"},
    "doctor.tool": {"pt-BR": "{tool}: {version}", "en": "{tool}: {version}"},
    "doctor.tool_missing": {"pt-BR": "{tool}: não encontrado", "en": "{tool}: not found"},
    "doctor.summary_ok": {"pt-BR": "`run` funciona nesta máquina", "en": "`run` works on this machine"},
    "doctor.summary_no": {"pt-BR": "`run` não funciona nesta máquina; `check` contra um daemon ainda funciona", "en": "`run` does not work on this machine; `check` against a daemon still works"},
}
register(MESSAGES)


@dataclass(frozen=True)
class Line:
    part: str  # check, lab, sandbox, tools
    ok: bool | None  # None: shown for information, neither good nor bad
    message: Message


def diagnose(host: str | None = None, context: str | None = None) -> list[Line]:
    lines = [_daemon(host, context)]
    findings = readiness.probe()
    fatal = [f for f in findings if not f.ok and f.fatal]
    lines += [Line("lab", False, f.message) for f in fatal] or [Line("lab", True, msg("ready.ok"))]
    lines += [Line("lab", None, f.message) for f in findings if not f.ok and not f.fatal]  # warnings
    lines.append(_bubblewrap())
    cgroups = next((f for f in findings if f.name == "cgroups"), None)
    if cgroups is not None:
        lines.append(Line("sandbox", cgroups.ok, cgroups.message or msg("doctor.cgroups_ok")))
    lines += [_tool(name, args) for name, args in (("docker", ["docker", "--version"]),
                                                   ("docker-compose", ["docker-compose", "version", "--short"]),
                                                   ("docker compose", ["docker", "compose", "version", "--short"]))]
    return lines


def can_run(lines: list[Line]) -> bool:
    return all(line.ok for line in lines if line.part in ("lab", "sandbox"))


def render(lines: list[Line], lang: str) -> str:
    out = [f"{line.part:<8} {MARKS[line.ok]} {line.message.render(lang)}" for line in lines]
    out.append((msg("doctor.summary_ok") if can_run(lines) else msg("doctor.summary_no")).render(lang))
    return "\n".join(out) + "\n"


def exit_code(lines: list[Line]) -> int:
    return EXIT_OK if can_run(lines) else EXIT_LAB


def _daemon(host: str | None, context: str | None = None) -> Line:
    from checks.daemon import connect, resolve_endpoint

    shown = host or context or "?"
    try:
        shown = resolve_endpoint(host, context=context).host
        with connect(host, context=context) as client:
            version = client.get_json("/version") or {}
            if not isinstance(version, dict):  # a list or a text: said as check says a wrong shape, not a traceback
                return Line("check", False, msg("doctor.check_error", host=shown, reason=msg(
                    "daemon.bad_shape", endpoint=client.endpoint.host, request="GET /version", where="$", expected=msg("shape.object"))))
        return Line("check", True, msg("doctor.check_ok", host=shown, version=version.get("Version", "?"), api=client.api_version))
    except GraderError as error:
        return Line("check", False, msg("doctor.check_error", host=shown, reason=error.message))


def _bubblewrap() -> Line:
    program = readiness.which("bwrap")
    if program is None:
        return Line("sandbox", False, msg("doctor.bwrap_missing"))
    version = _output([program, "--version"]) or "?"
    try:
        done = subprocess.run([program, "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                              capture_output=True, text=True, timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL)
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:200]
        ok = done.returncode == 0
    except (OSError, subprocess.TimeoutExpired) as error:
        ok, reason = False, str(error)[:200]
    if not ok:
        return Line("sandbox", False, msg("doctor.bwrap_error", reason=reason))
    return Line("sandbox", True, msg("doctor.bwrap_ok", version=version.removeprefix("bubblewrap ")))


def _tool(name: str, args: list[str]) -> Line:
    version = _output(args) if readiness.which(args[0]) else None
    if not version:
        return Line("tools", None, msg("doctor.tool_missing", tool=name))  # `run` needs neither to grade
    return Line("tools", None, msg("doctor.tool", tool=name, version=version))


def _output(args: list[str]) -> str | None:
    """The first line a tool prints for its version; never contacts a daemon."""
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent", "DOCKER_CLI_HINTS": "false"}
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=TOOL_TIMEOUT, stdin=subprocess.DEVNULL, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[0].strip()[:120] if done.returncode == 0 and lines else None

