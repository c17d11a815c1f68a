"""The API boundary's rules on their own: pure functions over decoded requests, no daemon.

Raw HTTP against the boundary's socket, in front of a real dockerd, is in test_boundary_http.py.
"""

from __future__ import annotations

import bz2
import gzip
import io
import tarfile

import pytest

from checks.boundary import Context, Limits, rules
from checks.boundary.archive import ArchiveRefused, BuildContext, ImageArchive
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
    ({"type": "tmpfs", "device": "tmpfs", "o": "size=60m,uid=1000"}, True),
    ({"type": "tmpfs", "device": "tmpfs"}, True),  # the lab's size is put in
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
    ("GET", "/distribution/alpine/json"), ("GET", "/images/search"), ("GET", "/containers/c/attach/ws"),
    ("PUT", "/containers/create"), ("DELETE", "/info"),
])
def test_routes_not_on_the_list_are_refused(method, path):
    assert rules.route(method, path) is None


def test_the_table_reads_path_parameters():
    pushed = rules.route("POST", "/images/localhost:5000/team/app/push")
    assert pushed.rule is rules.image_push and pushed.params == {"name": "localhost:5000/team/app"}
    assert rules.route("POST", "/containers/abc/attach").hijack and rules.route("POST", "/exec/abc/start").hijack
    assert not rules.route("POST", "/containers/abc/start").hijack


# --- exact refusals: the message key and its parameters ------------------------------------------
def refused(decision, key: str, **params) -> None:
    """The decision refuses with this catalog key and exactly these parameters."""
    assert not decision.allowed
    assert decision.reason is not None
    assert (decision.reason.key, dict(decision.reason.params)) == (key, params)


def allowed(decision) -> None:
    assert decision.allowed, decision.reason and decision.reason.render("en")


def update(body):
    return Request("POST", "/containers/c/update", {"id": "c"}, {}, body)


def exec_request(body):
    return Request("POST", "/containers/c/exec", {"id": "c"}, {}, body)


def volume(body):
    return Request("POST", "/volumes/create", {}, {}, body)


def network(body):
    return Request("POST", "/networks/create", {}, {}, body)


def pull(**query):
    return Request("POST", "/images/create", {}, query)


def push(name):
    return Request("POST", f"/images/{name}/push", {"name": name}, {})


def build(**query):
    return Request("POST", "/build", {}, query)


