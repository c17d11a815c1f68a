"""Reaching the daemon as the docker CLI does: -H, --context, DOCKER_HOST, DOCKER_CONTEXT, the
current context, TLS from DOCKER_TLS_VERIFY/DOCKER_TLS/DOCKER_CERT_PATH, and ssh://.

TLS is tested for real: the test makes its own CA and certificates with openssl, and puts a TLS
listener on 127.0.0.1 in front of the tests' lab socket. The listener checks the client's
certificate against that CA, as ``dockerd --tlsverify`` does, and counts the handshakes that got
through. ssh:// is tested against a fake ``ssh`` on PATH that records its arguments and runs
``docker system dial-stdio`` against the lab (no sshd of our own is run: the machine's openssh-server
is not installed, and installing it would start the system's own).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from checks import cli, endpoint
from checks.errors import UsageError

EXERCISE = "remove-images"  # passes on the emptied lab: exit 0 means the daemon was reached and read


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(folder: Path, name: str) -> None:
    folder.mkdir(parents=True)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
            "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=folder)


def issue(ca: Path, out: Path, name: str, extensions: str) -> None:
    """A key and a certificate for ``name``, signed by the CA in ``ca``, into ``out``/{key,cert}.pem."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "ext.cnf").write_text(extensions)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}", "-keyout", str(out / "key.pem"), "-out", str(out / "req.csr"), cwd=ca)
    openssl("x509", "-req", "-in", str(out / "req.csr"), "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-days", "2", "-extfile", str(out / "ext.cnf"), "-out", str(out / "cert.pem"), cwd=ca)
    shutil.copy(ca / "ca.pem", out / "ca.pem")


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    """ca/ (the daemon's CA), server/, client/ (cert, key and the CA), other-ca/ and other-client/ (another CA's)."""
    root = tmp_path_factory.mktemp("pki")
    make_ca(root / "ca", "docker-grader test CA")
    issue(root / "ca", root / "server", "localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    issue(root / "ca", root / "client", "client", "extendedKeyUsage=clientAuth\n")
    make_ca(root / "other-ca", "another CA")
    issue(root / "other-ca", root / "other-client", "client", "extendedKeyUsage=clientAuth\n")
    return root


class TLSListener:
    """A TLS endpoint on 127.0.0.1 for the lab's daemon, as ``dockerd --tlsverify`` serves one:
    TLS 1.2+, the server certificate, a client certificate required and checked against the CA."""

    def __init__(self, pki: Path, upstream: str):
        self.upstream = upstream
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.load_cert_chain(pki / "server" / "cert.pem", pki / "server" / "key.pem")
        self.context.verify_mode = ssl.CERT_REQUIRED
        self.context.load_verify_locations(pki / "ca" / "ca.pem")
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.handshakes = 0  # connections whose TLS handshake succeeded
        self.refused = 0  # connections whose handshake failed
        self._closing = False
        self.refusal = threading.Event()  # the listener's side of a refused handshake ends after the client's
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def host(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._closing:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(conn,), daemon=True).start()

    def _relay(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            self.refused += 1
            self.refusal.set()
            conn.close()
            return
        self.handshakes += 1
        upstream = socket.socket(socket.AF_UNIX)
        try:
            upstream.connect(self.upstream)
            tls.setblocking(False)
            peers = {tls: upstream, upstream: tls}
            while True:
                if tls.pending():
                    ready = [tls]
                else:
                    ready, _, _ = select.select(list(peers), [], [], 10)
                if not ready:
                    return
                for source in ready:
                    try:
                        data = source.recv(65536)
                    except ssl.SSLWantReadError:
                        continue
                    if not data:
                        return
                    peers[source].setblocking(True)
                    peers[source].sendall(data)
                    peers[source].setblocking(peers[source] is not tls)
        except OSError:
            return
        finally:
            upstream.close()
            tls.close()

    def close(self) -> None:
        self._closing = True
        self.server.close()


@pytest.fixture
def tls_daemon(daemon, lab, pki):
    listener = TLSListener(pki, str(lab.socket))
    yield listener
    listener.close()


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No docker variable of the machine's, and a config folder of the test's own (no config.json)."""
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "docker-config"
    config.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    return config


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["check", EXERCISE, "--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def docker_cli(config: Path, *args: str) -> None:
    """The real docker CLI, to make contexts exactly as users do."""
    env = {"PATH": os.environ["PATH"], "HOME": str(config.parent), "DOCKER_CONFIG": str(config)}
    subprocess.run(["docker", *args], env=env, check=True, capture_output=True, text=True)


# --- TLS from the environment, against the real daemon behind the TLS listener -------------------


def test_docker_host_with_tls_verify_and_cert_path(tls_daemon, pki, clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_HOST", tls_daemon.host)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(pki / "client"))
    code, out, err = check(capsys)
    assert (code, err) == (0, ""), err
    assert "remove-images" in out
    # one handshake per GET request: /version, the container list and the image list
    assert (tls_daemon.handshakes, tls_daemon.refused) == (3, 0)


def test_host_flag_with_tls_from_the_environment_and_the_certs_in_the_config_folder(tls_daemon, pki, clean_env, monkeypatch, capsys):
    """Without DOCKER_CERT_PATH the CLI looks in its config folder (DOCKER_CONFIG)."""
    for name in ("ca.pem", "cert.pem", "key.pem"):
        shutil.copy(pki / "client" / name, clean_env / name)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    for flag in ("-H", "--host"):
        code, _, err = check(capsys, flag, tls_daemon.host)
        assert (code, err) == (0, ""), err


def test_tcp_without_a_port_gets_2376_with_tls_and_2375_without():
    assert endpoint.parse_host("tcp://127.0.0.1", tls=True) == "tcp://127.0.0.1:2376"
    assert endpoint.parse_host("tcp://127.0.0.1", tls=False) == "tcp://127.0.0.1:2375"
    assert endpoint.parse_host("127.0.0.1:7", tls=False) == "tcp://127.0.0.1:7"
    assert endpoint.parse_host("unix://", tls=False) == endpoint.DEFAULT_HOST


def test_missing_certificates_exit_3_with_a_complete_json_document(tls_daemon, clean_env, tmp_path, monkeypatch, capsys):
    empty = tmp_path / "no-certs"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_HOST", tls_daemon.host)
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(empty))
    target = tmp_path / "result.json"
    code, _, err = check(capsys, "--format", "json", "--output", str(target))
    assert code == 3, err
    assert err == (
        f"TLS for {tls_daemon.host}: the file {empty}/ca.pem is missing (No such file or directory). "
        f"Put ca.pem, cert.pem and key.pem in the DOCKER_CERT_PATH folder ({empty}), or unset DOCKER_TLS_VERIFY/DOCKER_TLS\n"
    )
    document = json.loads(target.read_text())
    assert document["status"] == "error" and document["error"] == err.strip()
    assert [e["id"] for e in document["exercises"]] == [EXERCISE]
    assert tls_daemon.handshakes + tls_daemon.refused == 0  # nothing was sent


def test_a_certificate_file_that_is_not_one_is_named(tls_daemon, pki, clean_env, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "broken"
    shutil.copytree(pki / "client", folder)
    (folder / "key.pem").write_text("not a key\n")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(folder))
    code, _, err = check(capsys, "-H", tls_daemon.host)
    assert code == 3 and err.startswith(f"TLS for {tls_daemon.host}: the file {folder}/cert.pem is not a usable certificate or key (")
    assert len(err.splitlines()) == 1


def test_a_daemon_signed_by_another_ca_is_a_tls_fault_not_the_docker_group(tls_daemon, pki, clean_env, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "mixed"
    shutil.copytree(pki / "client", folder)
    shutil.copy(pki / "other-ca" / "ca.pem", folder / "ca.pem")  # the client trusts another CA
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(folder))
    code, _, err = check(capsys, "-H", tls_daemon.host)
    assert code == 3
    assert err.startswith(f"the TLS connection to {tls_daemon.host} failed ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert "docker group" not in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert tls_daemon.handshakes == 0


def test_a_client_the_daemon_does_not_trust_is_a_tls_fault(tls_daemon, pki, clean_env, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "stranger"
    shutil.copytree(pki / "other-client", folder)
    shutil.copy(pki / "ca" / "ca.pem", folder / "ca.pem")  # trusts the daemon, but its own certificate is another CA's
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(folder))
    code, out, err = check(capsys, "-H", tls_daemon.host, "--format", "json")
    assert code == 3 and err.startswith(f"the TLS connection to {tls_daemon.host} failed (")
    assert "docker group" not in err and len(err.splitlines()) == 1
    assert json.loads(out)["status"] == "error"
    assert tls_daemon.refusal.wait(10) and tls_daemon.handshakes == 0


def test_docker_tls_without_verify_does_not_check_the_daemon(tls_daemon, pki, clean_env, tmp_path, monkeypatch, capsys):
    """DOCKER_TLS alone: TLS, the client certificate sent, the daemon's certificate not checked (no CA needed)."""
    folder = tmp_path / "no-ca"
    folder.mkdir()
    for name in ("cert.pem", "key.pem"):
        shutil.copy(pki / "client" / name, folder / name)
    monkeypatch.setenv("DOCKER_TLS", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(folder))
    code, _, err = check(capsys, "-H", tls_daemon.host)
    assert (code, err) == (0, "")
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")  # now the CA is needed, and it is not there
    code, _, err = check(capsys, "-H", tls_daemon.host)
    assert code == 3 and f"the file {folder}/ca.pem is missing" in err


def test_plain_http_to_a_tls_daemon_is_a_clean_exit_3(tls_daemon, clean_env, capsys):
    code, _, err = check(capsys, "-H", tls_daemon.host)
    assert code == 3 and "Traceback" not in err and len(err.splitlines()) == 1


# --- contexts ------------------------------------------------------------------------------------


def test_docker_context_works_without_a_config_json(tls_daemon, pki, clean_env, monkeypatch, capsys):
    client = pki / "client"
    docker_cli(clean_env, "context", "create", "tls-lab", "--docker",
               f"host={tls_daemon.host},ca={client}/ca.pem,cert={client}/cert.pem,key={client}/key.pem")
    (clean_env / "config.json").unlink(missing_ok=True)
    monkeypatch.setenv("DOCKER_CONTEXT", "tls-lab")
    code, _, err = check(capsys)
    assert (code, err) == (0, ""), err
    assert not (clean_env / "config.json").exists() and tls_daemon.handshakes == 3


def test_context_flag_current_context_and_their_order(tls_daemon, pki, lab, clean_env, monkeypatch, capsys):
    client = pki / "client"
    docker_cli(clean_env, "context", "create", "tls-lab", "--docker",
               f"host={tls_daemon.host},ca={client}/ca.pem,cert={client}/cert.pem,key={client}/key.pem")
    docker_cli(clean_env, "context", "create", "broken", "--docker", "host=tcp://127.0.0.1:1")
    docker_cli(clean_env, "context", "use", "broken")
    # the current context is used when nothing else is set
    assert check(capsys)[0] == 3
    # --context overrides it, and DOCKER_CONTEXT
    monkeypatch.setenv("DOCKER_CONTEXT", "broken")
    assert check(capsys, "--context", "tls-lab")[:2][0] == 0
    # DOCKER_CONTEXT overrides the current context
    monkeypatch.setenv("DOCKER_CONTEXT", "tls-lab")
    docker_cli(clean_env, "context", "use", "broken")
    assert check(capsys)[0] == 0
    # DOCKER_HOST overrides DOCKER_CONTEXT; --context overrides DOCKER_HOST
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
    assert check(capsys)[0] == 3
    assert check(capsys, "--context", "tls-lab")[0] == 0
    # --context default is DOCKER_HOST or the flags, as in the CLI
    monkeypatch.setenv("DOCKER_HOST", lab.host)
    assert check(capsys, "--context", "default")[0] == 0


def test_host_and_context_together_are_a_usage_error(clean_env, capsys):
    code, _, err = check(capsys, "-H", "unix:///x.sock", "--context", "x")
    assert (code, err) == (2, "use --host or --context, not both (as with the docker CLI)\n")
    with pytest.raises(UsageError):
        endpoint.resolve("unix:///x.sock", "x", {})


def test_an_unknown_context_says_which_and_where(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("DOCKER_CONTEXT", "nope")
    code, _, err = check(capsys)
    assert code == 3
    assert err == f"docker context 'nope' does not exist in {clean_env}/contexts (chosen by DOCKER_CONTEXT); see `docker context ls`\n"


# --- ssh:// through the system's ssh --------------------------------------------------------------


FAKE_SSH = """#!/bin/sh
# A stand-in for ssh: records its arguments, then does what the remote side would.
printf '%s\\n' "$@" >> "{log}"
{body}
"""


def fake_ssh(folder: Path, lab_host: str, body: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    log = folder / "argv.log"
    script = folder / "ssh"
    script.write_text(FAKE_SSH.format(log=log, body=body or f'DOCKER_HOST="{lab_host}" exec docker system dial-stdio'))
    script.chmod(0o755)
    return log


def test_ssh_host_goes_through_the_system_ssh_as_the_cli_calls_it(daemon, lab, clean_env, tmp_path, monkeypatch, capsys):
    log = fake_ssh(tmp_path / "bin", lab.host)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    code, _, err = check(capsys, "-H", "ssh://student@grader.example:2222")
    assert (code, err) == (0, ""), err
    calls = log.read_text().split("-o\n")[1:]
    # one ssh per request (/version and the two lists), each exactly the CLI's command line
    assert calls == ["ConnectTimeout=30\n-T\n-l\nstudent\n-p\n2222\n--\ngrader.example\ndocker\nsystem\ndial-stdio\n"] * 3


def test_ssh_failure_is_exit_3_with_ssh_s_own_words(clean_env, tmp_path, monkeypatch, capsys):
    fake_ssh(tmp_path / "bin", "", body='echo "student@grader.example: Permission denied (publickey)." >&2\nexit 255')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    target = tmp_path / "result.json"
    code, _, err = check(capsys, "-H", "ssh://student@grader.example", "--format", "json", "--output", str(target))
    assert code == 3
    assert err == (
        "ssh to ssh://student@grader.example failed (student@grader.example: Permission denied (publickey).). "
        "Try `ssh student@grader.example docker version`: the key, the host and docker on the other side must work\n"
    )
    assert json.loads(target.read_text())["exercises"][0]["id"] == EXERCISE


def test_no_ssh_program_is_exit_3(clean_env, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = check(capsys, "-H", "ssh://grader.example")
    assert code == 3 and err.startswith("ssh://grader.example needs the ssh program, which is not on PATH (ssh: No such file")


@pytest.mark.parametrize("address", ["ssh://", "ssh://me:secret@host", "ssh://host?x=1", "ssh://host:notaport"])
def test_bad_ssh_addresses_are_exit_3(address, clean_env, capsys):
    code, _, err = check(capsys, "-H", address)
    assert code == 3 and err.startswith(f"invalid ssh address {address!r}: ")


def test_resolution_without_any_setting_is_the_local_socket():
    assert endpoint.resolve(environ={"HOME": "/nonexistent"}) == endpoint.Endpoint(endpoint.DEFAULT_HOST)



def test_cert_path_alone_does_not_turn_tls_on():
    """As in the CLI: DOCKER_CERT_PATH says where the files are, DOCKER_TLS_VERIFY or DOCKER_TLS turns TLS on."""
    environ = {"DOCKER_HOST": "tcp://127.0.0.1", "DOCKER_CERT_PATH": "/certs", "HOME": "/nonexistent"}
    assert endpoint.resolve(environ=environ) == endpoint.Endpoint("tcp://127.0.0.1:2375")
    verify = endpoint.resolve(environ={**environ, "DOCKER_TLS_VERIFY": "1"})
    assert verify == endpoint.Endpoint("tcp://127.0.0.1:2376", endpoint.TLS(True, "/certs/ca.pem", None, None, "/certs"))
    assert endpoint.resolve(environ={**environ, "DOCKER_TLS_VERIFY": ""}).tls is None  # empty is unset, as in the CLI


def test_a_context_that_skips_verification(tls_daemon, pki, clean_env, monkeypatch, capsys):
    client = pki / "client"
    docker_cli(clean_env, "context", "create", "skip", "--docker",
               f"host={tls_daemon.host},cert={client}/cert.pem,key={client}/key.pem,skip-tls-verify=true")
    code, _, err = check(capsys, "--context", "skip")
    assert (code, err) == (0, ""), err
    resolved = endpoint.resolve(context="skip")
    assert resolved.tls.verify is False and resolved.tls.ca is None and resolved.context == "skip"


# --- the docker CLI itself agrees ------------------------------------------------------------------

CASES = {  # name: (environment, context to create as "lab-ctx" (with TLS files) or not, `docker context use`)
    "tls-verify": ({"DOCKER_HOST": "{host}", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "{pki}/client"}, False, None),
    "tls-verify-config-folder": ({"DOCKER_HOST": "{host}", "DOCKER_TLS_VERIFY": "1"}, False, None),
    "tls-other-ca": ({"DOCKER_HOST": "{host}", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "{pki}/mixed"}, False, None),
    "tls-no-verify": ({"DOCKER_HOST": "{host}", "DOCKER_TLS": "1", "DOCKER_CERT_PATH": "{pki}/mixed"}, False, None),
    "tls-untrusted-client": ({"DOCKER_HOST": "{host}", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "{pki}/stranger"}, False, None),
    "no-tls-to-a-tls-daemon": ({"DOCKER_HOST": "{host}"}, False, None),
    "context-without-config-json": ({"DOCKER_CONTEXT": "lab-ctx"}, True, None),
    "current-context": ({}, True, "lab-ctx"),
    "docker-host-over-docker-context": ({"DOCKER_HOST": "tcp://127.0.0.1:1", "DOCKER_CONTEXT": "lab-ctx"}, True, None),
    "unknown-context": ({"DOCKER_CONTEXT": "nope"}, False, None),
}


REACHES = {"tls-verify", "tls-verify-config-folder", "tls-no-verify", "context-without-config-json", "current-context"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_docker_cli_reaches_the_daemon_exactly_when_the_grader_does(case, tls_daemon, pki, tmp_path, monkeypatch, capsys):
    environment, make_context, use = CASES[case]
    config = tmp_path / "config"
    config.mkdir()
    for name in ("ca.pem", "cert.pem", "key.pem"):
        shutil.copy(pki / "client" / name, config / name)
    (tmp_path / "mixed").mkdir()
    for name in ("cert.pem", "key.pem"):
        shutil.copy(pki / "client" / name, tmp_path / "mixed" / name)
    shutil.copy(pki / "other-ca" / "ca.pem", tmp_path / "mixed" / "ca.pem")
    shutil.copytree(pki / "other-client", tmp_path / "stranger")
    shutil.copy(pki / "ca" / "ca.pem", tmp_path / "stranger" / "ca.pem")
    values = {"host": tls_daemon.host, "pki": str(tmp_path) if "mixed" in str(environment) or "stranger" in str(environment) else str(pki)}
    env = {key: value.format(**values) for key, value in environment.items()}
    base = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DOCKER_CONFIG": str(config)}
    if make_context:
        client = pki / "client"
        docker_cli(config, "context", "create", "lab-ctx", "--docker",
                   f"host={tls_daemon.host},ca={client}/ca.pem,cert={client}/cert.pem,key={client}/key.pem")
    if use:
        docker_cli(config, "context", "use", use)
    else:
        (config / "config.json").unlink(missing_ok=True)
    cli_run = subprocess.run(["docker", "version", "--format", "{{.Server.APIVersion}}"], env={**base, **env},
                             capture_output=True, text=True, timeout=60)
    for name in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"):
        monkeypatch.delenv(name, raising=False)
    for key, value in {**base, **env}.items():
        if key != "PATH":
            monkeypatch.setenv(key, value)
    code, _, err = check(capsys)
    assert (cli_run.returncode == 0, code == 0) in ((True, True), (False, False)), (cli_run.stderr, err)
    assert code == (0 if case in REACHES else 3) and "Traceback" not in err
