"""(naive, an extra row) The catalog's checks with docker-py's high-level API, written without care for cost: collections of
objects and their attributes (``containers.list`` inspects every container, ``images.list`` every
image). Each object's facts are read once, then shared by all checks: the kindest "naive"."""

import json
import sys

import docker

from catalog import verdicts

client = docker.DockerClient(base_url=sys.argv[1], version="auto")
containers = []
for container in client.containers.list(all=True):  # a list, then an inspect per container
    state = container.attrs["State"]
    exit_code = state["ExitCode"] if container.status == "exited" else None
    containers.append((container.name, container.attrs["Image"], container.attrs["Config"]["Image"], exit_code))
images = [(image.id, image.tags, image.attrs.get("RepoDigests") or []) for image in client.images.list()]


def logs(name):
    return client.containers.get(name).logs().decode(errors="replace")


print(json.dumps({"verdicts": verdicts(containers, images, logs)}))
