"""The API boundary's rules at the edges mutation testing found unpinned: each refusal by its catalog key
and exact parameters, each allowed body as it is sent on, on decoded requests (no daemon).

The cases sit at a bound (a limit met exactly, the smallest size), on a part a rule checks field by
field (a tmpfs mount's options, a health check, a volume mount's labels), or on the body sent on.
"""

from __future__ import annotations

import os

import pytest

from checks.boundary import Context, Limits, SubmissionCopy, rules
from checks.boundary.rules import Decision, Request

LAB_REGISTRY = "169.254.42.2:5000"
CONTEXT = Context(LAB_REGISTRY, Limits())
TMPFS_LIMIT = 64 * 1024**2  # Limits().tmpfs, in bytes


def create(host_config=None, **body) -> Request:
    return Request("POST", "/containers/create", {}, {}, {"Image": "alpine:3.14", "HostConfig": host_config or {}, **body})


def refused(decision, key: str, **params) -> None:
    assert not decision.allowed and decision.reason is not None
    assert (decision.reason.key, dict(decision.reason.params)) == (key, params)


def sent(host_config, context: Context = CONTEXT) -> dict:
    """The HostConfig a create is sent on with."""
    decision = rules.container_create(create(host_config), context)
    assert decision.allowed is True, decision.reason and decision.reason.render("en")
    return decision.body["HostConfig"]


def line(*argv: str) -> rules.Line:
    current = rules.Line()
    current.set(argv)
    return current


