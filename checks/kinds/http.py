"""A service answers HTTP: a GET to the port a container publishes gets a status, a text, a header.

The request goes where a student's ``curl localhost:PORT`` would (see checks.probe: in the lab,
inside its network namespace; never to another machine). Nothing that answers, or a 5xx, is
tried again, ``attempts`` times in all; a failure lists every attempt and what came back.
"""

from __future__ import annotations

from itertools import groupby
from typing import Mapping

from checks.kinds.compose import PROJECT, SERVICE
from checks.kinds.fields import listing
from checks.messages import Message, msg, register
from checks.results import Result
from checks.snapshot import Container, HttpProbe, Snapshot

MESSAGES = {
    "http.no_container": {
        "pt-BR": "nenhum container em execução {target}",
        "en": "no running container {target}",
    },
    "http.target_service": {"pt-BR": "do serviço {service}", "en": "of service {service}"},
    "http.target_project": {"pt-BR": "do serviço {service} do projeto {project}", "en": "of service {service} in project {project}"},
    "http.target_container": {"pt-BR": "chamado {name}", "en": "named {name}"},
    "http.not_published": {
        "pt-BR": "a porta {port} de {names} não está publicada; portas publicadas: {published}",
        "en": "port {port} of {names} is not published; published ports: {published}",
    },
    "http.skipped": {
        "pt-BR": "não testado: o daemon em {endpoint} está em outra máquina, e o corretor só faz requisições a esta; "
        "rode contra um daemon local ou o lab (`docker-grader lab up`)",
        "en": "not tried: the daemon at {endpoint} is on another machine, and the grader only sends requests to this one; "
        "run against a local daemon or the lab (`docker-grader lab up`)",
    },
    "http.no_answer": {"pt-BR": "nenhuma resposta; tentativas: {tried}", "en": "no answer; tried: {tried}"},
    "http.status": {
        "pt-BR": "respondeu {status}, esperado {expected}; tentativas: {tried}",
        "en": "answered {status}, expected {expected}; tried: {tried}",
    },
    "http.body": {
        "pt-BR": "a resposta de {url} não contém {text!r}; início: {start!r}",
        "en": "the answer of {url} does not contain {text!r}; it starts: {start!r}",
    },
    "http.header": {
        "pt-BR": "a resposta de {url} não tem o cabeçalho {name} com {value!r}; encontrado: {found!r}",
        "en": "the answer of {url} has no header {name} with {value!r}; found: {found!r}",
    },
    "http.ok": {"pt-BR": "{urls} respondeu {status}, como esperado", "en": "{urls} answered {status}, as expected"},
}
register(MESSAGES)

READS: tuple[str, ...] = ("http", "provenance")
MAX_PORTS = 3  # host ports tried for one check (a scaled service publishes one per replica)

PORT = {"type": "integer", "minimum": 1, "maximum": 65535}

SCHEMA = {
    "properties": {
        "service": {"type": "string", "minLength": 1, "description": "A compose service whose containers answer.", "examples": ["web"]},
        "project": {"type": "string", "minLength": 1, "description": "With service: the compose project (any when left out).", "examples": ["shop"]},
        "container": {"type": "string", "minLength": 1, "description": "A container, by name, that answers.", "examples": ["web"]},
        "port": {**PORT, "description": "The container port; the request goes to the host port it is published on.", "examples": [80]},
        "host_port": {**PORT, "description": "A port on the daemon's host, instead of service/container and port.", "examples": [8080]},
        "path": {"type": "string", "pattern": "^/[\\x21-\\x7e]*$", "maxLength": 2000, "default": "/", "description": "The path asked for.", "examples": ["/", "/health"]},
        "status": {"type": "integer", "minimum": 100, "maximum": 599, "default": 200, "description": "The status the answer must have."},
        "body_contains": {"type": "string", "minLength": 1, "description": "Text the answer's body contains (its first 64 KiB).", "examples": ["It works!"]},
        "header": {
            "type": "object",
            "description": "A header the answer carries (name case-insensitive), containing this text.",
            "properties": {"name": {"type": "string", "minLength": 1}, "contains": {"type": "string", "default": ""}},
            "required": ["name"],
            "additionalProperties": False,
            "examples": [{"name": "Content-Type", "contains": "text/html"}],
        },
        "attempts": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5, "description": "Requests at most, one second apart, while nothing or a 5xx answers."},
    },
    # Without host_port: port, and a container or a service (if/then, so a fault names the missing key).
    "if": {"not": {"required": ["host_port"]}},
    "then": {"required": ["port"], "if": {"not": {"required": ["container"]}}, "then": {"required": ["service"]}},
}