@pytest.mark.parametrize("host_config, key, params", [
    # fields outside the table: zero values only, and the refusal names the field and shows the value
    ({"Privileged": True}, "boundary.field", {"field": "HostConfig.Privileged", "value": "True"}),
    ({"CapAdd": ["SYS_ADMIN"]}, "boundary.field", {"field": "HostConfig.CapAdd", "value": "['SYS_ADMIN']"}),
    ({"UsernsMode": "host"}, "boundary.field", {"field": "HostConfig.UsernsMode", "value": "host"}),
    ({"CgroupParent": "/escape"}, "boundary.field", {"field": "HostConfig.CgroupParent", "value": "/escape"}),
    # a known field spelt in another case: Go would take it for that field
    ({"pidsLimit": 50}, "boundary.field", {"field": "HostConfig.pidsLimit", "value": "(write PidsLimit)"}),
    ({"BINDS": None}, "boundary.field", {"field": "HostConfig.BINDS", "value": "(write Binds)"}),
    # MaskedPaths/ReadonlyPaths: null only; [] would unmask /proc
    ({"MaskedPaths": []}, "boundary.field", {"field": "HostConfig.MaskedPaths", "value": "[]"}),
    ({"ReadonlyPaths": ["/proc"]}, "boundary.field", {"field": "HostConfig.ReadonlyPaths", "value": "['/proc']"}),
    # one of a list of values
    ({"Isolation": "hyperv"}, "boundary.field", {"field": "HostConfig.Isolation", "value": "hyperv"}),
    ({"Runtime": "runsc"}, "boundary.field", {"field": "HostConfig.Runtime", "value": "runsc"}),
    ({"CgroupnsMode": "host"}, "boundary.field", {"field": "HostConfig.CgroupnsMode", "value": "host"}),
    ({"VolumeDriver": "vieux/sshfs"}, "boundary.field", {"field": "HostConfig.VolumeDriver", "value": "vieux/sshfs"}),
    ({"Runtime": "RUNC"}, "boundary.field", {"field": "HostConfig.Runtime", "value": "RUNC"}),
    # namespaces: the host's, in any mode that starts with it
    ({"PidMode": "host"}, "boundary.namespace", {"field": "HostConfig.PidMode", "value": "host"}),
    ({"NetworkMode": "host"}, "boundary.namespace", {"field": "HostConfig.NetworkMode", "value": "host"}),
    ({"IpcMode": "host:x:y"}, "boundary.namespace", {"field": "HostConfig.IpcMode", "value": "host:x:y"}),
    ({"UTSMode": "host:x"}, "boundary.namespace", {"field": "HostConfig.UTSMode", "value": "host:x"}),
    ({"Cgroup": "host"}, "boundary.namespace", {"field": "HostConfig.Cgroup", "value": "host"}),
    # binds: named volumes only
    ({"Binds": ["data:/d", "/etc:/h:ro"]}, "boundary.bind", {"source": "/etc"}),
    ({"Binds": ["../up:/h"]}, "boundary.bind", {"source": "../up"}),
    ({"Binds": [1]}, "boundary.bad_body", {"reason": "HostConfig.Binds holds a non-string"}),
    # SecurityOpt: no-new-privileges only
    ({"SecurityOpt": ["no-new-privileges", "seccomp=unconfined"]}, "boundary.field",
     {"field": "HostConfig.SecurityOpt", "value": "seccomp=unconfined"}),
    ({"SecurityOpt": ["no-new-privileges=false"]}, "boundary.field",
     {"field": "HostConfig.SecurityOpt", "value": "no-new-privileges=false"}),
    # Tmpfs: the options of a plain tmpfs only
    ({"Tmpfs": {"/ok": "size=1m", "/run": "size=1m,suid"}}, "boundary.field",
     {"field": "HostConfig.Tmpfs[/run]", "value": "suid"}),
    ({"Tmpfs": {"/run": "dev"}}, "boundary.field", {"field": "HostConfig.Tmpfs[/run]", "value": "dev"}),
    # ports: all interfaces or loopback
    ({"PortBindings": {"80/tcp": [{"HostIp": "10.0.0.1", "HostPort": "80"}]}}, "boundary.port_host",
     {"port": "80/tcp", "host": "10.0.0.1"}),
    # pids: at most the lab's, never unlimited
    ({"PidsLimit": 101}, "boundary.limit", {"field": "HostConfig.PidsLimit", "value": 101, "limit": 100}),
    ({"PidsLimit": -1}, "boundary.limit", {"field": "HostConfig.PidsLimit", "value": -1, "limit": 100}),
    ({"PidsLimit": "50"}, "boundary.limit", {"field": "HostConfig.PidsLimit", "value": "50", "limit": 100}),
    # ulimits: nofile only, each side from 0 to the lab's
    ({"Ulimits": [{"Name": "nproc", "Soft": 10, "Hard": 20}]}, "boundary.field",
     {"field": "HostConfig.Ulimits.nproc", "value": "10:20"}),
    ({"Ulimits": [{"Name": "nofile", "Soft": 4097, "Hard": 4096}]}, "boundary.limit",
     {"field": "HostConfig.Ulimits.nofile.Soft", "value": 4097, "limit": 4096}),
    ({"Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 4097}]}, "boundary.limit",
     {"field": "HostConfig.Ulimits.nofile.Hard", "value": 4097, "limit": 4096}),
    ({"Ulimits": [{"Name": "nofile", "Soft": -1, "Hard": 1024}]}, "boundary.limit",
     {"field": "HostConfig.Ulimits.nofile.Soft", "value": -1, "limit": 4096}),
    ({"Ulimits": [{"Name": "nofile", "Soft": 1024}]}, "boundary.limit",
     {"field": "HostConfig.Ulimits.nofile.Hard", "value": None, "limit": 4096}),
    # logs: json-file or local, no larger than the lab's, known options only
    ({"LogConfig": {"Type": "syslog"}}, "boundary.log_driver", {"driver": "syslog"}),
    ({"LogConfig": {"Type": "JSON-FILE"}}, "boundary.log_driver", {"driver": "JSON-FILE"}),
    ({"LogConfig": {"Config": {"max-size": "10241k"}}}, "boundary.limit",
     {"field": "HostConfig.LogConfig.Config.max-size", "value": "10241k", "limit": "10m"}),
    ({"LogConfig": {"Config": {"max-size": "11M"}}}, "boundary.limit",
     {"field": "HostConfig.LogConfig.Config.max-size", "value": "11M", "limit": "10m"}),
    ({"LogConfig": {"Config": {"max-size": "-1"}}}, "boundary.limit",  # unlimited for json-file
     {"field": "HostConfig.LogConfig.Config.max-size", "value": "-1", "limit": "10m"}),
    ({"LogConfig": {"Config": {"max-size": "1t"}}}, "boundary.limit",
     {"field": "HostConfig.LogConfig.Config.max-size", "value": "1t", "limit": "10m"}),
    ({"LogConfig": {"Config": {"max-file": "2"}}}, "boundary.limit",
     {"field": "HostConfig.LogConfig.Config.max-file", "value": "2", "limit": 1}),
    ({"LogConfig": {"Config": {"max-file": "-1"}}}, "boundary.limit",
     {"field": "HostConfig.LogConfig.Config.max-file", "value": "-1", "limit": 1}),
    ({"LogConfig": {"Type": "local", "Config": {"syslog-address": "tcp://10.0.0.1:514"}}}, "boundary.field",
     {"field": "HostConfig.LogConfig.Config.syslog-address", "value": "tcp://10.0.0.1:514"}),
])
def test_container_create_refusal_names_the_field_and_the_value(host_config, key, params):
    refused(rules.container_create(create(host_config), CONTEXT), key, **params)


@pytest.mark.parametrize("mounts, key, params", [
    ([{"Type": "bind", "Source": "/", "Target": "/h"}], "boundary.mount_type", {"type": "bind"}),
    ([{"Type": "Volume", "Source": "v", "Target": "/h"}], "boundary.mount_type", {"type": "Volume"}),
    ([{"Source": "v", "Target": "/h"}], "boundary.mount_type", {"type": "None"}),
    (["v:/h"], "boundary.bad_body", {"reason": "HostConfig.Mounts[0] is not an object"}),
    ([{"Type": "volume", "Source": "v", "Target": "/v"}, {"Type": "volume", "Source": "/etc", "Target": "/h"}],
     "boundary.bind", {"source": "/etc"}),
    ([{"Type": "volume", "Source": 7, "Target": "/h"}], "boundary.bind", {"source": "7"}),
    ([{"Type": "tmpfs", "Source": "/etc", "Target": "/t"}], "boundary.field",
     {"field": "HostConfig.Mounts[0].Source", "value": "/etc"}),
    ([{"Type": "tmpfs", "Target": "/t"}, {"Type": "tmpfs", "Source": "x", "Target": "/u"}], "boundary.field",
     {"field": "HostConfig.Mounts[1].Source", "value": "x"}),
    ([{"Type": "volume", "Source": "v", "Target": "/v", "BindOptions": {"Propagation": "rshared"}}], "boundary.field",
     {"field": "HostConfig.Mounts[0].BindOptions", "value": "{'Propagation': 'rshared'}"}),
    ([{"Type": "tmpfs", "Target": "/t", "BindOptions": {"NonRecursive": True}}], "boundary.field",
     {"field": "HostConfig.Mounts[0].BindOptions", "value": "{'NonRecursive': True}"}),
    ([{"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Name": "vieux/sshfs"}}}],
     "boundary.field", {"field": "HostConfig.Mounts[0].VolumeOptions.DriverConfig.Driver", "value": "vieux/sshfs"}),
    ([{"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Options": {"type": "none", "o": "bind", "device": "/etc"}}}}],
     "boundary.volume_options", {"options": "device=/etc,o=bind,type=none"}),
    ([{"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Options": "o=bind"}}}],
     "boundary.bad_body", {"reason": "HostConfig.Mounts[0].VolumeOptions.DriverConfig options are not an object"}),
])
def test_mount_refusals(mounts, key, params):
    refused(rules.container_create(create({"Mounts": mounts}), CONTEXT), key, **params)


