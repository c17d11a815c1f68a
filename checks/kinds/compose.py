"""A Docker Compose project, read from its containers' labels in the container list.

Compose labels each container with its project (``com.docker.compose.project``) and service
(``com.docker.compose.service``); one-off containers (``docker-compose run``) are left out. So a
project is found without reading the compose file, and two projects with the same service names
never mix: each project is checked on its own. Without ``project``, the check passes when one
project on the daemon has every service as described.

``env`` reads each replica's inspect; everything else is in the list. ``depends_on`` is what
compose recorded: v2's ``com.docker.compose.depends_on`` label, or (docker-compose 1.x, which
writes none) in ``run`` the project's own files (checks.compose_files). Without either the check
cannot tell: start order is no evidence of a dependency.

Labels alone make no project in ``run``: any ``docker run --label`` can write them. There a
container belongs to a project only when the daemon created it while one of the student's compose
command lines ran (``docker-compose ...``, ``docker compose ...``) or while none of the student's
lines ran (the grader's own services), and this exercise made, started or worked on it
(checks.events.Provenance). Under ``check`` the labels are all there is.
"""

from __future__ import annotations

from typing import Mapping

import checks.kinds.containers  # noqa: F401 - says containers.no_provenance: its owner registers it
from checks.kinds.fields import COUNT, count_ok, describe_count, listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, Snapshot

PROJECT = "com.docker.compose.project"
SERVICE = "com.docker.compose.service"
ONEOFF = "com.docker.compose.oneoff"
DEPENDS_ON = "com.docker.compose.depends_on"  # docker compose v2: "db:service_started:false,..."
CONFIG_FILES = "com.docker.compose.project.config_files"  # both versions: the files the project was made from
WORKING_DIR = "com.docker.compose.project.working_dir"  # ... relative to this folder

MESSAGES = {
    "compose.no_project": {
        "pt-BR": "nenhum projeto compose com os serviços {services} (projetos encontrados: {projects})",
        "en": "no compose project with the services {services} (projects found: {projects})",
    },
    "compose.ok": {
        "pt-BR": "projeto {project}: {services}; tudo como esperado",
        "en": "project {project}: {services}; all as expected",
    },
    "compose.in_project": {"pt-BR": "projeto {project}: {problem}", "en": "project {project}: {problem}"},
    "compose.missing_service": {
        "pt-BR": "o serviço {service} não tem containers",
        "en": "service {service} has no containers",
    },
    "compose.replicas": {
        "pt-BR": "o serviço {service} tem {count} container(s) {state} ({expected}): {names}",
        "en": "service {service} has {count} {state} container(s) ({expected}): {names}",
    },
    "compose.health": {
        "pt-BR": "o serviço {service} deveria estar {expected}; encontrado: {found}",
        "en": "service {service} should be {expected}; found: {found}",
    },
    "compose.port": {
        "pt-BR": "o serviço {service} não publica {port}; portas publicadas: {published}",
        "en": "service {service} does not publish {port}; published ports: {published}",
    },
    "compose.env": {
        "pt-BR": "a variável {name}={value} falta em {names} (serviço {service})",
        "en": "variable {name}={value} is missing in {names} (service {service})",
    },
    "compose.volume": {
        "pt-BR": "o serviço {service} não monta o volume {volume}; montagens: {mounts}",
        "en": "service {service} does not mount volume {volume}; mounts: {mounts}",
    },
    "compose.network": {
        "pt-BR": "o serviço {service} não está na rede {network}; redes: {networks}",
        "en": "service {service} is not on network {network}; networks: {networks}",
    },
    "compose.depends_on": {
        "pt-BR": "o serviço {service} não depende de {dependency} (nem o rótulo do compose nem o arquivo do projeto o declaram)",
        "en": "service {service} does not depend on {dependency} (neither compose's label nor the project's file declares it)",
    },
    "compose.depends_on_unknown": {
        "pt-BR": "não dá para saber se o serviço {service} depende de {dependency}: o docker-compose 1.x não registra "
        "depends_on no daemon e o arquivo do projeto não pôde ser lido (só o `docker-grader run` o lê)",
        "en": "whether service {service} depends on {dependency} cannot be told: docker-compose 1.x records no depends_on "
        "on the daemon and the project's file could not be read (only `docker-grader run` reads it)",
    },
    "health.none": {"pt-BR": "sem healthcheck", "en": "no healthcheck"},
}
register(MESSAGES)

