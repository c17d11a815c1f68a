"""Compose files a course uses, at the API boundary: what was added to its allowlist for them.

Everything else a compose file of the lesson sends (user-defined networks and their aliases,
named volumes, published ports, healthchecks, restart policies, env files, builds, `exec`,
`logs`, `pause`, `down -v`) already passed the boundary; test_compose_lesson.py runs it.
"""

from __future__ import annotations

import pytest

from checks.boundary import Context, Limits, rules
from checks.boundary.rules import Request

CONTEXT = Context("127.0.0.1:5000", Limits(), count_containers=lambda: 0)


def create(host_config: dict) -> Request:
    return Request("POST", "/containers/create", {}, {}, {"Image": "redis:7", "HostConfig": host_config})


@pytest.mark.parametrize("sysctls", [
    {"net.core.somaxconn": "1024"},  # redis's compose files
    {"net.ipv4.ip_unprivileged_port_start": "0"},
    {"net.ipv4.tcp_syncookies": "1", "net.ipv4.ip_local_port_range": "32768 60999"},
    {"net.ipv4.ping_group_range": "0 2147483647"},
    {},
    None,
])
def test_sysctls_of_the_containers_own_network_namespace_are_allowed(sysctls):
    assert rules.container_create(create({"Sysctls": sysctls}), CONTEXT).allowed


@pytest.mark.parametrize("sysctls, shown", [
    ({"net.ipv4.ip_forward": "1"}, "net.ipv4.ip_forward"),  # routing: not on the list
    ({"kernel.shmmax": "1"}, "kernel.shmmax"),
    ({"net.core.somaxconn": "1024; reboot"}, "1024; reboot"),
    ({"net.core.somaxconn": 1024}, "1024"),  # the API takes strings
    ({"net.core.somaxconn": "99999999"}, "99999999"),
    ({"net.ipv4.ip_local_port_range": "1 2 3"}, "1 2 3"),
    ({"Net.Core.Somaxconn": "1"}, "Net.Core.Somaxconn"),
    (["net.core.somaxconn=1"], "net.core.somaxconn=1"),
])
def test_any_other_sysctl_or_value_is_refused_by_name(sysctls, shown):
    decision = rules.container_create(create({"Sysctls": sysctls}), CONTEXT)
    assert not decision.allowed
    text = decision.reason.render("en")
    assert text.startswith("HostConfig.Sysctls") and shown in text, text
