"""Reference patterns (`php:*-apache`, `*/getting-started`) in the image kind and the container selectors; pure."""

from __future__ import annotations

import pytest

from checks import refs, schema
from checks.kinds import containers, image
from checks.messages import msg

from apijson import FakeSource, container_json, digest, image_id, image_json, snapshot

PHP_ID, NGINX_ID, GS_ID = image_id("a1"), image_id("b2"), image_id("c3")
PHP = image_json(PHP_ID, ["php:8.2-apache"], ["php@" + digest("a")])
PHP_TAGGED = image_json(PHP_ID, ["php:8.2-apache"], [])
NGINX = image_json(NGINX_ID, ["nginx:1.25", "nginx:latest"], ["nginx@" + digest("b")])
GETTING_STARTED = image_json(GS_ID, ["docker/getting-started:latest"], [])


@pytest.fixture(autouse=True)
def fresh_patterns():
    """Every test compiles its patterns anew (the caches live as long as the process)."""
    refs.pattern.cache_clear()
    refs._pattern_matches.cache_clear()


@pytest.mark.parametrize("pattern, reference", [
    ("php:*-apache", "php:8.2-apache"),
    ("php:*-apache", "docker.io/library/php:8.2-apache"),
    ("*/getting-started", "docker/getting-started"),
    ("*/getting-started", "docker/getting-started:v2"),
    ("nginx:1.*", "nginx:1.25"),
    ("nginx*", "nginx:1.25"),  # the familiar name matches, as docker's FamiliarMatch
    ("*", "alpine"),
    ("alpine:3.1?", "alpine:3.14"),
    ("alpine:3.1[0-4]", "alpine:3.14"),
    ("alpine:3.1[^5]", "alpine:3.14"),
    ("docker.io/library/alpine:*", "alpine:3.14"),
    ("localhost:5000/*", "localhost:5000/x:1"),
    ("*:latest", "hello-world"),  # a reference without a tag is :latest
])
def test_a_pattern_matches(pattern, reference):
    assert refs.pattern(pattern).matches(reference)


@pytest.mark.parametrize("pattern, reference", [
    ("php:*-apache", "php:8.2-fpm"),
    ("php:*-apache", "php"),
    ("*/getting-started", "getting-started"),  # docker.io/library/getting-started: * does not cross /
    ("nginx:1.*", "nginx:latest"),
    ("*", "user/app"),
    ("alpine:3.1[^4]", "alpine:3.14"),
    ("alpine:3.1?", "alpine:3.1"),
    ("localhost:5000/*", "x:1"),
    ("nginx:*", "sha256:" + "b2" * 32),  # an image ID is no reference
    ("nginx*", "nginx@" + digest("b")),  # a digest alone: patterns match names and tags
])
def test_a_pattern_does_not_match(pattern, reference):
    assert not refs.pattern(pattern).matches(reference)


@pytest.mark.parametrize("text", ["PHP:*", "x@sha256:*", "alpine@sha256:" + "a" * 64 + "*", "alpine[", "alpine*\\", "[z-a]lpine", "a[/]b", "*:"])
def test_an_invalid_pattern_is_none(text):
    assert refs.is_pattern(text) and refs.pattern(text) is None


def test_an_exact_reference_is_no_pattern():
    assert not refs.is_pattern("alpine:3.14") and refs.pattern("alpine:3.14") is None


def test_a_pattern_is_compiled_once_and_a_reference_matched_once_per_pattern():
    names = [f"web-{i}" for i in range(200)]
    many = [container_json(f"{i:064x}", name, "php:8.2-apache", PHP_ID) for i, name in enumerate(names)]
    snap = snapshot([PHP, NGINX], many)
    assert containers.evaluate({"select": {"image": "php:*-apache"}, "count": 200}, snap).passed
    assert refs.pattern.cache_info().misses == 1
    # one match per distinct reference (the image's tags, the typed one), not per container
    assert refs._pattern_matches.cache_info().misses <= 3


# --- the image kind -------------------------------------------------------------------
def test_image_by_pattern():
    snap = snapshot([NGINX, PHP])
    result = image.evaluate({"image": "php:*-apache"}, snap)
    assert result.passed and result.found == msg("image.found", ref="php:*-apache", id=PHP_ID[7:19])
    missing = image.evaluate({"image": "php:*-fpm"}, snap)
    assert not missing.passed and missing.found == msg("image.missing", ref="php:*-fpm")
    assert image.evaluate({"image": "*/getting-started"}, snapshot([GETTING_STARTED])).passed
    assert not image.evaluate({"image": "*/getting-started"}, snap).passed


def test_image_absent_by_pattern():
    assert image.evaluate({"image": "php:*", "state": "absent"}, snapshot([NGINX])).passed
    result = image.evaluate({"image": "php:*", "state": "absent"}, snapshot([NGINX, PHP]))
    assert not result.passed and result.found == msg("image.found", ref="php:*", id=PHP_ID[7:19])


