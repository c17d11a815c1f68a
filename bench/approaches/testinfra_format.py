"""(c) pytest-testinfra as its users write it for these verdicts: one ``docker ps -a --format`` and one
``docker images --format`` through ``host.check_output``, a ``docker inspect`` only for a container whose
listed image is an ID (its tag moved or was removed), and ``docker logs`` only for the selected
containers. ``docker ps`` shows no image ID, so a container is of an image by the reference typed at
creation. DOCKER_HOST points the CLI at the daemon."""

import json
import os
import re
import sys

import testinfra

from catalog import verdicts

EXITED = re.compile(r"Exited \((-?\d+)\)")

os.environ["DOCKER_HOST"] = sys.argv[1]
host = testinfra.get_host("local://")

containers = []
listed = host.check_output("docker ps -a --no-trunc --format '{{.ID}}\t{{.Names}}\t{{.Image}}\t{{.Status}}'")
for line in filter(None, listed.splitlines()):
    container_id, name, typed, status = line.split("\t")
    image_id = None
    if re.fullmatch(r"(sha256:)?[0-9a-f]{12,64}", typed):  # an ID: what was typed is in the inspect only
        image_id, typed = host.check_output("docker inspect --format '{{.Image}}\t{{.Config.Image}}' %s", container_id).split("\t")
    exited = EXITED.match(status)
    containers.append((name, image_id, typed, int(exited.group(1)) if exited else None))

images = []
listed = host.check_output("docker images --no-trunc --digests --format '{{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.Digest}}'")
by_id = {}
for line in filter(None, listed.splitlines()):
    image_id, repository, tag, digest = line.split("\t")
    tags, digests = by_id.setdefault(image_id, ([], []))
    if tag != "<none>" and f"{repository}:{tag}" not in tags:
        tags.append(f"{repository}:{tag}")
    if digest != "<none>" and f"{repository}@{digest}" not in digests:
        digests.append(f"{repository}@{digest}")
images = [(image_id, tags, digests) for image_id, (tags, digests) in by_id.items()]


def logs(name):
    return host.run("docker logs %s", name).stdout


print(json.dumps({"verdicts": verdicts(containers, images, logs)}))
