"""The boundary's lab Docker Hub rules (push, login) and `--change` values, on decoded requests.

Mutation testing found them unasserted: a push's rewritten requests, `docker login`'s answer, and
what a `commit`/`import --change` value may hold were never compared whole.
"""

from __future__ import annotations

from checks.boundary import Context, Limits, rules
from checks.boundary.rules import Decision, Request

LAB_REGISTRY = "127.0.0.1:5000"
CONTEXT = Context(LAB_REGISTRY, Limits(pids=100, log_size="10m", log_files=1, nofile=4096, containers=5))


def push(name: str, **query: str) -> Request:
    return Request("POST", f"/images/{name}/push", {"name": name}, query)


def refused(decision, key: str, **params) -> None:
    assert not decision.allowed and decision.reason is not None
    assert (decision.reason.key, dict(decision.reason.params)) == (key, params)


def compose_line() -> Context:
    line = rules.Line()
    line.set(("docker-compose", "up"))
    return Context(LAB_REGISTRY, line=line)


def test_a_docker_hub_push_goes_to_the_labs_registry_tagged_there_for_the_push_only():
    assert rules.image_push(push("student/app", tag="1"), CONTEXT) == Decision(
        True,
        before=(("POST", "/images/student/app:1/tag", {"repo": "127.0.0.1:5000/student/app", "tag": "1"}),),
        target="/images/127.0.0.1:5000/student/app/push?tag=1",
        after=(("DELETE", "/images/127.0.0.1:5000/student/app:1", {"noprune": "1"}),),
    )


def test_an_official_image_is_pushed_under_library_and_the_tag_is_quoted():
    decision = rules.image_push(push("docker.io/library/alpine", tag="3.14"), CONTEXT)
    assert decision.before == (("POST", "/images/docker.io/library/alpine:3.14/tag", {"repo": "127.0.0.1:5000/library/alpine", "tag": "3.14"}),)
    assert decision.target == "/images/127.0.0.1:5000/library/alpine/push?tag=3.14"
    assert decision.after == (("DELETE", "/images/127.0.0.1:5000/library/alpine:3.14", {"noprune": "1"}),)
    assert decision.allowed and decision.reason is None and decision.body is None and decision.answer is None


def test_a_push_of_every_tag_or_of_a_bad_tag_is_refused_by_name():
    refused(rules.image_push(push("student/app"), CONTEXT), "boundary.push_all_tags", name="student/app")
    refused(rules.image_push(push("student/app", tag=""), CONTEXT), "boundary.push_all_tags", name="student/app")
    refused(rules.image_push(push("student/app", tag="bad tag"), CONTEXT), "boundary.bad_request", reason="push of student/app:bad tag")


def test_docker_login_is_answered_by_the_boundary_itself():
    route = rules.route("POST", "/auth")
    assert route.rule is rules.login
    decision = rules.login(Request("POST", "/auth", {}, {}, {"username": "u", "password": "p"}), CONTEXT)
    assert decision == Decision(True, answer={"Status": "Login Succeeded", "IdentityToken": ""})


def test_a_change_is_one_line_of_text_and_sets_no_compose_label_outside_compose():
    assert rules.change("changes", 'CMD ["sh"]', CONTEXT) == rules.ALLOW
    assert rules.change("changes", "LABEL course=docker", CONTEXT) == rules.ALLOW
    assert rules.change("changes", "x" * 4096, CONTEXT) == rules.ALLOW
    refused(rules.change("changes", "x" * 4097, CONTEXT), "boundary.field", field="changes", value="x" * 117 + "...")
    refused(rules.change("changes", "CMD sh\nUSER root", CONTEXT), "boundary.field", field="changes", value="CMD sh\nUSER root")
    refused(rules.change("changes", "LABEL COM.DOCKER.COMPOSE.PROJECT=x", CONTEXT),
            "boundary.compose_label", field="changes (LABEL COM.DOCKER.COMPOSE.PROJECT=x)")
    assert rules.change("changes", "LABEL com.docker.compose.project=x", compose_line()) == rules.ALLOW
