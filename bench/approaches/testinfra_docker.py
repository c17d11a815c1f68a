"""(naive, an extra row) The catalog's checks with pytest-testinfra's docker module, one CLI process per object: ``host.docker.get_containers()``,
then one ``inspect()`` per container, reused for all its properties (each property read would be one
more `docker inspect`); images and logs through ``host.run`` of the docker CLI, as testinfra has no
image module. DOCKER_HOST points the CLI at the daemon."""

import json
import os
import sys

import testinfra

from catalog import verdicts

os.environ["DOCKER_HOST"] = sys.argv[1]
host = testinfra.get_host("local://")

containers = []
for container in host.docker.get_containers():  # docker ps --all
    details = container.inspect()  # docker inspect, one per container
    state = details["State"]
    exit_code = state["ExitCode"] if state["Status"] == "exited" else None
    containers.append((details["Name"][1:], details["Image"], details["Config"]["Image"], exit_code))

images = []
for image_id in dict.fromkeys(host.check_output("docker images --no-trunc --quiet").splitlines()):
    found = json.loads(host.check_output("docker image inspect %s", image_id))[0]  # one per image
    images.append((found["Id"], found.get("RepoTags") or [], found.get("RepoDigests") or []))


def logs(name):
    return host.run("docker logs %s", name).stdout


print(json.dumps({"verdicts": verdicts(containers, images, logs)}))
