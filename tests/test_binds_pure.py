"""Binds of the submission's own files, judged on decoded requests (no daemon): each refusal with its
catalog key and parameters. Mutation testing found only the key of two of them asserted, in a daemon
test (test_lab_host.py)."""

from __future__ import annotations

import json
import os

from checks.boundary import Context, Limits, SubmissionCopy, rules


def create(binds=(), mounts=()) -> rules.Request:
    return rules.Request("POST", "/containers/create", {}, {}, {"Image": "alpine:3.14", "HostConfig": {"Binds": list(binds), "Mounts": list(mounts)}})


def refused(decision, key: str, **params) -> None:
    assert not decision.allowed and decision.reason is not None
    assert (decision.reason.key, dict(decision.reason.params)) == (key, params)


def copy_of(tmp_path) -> Context:
    root = tmp_path / "copy"
    (root / "site").mkdir(parents=True)
    (root / "out").symlink_to("/etc")
    return Context("169.254.42.2:5000", Limits(), submission=SubmissionCopy(root))


def test_a_bind_of_the_submission_is_refused_by_name_where_no_copy_is_bound(tmp_path):
    refused(rules.container_create(create(["/work/site:/w"]), Context("169.254.42.2:5000", Limits())), "boundary.bind", source="/work/site")


def test_a_bind_outside_the_copy_or_with_another_mode_is_refused_by_name(tmp_path):
    context = copy_of(tmp_path)
    refused(rules.container_create(create(["/work/out:/w"]), context), "boundary.bind_outside", source="/work/out")
    refused(rules.container_create(create(["/work/site:/w:shared"]), context), "boundary.bind_mode", source="/work/site", mode="shared")
    refused(rules.container_create(create(mounts=[{"Type": "bind", "Source": "/work/out", "Target": "/m"}]), context),
            "boundary.bind_outside", source="/work/out")
    for mode in ("ro", "rw", "ro,cached", ""):
        bind = f"/work/site:/w:{mode}" if mode else "/work/site:/w"
        assert rules.container_create(create([bind]), context).allowed, bind


def test_each_bind_of_the_copy_is_sent_as_its_real_path_and_nothing_else_changes(tmp_path):
    context = copy_of(tmp_path)
    real = os.path.realpath(tmp_path / "copy")
    body = {"Image": "alpine:3.14", "Cmd": ["true"], "HostConfig": {
        "Binds": ["/work/site:/w:ro", "/work/site:/v", "/work/new/sub/:/n", "named:/data", "named:/ro:ro", "/anonymous"],
        "Mounts": [{"Type": "bind", "Source": "/work/site", "Target": "/m", "ReadOnly": True},
                   {"Type": "volume", "Source": "named", "Target": "/vol"},
                   {"Type": "tmpfs", "Target": "/tmp"}],
        "Memory": 1}}
    before = json.dumps(body, sort_keys=True)
    sent = rules.with_submission_binds(body, context)
    assert json.dumps(body, sort_keys=True) == before  # the request as judged is kept, for its log
    assert sent == {"Image": "alpine:3.14", "Cmd": ["true"], "HostConfig": {
        "Binds": [f"{real}/site:/w:ro", f"{real}/site:/v", f"{real}/new/sub:/n", "named:/data", "named:/ro:ro", "/anonymous"],
        "Mounts": [{"Type": "bind", "Source": f"{real}/site", "Target": "/m", "ReadOnly": True},
                   {"Type": "volume", "Source": "named", "Target": "/vol"},
                   {"Type": "tmpfs", "Target": "/tmp"}],
        "Memory": 1}}


def test_a_body_without_binds_of_the_copy_is_sent_as_it_came(tmp_path):
    context, bare = copy_of(tmp_path), Context("169.254.42.2:5000", Limits())
    for host_config in ({}, {"Binds": [], "Mounts": []}, {"Binds": None, "Mounts": None}, {"Binds": ["named:/d"]},
                        {"Mounts": [{"Type": "volume", "Source": "named", "Target": "/v"}]}):
        body = {"Image": "alpine:3.14", "HostConfig": host_config}
        assert rules.with_submission_binds(body, context) == body
        assert rules.with_submission_binds(body, bare) == body
    assert rules.with_submission_binds({"Image": "x", "HostConfig": None}, context) == {"Image": "x", "HostConfig": {}}
    assert rules.with_submission_binds({"Image": "x"}, context) == {"Image": "x", "HostConfig": {}}


def test_a_bind_that_no_longer_resolves_is_none(tmp_path):
    """Judged a moment before, changed since (a link put in its place), or with no copy bound at all."""
    context, bare = copy_of(tmp_path), Context("169.254.42.2:5000", Limits())
    for host_config in ({"Binds": ["named:/d", "/work/out:/w"]}, {"Binds": ["/work/site:/w", "/work/out/x:/x:ro"]},
                        {"Mounts": [{"Type": "volume", "Source": "v", "Target": "/v"}, {"Type": "bind", "Source": "/work/out", "Target": "/m"}]},
                        {"Mounts": [{"Type": "bind", "Target": "/m"}]}):
        assert rules.with_submission_binds({"HostConfig": host_config}, context) is None, host_config
    assert rules.with_submission_binds({"HostConfig": {"Binds": ["/work/site:/w"]}}, bare) is None
    assert rules.with_submission_binds({"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/work/site", "Target": "/m"}]}}, bare) is None


def test_a_create_whose_bind_changed_while_it_was_judged_is_refused(tmp_path, monkeypatch):
    context = copy_of(tmp_path)
    monkeypatch.setattr(rules, "with_submission_binds", lambda body, context: None)
    refused(rules.container_create(create(["/work/site:/w"]), context), "boundary.bind_outside",
            source="(a source that changed while it was judged)")
