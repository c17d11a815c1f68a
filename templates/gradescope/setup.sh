#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image: the autograder zip holds
# this file, run_autograder and a copy of the docker-grader repository in docker-grader/.
set -euo pipefail
bash /autograder/source/docker-grader/scripts/setup.sh --runtime
