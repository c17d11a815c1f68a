"""checks.health on hand-built snapshots and a fake clock: how long a run waits for `starting`."""

from __future__ import annotations

from apijson import FakeSource, container_json, snapshot

from checks import health

WEB = "a" * 64


def listed(status: str):
    source = FakeSource()
    source.inspected[WEB] = {"Config": {"Healthcheck": {"Test": ["CMD", "true"], "Interval": 2 * 10**9, "Retries": 2}}}
    return snapshot((), [container_json(WEB, "web", "alpine:3.14", "sha256:" + "b" * 64, "running", status)], source)


class Clock:
    def __init__(self):
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_starting_is_read_again_until_it_is_decided():
    statuses = iter(["Up 1 second (health: starting)"] * 3 + ["Up 3 seconds (healthy)"])
    clock, reads = Clock(), []

    def read():
        reads.append(1)
        return listed(next(statuses))

    taken = health.settled(read, deadline=100, sleep=clock.sleep, clock=lambda: clock.now)
    assert taken.containers[0].health == "healthy" and len(reads) == 4


def test_the_wait_is_bounded_by_the_health_checks_own_timing_and_the_deadline():
    clock = Clock()
    reads = []

    def read():
        reads.append(1)
        return listed("Up 1 second (health: starting)")

    taken = health.settled(read, deadline=100, sleep=clock.sleep, clock=lambda: clock.now)
    assert taken.containers[0].health == "starting"
    assert len(reads) == 1 + 12  # interval 2 s × (2 retries + 1) = 6 s, read every 0.5 s
    reads.clear()
    clock.now = 0.0
    health.settled(read, deadline=1.0, sleep=clock.sleep, clock=lambda: clock.now)
    assert len(reads) == 1 + 2


def test_nothing_starting_is_one_read():
    reads = []

    def read():
        reads.append(1)
        return listed("Up 1 second (healthy)")

    health.settled(read, deadline=100, sleep=lambda s: None)
    assert len(reads) == 1
