"""The CI templates, tried as a new user would: the workflow is valid, names what exists, and its
grading step, run here as GitHub would run it, writes the summary, the artifact and the Classroom
result; Gradescope's run_autograder writes a valid results.json. Documented commands parse."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from checks import cli

from conftest import ROOT
from test_reports import schema

TEMPLATES = ROOT / "templates"
KNOWN_ACTIONS = {"actions/checkout@v4", "actions/upload-artifact@v4", "classroom-resources/autograding-grading-reporter@v1"}


def workflow() -> dict:
    return yaml.safe_load((TEMPLATES / "github-classroom.yml").read_text())


def steps() -> list[dict]:
    return workflow()["jobs"]["run-autograding-tests"]["steps"]


def test_workflow_is_a_valid_workflow_that_uses_known_actions():
    document = workflow()
    assert set(document["on"]) >= {"push", "workflow_dispatch"}
    assert document["permissions"]["checks"] == "write"
    for step in steps():
        assert "name" in step and (("uses" in step) != ("run" in step)), step
        if "uses" in step:
            assert step["uses"] in KNOWN_ACTIONS


def test_workflow_wires_the_grading_step_to_the_reporter():
    by_id = {step.get("id"): step for step in steps()}
    reporter = next(step for step in steps() if step.get("uses", "").startswith("classroom-resources/autograding-grading-reporter"))
    runners = [runner.strip() for runner in reporter["with"]["runners"].split(",")]
    for runner in runners:  # the reporter reads <RUNNER>_RESULTS, base64 JSON, for each runner id
        assert reporter["env"][f"{runner.upper()}_RESULTS"] == f"${{{{ steps.{runner}.outputs.result }}}}"
        assert "--github-output" in by_id[runner]["run"]
    upload = next(step for step in steps() if step.get("uses", "").startswith("actions/upload-artifact"))
    assert f"--report json={upload['with']['path']}" in by_id["grade"]["run"]
    assert upload.get("if") == reporter.get("if") == "always()"  # they run when a check failed too


def test_workflow_install_step_names_the_setup_script():
    install = next(step for step in steps() if "setup.sh" in step.get("run", ""))
    script = re.search(r"\.grader/(\S+setup\.sh)", install["run"]).group(1)
    assert (ROOT / script).is_file()


def sudo_shim(folder: Path) -> Path:
    """GitHub's runners have sudo; here the tests run as root, so sudo just drops its options."""
    shim = folder / "bin" / "sudo"
    shim.parent.mkdir()
    shim.write_text('#!/bin/sh\nwhile [ "${1#-}" != "$1" ]; do shift; done\nexec "$@"\n')
    shim.chmod(0o755)
    return shim.parent


def test_workflow_grading_step_runs_as_documented(tmp_path):
    shutil.copytree(ROOT / "examples" / "partial", tmp_path / "submission")
    (tmp_path / ".grader").symlink_to(ROOT)
    summary, output = tmp_path / "step_summary.md", tmp_path / "github_output"
    summary.write_text("")
    output.write_text("")
    env = {
        "PATH": f"{sudo_shim(tmp_path)}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTOR": "aluna",
        "GITHUB_REPOSITORY": "curso/docker-aluna",
        **workflow()["env"],
    }
    grade = next(step for step in steps() if step.get("id") == "grade")
    done = subprocess.run(["bash", "-e", "-c", grade["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # a check failed: the step fails, as autograding steps do
    assert summary.read_text().startswith("## docker-grader: 11/17 pontos\n")
    result = json.loads((tmp_path / "docker-grader-result.json").read_text())
    assert schema("json").is_valid(result) and result["score"] == 11
    (line,) = output.read_text().splitlines()
    classroom = json.loads(base64.b64decode(line.removeprefix("result=")))
    assert schema("classroom").is_valid(classroom)
    assert (classroom["status"], sum(t["score"] for t in classroom["tests"]), classroom["max_score"]) == ("fail", 11, 17)


def test_gradescope_run_autograder_writes_results_json(tmp_path):
    results = tmp_path / "results" / "results.json"
    env = {
        **os.environ,
        "GRADER": str(ROOT),
        "SUBMISSION": str(ROOT / "examples" / "full-marks"),
        "RESULTS": str(results),
        "GRADER_LANG": "en",
    }
    done = subprocess.run([str(TEMPLATES / "gradescope" / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    document = json.loads(results.read_text())
    assert schema("gradescope").is_valid(document)
    assert document["score"] == 17 and all(t["status"] == "passed" for t in document["tests"])


def documented_commands() -> list[tuple[str, str, list[str]]]:
    """Every docker-grader command in the README and docs/: whole lines in code blocks, and
    mentions in backticks (which may leave out required arguments)."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text()
        blocks = "\n".join(re.findall(r"^ *```(?:sh|bash|console)?\n(.*?)^ *```", text, re.M | re.S)).replace("\\\n", " ")
        for kind, pattern, source in (
            ("line", r"^\s*(?:\$ )?(?:eval \"\$\()?(?:\S*/)?docker-grader(?![-\w])(.*)$", blocks),
            ("mention", r"`docker-grader(?![-\w])([^`]*)`", text),
        ):
            for line in re.findall(pattern, source, re.M):
                line = re.split(r"\s+#|\s*\)|\s*;|\s*\|", line)[0]
                found.append((path.name, kind, line.replace('"', "").split()))
    return found


@pytest.mark.parametrize("where,kind,words", documented_commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_documented_commands_parse(where, kind, words):
    words = [re.sub(r"\$\{?(\w+)[^}\s]*\}?", "X", w) for w in words]
    if kind == "mention":
        assert not words or words[0] in cli.COMMANDS or words[0].startswith("-"), words
        return
    args = cli.build_parser().parse_args(words)
    assert args.command in cli.COMMANDS
