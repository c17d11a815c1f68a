"""(b) docker-py as its users write it for these verdicts: one sparse container list (no inspect per
container), one low-level image list, an inspect only for a container whose list entry shows an image
ID instead of the reference it was created with (its tag was moved or removed), and logs only for the
containers the checks select. The same semantics as the grader: a container is of an image by the
reference typed at creation or by image ID."""

import json
import re
import sys

import docker

from catalog import verdicts

EXITED = re.compile(r"Exited \((-?\d+)\)")

client = docker.DockerClient(base_url=sys.argv[1], version="auto")
containers = []
for container in client.containers.list(all=True, sparse=True):  # GET /containers/json?all=1, nothing more
    attrs = container.attrs
    typed, image_id = attrs["Image"], attrs["ImageID"]
    if image_id.endswith(typed.removeprefix("sha256:")):  # an ID: what was typed is in the inspect only
        typed = client.api.inspect_container(attrs["Id"])["Config"]["Image"]
    exited = EXITED.match(attrs.get("Status") or "")
    containers.append((attrs["Names"][0].lstrip("/"), image_id, typed, int(exited.group(1)) if exited else None))
images = [(image["Id"], image.get("RepoTags") or [], image.get("RepoDigests") or []) for image in client.api.images()]


def logs(name):
    return client.api.logs(name).decode(errors="replace")


print(json.dumps({"verdicts": verdicts(containers, images, logs)}))
