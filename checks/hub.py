"""The lab's Docker Hub: where `docker push user/app:1` goes in a lab, and how it reads back.

dockerd pushes a Docker Hub name to Docker Hub itself (a mirror serves pulls only), so in a lab the
boundary pushes it to the lab's own registry instead, under the same path (``user/app``,
``library/alpine``). That registry is the lab's mirror for Docker Hub, so a later
`docker pull user/app:1` gets it back. Here: the registry's address and the two spellings of a name.
"""

from __future__ import annotations

from checks import refs

REGISTRY_HOST = "169.254.42.2"  # link-local, in a network namespace of its own (checks.lab.netns)
REGISTRY_PORT = 5000
LAB_REGISTRY = f"{REGISTRY_HOST}:{REGISTRY_PORT}"


def in_lab_registry(reference: refs.Reference) -> refs.Reference:
    """A Docker Hub reference as the lab's registry holds it: docker.io/user/app:1 → 169.254.42.2:5000/user/app:1."""
    path = reference.repository.removeprefix(refs.DEFAULT_DOMAIN + "/")
    return refs.Reference(f"{LAB_REGISTRY}/{path}", reference.tag, reference.digest)


def as_hub(reference: refs.Reference) -> refs.Reference:
    """The Docker Hub name of a reference of the lab's registry; any other reference unchanged."""
    domain, _, path = reference.repository.partition("/")
    if domain != LAB_REGISTRY:
        return reference
    try:
        return refs.Reference(refs.normalise_repository(path), reference.tag, reference.digest)
    except refs.ReferenceError:
        return reference
