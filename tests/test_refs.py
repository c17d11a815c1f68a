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


@pytest.mark.parametrize("text, normal", [
    ("alpine:3.14@sha256:" + "b" * 64, "docker.io/library/alpine:3.14@sha256:" + "b" * 64),
    ("localhost:5000/x", "localhost:5000/x:latest"),
    ("localhost:5000", "docker.io/library/localhost:5000"),  # a name and a tag, as docker reads it
    ("localhost", "docker.io/library/localhost:latest"),
    ("registry.local/team/app:1", "registry.local/team/app:1"),
    ("Registry.Local:5000/app", "Registry.Local:5000/app:latest"),
    ("index.docker.io/user/app:2", "docker.io/user/app:2"),
    ("docker.io/alpine", "docker.io/library/alpine:latest"),
    ("user/app/sub", "docker.io/user/app/sub:latest"),
    ("a__b-c---e/f:1", "docker.io/a__b-c---e/f:1"),
    ("alpine:" + "t" * 128, "docker.io/library/alpine:" + "t" * 128),
    ("alpine:_x.Y-1", "docker.io/library/alpine:_x.Y-1"),
    ("x@sha256:" + "A" * 32, "docker.io/library/x@sha256:" + "A" * 32),
    ("user/" + "a" * 64, "docker.io/user/" + "a" * 64 + ":latest"),  # only a bare 64-hex name is an ID
    ("library/" + "a" * 64, "docker.io/library/" + "a" * 64 + ":latest"),
])
def test_normalised_edge_cases(text, normal):
    assert str(refs.parse(text)) == normal


def test_parts_of_a_reference():
    assert refs.parse("alpine") == refs.Reference("docker.io/library/alpine", "latest", None)
    assert refs.parse("alpine", default_tag=False) == refs.Reference("docker.io/library/alpine", None, None)
    assert refs.parse("alpine:3.14", default_tag=False).tag == "3.14"
    digest = "sha256:" + "c" * 64
    assert refs.parse("alpine@" + digest) == refs.Reference("docker.io/library/alpine", None, digest)
    assert refs.parse("alpine:3.14@" + digest) == refs.Reference("docker.io/library/alpine", "3.14", digest)


NAME_RULE = ": use lowercase letters, digits and separators (. _ -)"


@pytest.mark.parametrize("text, reason", [
    ("", "empty reference"),
    (None, "empty reference"),
    (":1", "empty repository name"),
    ("alpine:" + "t" * 129, "invalid tag " + repr("t" * 129)),
    ("alpine:.x", "invalid tag '.x'"),
    ("x@sha256:" + "a" * 31, "invalid digest " + repr("sha256:" + "a" * 31)),
    ("x@" + "a" * 64, "invalid digest " + repr("a" * 64)),
    ("x@sha256:" + "a" * 64 + "@", "invalid digest " + repr("sha256:" + "a" * 64 + "@")),
    ("a_b.io/x", "invalid registry 'a_b.io'"),
    ("-x.io/y", "invalid registry '-x.io'"),
    ("reg.io/a:b/c", "invalid repository name 'reg.io/a:b/c'" + NAME_RULE),  # the tag is after the last /
    ("user/a..b", "invalid repository name 'user/a..b'" + NAME_RULE),
    ("user/a___b", "invalid repository name 'user/a___b'" + NAME_RULE),
    ("user//b", "invalid repository name 'user//b'" + NAME_RULE),
    ("user/-b", "invalid repository name 'user/-b'" + NAME_RULE),
    ("User/app", "invalid repository name 'User/app'" + NAME_RULE),
    ("localhost:5000/", "invalid repository name 'localhost:5000/'" + NAME_RULE),
    ("a" * 64, "a 64-character hex name is an image ID, not a repository"),
    ("0123456789abcdef" * 4 + ":1", "a 64-character hex name is an image ID, not a repository"),
])
def test_invalid_says_why(text, reason):
    with pytest.raises(refs.ReferenceError) as raised:
        refs.parse(text)
    assert str(raised.value) == reason


@pytest.mark.parametrize("text, prefix", [
    ("e04c81", "e04c81"),
    ("sha256:e04c81", "e04c81"),
    ("a" * 64, "a" * 64),
    ("sha256:" + "a" * 64, "a" * 64),
    ("0", "0"),
    ("a" * 65, None),
    ("E04C81", None),
    ("sha256:", None),
    ("sha512:e04c81", None),
    ("e04c81x", None),
    ("", None),
    ("alpine", None),
])
def test_id_prefix(text, prefix):
    assert refs.id_prefix(text) == prefix


def test_try_parse():
    assert refs.try_parse("alpine") == refs.parse("alpine")
    assert refs.try_parse("Alpine") is None
    assert refs.try_parse("") is None
    assert refs.try_parse(None) is None
    assert refs.try_parse(3) is None
    assert refs.try_parse(["alpine"]) is None  # unhashable: never reaches the cache


def test_str_and_familiar_of_a_tag_and_a_digest():
    digest = "sha256:" + "c" * 64
    ref = refs.parse("alpine:3.14@" + digest)
    assert str(ref) == "docker.io/library/alpine:3.14@" + digest
    assert ref.familiar == "alpine:3.14@" + digest
    assert refs.parse("alpine@" + digest).familiar == "alpine@" + digest
    assert str(refs.Reference("docker.io/library/alpine")) == "docker.io/library/alpine"


@pytest.mark.parametrize("repository, familiar", [
    ("docker.io/library/alpine", "alpine"),
    ("docker.io/user/app", "user/app"),
    ("docker.io/library/a/b", "library/a/b"),
    ("docker.io/libraryx/a", "libraryx/a"),
    ("localhost:5000/library/x", "localhost:5000/library/x"),
    ("ghcr.io/org/app", "ghcr.io/org/app"),
    ("docker.iox/a", "docker.iox/a"),
])
def test_familiar_repository(repository, familiar):
    assert refs.familiar_repository(repository) == familiar


@pytest.mark.parametrize("name, normal", [
    ("alpine", "docker.io/library/alpine"),
    ("library/alpine", "docker.io/library/alpine"),
    ("index.docker.io/alpine", "docker.io/library/alpine"),
    ("localhost:5000/x", "localhost:5000/x"),
    ("localhost/x", "localhost/x"),
    ("example.com/x", "example.com/x"),
])
def test_normalise_repository(name, normal):
    assert refs.normalise_repository(name) == normal


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

    (exercise,) = [e for e in exercises.load([ROOT / "tests" / "data" / "valid"]) if e.id == "every-kind"]  # not whichever sorts first
    report = grading.Report(grading.grade([exercise], Snapshot.from_api([], [])))
    text = WRITERS["text"](report, "en")
    assert "count-range" not in text and "hidden check" in text
    assert report.max_score == 2.5