# --- tmpfs: `--tmpfs` and `--mount type=tmpfs` ----------------------------------------------------
def test_a_tmpfs_keeps_the_size_it_names_down_to_one_byte():
    assert sent({"Tmpfs": {"/a": "size=1", "/b": "size=32m,noexec", "/c": "ro"}})["Tmpfs"] == \
        {"/a": "size=1", "/b": "size=32m,noexec", "/c": "ro,size=64m"}
    assert sent({"Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": TMPFS_LIMIT}}]})["Mounts"] == \
        [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": TMPFS_LIMIT}}]  # at the lab's size


def test_tmpfs_that_is_not_a_map_is_refused_by_name():
    refused(rules.container_create(create({"Tmpfs": ["/run"]}), CONTEXT), "boundary.bad_body", reason="HostConfig.Tmpfs is not an object")


@pytest.mark.parametrize("options, key, params", [
    # a field a newer API adds (TmpfsOptions.Options: mount flags such as exec) is refused until decided on
    ({"SizeBytes": 1024, "Options": [["exec"]]}, "boundary.field",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.Options", "value": "[['exec']]"}),
    ({"sizebytes": 1 << 40}, "boundary.field",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.sizebytes", "value": "(write SizeBytes)"}),
    ({"SizeBytes": True}, "boundary.limit",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.SizeBytes", "value": "True", "limit": TMPFS_LIMIT}),
    ({"SizeBytes": "64m"}, "boundary.limit",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.SizeBytes", "value": "64m", "limit": TMPFS_LIMIT}),
    ({"SizeBytes": TMPFS_LIMIT + 1}, "boundary.limit",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.SizeBytes", "value": str(TMPFS_LIMIT + 1), "limit": TMPFS_LIMIT}),
    ({"SizeBytes": -1}, "boundary.limit",
     {"field": "HostConfig.Mounts[0].TmpfsOptions.SizeBytes", "value": "-1", "limit": TMPFS_LIMIT}),
])
def test_a_tmpfs_mounts_options_are_checked_field_by_field(options, key, params):
    mount = {"Type": "tmpfs", "Target": "/t", "TmpfsOptions": options}
    refused(rules.container_create(create({"Mounts": [mount]}), CONTEXT), key, **params)


def test_tmpfs_mounts_are_counted_from_both_options_together():
    two = Context(LAB_REGISTRY, Limits(tmpfs_mounts=2))
    tmpfs, volume = {"Type": "tmpfs", "Target": "/t"}, {"Type": "volume", "Source": "v", "Target": "/v"}
    refused(rules.container_create(create({"Tmpfs": {"/a": "", "/b": ""}, "Mounts": [tmpfs]}), two),
            "boundary.limit", field="HostConfig tmpfs mounts", value=3, limit=2)
    refused(rules.container_create(create({"Mounts": [tmpfs, volume, tmpfs, tmpfs]}), two),
            "boundary.limit", field="HostConfig tmpfs mounts", value=3, limit=2)
    assert sent({"Tmpfs": {"/a": "", "/b": ""}, "Mounts": [volume, volume, volume]}, two)["Mounts"] == [volume] * 3
    assert len(sent({"Tmpfs": {"/a": ""}, "Mounts": [tmpfs, volume]}, two)["Mounts"]) == 2


# --- volumes --------------------------------------------------------------------------------------
def test_the_local_driver_with_tmpfs_options_is_allowed_with_the_options_to_send():
    options = {"type": "tmpfs", "device": "tmpfs", "o": "uid=1000"}
    assert rules.volume_driver("local", options, "volume", CONTEXT) == \
        Decision(True, body={"type": "tmpfs", "device": "tmpfs", "o": "uid=1000,size=64m"})
    assert rules.volume_driver("", {"type": "tmpfs", "device": "tmpfs"}, "volume", CONTEXT) == \
        Decision(True, body={"type": "tmpfs", "device": "tmpfs", "o": "size=64m"})
    assert rules.volume_driver("local", None, "volume", CONTEXT) == Decision(True)


def test_a_volume_mount_is_sent_as_it_came_when_nothing_is_put_in():
    mounts = [{"Type": "volume", "Source": "v", "Target": "/v"},
              {"Type": "volume", "Target": "/w", "ReadOnly": True, "VolumeOptions": {"NoCopy": True, "Labels": {"a": "b"}}}]
    assert rules.mounts("HostConfig.Mounts", mounts, CONTEXT) == Decision(True, body=mounts)
    assert sent({"Mounts": mounts})["Mounts"] == mounts


def test_a_volume_mounts_labels_are_judged_as_labels():
    forged = {"Type": "volume", "Source": "v", "Target": "/v", "VolumeOptions": {"Labels": {"com.docker.compose.project": "x"}}}
    refused(rules.container_create(create({"Mounts": [forged]}), Context(LAB_REGISTRY, line=line("docker", "run"))),
            "boundary.compose_label", field="HostConfig.Mounts[0].VolumeOptions.Labels[com.docker.compose.project]")
    assert sent({"Mounts": [forged]}, Context(LAB_REGISTRY, line=line("docker-compose", "up")))["Mounts"] == [forged]
    numbers = {"Type": "volume", "Target": "/v", "VolumeOptions": {"Labels": {"a": 1}}}
    refused(rules.container_create(create({"Mounts": [numbers]}), CONTEXT),
            "boundary.bad_body", reason="HostConfig.Mounts[0].VolumeOptions.Labels is not a map of strings")


# --- binds of the submission's copy, by `--mount type=bind` -----------------------------------------
def copy_of(tmp_path, **context) -> Context:
    root = tmp_path / "copy"
    (root / "site").mkdir(parents=True)
    return Context(LAB_REGISTRY, Limits(), submission=SubmissionCopy(root), **context)


def test_a_mount_of_the_copy_is_allowed_and_sent_as_its_real_path(tmp_path):
    real = os.path.realpath(tmp_path / "copy")
    context, mount = copy_of(tmp_path), {"Type": "bind", "Source": "/work/site", "Target": "/m", "ReadOnly": True}
    assert rules.mounts("HostConfig.Mounts", [mount], context) == Decision(True, body=[mount])
    assert sent({"Mounts": [mount]}, context)["Mounts"] == [{**mount, "Source": f"{real}/site"}]


def test_a_bind_whose_source_changes_after_it_was_judged_is_refused(tmp_path):
    """The image is looked up between the bind's judgement and the body's rewrite: the folder is made a link then."""
    site = tmp_path / "copy" / "site"

    def swap(name: str) -> None:
        site.rmdir()
        site.symlink_to("/etc")

    context = copy_of(tmp_path, inspect_image=swap)
    refused(rules.container_create(create({"Binds": ["/work/site:/w"]}), context),
            "boundary.bind_outside", source="(a source that changed while it was judged)")


# --- logs -----------------------------------------------------------------------------------------
def test_logs_take_either_mode_and_a_buffer_down_to_one_byte():
    for config in ({"mode": "blocking"}, {"mode": "non-blocking", "max-buffer-size": "1"}):
        assert sent({"LogConfig": {"Type": "local", "Config": config}})["LogConfig"]["Config"] == \
            {**config, "max-size": "10m", "max-file": "1"}
    refused(rules.container_create(create({"LogConfig": {"Config": {"mode": "Blocking"}}}), CONTEXT),
            "boundary.field", field="HostConfig.LogConfig.Config.mode", value="Blocking")


# --- health checks --------------------------------------------------------------------------------
@pytest.mark.parametrize("healthcheck, key, params", [
    ({"Test": ["CMD", "true"], "Interval": 1}, "boundary.floor", {"field": "Healthcheck.Interval", "value": "1ns", "floor": "1s"}),
    ({"Test": ["CMD", "true"], "Timeout": 999_999}, "boundary.floor", {"field": "Healthcheck.Timeout", "value": "999999ns", "floor": "1s"}),
    # just below the floor, shown with the digits that make it so
    ({"Test": ["CMD", "true"], "StartPeriod": 999_999_500}, "boundary.floor",
     {"field": "Healthcheck.StartPeriod", "value": "0.9999995s", "floor": "1s"}),
    ({"Test": ["CMD", "true"], "Interval": "5s"}, "boundary.floor", {"field": "Healthcheck.Interval", "value": "5s", "floor": "1s"}),
    ({"Test": ["CMD", "true"], "SomeFieldOfANewerAPI": 1}, "boundary.field", {"field": "Healthcheck.SomeFieldOfANewerAPI", "value": "1"}),
    ({"Test": ["CMD", "true"], "interval": 1}, "boundary.field", {"field": "Healthcheck.interval", "value": "(write Interval)"}),
])
def test_health_check_refusals(healthcheck, key, params):
    refused(rules.container_create(create(Healthcheck=healthcheck), CONTEXT), key, **params)


def test_a_floor_of_zero_is_shown_in_seconds():
    refused(rules.container_create(create(Healthcheck={"Test": ["CMD", "true"], "Interval": -1}), Context(LAB_REGISTRY, Limits(health_floor=0))),
            "boundary.floor", field="Healthcheck.Interval", value="-1ns", floor="0s")


def test_the_image_looked_up_is_the_one_the_container_is_made_of():
    asked = []
    context = Context(LAB_REGISTRY, inspect_image=asked.append)
    rules.container_create(create(), context)
    rules.container_create(Request("POST", "/containers/create", {}, {}, {"HostConfig": {}}), context)
    rules.container_create(Request("POST", "/containers/create", {}, {}, {"Image": None}), context)
    assert asked == ["alpine:3.14", "", ""]


# --- labels, queries, builds ----------------------------------------------------------------------
def test_labels_may_fill_the_labs_bound_exactly():
    ten = Context(LAB_REGISTRY, Limits(labels=10))
    assert rules.labels("Labels", {"abcde": "12345"}, ten) == Decision(True)
    refused(rules.labels("Labels", {"abcde": "123456"}, ten), "boundary.limit", field="Labels", value="11 bytes", limit="10 bytes")


def test_a_query_may_fill_the_labs_bound_exactly():
    spec = rules.route("GET", "/events").query
    assert rules.check_query(spec, [("filters", "{}")], Context(LAB_REGISTRY, Limits(query=11))) == Decision(True)  # 7 + 2 + 2
    refused(rules.check_query(spec, [("filters", "{}")], Context(LAB_REGISTRY, Limits(query=10))),
            "boundary.limit", field="query", value="11 bytes", limit="10 bytes")


def test_build_labels_that_are_not_json_are_refused_by_name():
    refused(rules.build(Request("POST", "/build", {}, {"labels": "{not json"}), CONTEXT), "boundary.bad_request", reason="labels is not JSON")


@pytest.mark.parametrize("ps_args", ["-Ao pid,args", "-eo pid,user,comm", "-A -o pid,stat,cmd"])
def test_docker_top_takes_ps_output_options_after_a_selection(ps_args):
    assert rules.ps_args("ps_args", ps_args, CONTEXT) == Decision(True)


@pytest.mark.parametrize("ps_args", ["-o pid,user args", "-o pid args", "-ao pid,args", "-AO pid,args", "-p pid,args"])
def test_docker_top_refuses_a_column_list_in_two_words_or_after_another_option(ps_args):
    refused(rules.ps_args("ps_args", ps_args, CONTEXT), "boundary.ps_args", value=ps_args, accepted="-ef, aux, -e -o pid,user,args")


# --- parts named in refusals ----------------------------------------------------------------------
def test_an_endpoint_that_is_not_an_object_is_named_whole():
    networking = {"EndpointsConfig": {"netX": "x"}}
    refused(rules.container_create(create(NetworkingConfig=networking), CONTEXT),
            "boundary.bad_body", reason="NetworkingConfig.EndpointsConfig.netX is not an object")


def test_no_line_runs_until_the_runner_sets_one():
    assert rules.Line().argv == ()
    assert rules.Line().compose is False
