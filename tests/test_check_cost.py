"""What `check` imports, counted rather than timed: with its exercise files validated before, none of
the heavy modules another path needs (YAML, jsonschema, http.client and email, docker-py, tarfile)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import EXERCISES, ROOT

CHECK = """
import json, sys
from checks import cli
code = cli.main(["check", "--host", "unix:///nonexistent/docker.sock", "--exercises", sys.argv[1], "--format", "json"])
heavy = ("yaml", "jsonschema", "http.client", "email", "docker", "requests", "urllib3", "tarfile", "tempfile")
print(json.dumps({"code": code, "imported": sorted(name for name in heavy if name in sys.modules)}), file=sys.stderr)
"""


def imported(tmp_path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECK, str(EXERCISES)], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "DOCKER_GRADER_CACHE": str(tmp_path / "cache")})
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_check_with_files_validated_before_imports_none_of_the_heavy_modules(tmp_path):
    first = imported(tmp_path)
    assert first["code"] == 3 and {"yaml", "jsonschema"} <= set(first["imported"])  # validated: now in the cache
    assert imported(tmp_path) == {"code": 3, "imported": []}
