"""Image references normalised as the docker CLI does; pure."""

from __future__ import annotations

import pytest

from checks import refs
from checks.snapshot import Snapshot


@pytest.mark.parametrize("text, normal", [
    ("alpine", "docker.io/library/alpine:latest"),
    ("alpine:3.14", "docker.io/library/alpine:3.14"),
    ("library/alpine:3.14", "docker.io/library/alpine:3.14"),
    ("docker.io/library/alpine:3.14", "docker.io/library/alpine:3.14"),
    ("index.docker.io/library/alpine", "docker.io/library/alpine:latest"),
    ("user/app", "docker.io/user/app:latest"),
    ("localhost:5000/x:1", "localhost:5000/x:1"),
    ("localhost/x", "localhost/x:latest"),
    ("ghcr.io/org/app:v1.2", "ghcr.io/org/app:v1.2"),
    ("alpine@sha256:" + "a" * 64, "docker.io/library/alpine@sha256:" + "a" * 64),
])
def test_normalised(text, normal):
    assert str(refs.parse(text)) == normal


@pytest.mark.parametrize("text", ["Alpine", "alpine:", "alpine:-x", "", "a" * 64, "x@sha256:zz"])
def test_invalid(text):
    with pytest.raises(refs.ReferenceError):
        refs.parse(text)


def test_familiar_names():
    assert refs.parse("docker.io/library/alpine:3.14").familiar == "alpine:3.14"
    assert refs.parse("user/app").familiar == "user/app:latest"
    assert refs.parse("localhost:5000/x:1").familiar == "localhost:5000/x:1"


def test_find_image_by_name_then_id_prefix():
    snapshot = Snapshot.from_api(
        [
            {"Id": "sha256:" + "ab" * 32, "RepoTags": ["alpine:3.14"], "RepoDigests": ["alpine@sha256:" + "c" * 64]},
            {"Id": "sha256:" + "cd" * 32, "RepoTags": ["<none>:<none>"], "RepoDigests": None},
        ],
        [],
    )
    assert snapshot.find_image("docker.io/library/alpine:3.14").id.startswith("sha256:abab")
    assert snapshot.find_image("alpine@sha256:" + "c" * 64) is not None
    assert snapshot.find_image("cdcd").id.startswith("sha256:cdcd")
    assert snapshot.find_image("sha256:abab").id.startswith("sha256:abab")
    assert snapshot.find_image("alpine") is None
    assert [i.short_id for i in snapshot.images_of("alpine")] == ["abababababab"]


def test_exit_code_is_read_from_the_status():
    snapshot = Snapshot.from_api([], [
        {"Id": "1", "Names": ["/a"], "Image": "x", "ImageID": "sha256:1", "State": "exited", "Status": "Exited (137) 2 seconds ago"},
        {"Id": "2", "Names": ["/b"], "Image": "x", "ImageID": "sha256:1", "State": "running", "Status": "Up 3 minutes"},
    ])
    assert [c.exit_code for c in snapshot.containers] == [137, None]
    assert [c.name for c in snapshot.containers] == ["a", "b"]


def test_hidden_checks_count_but_show_no_name_or_hint():
    from checks import exercises, grading
    from checks.report import WRITERS

    from conftest import ROOT

    exercise = exercises.load([ROOT / "tests" / "data" / "valid"])[0]
    report = grading.Report(grading.grade([exercise], Snapshot.from_api([], [])))
    text = WRITERS["text"](report, "en")
    assert "count-range" not in text and "hidden check" in text
    assert report.max_score == 2.5
