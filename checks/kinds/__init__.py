"""The check kinds, by the name exercise files use in ``kind:``.

A kind is one module with a ``SCHEMA`` fragment (the keys its checks take), its ``MESSAGES``,
``READS`` (the lazy reads it may ask of the snapshot, by name, from ``checks.snapshot.READ_NAMES``:
"inspect", "logs", "archive", "events", "http" and the others; the container and image lists are
always there) and a pure ``evaluate(spec, snapshot) -> Result``. Adding one is that
module plus its line in ``BUILT_IN`` (see CONTRIBUTING.md). Other packages add kinds through the
``docker_grader.kinds`` entry-point group (checks.kinds.plugins); they cannot replace a built-in one.
"""

from checks.errors import UsageError
from checks.kinds import compose, container, containers, events, http, image, image_count
from checks.kinds import output, registry
from checks.kinds import files, image_config, networks, volumes
from checks.kinds import plugins

BUILT_IN = {
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

_POINTS = plugins.entry_points()
PLUGINS, PLUGIN_PROBLEMS = plugins.load(BUILT_IN, _POINTS)
PACKAGES = {point.name: point.package for point in _POINTS if point.name in PLUGINS}  # a plugin kind's distribution
KINDS = {**BUILT_IN, **PLUGINS}


def refuse_broken_plugins() -> None:
    """Raises, naming the package, when an installed plugin kind was refused (exit code 2)."""
    if PLUGIN_PROBLEMS:
        raise UsageError(PLUGIN_PROBLEMS[0])


def plugin_identity() -> str:
    """The plugin kinds installed, their versions and schemas (the exercise cache's key)."""
    return plugins.identity(PLUGINS, _POINTS)