def evaluate(spec: Mapping, snapshot: Snapshot) -> Result:
    path, attempts = spec.get("path", "/"), spec.get("attempts", 5)
    if "host_port" in spec:
        ports = [spec["host_port"]]
    else:
        made = snapshot.read("provenance") if "service" in spec else None  # in `run`, a service is what compose made
        chosen = [c for c in snapshot.containers
                  if c.state == "running" and _selected(spec, c) and (made is None or c.id in made.by_compose)]
        if not chosen:
            return Result(False, msg("http.no_container", target=_target(spec)))
        ports = sorted({port for c in chosen for port in _reachable(c, spec["port"])})
        if not ports:
            published = sorted({f"{p.host_port}:{p.container_port}" for c in chosen for p in c.ports if p.host_port})
            return Result(False, msg("http.not_published", port=spec["port"], names=listing([c.name for c in chosen]), published=listing(published)))
    urls = []
    for port in ports[:MAX_PORTS]:
        probe = snapshot.read("http", port, path, attempts) or HttpProbe(skipped="no daemon")
        problem = _problem(spec, probe)
        if problem is not None:
            return Result(False, problem)
        urls.append(probe.tried[-1].split(" ")[1])
    return Result(True, msg("http.ok", urls=", ".join(urls), status=spec.get("status", 200)))


def _reachable(container: Container, container_port: int) -> set[int]:
    """The host ports a probe to 127.0.0.1 reaches ``container_port`` on: its IPv4 bindings.

    dockerd 20.10 publishes an ephemeral port (``-p 80``, ``ports: ["80"]``) on 0.0.0.0 and on ::
    with numbers allocated apart, which can differ (moby/moby#42442): the :: one refuses IPv4.
    A port bound on IPv6 alone is kept, so the check says it tried it rather than that it is missing.
    """
    bound = [p for p in container.ports if p.container_port == container_port and p.protocol == "tcp" and p.host_port]
    ipv4 = {p.host_port for p in bound if ":" not in p.host_ip}
    return ipv4 or {p.host_port for p in bound}


def _selected(spec: Mapping, container: Container) -> bool:
    if "container" in spec:
        return container.name == spec["container"].lstrip("/")
    return container.labels.get(SERVICE) == spec["service"] and spec.get("project", container.labels.get(PROJECT)) == container.labels.get(PROJECT)


def _target(spec: Mapping) -> Message:
    if "container" in spec:
        return msg("http.target_container", name=spec["container"])
    if "project" in spec:
        return msg("http.target_project", service=spec["service"], project=spec["project"])
    return msg("http.target_service", service=spec["service"])


def _problem(spec: Mapping, probe: HttpProbe) -> Message | None:
    if probe.skipped:
        return msg("http.skipped", endpoint=probe.skipped)
    tried = _tried(probe.tried)
    if probe.status is None:
        return msg("http.no_answer", tried=tried)
    if probe.status != spec.get("status", 200):
        return msg("http.status", status=probe.status, expected=spec.get("status", 200), tried=tried)
    url = probe.tried[-1].split(" ")[1]
    body = probe.body.decode("utf-8", "replace")
    if "body_contains" in spec and spec["body_contains"] not in body:
        return msg("http.body", url=url, text=spec["body_contains"], start=body[:80])
    if "header" in spec:
        name, value = spec["header"]["name"].lower(), spec["header"].get("contains", "")
        found = probe.headers.get(name)
        if found is None or value not in found:
            return msg("http.header", url=url, name=spec["header"]["name"], value=value, found=found or "")
    return None


def _tried(lines: tuple[str, ...]) -> str:
    """The attempts, repeated ones counted: 'GET http://127.0.0.1:8080/ → 500 (×5)'."""
    parts = []
    for line, same in groupby(lines):
        count = len(list(same))
        parts.append(line + (f" (×{count})" if count > 1 else ""))
    return "; ".join(parts)
