"""Services an exercise defines in a compose file of its own, brought up with pytest-docker.

    up (``up -d --build``) → wait until each port in ``wait`` answers HTTP → grade → ``down -v``

An exercise names its compose file (``compose: {file: ..., wait: [...]}``), for example one that
builds the student's Dockerfile beside a database. Every front end grades it with the same code:
``pytest exercises``, ``docker-grader check`` and ``watch`` (checks.grading.DaemonGrading, with
``running`` here) and ``docker-grader run`` (``in_sandbox``: compose runs inside the sandbox,
so the instructor's file and the student's Dockerfile reach the lab only through the API
boundary); checks.grading.grade_one grades the exercise while they run.

pytest-docker does the compose work: ``get_docker_services`` (the plain function behind its
``docker_services`` fixture) runs the setup and cleanup commands, and ``Services.port_for`` and
``Services.wait_until_responsive`` find the published port and wait. Its defaults are for the
``docker compose`` v2 plugin (``up --build --wait``); this machine has Debian's docker-compose
1.29, so the command, setup and cleanup are overridden (``COMPOSE``, ``SETUP``, ``CLEANUP``).
The services are always torn down: when a check fails, when ``up`` itself fails half way, and on
Ctrl-C, since pytest-docker's own cleanup only covers what happens after ``up`` returned.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator


from checks import compose_files, probe
from checks.daemon import DaemonClient
from checks.errors import ServicesError
from checks.messages import msg, register
from checks.model import Exercise
from checks.snapshot import Snapshot

if TYPE_CHECKING:  # pytest-docker (and pytest with it) is imported only when an exercise has services
    from pytest_docker.plugin import Services

COMPOSE = "docker-compose"  # Debian's 1.29; pytest-docker's default is `docker compose` (v2)
SETUP = ["up -d --build"]  # v1 has no --wait: waiting is `wait` below
CLEANUP = ["down -v --remove-orphans -t 2"]  # containers, networks and the project's volumes
PAUSE = 0.5  # seconds between two tries of a port that does not answer yet
SANDBOX_FOLDER = ".docker-grader-services"  # in the sandbox's /work: the instructor's compose files
MAX_FILE = 1024 * 1024
COMMAND_TIMEOUT = 600  # seconds one compose command may take on a student's own daemon

MESSAGES = {
    "services.up_failed": {
        "pt-BR": "os serviços do exercício ({file}) não subiram: {reason}",
        "en": "the exercise's services ({file}) did not come up: {reason}",
    },
    "services.no_port": {
        "pt-BR": "a porta {port} do serviço {service} não está publicada no arquivo {file}",
        "en": "port {port} of service {service} is not published in {file}",
    },
    "services.not_ready": {
        "pt-BR": "o serviço {service} não respondeu em {seconds} s; última tentativa: {tried}",
        "en": "service {service} did not answer within {seconds} s; last try: {tried}",
    },
    "services.down_failed": {
        "pt-BR": "os serviços do exercício ({file}) não foram removidos: {reason}",
        "en": "the exercise's services ({file}) could not be removed: {reason}",
    },
}
register(MESSAGES)


def project_name(exercise: Exercise) -> str:
    """The compose project of an exercise's services: its own, apart from the student's projects."""
    return "dg-" + re.sub(r"[^a-z0-9_-]", "-", exercise.id.lower())


def daemon_command(host: str, project_directory: Path | None = None) -> str:
    """docker-compose for a daemon address, as the shell string pytest-docker runs."""
    folder = project_directory or Path.cwd()
    bounded = ["timeout", "--kill-after=5", str(COMMAND_TIMEOUT)]
    return shlex.join(bounded + ["env", f"DOCKER_HOST={host}", "COMPOSE_DOCKER_CLI_BUILD=0", COMPOSE, "--project-directory", str(folder)])


@contextlib.contextmanager
def running(exercise: Exercise, command: str, prober: probe.Prober, compose_file: str | None = None) -> Iterator[Services]:
    """The exercise's services up and answering for a ``with`` block, and always down after it."""
    compose_file = compose_file or exercise.compose["file"]
    shown = Path(exercise.compose["file"]).name
    project = project_name(exercise)
    inside = False
    try:
        from pytest_docker.plugin import get_docker_services

        with get_docker_services(command, compose_file, project, SETUP, CLEANUP) as services:
            inside = True  # from here on, pytest-docker's own cleanup runs
            _wait(services, exercise.compose.get("wait", ()), prober, shown)
            yield services
    except ServicesError:
        if not inside:
            _down(command, compose_file, project)
        raise
    except Exception as error:  # pytest-docker raises plain Exception for a command that failed
        if not inside:
            _down(command, compose_file, project)
            raise ServicesError(msg("services.up_failed", file=shown, reason=_short(error))) from None
        raise ServicesError(msg("services.down_failed", file=shown, reason=_short(error))) from None
    except BaseException:  # Ctrl-C or SIGTERM during `up`: what it started goes too
        if not inside:
            _down(command, compose_file, project)
        raise


