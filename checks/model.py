"""What an exercise file holds, as values: an ``Exercise`` and its ``Check``s.

A leaf module: it imports nothing of the grader, so the loader, the kinds, the results and
the writers can all use these types without importing one another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Check:
    name: str
    kind: str
    spec: Mapping[str, Any]  # the whole check mapping, as the kind reads it
    points: float
    hint: Mapping[str, str]
    visibility: str = "visible"
    line: int = 0


@dataclass(frozen=True)
class Exercise:
    id: str
    lesson: str
    order: int
    title: Mapping[str, str]
    description: Mapping[str, str]
    checks: tuple[Check, ...]
    path: str = ""
    images: tuple[Mapping[str, Any], ...] = ()
    start: Mapping[str, Any] = field(default_factory=dict)
    # Services of the exercise's own compose file (checks.services): "file" is an absolute path here.
    compose: Mapping[str, Any] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)
