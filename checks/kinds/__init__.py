"""The check kinds, by the name exercise files use in ``kind:``.

A kind is one module with a ``SCHEMA`` fragment (the keys its checks take), its ``MESSAGES``,
``READS`` (the lazy reads it may ask of the snapshot: "inspect", "logs"; the container and image
lists are always there) and a pure ``evaluate(spec, snapshot) -> Result``. Adding one is that
module plus its line here (see CONTRIBUTING.md).
"""

from checks.kinds import compose, container, containers, events, http, image, image_count
from checks.kinds import output, registry
from checks.kinds import files, image_config, networks, volumes

KINDS = {
    "image": image,
    "image_count": image_count,
    "containers": containers,
    "container": container,
    "events": events,
    "output": output,
    "compose": compose,
    "http": http,
    "image_config": image_config,
    "files": files,
    "volumes": volumes,
    "networks": networks,
    "registry": registry,
}