@pytest.mark.parametrize("host_config", [
    # what the docker CLI sends for options it was not given: the zero value of every field
    {"Privileged": False, "CapAdd": None, "CapDrop": None, "Devices": [], "DeviceCgroupRules": None,
     "DeviceRequests": None, "Sysctls": {}, "UsernsMode": "", "CgroupParent": "", "Runtime": "", "Isolation": "",
     "CgroupnsMode": "", "VolumeDriver": "", "OomKillDisable": None, "StorageOpt": None, "BlkioWeightDevice": [],
     "MaskedPaths": None, "ReadonlyPaths": None, "PidsLimit": None, "Ulimits": None, "Binds": None, "Mounts": None,
     "Tmpfs": None, "SecurityOpt": None, "PortBindings": {}, "LogConfig": {"Type": "", "Config": {}},
     "NetworkMode": "default", "PidMode": "", "IpcMode": "private", "UTSMode": "", "Cgroup": ""},
    {"Isolation": "default", "Runtime": "runc", "CgroupnsMode": "private", "VolumeDriver": "local"},
    {"PidMode": "container:web", "IpcMode": "container:web", "UTSMode": "", "NetworkMode": "container:hostname"},
    {"NetworkMode": "lab-net", "PidsLimit": 0},
    {"PidsLimit": 100},  # at the lab's limit
    {"Binds": ["/data", "data:/d", "a.b_c-1:/e:ro"]},  # a path alone is an anonymous volume at that path
    {"SecurityOpt": ["no-new-privileges", "no-new-privileges=true", "no-new-privileges:true"]},
    {"Tmpfs": {"/run": "", "/tmp": "size=64m,mode=1777,uid=1000,gid=1000,ro,rw,noexec,exec,nosuid,nodev"}},
    {"Ulimits": [{"Name": "nofile", "Soft": 0, "Hard": 4096}]},  # each side from 0 up to the lab's limit
    {"Ulimits": [{"Name": "nofile", "Soft": 4096, "Hard": 4096}]},
    {"PortBindings": {"80/tcp": [{"HostPort": "8080"}], "81/tcp": None, "82/tcp": [None],
                      "83/tcp": [{"HostIp": host, "HostPort": ""} for host in ("", "0.0.0.0", "127.0.0.1", "::", "::1", "localhost")]}},
    {"LogConfig": {"Config": {"max-size": "10m"}}},  # at the limit, the type left to the default
    {"LogConfig": {"Type": "", "Config": {"max-size": "10240k", "max-file": "1"}}},
    {"LogConfig": {"Type": "json-file", "Config": {"max-size": "10485760", "max-file": "0"}}},
    {"LogConfig": {"Type": "local", "Config": {"max-size": "1MB", "compress": "true", "mode": "non-blocking",
                                               "max-buffer-size": "1m", "labels": "a", "env": "A", "tag": "{{.Name}}"}}},
    {"Mounts": [{"Type": "tmpfs", "Target": "/t", "Source": ""},
                {"Type": "volume", "Target": "/v", "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {}}}},
                {"Type": "volume", "Target": "/w", "Source": "", "BindOptions": None,
                 "VolumeOptions": {"DriverConfig": {"Options": {"type": "tmpfs", "device": "tmpfs"}}}}]},
])
def test_container_create_allows(host_config):
    allowed(rules.container_create(create(host_config), CONTEXT))


def test_container_create_refuses_a_body_that_is_not_an_object_and_names_top_level_fields_without_a_prefix():
    for body in (None, [], "x"):
        refused(rules.container_create(Request("POST", "/containers/create", {}, {}, body), CONTEXT),
                "boundary.bad_body", reason="the body is not a JSON object")
    body = {"Image": "alpine", "Privileged": True}
    refused(rules.container_create(Request("POST", "/containers/create", {}, {}, body), CONTEXT),
            "boundary.field", field="Privileged", value="True")
    body = {"Image": "alpine", "hostconfig": {}}
    refused(rules.container_create(Request("POST", "/containers/create", {}, {}, body), CONTEXT),
            "boundary.field", field="hostconfig", value="(write HostConfig)")


def test_container_create_takes_the_containers_own_configuration_as_it_is():
    body = {"Hostname": "h", "Domainname": "d", "User": "1000", "AttachStdin": True, "AttachStdout": True,
            "AttachStderr": True, "ExposedPorts": {"80/tcp": {}}, "Tty": True, "OpenStdin": True, "StdinOnce": True,
            "Env": ["A=1"], "Cmd": ["sh"], "Healthcheck": {"Test": ["CMD", "true"]}, "ArgsEscaped": True,
            "Image": "alpine", "Volumes": {"/v": {}}, "WorkingDir": "/w", "Entrypoint": ["/bin/sh"],
            "NetworkDisabled": True, "MacAddress": "02:42:ac:11:00:02", "OnBuild": ["RUN x"], "Labels": {"a": "b"},
            "StopSignal": "SIGTERM", "StopTimeout": 3, "Shell": ["sh", "-c"], "HostConfig": None,
            "NetworkingConfig": None}
    decision = rules.container_create(Request("POST", "/containers/create", {}, {}, body), CONTEXT)
    allowed(decision)
    assert decision.body == {**body, "HostConfig": {"PidsLimit": 100,
                                                    "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "1"}}}}


def test_container_create_refuses_at_the_labs_container_limit():
    at_limit = Context(LAB_REGISTRY, Limits(containers=3), count_containers=lambda: 3)
    refused(rules.container_create(create(), at_limit), "boundary.too_many", what="containers", limit=3)
    over = Context(LAB_REGISTRY, Limits(containers=3), count_containers=lambda: 4)
    refused(rules.container_create(create(), over), "boundary.too_many", what="containers", limit=3)


# --- the body sent on: the lab's limits put in ---------------------------------------------------
@pytest.mark.parametrize("host_config, sent", [
    ({}, {"PidsLimit": 100, "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "1"}}}),
    ({"PidsLimit": 0, "LogConfig": {"Type": "", "Config": None}, "Memory": 1024},
     {"PidsLimit": 100, "Memory": 1024, "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m", "max-file": "1"}}}),
    ({"PidsLimit": 50, "LogConfig": {"Type": "local", "Config": {"max-size": "1m", "compress": "true"}}},
     {"PidsLimit": 50, "LogConfig": {"Type": "local", "Config": {"max-size": "1m", "compress": "true", "max-file": "1"}}}),
    ({"LogConfig": {"Config": {"max-file": "1"}}},
     {"PidsLimit": 100, "LogConfig": {"Type": "json-file", "Config": {"max-file": "1", "max-size": "10m"}}}),
])
def test_with_limits_puts_in_the_labs_limits_where_unset(host_config, sent):
    decision = rules.container_create(create(host_config, Cmd=["true"]), CONTEXT)
    allowed(decision)
    assert decision.body == {"Image": "alpine:3.14", "Cmd": ["true"], "HostConfig": sent}
    assert decision.rewritten
    assert create(host_config).body["HostConfig"] == host_config  # the request is left as it was


def test_with_limits_uses_the_limits_it_is_given():
    body = rules.with_limits({"HostConfig": None}, Context(LAB_REGISTRY, Limits(pids=7, log_size="3k", log_files=2)))
    assert body == {"HostConfig": {"PidsLimit": 7, "LogConfig": {"Type": "json-file", "Config": {"max-size": "3k", "max-file": "2"}}}}


# --- networking --------------------------------------------------------------------------------
@pytest.mark.parametrize("networking", [
    None,
    {},
    {"EndpointsConfig": None},
    {"EndpointsConfig": {"lab-net": None, "other": {}}},
    {"EndpointsConfig": {"lab-net": {"IPAMConfig": {"IPv4Address": "10.9.0.5"}, "Links": ["a:b"], "Aliases": ["web"],
                                     "NetworkID": "n", "EndpointID": "e", "Gateway": "10.9.0.1", "IPAddress": "10.9.0.5",
                                     "IPPrefixLen": 24, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                                     "MacAddress": "02:42:0a:09:00:05", "DriverOpts": {"a": "b"}}}},
])
def test_networking_config_allows_endpoints_on_the_labs_networks(networking):
    allowed(rules.container_create(create(NetworkingConfig=networking), CONTEXT))


@pytest.mark.parametrize("networking, key, params", [
    ({"EndpointsConfig": {"lab-net": {}, "host": {}}}, "boundary.namespace",
     {"field": "NetworkingConfig.EndpointsConfig", "value": "host"}),
    ({"EndpointsConfig": ["host"]}, "boundary.bad_body", {"reason": "NetworkingConfig.EndpointsConfig is not an object"}),
    ({"SomeFieldOfANewerAPI": 1}, "boundary.field", {"field": "NetworkingConfig.SomeFieldOfANewerAPI", "value": "1"}),
    ({"endpointsConfig": {}}, "boundary.field", {"field": "NetworkingConfig.endpointsConfig", "value": "(write EndpointsConfig)"}),
    ({"EndpointsConfig": {"lab-net": {"Aliases": ["web"], "SomeFieldOfANewerAPI": "x"}}}, "boundary.field",
     {"field": "NetworkingConfig.EndpointsConfig.lab-net.SomeFieldOfANewerAPI", "value": "x"}),
    ({"EndpointsConfig": {"lab-net": {"aliases": ["web"]}}}, "boundary.field",
     {"field": "NetworkingConfig.EndpointsConfig.lab-net.aliases", "value": "(write Aliases)"}),
])
def test_networking_config_refusals(networking, key, params):
    refused(rules.container_create(create(NetworkingConfig=networking), CONTEXT), key, **params)


# --- update and exec -----------------------------------------------------------------------------
def test_update_takes_the_restart_policy_only():
    allowed(rules.container_update(update({"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3},
                                           "CpuShares": 0, "Memory": 0, "PidsLimit": None}), CONTEXT))
    allowed(rules.container_update(update(None), CONTEXT))
    refused(rules.container_update(update({"PidsLimit": -1}), CONTEXT), "boundary.field", field="PidsLimit", value="-1")
    refused(rules.container_update(update({"Memory": 1 << 30}), CONTEXT), "boundary.field", field="Memory", value=str(1 << 30))
    refused(rules.container_update(update({"restartPolicy": {}}), CONTEXT), "boundary.field", field="restartPolicy",
            value="(write RestartPolicy)")
    refused(rules.container_update(update(["x"]), CONTEXT), "boundary.bad_body", reason="body is not an object")


def test_exec_takes_what_docker_exec_sends_and_never_privileged():
    body = {"User": "1000", "Privileged": False, "Tty": True, "ConsoleSize": [24, 80], "AttachStdin": True,
            "AttachStderr": True, "AttachStdout": True, "DetachKeys": "ctrl-q", "Env": ["A=1"], "WorkingDir": "/w",
            "Cmd": ["sh"]}
    allowed(rules.exec_create(exec_request(body), CONTEXT))
    refused(rules.exec_create(exec_request({**body, "Privileged": True}), CONTEXT),
            "boundary.field", field="Privileged", value="True")
    refused(rules.exec_create(exec_request({"cmd": ["sh"]}), CONTEXT), "boundary.field", field="cmd", value="(write Cmd)")
    refused(rules.exec_create(exec_request("sh"), CONTEXT), "boundary.bad_body", reason="body is not an object")


# --- volumes and networks ------------------------------------------------------------------------
def test_volume_create_refusals_name_the_driver_and_the_options():
    allowed(rules.volume_create(volume(None), CONTEXT))  # an anonymous local volume
    allowed(rules.volume_create(volume({"Name": "v", "Labels": {"a": "b"}, "Driver": "", "DriverOpts": None}), CONTEXT))
    allowed(rules.volume_create(volume({"Name": "v", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}}), CONTEXT))
    refused(rules.volume_create(volume({"Name": "v", "Driver": "vieux/sshfs"}), CONTEXT),
            "boundary.field", field="volume.Driver", value="vieux/sshfs")
    refused(rules.volume_create(volume({"Name": "v", "Driver": "Local"}), CONTEXT),
            "boundary.field", field="volume.Driver", value="Local")
    refused(rules.volume_create(volume({"Name": "v", "DriverOpts": {"type": "none", "o": "bind", "device": "/etc"}}), CONTEXT),
            "boundary.volume_options", options="device=/etc,o=bind,type=none")
    refused(rules.volume_create(volume({"DriverOpts": {"type": "tmpfs", "device": "tmpfs", "o": "size=1m", "uid": "0"}}), CONTEXT),
            "boundary.volume_options", options="device=tmpfs,o=size=1m,type=tmpfs,uid=0")
    refused(rules.volume_create(volume({"DriverOpts": ["o=bind"]}), CONTEXT),
            "boundary.bad_body", reason="volume options are not an object")
    refused(rules.volume_create(volume({"Name": "v", "ClusterVolumeSpec": {"Group": "g"}}), CONTEXT),
            "boundary.field", field="ClusterVolumeSpec", value="{'Group': 'g'}")
    refused(rules.volume_create(volume({"name": "v"}), CONTEXT), "boundary.field", field="name", value="(write Name)")


def test_network_create_refusals_name_the_field():
    allowed(rules.network_create(network({"Name": "n", "CheckDuplicate": True, "Driver": "bridge", "Internal": True,
                                          "Attachable": True, "EnableIPv6": True, "Labels": {"a": "b"},
                                          "Options": {name: "1" for name in rules.NETWORK_OPTIONS},
                                          "IPAM": {"Driver": "default", "Config": [{"Subnet": "10.9.0.0/24"}], "Options": {}},
                                          "Scope": "local"}), CONTEXT))
    allowed(rules.network_create(network({"Name": "n", "Driver": "", "IPAM": None, "Scope": ""}), CONTEXT))
    refused(rules.network_create(network({"Name": "n", "Scope": "swarm"}), CONTEXT), "boundary.field", field="Scope", value="swarm")
    refused(rules.network_create(network({"Name": "n", "Driver": "macvlan"}), CONTEXT), "boundary.field", field="Driver", value="macvlan")
    refused(rules.network_create(network({"Name": "n", "ConfigOnly": True}), CONTEXT), "boundary.field", field="ConfigOnly", value="True")
    refused(rules.network_create(network({"Name": "n", "Options": {"com.docker.network.bridge.name": "eth0"}}), CONTEXT),
            "boundary.field", field="Options.com.docker.network.bridge.name", value="eth0")
    refused(rules.network_create(network({"Name": "n", "IPAM": {"Driver": "dhcp"}}), CONTEXT),
            "boundary.field", field="IPAM.Driver", value="dhcp")
    refused(rules.network_create(network({"Name": "n", "IPAM": {"Options": {"dhcp_interface": "eth0"}}}), CONTEXT),
            "boundary.field", field="IPAM.Options", value="{'dhcp_interface': 'eth0'}")
    refused(rules.network_create(network({"Name": "n", "IPAM": {"options": {}}}), CONTEXT),
            "boundary.field", field="IPAM.options", value="(write Options)")
    refused(rules.network_create(network(["n"]), CONTEXT), "boundary.bad_body", reason="body is not an object")


# --- images ------------------------------------------------------------------------------------
@pytest.mark.parametrize("query, key, params", [
    ({}, "boundary.bad_request", {"reason": "fromImage="}),
    ({"fromImage": "Not A Reference"}, "boundary.bad_request", {"reason": "fromImage=Not A Reference"}),
    ({"fromImage": "ghcr.io/x/y", "tag": "1"}, "boundary.registry", {"reference": "ghcr.io/x/y", "registry": "ghcr.io"}),
    ({"fromImage": "localhost:5001/x"}, "boundary.registry", {"reference": "localhost:5001/x", "registry": "localhost:5001"}),
    ({"fromImage": "127.0.0.2:5000/x"}, "boundary.registry", {"reference": "127.0.0.2:5000/x", "registry": "127.0.0.2:5000"}),
    ({"fromImage": "localhost/x"}, "boundary.registry", {"reference": "localhost/x", "registry": "localhost"}),
    ({"fromSrc": "http://127.0.0.1:8000/x.tar"}, "boundary.import_url", {"source": "http://127.0.0.1:8000/x.tar"}),
    ({"fromSrc": "", "fromImage": "alpine"}, "boundary.field", {"field": "fromImage", "value": "alpine"}),  # dockerd would pull
])
def test_pull_and_import_refusals(query, key, params):
    refused(rules.image_create(pull(**query), CONTEXT), key, **params)


def test_pulls_from_the_labs_registry_by_any_of_its_loopback_names():
    other_port = Context("127.0.0.1:5999")
    for image in ("127.0.0.1:5999/app", "localhost:5999/app", "localhost:5999/team/app"):
        allowed(rules.image_create(pull(fromImage=image), other_port))
    refused(rules.image_create(pull(fromImage="localhost:5000/app"), other_port),
            "boundary.registry", reference="localhost:5000/app", registry="localhost:5000")


@pytest.mark.parametrize("name, params", [
    ("127.0.0.1:5001/app", {"reference": "127.0.0.1:5001/app", "registry": "127.0.0.1:5001"}),
    ("UPPER/app", {"reference": "UPPER/app", "registry": "?"}),  # not a reference: no registry to name
])
def test_push_refusals_name_the_registry(name, params):
    refused(rules.image_push(push(name), CONTEXT), "boundary.registry", **params)


@pytest.mark.parametrize("query", [
    {}, {"version": "1"}, {"networkmode": ""}, {"networkmode": "default"}, {"networkmode": "bridge"},
    {"networkmode": "none"}, {"remote": ""}, {"cgroupparent": "", "isolation": "", "outputs": "", "session": ""},
])
def test_build_allows_the_classic_builder_on_the_labs_networks(query):
    allowed(rules.build(build(t="app", **query), CONTEXT))


@pytest.mark.parametrize("query, key, params", [
    ({"remote": "https://github.com/x/y.git"}, "boundary.build_remote", {"remote": "https://github.com/x/y.git"}),
    ({"version": "2"}, "boundary.field", {"field": "version", "value": "2"}),
    ({"version": ""}, "boundary.field", {"field": "version", "value": ""}),
    ({"networkmode": "host"}, "boundary.namespace", {"field": "networkmode", "value": "host"}),
    ({"networkmode": "container:web"}, "boundary.namespace", {"field": "networkmode", "value": "container:web"}),
    ({"networkmode": "Bridge"}, "boundary.namespace", {"field": "networkmode", "value": "Bridge"}),
    ({"cgroupparent": "/escape"}, "boundary.field", {"field": "cgroupparent", "value": "/escape"}),
    ({"isolation": "hyperv"}, "boundary.field", {"field": "isolation", "value": "hyperv"}),
    ({"outputs": '[{"Type":"local"}]'}, "boundary.field", {"field": "outputs", "value": '[{"Type":"local"}]'}),
    ({"session": "abc"}, "boundary.field", {"field": "session", "value": "abc"}),
])
def test_build_refusals(query, key, params):
    refused(rules.build(build(t="app", **query), CONTEXT), key, **params)


# --- how values are shown ----------------------------------------------------------------------
def test_values_are_shown_as_typed_and_cut_after_120_characters():
    def shown(value):
        return rules.container_create(create({"Privileged": value}), CONTEXT).reason.params["value"]

    assert shown("yes") == "yes"  # a string as it is, without quotes
    assert shown(1) == "1" and shown(["a"]) == "['a']"
    assert shown("x" * 120) == "x" * 120
    assert shown("x" * 121) == "x" * 117 + "..."
    assert shown(list(range(50))) == repr(list(range(50)))[:117] + "..."


# --- the table ---------------------------------------------------------------------------------
def test_the_table_says_which_routes_have_their_body_judged():
    for method, path in (("POST", "/containers/create"), ("POST", "/containers/c/update"), ("POST", "/containers/c/exec"),
                         ("POST", "/volumes/create"), ("POST", "/networks/create")):
        assert rules.route(method, path).reads_body is True
    for method, path in (("GET", "/_ping"), ("POST", "/build"), ("POST", "/images/create"), ("PUT", "/containers/c/archive")):
        assert rules.route(method, path).reads_body is False


# --- defects the mutants showed, each fixed in rules.py (these tests failed before) ------------------
def test_update_refuses_lifting_the_pids_limit_with_zero():
    refused(rules.container_update(update({"PidsLimit": 0}), CONTEXT), "boundary.field", field="PidsLimit", value="0")


def test_mounts_refuse_a_field_a_newer_api_adds():
    mounts = [{"Type": "tmpfs", "Target": "/t", "SomeFieldOfANewerAPI": "x"}]
    refused(rules.container_create(create({"Mounts": mounts}), CONTEXT), "boundary.field",
            field="HostConfig.Mounts[0].SomeFieldOfANewerAPI", value="x")


def test_build_holds_ulimits_to_the_labs():
    for none in ("null", "[]"):  # what the docker CLI sends without --ulimit
        allowed(rules.build(build(t="app", ulimits=none), CONTEXT))
    assert not rules.build(build(t="app", ulimits='[{"Name":"nofile","Hard":1048576,"Soft":1048576}]'), CONTEXT).allowed
    assert not rules.build(build(t="app", ulimits='[{"Name":"nproc","Hard":-1,"Soft":-1}]'), CONTEXT).allowed


@pytest.mark.parametrize("request_", [
    create({"LogConfig": "json-file"}),
    create({"LogConfig": {"Config": ["max-size=1g"]}}),
    create({"Ulimits": ["nofile=1:2"]}),
    create({"PortBindings": {"80/tcp": ["8080"]}}),
    create({"PortBindings": ["80:80"]}),
    create({"Tmpfs": ["/run"]}),
    create({"Mounts": [{"Type": "volume", "Target": "/v", "VolumeOptions": "nocopy"}]}),
    network({"Name": "n", "Options": ["mtu=1500"]}),
], ids=["LogConfig", "LogConfig.Config", "Ulimits", "PortBindings-entry", "PortBindings", "Tmpfs", "VolumeOptions",
        "network-Options"])
def test_a_part_of_the_wrong_type_is_refused_as_malformed(request_):
    rule = rules.route(request_.method, request_.path).rule
    assert rule(request_, CONTEXT).reason.key == "boundary.bad_body"


def test_a_nested_part_that_is_not_an_object_is_named_without_a_trailing_dot():
    refused(rules.network_create(network({"Name": "n", "IPAM": "default"}), CONTEXT),
            "boundary.bad_body", reason="IPAM is not an object")
    refused(rules.container_create(create(NetworkingConfig={"EndpointsConfig": {"n": "x"}}), CONTEXT),
            "boundary.bad_body", reason="NetworkingConfig.EndpointsConfig.n is not an object")


# --- the checks added after attacking run: exact refusals ------------------------------------------
def test_a_part_of_the_wrong_type_names_where():
    refused(rules.container_create(create({"LogConfig": "json-file"}), CONTEXT),
            "boundary.bad_body", reason="HostConfig.LogConfig is malformed")
    refused(rules.network_create(network({"Name": "n", "Options": ["mtu=1500"]}), CONTEXT),
            "boundary.bad_body", reason="Options is malformed")


def test_every_level_of_a_volume_mount_is_checked_field_by_field():
    def mount(volume_options):
        return create({"Mounts": [{"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": volume_options}]})

    refused(rules.container_create(mount({"Subpath": "../../etc"}), CONTEXT),
            "boundary.field", field="HostConfig.Mounts[0].VolumeOptions.Subpath", value="../../etc")
    refused(rules.container_create(mount({"DriverConfig": {"Name": "local", "Extra": "x"}}), CONTEXT),
            "boundary.field", field="HostConfig.Mounts[0].VolumeOptions.DriverConfig.Extra", value="x")
    refused(rules.container_create(mount({"DriverConfig": {"Name": "local", "Options": {"type": "proc", "device": "proc"}}}), CONTEXT),
            "boundary.volume_options", options="device=proc,type=proc")
    allowed(rules.container_create(mount({"NoCopy": True, "Labels": {"a": "b"}, "DriverConfig": {"Name": "local"}}), CONTEXT))


def test_build_ulimits_that_cannot_be_read_are_refused_by_name():
    refused(rules.build(build(ulimits="nofile=1:2"), CONTEXT), "boundary.bad_request", reason="ulimits is not JSON")
    refused(rules.build(build(ulimits='{"Name": "nofile"}'), CONTEXT), "boundary.bad_request", reason="ulimits is not a list")
    refused(rules.build(build(ulimits='[{"Name": "nofile", "Soft": 1048576, "Hard": 1048576}]'), CONTEXT),
            "boundary.limit", field="ulimits.nofile.Soft", value=1048576, limit=CONTEXT.limits.nofile)


# --- security round 3: queries, the lab daemons' work, compose's labels ---------------------------
def query_of(method: str, path: str, pairs: list[tuple[str, str]], context: Context = CONTEXT):
    return rules.check_query(rules.route(method, path).query, pairs, context)


def test_every_route_names_the_parameters_it_accepts():
    for method, path, _, _, query in rules.ROUTES:
        assert isinstance(query, rules.Query), (method, path)
    refused(query_of("GET", "/containers/json", [("all", "1"), ("evil", "1")]),
            "boundary.query", name="evil", accepted="all, before, filters, limit, since, size, trunc_cmd")
    refused(query_of("GET", "/info", [("x", "")]), "boundary.query", name="x", accepted="-")
    refused(query_of("GET", "/containers/c/logs", [("tail", "all"), ("tail", "5")]),
            "boundary.bad_request", reason="tail given twice")
    refused(query_of("GET", "/containers/c/logs", [("tail", "5; rm")]), "boundary.field", field="tail", value="5; rm")
    refused(query_of("GET", "/events", [("filters", "{not json")]), "boundary.bad_request", reason="filters is not JSON")
    allowed(query_of("POST", "/build", [("t", "a:1"), ("t", "b:2"), ("rm", "1"), ("buildargs", "{}")]))  # -t twice
    allowed(query_of("GET", "/containers/c/logs", [("follow", "1"), ("stdout", "1"), ("tail", "all"), ("since", "10m")]))


def test_a_query_over_the_labs_bound_is_refused():
    small = Context(LAB_REGISTRY, Limits(query=100))
    refused(query_of("GET", "/events", [("filters", "{}" + " " * 200)], small),
            "boundary.limit", field="query", value="211 bytes", limit="100 bytes")


@pytest.mark.parametrize("ps_args", ["", "-ef", "aux", "-eF", "-e -o pid,user,args", "-eo pid,comm", "-o pid", "-A -o pid,%cpu,cmd"])
def test_docker_top_takes_ps_options_whose_pid_column_cannot_be_forged(ps_args):
    allowed(query_of("GET", "/containers/c/top", [("ps_args", ps_args)]))


@pytest.mark.parametrize("ps_args", [
    "eww", "e", "-ef e", "aux e", "auxeww", "-e e -o pid,args",  # the environment of every process
    "-o args,pid", "-p 1 e -o args,pid", "-o comm,pid",  # a free-text column before the PID: host text read as a PID
    "-o pid=X,args=PID", "-eo pid,args,user", "-o pid,lstart", "-o user", "--no-headers", "-ef --cols 5",
    " -ef", "-ef ", "-e  -o pid", "-o\tpid,args", "-o pid,args\te",  # dockerd splits on single spaces only
])
def test_docker_top_refuses_other_ps_options_by_value(ps_args):
    refused(query_of("GET", "/containers/c/top", [("ps_args", ps_args)]),
            "boundary.ps_args", value=ps_args, accepted="-ef, aux, -e -o pid,user,args")


def test_a_top_answer_that_is_an_error_is_replaced_and_info_is_redacted():
    assert rules.route("GET", "/containers/c/top").fixed_error
    assert not rules.route("GET", "/containers/c/json").fixed_error
    assert rules.route("GET", "/info").redacted and not rules.route("GET", "/version").redacted
    assert (rules.route("POST", "/images/load").archive, rules.route("POST", "/build").archive) == ("image", "build")
    assert rules.route("POST", "/containers/create").archive is None


def test_non_blocking_logs_hold_a_bounded_buffer_in_dockerd():
    log = {"Type": "json-file", "Config": {"mode": "non-blocking", "max-buffer-size": "1500m"}}
    refused(rules.container_create(create({"LogConfig": log}), CONTEXT),
            "boundary.limit", field="HostConfig.LogConfig.Config.max-buffer-size", value="1500m", limit="1m")
    refused(rules.container_create(create({"LogConfig": {"Config": {"mode": "fast"}}}), CONTEXT),
            "boundary.field", field="HostConfig.LogConfig.Config.mode", value="fast")
    refused(rules.container_create(create({"LogConfig": {"Config": {"mode": "non-blocking", "max-buffer-size": "0"}}}), CONTEXT),
            "boundary.limit", field="HostConfig.LogConfig.Config.max-buffer-size", value="0", limit="1m")
    sent = rules.container_create(create({"LogConfig": {"Config": {"mode": "non-blocking"}}}), CONTEXT).body
    assert sent["HostConfig"]["LogConfig"]["Config"]["max-buffer-size"] == "1m"


@pytest.mark.parametrize("options, value", [("size=20g", "size=20g"), ("size=0", "size=0"), ("rw,size=65m", "size=65m"),
                                            ("size=1m,size=2g", "size=2g"), ("size=1t", "size=1t")])
def test_a_tmpfs_mount_over_the_labs_size_or_unbounded_is_refused(options, value):
    refused(rules.container_create(create({"Tmpfs": {"/t": options}}), CONTEXT),
            "boundary.limit", field="HostConfig.Tmpfs[/t]", value=value, limit="size=64m")


def test_a_tmpfs_mount_gets_the_labs_size_where_it_names_none():
    sent = rules.container_create(create({"Tmpfs": {"/a": "", "/b": "noexec"},
                                          "Mounts": [{"Type": "tmpfs", "Target": "/d"},
                                                     {"Type": "tmpfs", "Target": "/e", "TmpfsOptions": {"SizeBytes": 1024}}]}),
                                  CONTEXT).body["HostConfig"]
    assert sent["Tmpfs"] == {"/a": "size=64m", "/b": "noexec,size=64m"}
    assert [m["TmpfsOptions"]["SizeBytes"] for m in sent["Mounts"]] == [64 * 1024**2, 1024]
    refused(rules.container_create(create({"Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 20 << 30}}]}), CONTEXT),
            "boundary.limit", field="HostConfig.Mounts[0].TmpfsOptions.SizeBytes", value=str(20 << 30), limit=64 * 1024**2)
    refused(rules.container_create(create({"Tmpfs": {"/t": "nr_inodes=0"}}), CONTEXT),
            "boundary.field", field="HostConfig.Tmpfs[/t]", value="nr_inodes=0")
    five = {f"/t{i}": "" for i in range(5)}
    refused(rules.container_create(create({"Tmpfs": five}), CONTEXT),
            "boundary.limit", field="HostConfig tmpfs mounts", value=5, limit=4)


def test_a_tmpfs_volume_has_a_bounded_size_put_in_or_is_refused():
    def volume(o=None):
        options = {"type": "tmpfs", "device": "tmpfs", **({"o": o} if o is not None else {})}
        return rules.volume_create(Request("POST", "/volumes/create", {}, {}, {"Name": "v", "DriverOpts": options}), CONTEXT)

    refused(volume("size=20g"), "boundary.limit", field="volume.o", value="size=20g", limit="size=64m")
    refused(volume("uid=0,size=0"), "boundary.limit", field="volume.o", value="size=0", limit="size=64m")
    assert volume().body["DriverOpts"]["o"] == "size=64m"
    assert volume("uid=1000").body["DriverOpts"]["o"] == "uid=1000,size=64m"
    mount = {"Type": "volume", "Target": "/v", "Source": "v",
             "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {"type": "tmpfs", "device": "tmpfs"}}}}
    sent = rules.container_create(create({"Mounts": [mount]}), CONTEXT).body["HostConfig"]["Mounts"][0]
    assert sent["VolumeOptions"]["DriverConfig"]["Options"]["o"] == "size=64m"


def test_health_checks_more_often_than_the_labs_floor_are_refused():
    for key in ("Interval", "Timeout", "StartPeriod", "StartInterval"):
        refused(rules.container_create(create(Healthcheck={"Test": ["CMD", "true"], key: 1_000_000}), CONTEXT),
                "boundary.floor", field=f"Healthcheck.{key}", value="0.001s", floor="1s")
    refused(rules.container_create(create(Healthcheck={"Test": ["CMD", "true"], "Interval": -5}), CONTEXT),
            "boundary.floor", field="Healthcheck.Interval", value="-5ns", floor="1s")
    allowed(rules.container_create(create(Healthcheck={"Test": ["CMD", "true"], "Interval": 1_000_000_000, "Retries": 3}), CONTEXT))
    allowed(rules.container_create(create(Healthcheck={"Test": ["NONE"]}), CONTEXT))


def with_image(config: dict, line: tuple[str, ...] = ("docker", "run")) -> Context:
    current = rules.Line()
    current.set(line)
    return Context(LAB_REGISTRY, inspect_image=lambda name: {"Config": config}, line=current)


def test_a_health_check_an_image_brings_is_held_to_the_floor_too():
    built = {"Healthcheck": {"Test": ["CMD", "true"], "Interval": 1_000_000}}  # HEALTHCHECK --interval=1ms
    refused(rules.container_create(create(), with_image(built)), "boundary.floor", field="Healthcheck.Interval",
            value="0.001s", floor="1s")
    allowed(rules.container_create(create(Healthcheck={"Interval": 2_000_000_000}), with_image(built)))  # --health-interval 2s
    allowed(rules.container_create(create(Healthcheck={"Test": ["NONE"]}), with_image(built)))  # --no-healthcheck


@pytest.mark.parametrize("argv, compose", [
    (("docker-compose", "up", "-d"), True),
    (("docker", "compose", "up"), True),
    (("docker", "--log-level", "debug", "compose", "up"), True),
    (("docker", "--log-level", "compose", "run", "x"), False),  # "compose" is the value of --log-level
    (("docker", "run", "compose"), False),
    (("docker", "-D", "run"), False),
    ((), False),
])
def test_the_line_running_is_compose_only_when_compose_is_its_command(argv, compose):
    line = rules.Line()
    line.set(argv)
    assert line.compose is compose


def test_compose_labels_are_set_by_compose_only():
    plain, compose = with_image({}), with_image({}, ("docker-compose", "up"))
    forged = {"com.docker.compose.project": "fake", "com.docker.compose.service": "web"}
    refused(rules.container_create(create(Labels=forged), plain), "boundary.compose_label", field="Labels[com.docker.compose.project]")
    refused(rules.container_create(create(Labels={"Com.Docker.Compose.Project": "x"}), plain),
            "boundary.compose_label", field="Labels[Com.Docker.Compose.Project]")
    allowed(rules.container_create(create(Labels=forged), compose))
    allowed(rules.container_create(create(Labels={"course": "docker"}), plain))
    refused(rules.volume_create(Request("POST", "/volumes/create", {}, {}, {"Name": "v", "Labels": forged}), plain),
            "boundary.compose_label", field="Labels[com.docker.compose.project]")
    refused(rules.network_create(network({"Name": "n", "Labels": forged}), plain),
            "boundary.compose_label", field="Labels[com.docker.compose.project]")
    refused(rules.build(build(labels='{"com.docker.compose.project": "x"}'), plain),
            "boundary.compose_label", field="labels[com.docker.compose.project]")
    refused(query_of("POST", "/commit", [("container", "c"), ("changes", "LABEL com.docker.compose.project=x")], plain),
            "boundary.compose_label", field="changes (LABEL com.docker.compose.project=x)")


def test_a_container_of_an_image_with_compose_labels_needs_compose():
    image = {"Labels": {"com.docker.compose.project": "fake"}}  # built, committed or loaded by the student
    refused(rules.container_create(create(), with_image(image)), "boundary.compose_label",
            field="alpine:3.14 (LABEL com.docker.compose.project)")
    allowed(rules.container_create(create(), with_image(image, ("docker-compose", "up"))))
    unreadable = Context(LAB_REGISTRY, inspect_image=lambda name: rules.UNREADABLE)
    refused(rules.container_create(create(), unreadable), "boundary.image_unreadable", image="alpine:3.14")


def test_labels_are_bounded_in_size():
    big = {"a": "x" * (64 * 1024)}
    refused(rules.container_create(create(Labels=big), CONTEXT), "boundary.limit", field="Labels", value="65537 bytes", limit="65536 bytes")
    refused(rules.volume_create(Request("POST", "/volumes/create", {}, {}, {"Name": "v", "Labels": big}), CONTEXT),
            "boundary.limit", field="Labels", value="65537 bytes", limit="65536 bytes")
    refused(rules.container_create(create(Labels={"a": 1}), CONTEXT), "boundary.bad_body", reason="Labels is not a map of strings")


# --- docker load: the archive read as it passes ------------------------------------------------
def image_tar(members: dict[str, bytes], fmt=tarfile.PAX_FORMAT) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def fed(data: bytes, piece: int = 4096, limit: int = 1024 * 1024) -> ArchiveRefused | None:
    archive = ImageArchive(limit)
    try:
        for start in range(0, len(data), piece):
            archive.feed(data[start:start + piece])
        archive.finish()
    except ArchiveRefused as refusal:
        return refusal
    return None


LAYER = image_tar({"etc/os-release": b"ID=alpine\n" * 200_000})  # a layer of 2 MB: over the bound, and a tar
SAVED = {"abc/layer.tar": LAYER, "abc/json": b"{}", "abc/VERSION": b"1.0", "c0ffee.json": b'{"config": {}}',
         "manifest.json": b'[{"Config": "c0ffee.json", "Layers": ["abc/layer.tar"]}]', "repositories": b"{}"}


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
def test_an_archive_as_docker_save_makes_it_passes_plain_and_gzipped(fmt):
    data = image_tar(SAVED, fmt)
    assert fed(data) is None
    assert fed(gzip.compress(data), piece=100) is None
    assert fed(gzip.compress(data[:5000]) + gzip.compress(data[5000:])) is None  # two gzip members: one stream


@pytest.mark.parametrize("name", ["manifest.json", "./manifest.json", "repositories", "c0ffee.json", "abc/json", "abc/VERSION", "index.json"])
def test_a_metadata_member_over_the_bound_is_refused_by_name(name):
    data = image_tar({**SAVED, name: b"\x1f\x8b" + b"A" * (2 * 1024 * 1024 + 2)})  # starts as a layer would: its name decides
    for sent in (data, gzip.compress(data)):
        refusal = fed(sent)
        assert refusal is not None and refusal.reason.key == "boundary.load_member"
        assert dict(refusal.reason.params) == {"member": name.lstrip("./"), "size": 2 * 1024 * 1024 + 4, "limit": 1024 * 1024}


def test_a_big_member_that_is_not_a_layer_is_refused_whatever_its_name():
    """manifest.json may name any member as an image's config: dockerd then reads it whole."""
    refusal = fed(image_tar({**SAVED, "abc/layer.tar": b'{"a": "' + b"A" * (2 * 1024 * 1024) + b'"}'}))
    assert refusal is not None and refusal.reason.key == "boundary.load_member"
    assert fed(image_tar({**SAVED, "blobs/sha256/0a": gzip.compress(b"x" * 10) + b"\0" * (2 * 1024 * 1024)})) is None


def test_the_archive_is_refused_before_its_end_and_read_in_bounded_memory():
    """The refusal comes in the piece that holds the member's header: dockerd never gets the archive's end.
    20 MB of manifest in a gzip of about 20 KB: gunzipped in steps, never held."""
    manifest = b'[{"Config": "' + b"A" * (20 * 1024 * 1024) + b'"}]'
    data = gzip.compress(image_tar({"manifest.json": manifest, **{k: v for k, v in SAVED.items() if k != "manifest.json"}}))
    assert len(data) < 100_000
    archive, pieces = ImageArchive(1024 * 1024), 0
    with pytest.raises(ArchiveRefused):
        for start in range(0, len(data), 1024):
            archive.feed(data[start:start + 1024])
            pieces += 1
    assert pieces < 5  # the header is in the first kilobytes
    assert not archive.ended


def test_a_pax_size_or_gnu_long_name_cannot_hide_a_member():
    big = b"A" * (2 * 1024 * 1024)
    long_name = "x" * 105 + ".json"  # over 100 characters: a GNU long name header, then the member
    refusal = fed(image_tar({long_name: big}, tarfile.GNU_FORMAT))
    assert refusal is not None and refusal.reason.params["member"] == long_name
    pax = tarfile.TarInfo("manifest.json")
    pax.size = len(big)
    pax.pax_headers = {"size": str(len(big))}
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(pax, io.BytesIO(big))
    data = bytearray(out.getvalue())
    header = data.index(b"manifest.json", 512) // 512 * 512  # the member's own header, after the PAX one
    data[header + 124:header + 136] = b"%011o\0" % 10  # its size field says 10 bytes; Go reads the PAX size
    data[header + 148:header + 156] = b" " * 8
    data[header + 148:header + 156] = b"%06o\0 " % sum(data[header:header + 512])
    assert tarfile.open(fileobj=io.BytesIO(bytes(data))).getmember("manifest.json").size == len(big)
    assert fed(bytes(data)).reason.key == "boundary.load_member"


@pytest.mark.parametrize("start, reason", [
    (bz2.compress(b"x" * 100), "the archive is compressed with bzip2"),
    (b"\xfd7zXZ\x00" + b"\0" * 100, "the archive is compressed with xz"),
    (gzip.compress(b"x", mtime=0) + b"garbage!", "the gzip stream is damaged"),
])
def test_archives_the_boundary_cannot_read_are_refused(start, reason):
    refusal = fed(start)
    assert refusal is not None and dict(refusal.reason.params) == {"reason": reason}


def test_what_follows_the_end_of_the_archive_is_not_read():
    """dockerd stops at the two zero blocks too."""
    assert fed(image_tar(SAVED) + b"{" * (3 * 1024 * 1024)) is None


def context_fed(data: bytes, dockerfile: str = "Dockerfile", limit: int = 1024 * 1024) -> ArchiveRefused | None:
    context = BuildContext(limit, dockerfile)
    try:
        for start in range(0, len(data), 4096):
            context.feed(data[start:start + 4096])
        context.finish()
    except ArchiveRefused as refusal:
        return refusal
    return None


def test_a_build_context_whose_dockerfile_is_over_the_bound_or_a_link_is_refused():
    """dockerd reads the Dockerfile whole, and what it says ends in the image's configuration (a LABEL of 60 MB)."""
    huge = b"FROM alpine:3.14\nLABEL x=" + b"A" * (2 * 1024 * 1024) + b"\n"
    big_file = b"A" * (3 * 1024 * 1024)  # a file of the context: copied, never read whole by the builder
    assert context_fed(image_tar({"Dockerfile": b"FROM alpine:3.14\n", "data.bin": big_file})) is None
    for name, dockerfile in (("Dockerfile", "Dockerfile"), ("sub/Dockerfile.prod", "sub/Dockerfile.prod"),
                             ("dockerfile", "Dockerfile"), (".dockerfile.1a2b", ".dockerfile.1a2b"), ("x.txt", "./x.txt"),
                             ("x.txt", "sub/../x.txt"), ("./a/x.txt", "a/x.txt")):
        refusal = context_fed(gzip.compress(image_tar({name: huge})), dockerfile)
        assert refusal is not None and refusal.reason.key == "boundary.build_member", name
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        link = tarfile.TarInfo("Dockerfile")
        link.type, link.linkname = tarfile.SYMTYPE, "data.bin"  # dockerd follows it inside the context
        tar.addfile(link)
    refusal = context_fed(out.getvalue())
    assert refusal is not None and dict(refusal.reason.params) == {"member": "Dockerfile", "size": "a link", "limit": 1024 * 1024}


def test_tmpfs_volumes_are_bounded_in_number():
    def context(count: int) -> Context:
        return Context(LAB_REGISTRY, Limits(tmpfs_volumes=2), count_tmpfs_volumes=lambda: count)

    body = {"Name": "v", "DriverOpts": {"type": "tmpfs", "device": "tmpfs"}}
    allowed(rules.volume_create(Request("POST", "/volumes/create", {}, {}, body), context(1)))
    refused(rules.volume_create(Request("POST", "/volumes/create", {}, {}, body), context(2)),
            "boundary.too_many", what="tmpfs volumes", limit=2)
    allowed(rules.volume_create(Request("POST", "/volumes/create", {}, {}, {"Name": "plain"}), context(2)))
    mount = {"Type": "volume", "Target": "/v", "Source": "v",
             "VolumeOptions": {"DriverConfig": {"Name": "local", "Options": {"type": "tmpfs", "device": "tmpfs"}}}}
    refused(rules.container_create(create({"Mounts": [mount]}), context(2)), "boundary.too_many", what="tmpfs volumes", limit=2)
    allowed(rules.container_create(create({"Mounts": [mount]}), context(1)))
