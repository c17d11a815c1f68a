"""checks.state_folder: what tells `check` that a start point was saved, without importing the
start point's code."""

from __future__ import annotations

from checks import state_folder


def test_only_a_start_point_file_is_a_start_point(tmp_path):
    environ = {"XDG_STATE_HOME": str(tmp_path)}
    saved = state_folder.folder(environ)
    assert saved == tmp_path / "docker-grader"
    assert not state_folder.any_start_point(environ)  # no folder yet
    saved.mkdir()
    (saved / "unix----var-run-docker.sock.progress.json").write_text("{}")  # progress outlives its start point
    (saved / "notes.txt").write_text("")
    assert not state_folder.any_start_point(environ)
    state_folder.path_for("unix:///var/run/docker.sock", environ).write_text("{}")
    assert state_folder.any_start_point(environ)
    assert state_folder.path_for("unix:///var/run/docker.sock", environ).name == "unix----var-run-docker.sock.json"
