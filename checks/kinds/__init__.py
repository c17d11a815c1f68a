"""The check kinds, by the name exercise files use in ``kind:``.

A kind is one module with a ``SCHEMA`` fragment (the keys its checks take), its ``MESSAGES``
(registered by the module itself as it is imported), ``READS`` (the names of the lazy reads it asks
of the snapshot: ``checks.reads.names()``, "inspect", "logs", "archive", "events", "http" and the
others, and a read of its own it provides; the container and image lists are always there) and a
pure ``evaluate(spec, snapshot) -> Result``. Adding one is that module plus its name in
``BUILT_IN_NAMES`` (see CONTRIBUTING.md). Other packages add kinds through the ``docker_grader.kinds``
entry-point group (checks.kinds.plugins); they cannot replace a built-in one.

``KINDS`` imports a built-in kind's module the first time the kind is asked for, so ``check`` of
exercises that use four kinds imports those four and not the others (tests/test_imports.py).
"""

from __future__ import annotations

import importlib
from collections.abc import MutableMapping
from typing import Any, Iterable, Iterator

from checks.errors import UsageError
from checks.kinds import plugins

# The built-in kinds, by name: each is the module of that name in this package.
BUILT_IN_NAMES = (
    "image", "image_count", "containers", "container", "events", "output", "compose", "http",
    "image_config", "files", "volumes", "networks", "registry",
)


class Registry(MutableMapping):
    """Kind name → kind module. A built-in kind's module is imported by name when first asked for
    (a sibling module of this package, never one above it); the others are given as they are."""

    def __init__(self, lazy: Iterable[str], given: dict[str, Any] | None = None):
        self._lazy = tuple(lazy)
        self._given: dict[str, Any] = dict(given or {})

    def __getitem__(self, name: str) -> Any:
        if name not in self._given:
            if name not in self._lazy:
                raise KeyError(name)
            self._given[name] = importlib.import_module(f"{__name__}.{name}")
        return self._given[name]

    def __setitem__(self, name: str, kind: Any) -> None:
        self._given[name] = kind

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._given.pop(name, None)
        self._lazy = tuple(lazy for lazy in self._lazy if lazy != name)

    def __contains__(self, name: object) -> bool:
        return name in self._given or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        yield from self._lazy
        yield from (name for name in self._given if name not in self._lazy)

    def __len__(self) -> int:
        return sum(1 for _ in self)


BUILT_IN = Registry(BUILT_IN_NAMES)
_POINTS = plugins.entry_points()
PLUGINS, PLUGIN_PROBLEMS = plugins.load(BUILT_IN, _POINTS)
PACKAGES = {point.name: point.package for point in _POINTS if point.name in PLUGINS}  # a plugin kind's distribution
KINDS = Registry(BUILT_IN_NAMES, PLUGINS)


def refuse_broken_plugins() -> None:
    """Raises, naming the package, when an installed plugin kind was refused (exit code 2)."""
    if PLUGIN_PROBLEMS:
        raise UsageError(PLUGIN_PROBLEMS[0])


def plugin_identity() -> str:
    """The plugin kinds installed, their versions and schemas (the exercise cache's key)."""
    return plugins.identity(PLUGINS, _POINTS)
