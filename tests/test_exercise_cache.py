"""Exercise files validated once: a file unchanged since loads from the disk cache, without YAML or jsonschema;
a changed file is parsed and validated again."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from conftest import EXERCISES, ROOT

LOAD = """
import json, sys
from pathlib import Path
from checks import exercises
from checks.errors import ExerciseError
try:
    loaded = exercises.load([Path(sys.argv[1])])
    result = {"titles": {e.id: e.title["en"] for e in loaded}, "lines": {e.id: [c.line for c in e.checks] for e in loaded},
              "repr": repr(loaded)}
except ExerciseError as error:
    result = {"faults": [f"{f.line}: {f.path}" for f in error.faults]}
result["parsed"] = "yaml" in sys.modules or "jsonschema" in sys.modules
print(json.dumps(result))
"""


def load(folder, cache) -> dict:
    done = subprocess.run([sys.executable, "-c", LOAD, str(folder)], capture_output=True, text=True, timeout=60, check=True,
                          cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_GRADER_CACHE": str(cache)})
    return json.loads(done.stdout)


def test_an_unchanged_file_loads_from_the_cache_and_a_changed_one_is_validated_again(tmp_path):
    folder, cache = tmp_path / "exercises", tmp_path / "cache"
    shutil.copytree(EXERCISES, folder)
    first = load(folder, cache)
    assert first["parsed"] is True
    again = load(folder, cache)
    assert again == {**first, "parsed": False}  # the same exercises, check lines and all, with no parsing
    target = folder / "pull-alpine.yaml"
    text = target.read_text()
    target.write_text(text.replace("en: Pull", "en: Now pull", 1))
    changed = load(folder, cache)
    assert changed["parsed"] is True and changed["titles"]["pull-alpine"].startswith("Now pull")
    assert load(folder, cache)["parsed"] is False
    target.write_text(text.replace("points: 2", "points: -2", 1))  # now invalid: its faults, never the cached exercise
    assert "faults" in load(folder, cache)
    assert "faults" in load(folder, cache)
    target.write_text(text)  # back as it was: valid, from the cache again
    assert load(folder, cache) == again


def test_processes_loading_at_once_share_the_cache(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_GRADER_CACHE": str(cache)}
    started = [subprocess.Popen([sys.executable, "-c", LOAD, str(EXERCISES)], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
               for _ in range(4)]
    outputs = [json.loads(process.communicate(timeout=60)[0]) for process in started]
    assert len({output["repr"] for output in outputs}) == 1
    assert sorted(path.name.startswith(".") for path in (cache / "exercises").iterdir()) == [False] * 5  # whole entries only
    assert load(EXERCISES, cache)["parsed"] is False


def docker_save_tar(path, reference: str = "nginx:1.25") -> None:
    """The smallest archive `docker save` could have written: a manifest, a config and one empty layer."""
    import io
    import tarfile

    files = {"config.json": b'{"rootfs": {"type": "layers", "diff_ids": []}}', "layer.tar": b"",
             "manifest.json": json.dumps([{"Config": "config.json", "RepoTags": [reference], "Layers": ["layer.tar"]}]).encode()}
    with tarfile.open(path, "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_a_file_the_exercise_refers_to_is_checked_again_on_a_cache_hit(tmp_path):
    folder, cache = tmp_path / "exercises", tmp_path / "cache"
    (folder / "images").mkdir(parents=True)
    text = (EXERCISES / "pull-alpine.yaml").read_text().replace("checks:", "images:\n  - {reference: \"nginx:1.25\", archive: images/nginx.tar}\nchecks:", 1)
    (folder / "served.yaml").write_text(text)
    docker_save_tar(folder / "images" / "nginx.tar")
    assert load(folder, cache)["parsed"] is True
    assert load(folder, cache)["parsed"] is False  # unchanged: from the cache
    (folder / "images" / "nginx.tar").unlink()
    gone = load(folder, cache)
    assert gone["parsed"] is True and gone["faults"] == [f"{text.splitlines().index('checks:')}: {folder / 'served.yaml'}"]
    docker_save_tar(folder / "images" / "nginx.tar", reference="other:1")  # back, but holding another image
    assert "faults" in load(folder, cache)
