"""Engine API answers of the wrong shape, for the tests of checks.snapshot's shape checks
(test_snapshot_shapes_pure.py, test_read_shapes_pure.py)."""

from __future__ import annotations

import copy

import pytest

from checks.messages import CATALOG
from checks.snapshot import ShapeError

GONE = object()  # a field left out of the answer


def changed(answer, path: str, value):
    """``answer`` with the field at ``path`` (keys or list indexes joined by "/") set to ``value``, or left out (GONE)."""
    answer = copy.deepcopy(answer)
    *parents, last = [int(key) if key.isdigit() else key for key in path.split("/")]
    at = answer
    for key in parents:
        at = at[key]
    if value is GONE:
        del at[last]
    else:
        at[last] = value
    return answer


def shape_error(read, answer) -> tuple[str, str]:
    """Where ``read(answer)`` found the answer misshapen, and what it expected there."""
    with pytest.raises(ShapeError) as raised:
        read(answer)
    assert str(raised.value) == f"{raised.value.where}: expected {raised.value.expected}"
    assert f"shape.{raised.value.expected}" in CATALOG  # checks.reads.shaped says it in the student's language
    return raised.value.where, raised.value.expected
