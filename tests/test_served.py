"""What a lab can serve, told at `validate`: references on other registries are warned about,
an archive for one of the course's own images is an error (it would be ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks import cli, exercises
from checks.errors import ExerciseError
from checks.lab import served

DATA = Path(__file__).parent / "data"
EXERCISE = """\
id: elastic
lesson: samples
order: 1
title: {{pt-BR: a, en: b}}
description: {{pt-BR: a, en: b}}
start: {{images: [{start}]}}
checks:
  - name: c
    kind: image_config
    image: {image}
    base: alpine:3.14
    points: 1
    hint: {{pt-BR: a, en: b}}
"""


@pytest.mark.parametrize("reference, registry", [
    ("docker.elastic.co/elasticsearch/elasticsearch:8.11.0", "docker.elastic.co"),
    ("ghcr.io/user/app:1", "ghcr.io"),
    ("quay.io/prometheus/prometheus", "quay.io"),
    ("alpine:3.14", None), ("docker.io/library/nginx:1.25", None), ("user/app:1", None),
    ("localhost:5000/app:1", None), ("127.0.0.1:5000/app", None),
    ("*/getting-started", None), ("e04c818066af", None),
])
def test_which_registry_no_lab_reaches(reference, registry):
    assert served.registry_of(reference) == registry


def test_validate_warns_about_each_reference_no_lab_serves_and_passes(tmp_path, capsys):
    path = tmp_path / "elastic.yaml"
    path.write_text(EXERCISE.format(start="ghcr.io/user/base:1", image="docker.elastic.co/elasticsearch/elasticsearch:8.11.0"))
    assert cli.main(["validate", str(path), "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert out == "OK: 1 exercise(s), 1 check(s)\n"
    assert err.splitlines() == [
        f"{path}:1: $.start.images[0]: warning: no lab serves ghcr.io/user/base:1: it mirrors Docker Hub (docker.io) only, "
        "and a `docker pull` from ghcr.io fails in `run`; use a Docker Hub name (declared in `images`) or build the image in the exercise",
        f"{path}:8: $.checks[0].image: warning: no lab serves docker.elastic.co/elasticsearch/elasticsearch:8.11.0: it mirrors "
        "Docker Hub (docker.io) only, and a `docker pull` from docker.elastic.co fails in `run`; use a Docker Hub name "
        "(declared in `images`) or build the image in the exercise",
    ]
    path.write_text(EXERCISE.format(start="alpine:3.14", image="nginx:1.25"))
    assert cli.main(["validate", str(path), "--lang", "en"]) == 0
    assert capsys.readouterr().err == ""


def test_an_archive_for_an_image_the_lab_serves_is_an_error():
    with pytest.raises(ExerciseError) as raised:
        exercises.load_file(DATA / "invalid" / "archive-of-a-served-image.yaml")
    assert [fault.message.render("en") for fault in raised.value.faults] == [
        "the lab already serves ubuntu:latest (one of the course's own images), so this archive would be ignored; "
        "give the image another reference (`docker tag` before `docker save`) or leave the `archive` out"]
