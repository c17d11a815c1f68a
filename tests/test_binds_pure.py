"""Binds of the submission's own files, judged on decoded requests (no daemon): each refusal with its
catalog key and parameters. Mutation testing found only the key of two of them asserted, in a daemon
test (test_lab_host.py)."""

from __future__ import annotations

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