def _down(command: str, compose_file: str, project: str) -> None:
    from pytest_docker.plugin import DockerComposeExecutor

    with contextlib.suppress(Exception):
        for cleanup in CLEANUP:
            DockerComposeExecutor(command, compose_file, project).execute(cleanup)


def _wait(services: Services, waits, prober: probe.Prober, shown: str) -> None:
    for item in waits:
        try:
            port = services.port_for(item["service"], item["port"])
        except Exception:  # pytest-docker: ValueError when nothing is published, Exception when compose fails
            raise ServicesError(msg("services.no_port", service=item["service"], port=item["port"], file=shown)) from None
        if prober.skipped:
            continue  # a remote daemon: nothing is sent to another machine (see checks.probe)
        last: list = []

        def answers() -> bool:
            result = prober.probe(port, item.get("path", "/"), 1)
            last[:] = result.tried
            return result.status is not None and result.status < 500

        try:
            services.wait_until_responsive(answers, timeout=item.get("timeout", 60), pause=PAUSE)
        except Exception:  # pytest-docker raises a plain Exception on its timeout
            raise ServicesError(msg("services.not_ready", service=item["service"], seconds=f"{item.get('timeout', 60):g}",
                                    tried=last[-1] if last else "-")) from None


# How pytest-docker words a command that failed: its exit status and output are what tell why.
_FAILED = re.compile(r'^Command .* returned (-?\d+): """(.*)"""\.$', re.DOTALL)


def _short(error: BaseException) -> str:
    """The end of the command's output (where compose says what went wrong), and its exit status."""
    match = _FAILED.match(str(error))
    head, text = (f"docker-compose exited with {match.group(1)}: ", match.group(2)) if match else ("", str(error))
    text = " ".join(text.split())
    return head + (text if len(text) <= 240 else "..." + text[-237:])


def with_instructor_files(exercise: Exercise, snapshot: Snapshot) -> Snapshot:
    """A snapshot read while the exercise's own services run, whose ``depends_on`` under
    docker-compose 1.x is read from the exercise's compose file, which made them (checks.compose_files)."""
    return snapshot.with_reads(project_file=partial(compose_files.instructor_depends_on, exercise.compose["file"]))


def in_sandbox(exercise: Exercise, sandbox, client: DaemonClient, seconds: float) -> Callable[[Exercise], contextlib.AbstractContextManager]:
    """``docker-grader run``: what brings the exercise's services up for checks.grading.grade_one, with
    compose in the sandbox, on the submission's folder, through the API boundary.

    Each compose command may take ``seconds`` (the student's Dockerfile is built: it may never end).
    """
    folder = sandbox.work / SANDBOX_FOLDER
    _remove(folder)  # whatever the submission put there (a symlink out of the sandbox, a file of its own)
    folder.mkdir(mode=0o755)
    target = folder / f"{exercise.id}.yml"
    with open(exercise.compose["file"], "rb") as source:
        data = source.read(MAX_FILE)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(descriptor, "wb") as copy:
        copy.write(data)
    bounded = ["timeout", "--kill-after=5", f"{max(seconds, 1):.0f}"]
    command = shlex.join(bounded + sandbox.command((COMPOSE, "--project-directory", "/work")))
    inside = f"/work/{SANDBOX_FOLDER}/{exercise.id}.yml"
    return lambda exercise: running(exercise, command, probe.for_host(client.endpoint.host), inside)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
