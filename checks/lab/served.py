"""Which image references a lab serves, told before any lab starts (``docker-grader validate``).

The lab's registry holds the course's own images (``COURSE_IMAGES``) and those an exercise
declares in ``images``; its dockerd pulls Docker Hub names through that registry
(``--registry-mirror``). A name on another registry (``docker.elastic.co/...``, ``ghcr.io/...``)
goes to that registry, which a lab never reaches: such a reference can only be built or loaded in
the exercise, so ``validate`` warns about it. An ``archive`` for a reference the lab already
serves would be ignored (the course's image wins): that is an error.
"""

from __future__ import annotations

from typing import Any, Iterator

from checks import refs
from checks.errors import Fault
from checks.messages import msg, register
from checks.model import Exercise

MESSAGES = {
    "served.elsewhere": {
        "pt-BR": "aviso: nenhum laboratório serve {reference}: ele só espelha o Docker Hub (docker.io), e um `docker pull` "
        "de {registry} falha no `run`; use um nome do Docker Hub (declarado em `images`) ou construa a imagem no exercício",
        "en": "warning: no lab serves {reference}: it mirrors Docker Hub (docker.io) only, and a `docker pull` from "
        "{registry} fails in `run`; use a Docker Hub name (declared in `images`) or build the image in the exercise",
    },
}
register(MESSAGES)

# The course's images: what `docker pull alpine:3.14` and `docker run hello-world` get in the lab.
COURSE_IMAGES = (
    {"reference": "alpine:3.14", "recipe": "busybox"},
    {"reference": "hello-world:latest", "recipe": "hello"},
    {"reference": "alpine:latest", "recipe": "alpine"},
    {"reference": "debian:11", "recipe": "debian"},
    {"reference": "debian:bullseye", "recipe": "debian"},
    {"reference": "debian:latest", "recipe": "debian"},
    {"reference": "ubuntu:20.04", "recipe": "ubuntu"},
    {"reference": "ubuntu:focal", "recipe": "ubuntu"},
    {"reference": "ubuntu:latest", "recipe": "ubuntu"},
)
LOCAL_REGISTRIES = ("localhost", "127.0.0.1")  # the lab's own registry, by its loopback name
IMAGE_KEYS = ("image", "base", "bases")  # keys of a check (at any depth) that name an image


def course_references() -> set[refs.Reference]:
    return {refs.parse(item["reference"]) for item in COURSE_IMAGES}


def registry_of(reference: str) -> str | None:
    """The registry a reference is pulled from when no lab can reach it; None when a lab serves
    it (Docker Hub, the lab's own registry) or it is no name (an image ID, a pattern)."""
    if refs.is_pattern(reference):
        return None
    parsed = refs.try_parse(reference)
    if parsed is None:
        return None
    domain = parsed.repository.split("/", 1)[0]
    if domain == refs.DEFAULT_DOMAIN or domain.split(":", 1)[0] in LOCAL_REGISTRIES:
        return None
    return domain


def warnings(exercise: Exercise) -> list[Fault]:
    """A fault-shaped warning per reference of the exercise that no lab can serve."""
    found = []
    for line, where, reference in _references(exercise):
        registry = registry_of(reference)
        if registry is not None:
            found.append(Fault(exercise.path, line, where, msg("served.elsewhere", reference=reference, registry=registry)))
    return found


def _references(exercise: Exercise) -> Iterator[tuple[int, str, str]]:
    for index, item in enumerate(exercise.images):
        yield 1, f"$.images[{index}].reference", item["reference"]
    for index, reference in enumerate(exercise.start.get("images", ())):
        yield 1, f"$.start.images[{index}]", reference
    for index, item in enumerate(exercise.start.get("containers", ())):
        yield 1, f"$.start.containers[{index}].image", item["image"]
    for index, check in enumerate(exercise.checks):
        for where, reference in _named(check.spec, f"$.checks[{index}]"):
            yield check.line or 1, where, reference


def _named(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in IMAGE_KEYS and isinstance(item, str):
                yield f"{where}.{key}", item
            elif key in IMAGE_KEYS and isinstance(item, list):
                yield from ((f"{where}.{key}[{i}]", text) for i, text in enumerate(item) if isinstance(text, str))
            else:
                yield from _named(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _named(item, f"{where}[{i}]")