def test_image_pulled_by_pattern_needs_a_digest_of_the_matching_repository():
    assert image.evaluate({"image": "php:*-apache", "pulled": True}, snapshot([PHP])).passed
    result = image.evaluate({"image": "php:*-apache", "pulled": True}, snapshot([PHP_TAGGED]))
    assert not result.passed
    assert result.found == msg("image.not_pulled", ref="php:*-apache", id=PHP_ID[7:19], repository="php")
    # tagged php:8.2-apache from a pulled nginx: a digest, but of nginx
    retagged = image_json(NGINX_ID, ["nginx:1.25", "php:8.2-apache"], ["nginx@" + digest("b")])
    assert not image.evaluate({"image": "php:*", "pulled": True}, snapshot([retagged])).passed
    two = image_json(PHP_ID, ["php:8.2-apache", "php-dev:8.2-apache"], [])
    result = image.evaluate({"image": "php*:*-apache", "pulled": True}, snapshot([two]))
    assert result.found == msg("image.not_pulled", ref="php*:*-apache", id=PHP_ID[7:19], repository="php, php-dev")


def test_image_pattern_passes_when_one_of_the_matching_images_does():
    other = image_json(image_id("d4"), ["php:7.4-apache"], [])
    assert image.evaluate({"image": "php:*-apache", "pulled": True}, snapshot([other, PHP])).passed
    assert image.evaluate({"image": "php:*-apache", "ids": [PHP_ID]}, snapshot([other, PHP])).passed
    assert not image.evaluate({"image": "php:*-apache", "ids": [NGINX_ID]}, snapshot([other, PHP])).passed


# --- the container selector -----------------------------------------------------------
def test_containers_selected_by_pattern():
    snap = snapshot([PHP, NGINX], [
        container_json("1" * 64, "a", "php:8.2-apache", PHP_ID),
        container_json("2" * 64, "b", "nginx:1.25", NGINX_ID),
        container_json("3" * 64, "c", "php:8.2-fpm", image_id("e5")),  # its image is gone
    ])
    assert containers.evaluate({"select": {"image": "php:*-apache"}, "count": 1}, snap).passed
    assert containers.evaluate({"select": {"image": "php:*"}, "count": 2}, snap).passed
    assert containers.evaluate({"select": {"image": "nginx:1.*"}, "count": 1}, snap).passed
    assert containers.evaluate({"select": {"image": "redis:*"}, "count": 0}, snap).passed


def test_a_pattern_selects_by_the_image_tag_after_a_retag():
    # created as `php:8.2-apache`, then the image was re-tagged web:1 and the php tag removed:
    # the list shows the image ID, the inspect the typed reference
    retagged = image_json(PHP_ID, ["web:1"], [])
    source = FakeSource(created_with={"1" * 64: "php:8.2-apache"})
    snap = snapshot([retagged], [container_json("1" * 64, "a", PHP_ID[7:], PHP_ID)], source)
    assert containers.evaluate({"select": {"image": "web:*"}, "count": 1}, snap).passed
    assert source.calls == []  # the image's tag was enough
    assert containers.evaluate({"select": {"image": "php:*-apache"}, "count": 1}, snap).passed
    assert source.calls == [("inspect", "1" * 64)]
    assert containers.evaluate({"select": {"image": "nginx:*"}, "count": 0}, snap).passed
    assert source.calls == [("inspect", "1" * 64)]  # cached


def test_exact_references_behave_as_before():
    snap = snapshot([NGINX], [container_json("1" * 64, "a", "nginx:1.25", NGINX_ID)])
    assert containers.evaluate({"select": {"image": "nginx"}, "count": 1}, snap).passed  # nginx:latest is the same image
    assert containers.evaluate({"select": {"image": "nginx:1.24"}, "count": 0}, snap).passed


@pytest.mark.parametrize("value, valid", [
    ("php:*-apache", True), ("*/getting-started", True), ("nginx:1.*", True), ("alpine:3.14", True),
    ("PHP:*", False), ("x@sha256:*", False), ("alpine[", False),
])
def test_the_schema_takes_patterns_in_the_image_kind_and_selectors(value, valid):
    hint = {"pt-BR": "x", "en": "x"}
    exercise = {
        "id": "x", "lesson": "l", "order": 1, "title": hint, "description": hint,
        "checks": [
            {"name": "a", "kind": "image", "image": value, "points": 1, "hint": hint},
            {"name": "b", "kind": "containers", "select": {"image": value}, "points": 1, "hint": hint},
        ],
    }
    errors = list(schema.validator().iter_errors(exercise))
    assert (errors == []) == valid, errors
    if not valid:
        assert [error.instance for error in errors if error.validator == "format"] == [value, value]


def test_patterns_are_not_lab_images():
    hint = {"pt-BR": "x", "en": "x"}
    exercise = {
        "id": "x", "lesson": "l", "order": 1, "title": hint, "description": hint,
        "start": {"images": ["php:*-apache"]},
        "checks": [{"name": "a", "kind": "image", "image": "php:*-apache", "points": 1, "hint": hint}],
    }
    errors = list(schema.validator().iter_errors(exercise))
    assert [(error.validator, error.instance) for error in errors] == [("format", "php:*-apache")]
