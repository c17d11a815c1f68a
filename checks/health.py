"""Health checks still ``starting`` when a run's snapshot is taken: waited for, within a bound.

A HEALTHCHECK only says ``healthy`` after its first check passes, which takes up to its start
period plus its interval; graded the instant the last command ended, a correct exercise would
read ``starting``. So before ``run`` grades, while a container's health is ``starting``, the
snapshot is read again (the list only: one GET each time) until none is, or until the longest
wait one of them may need (start period + interval × retries, as dockerd counts it) has passed,
capped at ``CAP`` seconds and at the exercise's deadline. The kinds stay pure: they read the
snapshot this returns.
"""

from __future__ import annotations

import time
from typing import Callable

from checks.snapshot import Snapshot

CAP = 60.0  # seconds a run waits for health checks, at most
POLL = 0.5  # seconds between two reads of the list
# dockerd's defaults for a HEALTHCHECK without them (nanoseconds; retries)
DEFAULT_INTERVAL, DEFAULT_START_PERIOD, DEFAULT_RETRIES = 30 * 10**9, 0, 3


def settled(read: Callable[[], Snapshot], deadline: float, cap: float = CAP, sleep=time.sleep, clock=time.monotonic) -> Snapshot:
    """A snapshot with no health ``starting``, or the last one read when the bound ran out."""
    taken = read()
    starting = [c for c in taken.containers if c.health == "starting"]
    if not starting:
        return taken
    bound = max(_longest_wait(taken.read("inspect", c.id) or {}) for c in starting)
    until = min(clock() + min(bound, cap), deadline)
    while any(c.health == "starting" for c in taken.containers) and clock() + POLL <= until:
        sleep(POLL)
        taken = read()
    return taken


def _longest_wait(inspected: dict) -> float:
    """Seconds until dockerd must have decided: start period, then ``retries`` intervals (and one more to run)."""
    config = (inspected.get("Config") or {}).get("Healthcheck") or {}
    interval = _positive(config.get("Interval")) or DEFAULT_INTERVAL
    start = _positive(config.get("StartPeriod")) or DEFAULT_START_PERIOD
    retries = _positive(config.get("Retries")) or DEFAULT_RETRIES
    return (start + interval * (retries + 1)) / 10**9


def _positive(value) -> int:
    return value if isinstance(value, int) and value > 0 else 0