STATES = ["created", "running", "paused", "restarting", "exited", "dead"]
HEALTH = ["healthy", "unhealthy", "starting"]

READS: tuple[str, ...] = ("inspect", "provenance", "project_file")

SERVICE_SCHEMA = {
    "type": "object",
    "description": "What the service's containers must show; {} only asks that it is there.",
    "properties": {
        "replicas": {**COUNT, "description": "How many containers of the service are in `state` (default: at least 1)."},
        "state": {"enum": STATES, "default": "running", "description": "The state its containers are in."},
        "health": {"enum": HEALTH, "description": "The health every one of them reports (needs a healthcheck)."},
        "ports": {
            "type": "array",
            "description": "Published ports as in a compose file: HOST:CONTAINER, or CONTAINER published on any host port; /udp for UDP.",
            "items": {"type": "string", "pattern": r"^([0-9]{1,5}:)?[0-9]{1,5}(/(tcp|udp))?$", "format": "docker-port"},
            "examples": [["8080:80"], ["80"]],
        },
        "env": {
            "type": "object",
            "description": "Environment variables every container of the service has, with these values.",
            "additionalProperties": {"type": "string"},
            "examples": [{"POSTGRES_DB": "shop"}],
        },
        "volumes": {
            "type": "array",
            "description": "Named volumes every container mounts, by the name in the compose file (the project prefix is optional).",
            "items": {"type": "string", "minLength": 1},
            "examples": [["data"]],
        },
        "networks": {
            "type": "array",
            "description": "Networks every container is on, by the name in the compose file (the project prefix is optional).",
            "items": {"type": "string", "minLength": 1},
            "examples": [["backend"]],
        },
        "depends_on": {
            "type": "array",
            "description": "Services this one depends on, as compose recorded them: the label of docker compose v2, or "
            "(docker-compose 1.x, `run` only) the project's own compose file; else the check cannot tell.",
            "items": {"type": "string", "minLength": 1},
            "examples": [["db"]],
        },
    },
    "additionalProperties": False,
}

SCHEMA = {
    "properties": {
        "project": {
            "type": "string",
            "pattern": "^[a-z0-9][a-z0-9_-]*$",
            "description": "The project name (`-p`, COMPOSE_PROJECT_NAME or the folder's name); any project when left out.",
            "examples": ["shop"],
        },
        "services": {
            "type": "object",
            "minProperties": 1,
            "description": "The services the project must have, by name, and what each must show.",
            "additionalProperties": SERVICE_SCHEMA,
            "examples": [{"web": {"replicas": 2, "ports": ["8080:80"]}, "db": {}}],
        },
    },
    "required": ["services"],
}


def projects(snapshot: Snapshot) -> dict[str, list[Container]]:
    """The compose projects on the daemon and their containers (one-off containers left out; in
    ``run``, containers that compose did not make, or that are not this exercise's, left out too)."""
    found: dict[str, list[Container]] = {}
    made = snapshot.read("provenance")
    for container in snapshot.containers:
        if made is not None and not (container.id in made.by_compose and container.id in made.exercise):
            continue
        if PROJECT in container.labels and container.labels.get(ONEOFF) != "True":
            found.setdefault(container.labels[PROJECT], []).append(container)
    return found


def service_containers(containers: list[Container], service: str) -> list[Container]:
    return [c for c in containers if c.labels.get(SERVICE) == service]


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    services: Mapping[str, Mapping] = spec["services"]
    made = snapshot.read("provenance")
    if made is not None and not made.complete:
        return Result(False, msg("containers.no_provenance"), unknown=True)
    found = projects(snapshot)
    candidates = [spec["project"]] if "project" in spec else sorted(found)
    present = {name: sum(1 for s in services if service_containers(found.get(name, []), s)) for name in candidates}
    candidates = [name for name in candidates if present[name]]
    if not candidates:
        return Result(False, msg("compose.no_project", services=", ".join(services), projects=listing(sorted(found))))
    # The project with the most of the services first: its problem is the one worth showing.
    candidates.sort(key=lambda name: -present[name])
    problems = []
    for name in candidates:
        problem = _problem(services, found[name], snapshot)
        if problem is None:
            summary = ", ".join(f"{s} ({len(_in_state(found[name], s, services[s]))})" for s in services)
            return Result(True, msg("compose.ok", project=name, services=summary))
        problems.append(problem)
    first = problems[0]
    return Result(False, msg("compose.in_project", project=candidates[0], problem=first),
                  unknown=first.key == "compose.depends_on_unknown")


