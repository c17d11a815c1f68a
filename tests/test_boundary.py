"""The API boundary's rules on their own: pure functions over decoded requests, no daemon.

Raw HTTP against the boundary's socket, in front of a real dockerd, is in test_boundary_http.py.
"""

from __future__ import annotations

import pytest

from checks.boundary import Context, Limits, rules
from checks.boundary.rules import Request

LAB_REGISTRY = "127.0.0.1:5000"
CONTEXT = Context(LAB_REGISTRY, Limits(pids=100, log_size="10m", log_files=1, nofile=4096, containers=5))


def create(host_config=None, **body):
    return Request("POST", "/containers/create", {}, {}, {"Image": "alpine:3.14", "HostConfig": host_config or {}, **body})


def reason(decision) -> str:
    return decision.reason.render("en") if decision.reason else ""


# --- pure rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("host_config, field", [
    ({"Binds": ["/etc:/h"]}, "/etc"),
    ({"Binds": ["./x:/h"]}, "./x"),
    ({"Binds": ["data:/d", "/:/host:ro"]}, "/"),
    ({"Mounts": [{"Type": "bind", "Source": "/", "Target": "/h"}]}, "bind"),
    ({"Mounts": [{"Type": "npipe", "Source": "x", "Target": "/h"}]}, "npipe"),
    ({"Mounts": [{"Type": "volume", "Source": "v", "Target": "/h",
                  "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {"type": "none", "o": "bind", "device": "/etc"}}}}]}, "device=/etc"),
    ({"Mounts": [{"Type": "volume", "Source": "/etc", "Target": "/h"}]}, "/etc"),
    ({"Mounts": [{"Type": "tmpfs", "Target": "/t", "BindOptions": {"Propagation": "shared"}}]}, "BindOptions"),
    ({"Privileged": True}, "Privileged"),
    ({"CapAdd": ["SYS_ADMIN"]}, "CapAdd"),
    ({"Devices": [{"PathOnHost": "/dev/vda", "PathInContainer": "/dev/vda", "CgroupPermissions": "rwm"}]}, "Devices"),
    ({"DeviceCgroupRules": ["c 1:11 rwm"]}, "DeviceCgroupRules"),
    ({"DeviceRequests": [{"Driver": "nvidia", "Count": -1}]}, "DeviceRequests"),
    ({"SecurityOpt": ["apparmor=unconfined"]}, "SecurityOpt"),
    ({"MaskedPaths": []}, "MaskedPaths"),
    ({"ReadonlyPaths": []}, "ReadonlyPaths"),
    ({"PidMode": "host"}, "PidMode"),
    ({"IpcMode": "host"}, "IpcMode"),
    ({"UTSMode": "host"}, "UTSMode"),
    ({"NetworkMode": "host"}, "NetworkMode"),
    ({"UsernsMode": "host"}, "UsernsMode"),
    ({"CgroupnsMode": "host"}, "CgroupnsMode"),
    ({"Sysctls": {"net.ipv4.ip_forward": "1"}}, "Sysctls"),
    ({"Runtime": "io.containerd.runsc.v1"}, "Runtime"),
    ({"CgroupParent": "/escape"}, "CgroupParent"),
    ({"Ulimits": [{"Name": "nofile", "Soft": 1 << 20, "Hard": 1 << 20}]}, "nofile"),
    ({"Ulimits": [{"Name": "nproc", "Soft": 10, "Hard": 10}]}, "nproc"),
    ({"LogConfig": {"Type": "syslog", "Config": {"syslog-address": "tcp://127.0.0.1:514"}}}, "syslog"),
    ({"LogConfig": {"Type": "json-file", "Config": {"max-size": "10g"}}}, "max-size"),
    ({"LogConfig": {"Type": "json-file", "Config": {"max-file": "100"}}}, "max-file"),
    ({"PortBindings": {"80/tcp": [{"HostIp": "10.0.0.1", "HostPort": "80"}]}}, "10.0.0.1"),
    ({"PidsLimit": -1}, "PidsLimit"),
    ({"PidsLimit": 100000}, "PidsLimit"),
    ({"OomKillDisable": True}, "OomKillDisable"),
    ({"StorageOpt": {"size": "100G"}}, "StorageOpt"),
    ({"BlkioDeviceReadBps": [{"Path": "/dev/vda", "Rate": 1}]}, "BlkioDeviceReadBps"),
    ({"privileged": True}, "privileged"),  # Go would take this spelling for Privileged
    ({"SomeFieldOfANewerAPI": "x"}, "SomeFieldOfANewerAPI"),
])
def test_container_create_refuses_what_reaches_the_host(host_config, field):
    decision = rules.container_create(create(host_config), CONTEXT)
    assert not decision.allowed and field in reason(decision)


def test_container_create_refuses_a_misspelt_top_level_part_and_a_host_network():
    body = {"Image": "alpine:3.14", "hostconfig": {"Privileged": True}}
    assert not rules.container_create(Request("POST", "/containers/create", {}, {}, body), CONTEXT).allowed
    networking = {"EndpointsConfig": {"host": {}}}
    assert not rules.container_create(create(NetworkingConfig=networking), CONTEXT).allowed


@pytest.mark.parametrize("host_config", [
    {},
    {"Binds": ["data:/data", "other:/o:ro"], "Privileged": False, "CapAdd": None, "Devices": [], "Sysctls": None},
    {"Mounts": [{"Type": "volume", "Source": "v", "Target": "/v"}, {"Type": "tmpfs", "Target": "/t"}]},
    {"Mounts": [{"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Name": "local",
                 "Options": {"type": "tmpfs", "device": "tmpfs", "o": "size=10m"}}}}]},
    {"PortBindings": {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "81/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}},
    {"NetworkMode": "container:web", "PidMode": "container:web", "IpcMode": "shareable", "RestartPolicy": {"Name": "always"}},
    {"Memory": 64 * 1024**2, "NanoCpus": 500_000_000, "PidsLimit": 50, "CapDrop": ["ALL"], "Init": True},
    {"LogConfig": {"Type": "local", "Config": {"max-size": "1m"}}, "SecurityOpt": ["no-new-privileges"]},
    {"Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}], "Tmpfs": {"/run": "size=1m,noexec"}},
])
def test_container_create_allows_what_a_course_needs_and_puts_in_the_limits(host_config):
    decision = rules.container_create(create(host_config, Env=["A=1"], Cmd=["sh"], Tty=True, OpenStdin=True), CONTEXT)
    assert decision.allowed, reason(decision)
    sent = decision.body["HostConfig"]
    assert sent["PidsLimit"] == host_config.get("PidsLimit", 100)
    assert sent["LogConfig"]["Config"]["max-size"] == host_config.get("LogConfig", {}).get("Config", {}).get("max-size", "10m")
    assert decision.body["Env"] == ["A=1"]


def test_container_create_counts_the_labs_containers():
    full = Context(LAB_REGISTRY, Limits(containers=3), count_containers=lambda: 3)
    decision = rules.container_create(create(), full)
    assert not decision.allowed and "(3)" in reason(decision)
    assert rules.container_create(create(), Context(LAB_REGISTRY, Limits(containers=3), count_containers=lambda: 2)).allowed


@pytest.mark.parametrize("options, allowed", [
    (None, True),
    ({}, True),
    ({"type": "tmpfs", "device": "tmpfs", "o": "size=100m,uid=1000"}, True),
    ({"type": "none", "o": "bind", "device": "/etc"}, False),
    ({"type": "ext4", "device": "/dev/vda"}, False),
    ({"type": "proc", "device": "proc"}, False),
    ({"type": "overlay", "device": "overlay", "o": "lowerdir=/etc"}, False),
    ({"type": "nfs", "device": ":/export", "o": "addr=127.0.0.1"}, False),
    ({"type": "tmpfs", "device": "tmpfs", "o": "size=1m,bind"}, False),
    ({"type": "tmpfs", "device": "/dev/vda"}, False),
])
def test_volume_create(options, allowed):
    body = {"Name": "v", "Driver": "local", "DriverOpts": options}
    assert rules.volume_create(Request("POST", "/volumes/create", {}, {}, body), CONTEXT).allowed is allowed
    other_driver = {"Name": "v", "Driver": "vieux/sshfs"}
    assert not rules.volume_create(Request("POST", "/volumes/create", {}, {}, other_driver), CONTEXT).allowed


@pytest.mark.parametrize("body, allowed", [
    ({"Name": "n", "Driver": "bridge", "CheckDuplicate": True}, True),
    ({"Name": "n", "IPAM": {"Driver": "default", "Config": [{"Subnet": "10.9.0.0/24"}]}, "Internal": True}, True),
    ({"Name": "n", "Driver": "macvlan", "Options": {"parent": "eth0"}}, False),
    ({"Name": "n", "Driver": "ipvlan", "Options": {"parent": "eth0"}}, False),
    ({"Name": "n", "Driver": "host"}, False),
    ({"Name": "n", "Driver": "overlay", "Attachable": True}, False),
    ({"Name": "n", "Options": {"com.docker.network.bridge.name": "eth0"}}, False),
    ({"Name": "n", "Ingress": True}, False),
    ({"Name": "n", "IPAM": {"Driver": "dhcp"}}, False),
])
def test_network_create(body, allowed):
    assert rules.network_create(Request("POST", "/networks/create", {}, {}, body), CONTEXT).allowed is allowed


@pytest.mark.parametrize("query, allowed", [
    ({"fromImage": "alpine", "tag": "3.14"}, True),
    ({"fromImage": "docker.io/library/hello-world", "tag": "latest"}, True),
    ({"fromImage": "user/app", "tag": "1"}, True),
    ({"fromImage": "127.0.0.1:5000/library/alpine", "tag": "3.14"}, True),
    ({"fromImage": "localhost:5000/x"}, True),
    ({"fromImage": "127.0.0.1:5001/x"}, False),
    ({"fromImage": "localhost:8080/x"}, False),
    ({"fromImage": "ghcr.io/x/y"}, False),
    ({"fromImage": "10.0.0.1:5000/x"}, False),
    ({"fromImage": "Not A Reference"}, False),
    ({"fromSrc": "-", "repo": "imported"}, True),
    ({"fromSrc": "http://127.0.0.1:8000/x.tar"}, False),
    ({"fromSrc": "/etc/passwd"}, False),
])
def test_pulls_and_imports(query, allowed):
    assert rules.image_create(Request("POST", "/images/create", {}, query), CONTEXT).allowed is allowed


@pytest.mark.parametrize("name, allowed", [
    ("127.0.0.1:5000/app", True), ("localhost:5000/app", True),
    ("app", False), ("127.0.0.1:5001/app", False), ("registry.example.com/app", False),
])
def test_pushes_only_to_the_labs_registry(name, allowed):
    assert rules.image_push(Request("POST", f"/images/{name}/push", {"name": name}, {}), CONTEXT).allowed is allowed


@pytest.mark.parametrize("query, allowed", [
    ({"t": "app"}, True),
    ({"t": "app", "networkmode": "none", "dockerfile": "Dockerfile.dev"}, True),
    ({"remote": "http://127.0.0.1:8000/context.tar"}, False),
    ({"remote": "git@github.com:x/y.git"}, False),
    ({"networkmode": "host"}, False),
    ({"cgroupparent": "/escape"}, False),
    ({"version": "2", "session": "x"}, False),
])
def test_builds(query, allowed):
    assert rules.build(Request("POST", "/build", {}, query), CONTEXT).allowed is allowed


def test_exec_and_update():
    exec_body = {"Cmd": ["sh"], "AttachStdout": True, "Tty": False, "User": "", "Privileged": False}
    assert rules.exec_create(Request("POST", "/containers/c/exec", {"id": "c"}, {}, exec_body), CONTEXT).allowed
    assert not rules.exec_create(Request("POST", "/containers/c/exec", {"id": "c"}, {}, {**exec_body, "Privileged": True}), CONTEXT).allowed
    zero_resources = {"CpuShares": 0, "Memory": 0, "PidsLimit": None, "Ulimits": None}
    restart = {**zero_resources, "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0}}
    assert rules.container_update(Request("POST", "/containers/c/update", {"id": "c"}, {}, restart), CONTEXT).allowed
    lifted = {**zero_resources, "PidsLimit": -1}
    assert not rules.container_update(Request("POST", "/containers/c/update", {"id": "c"}, {}, lifted), CONTEXT).allowed


@pytest.mark.parametrize("method, path", [
    ("GET", "/plugins"), ("POST", "/plugins/pull"), ("GET", "/plugins/privileges"), ("POST", "/swarm/init"),
    ("GET", "/services"), ("POST", "/secrets/create"), ("POST", "/configs/create"), ("POST", "/session"),
    ("GET", "/distribution/alpine/json"), ("POST", "/auth"), ("GET", "/images/search"), ("GET", "/containers/c/attach/ws"),
    ("PUT", "/containers/create"), ("DELETE", "/info"),
])
def test_routes_not_on_the_list_are_refused(method, path):
    assert rules.route(method, path) is None


def test_the_table_reads_path_parameters():
    pushed = rules.route("POST", "/images/localhost:5000/team/app/push")
    assert pushed.rule is rules.image_push and pushed.params == {"name": "localhost:5000/team/app"}
    assert rules.route("POST", "/containers/abc/attach").hijack and rules.route("POST", "/exec/abc/start").hijack
    assert not rules.route("POST", "/containers/abc/start").hijack