def _in_state(containers: list[Container], service: str, want: Mapping) -> list[Container]:
    state = want.get("state", "running")
    return [c for c in service_containers(containers, service) if c.state == state]


def _problem(services: Mapping[str, Mapping], containers: list[Container], snapshot: Snapshot) -> Message | None:
    for service, want in services.items():
        every = service_containers(containers, service)
        if not every:
            return msg("compose.missing_service", service=service)
        chosen = _in_state(containers, service, want)
        replicas = want.get("replicas", {"min": 1})
        if not count_ok(replicas, len(chosen)):
            names = listing([f"{c.name} ({c.state})" for c in every])
            return msg("compose.replicas", service=service, count=len(chosen), state=want.get("state", "running"),
                       expected=describe_count(replicas), names=names)
        problem = _shown(service, want, chosen, snapshot)
        if problem is not None:
            return problem
        for dependency in want.get("depends_on", ()):
            depends = _depends(chosen, service_containers(containers, dependency), service, dependency, snapshot)
            if depends is None:
                return msg("compose.depends_on_unknown", service=service, dependency=dependency)
            if not depends:
                return msg("compose.depends_on", service=service, dependency=dependency)
    return None


def _shown(service: str, want: Mapping, chosen: list[Container], snapshot: Snapshot) -> Message | None:
    """Health, ports, volumes, networks and env of the replicas: the first one missing, or None."""
    if "health" in want and any(c.health != want["health"] for c in chosen):
        found = listing([f"{c.name}: {c.health}" if c.health else c.name for c in chosen])
        return msg("compose.health", service=service, expected=want["health"], found=found if any(c.health for c in chosen) else msg("health.none"))
    published = [(p.host_port, p.container_port, p.protocol) for c in chosen for p in c.ports if p.host_port]
    for port in want.get("ports", ()):
        host, container, protocol = _port(port)
        if not any(c == container and r == protocol and (host is None or h == host) for h, c, r in published):
            shown = listing(sorted({f"{h}:{c}/{r}" for h, c, r in published}))
            return msg("compose.port", service=service, port=port, published=shown)
    # A name in the compose file, or with the project's prefix (every container here has the project's label).
    for volume in want.get("volumes", ()):
        for container in chosen:
            names = {volume, f"{container.labels[PROJECT]}_{volume}"}
            if not any(m.type == "volume" and m.name in names for m in container.mounts):
                mounts = listing([m.name or m.source for m in container.mounts])
                return msg("compose.volume", service=service, volume=volume, mounts=mounts)
    for network in want.get("networks", ()):
        for container in chosen:
            names = {network, f"{container.labels[PROJECT]}_{network}"}
            if not names & set(container.networks):
                return msg("compose.network", service=service, network=network, networks=listing(list(container.networks)))
    for name, value in (want.get("env") or {}).items():
        lacking = [c.name for c in chosen if f"{name}={value}" not in ((snapshot.read("inspect", c.id) or {}).get("Config") or {}).get("Env") or ()]
        if lacking:
            return msg("compose.env", service=service, name=name, value=value, names=listing(lacking))
    return None


def _port(text: str) -> tuple[int | None, int, str]:
    ports, _, protocol = text.partition("/")
    host, _, container = ports.rpartition(":")
    return (int(host) if host else None), int(container), protocol or "tcp"


def _depends(chosen: list[Container], dependencies: list[Container], service: str, dependency: str,
             snapshot: Snapshot) -> bool | None:
    """What compose recorded: v2's label on each replica, else (1.x) the project's files; None
    when neither is there to read (then nobody can tell)."""
    if not dependencies:
        return False
    labelled = [c for c in chosen if DEPENDS_ON in c.labels]
    if labelled:
        return all(dependency in {part.split(":")[0] for part in c.labels[DEPENDS_ON].split(",")} for c in labelled)
    files = {(c.labels.get(WORKING_DIR, ""), c.labels[CONFIG_FILES]) for c in chosen if c.labels.get(CONFIG_FILES)}
    declared = [snapshot.read("project_file", folder, names) for folder, names in sorted(files)]
    if not declared or any(found is None for found in declared):
        return None
    return all(dependency in found.get(service, set()) for found in declared)
