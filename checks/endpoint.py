"""Which daemon to read, and how, decided as the docker CLI decides it.

The CLI's rules (docker/cli: cli/command/cli.go ``resolveContextName``, cli/flags/options.go,
opts/hosts.go, cli/context/docker):

1. ``--host`` and ``--context`` together are an error.
2. The context is ``--context``; else ``default`` when ``--host`` or DOCKER_HOST is set; else
   DOCKER_CONTEXT; else the config's ``currentContext``; else ``default``.
3. The ``default`` context is ``--host``, else DOCKER_HOST, else the local socket. TLS comes from
   the environment: DOCKER_TLS_VERIFY (not empty) turns TLS on and checks the daemon's
   certificate, DOCKER_TLS (not empty) turns TLS on without that check; the files are ca.pem,
   cert.pem and key.pem in DOCKER_CERT_PATH (default: the config folder). A client certificate
   or key that is not there is left out; a CA that is not there fails when it is needed.
   ``tcp://host`` without a port gets 2376 with TLS, 2375 without.
4. Any other context is read from the context store under the config folder (DOCKER_CONFIG, else
   ~/.docker): ``contexts/meta/<sha256 of the name>/meta.json`` and its TLS files under
   ``contexts/tls/<sha256 of the name>/docker/``. No config.json is needed for that.

A fault in any of this is a ``DaemonError`` (exit 3) that says what, where and what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping
from urllib.parse import urlsplit

from checks.errors import DaemonError, UsageError
from checks.messages import msg, register

if TYPE_CHECKING:
    import ssl  # imported by ssl_context, for a tcp:// address with TLS only: a unix socket never needs it

DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_CONTEXT = "default"

MESSAGES = {
    "endpoint.both": {
        "pt-BR": "use --host ou --context, não os dois (como no docker CLI)",
        "en": "use --host or --context, not both (as with the docker CLI)",
    },
    "endpoint.tls_file": {
        "pt-BR": "TLS para {endpoint}: falta o arquivo {file} ({reason}). Coloque ca.pem, cert.pem e key.pem na pasta de DOCKER_CERT_PATH ({folder}), ou desligue DOCKER_TLS_VERIFY/DOCKER_TLS",
        "en": "TLS for {endpoint}: the file {file} is missing ({reason}). Put ca.pem, cert.pem and key.pem in the DOCKER_CERT_PATH folder ({folder}), or unset DOCKER_TLS_VERIFY/DOCKER_TLS",
    },
    "endpoint.tls_bad": {
        "pt-BR": "TLS para {endpoint}: o arquivo {file} não é um certificado ou chave utilizável ({reason}). Gere-o de novo ou aponte DOCKER_CERT_PATH para outra pasta",
        "en": "TLS for {endpoint}: the file {file} is not a usable certificate or key ({reason}). Make it again or point DOCKER_CERT_PATH at another folder",
    },
    "endpoint.tls_failed": {
        "pt-BR": "a conexão TLS com {endpoint} falhou ({reason}). Confira se ca.pem é a autoridade que assinou o certificado do daemon, e se o certificado vale para esse endereço",
        "en": "the TLS connection to {endpoint} failed ({reason}). Check that ca.pem is the authority that signed the daemon's certificate, and that the certificate is valid for that address",
    },
    "endpoint.ssh_failed": {
        "pt-BR": "ssh para {endpoint} falhou ({reason}). Teste com `ssh {target} docker version`: a chave, o host e o docker do outro lado precisam funcionar",
        "en": "ssh to {endpoint} failed ({reason}). Try `ssh {target} docker version`: the key, the host and docker on the other side must work",
    },
    "endpoint.ssh_missing": {
        "pt-BR": "{endpoint} pede o programa ssh, que não foi encontrado no PATH ({reason}). Instale o cliente OpenSSH",
        "en": "{endpoint} needs the ssh program, which is not on PATH ({reason}). Install the OpenSSH client",
    },
    "endpoint.bad_ssh": {
        "pt-BR": "endereço ssh inválido {endpoint!r}: {reason}. Use ssh://[usuario@]host[:porta]",
        "en": "invalid ssh address {endpoint!r}: {reason}. Use ssh://[user@]host[:port]",
    },
    "endpoint.context_missing": {
        "pt-BR": "o contexto docker {name!r} não existe em {store} (escolhido por {source}); veja `docker context ls`",
        "en": "docker context {name!r} does not exist in {store} (chosen by {source}); see `docker context ls`",
    },
}
register(MESSAGES)


@dataclass(frozen=True)
class TLS:
    """How to speak TLS to a daemon: ``verify`` checks its certificate (against ``ca``, or the
    system's authorities when ``ca`` is None); ``cert``/``key`` are the client's own."""

    verify: bool
    ca: str | None = None
    cert: str | None = None
    key: str | None = None
    folder: str = ""  # where the files were looked for, for messages


@dataclass(frozen=True)
class Endpoint:
    """Where the daemon is, and the TLS settings to reach it with."""

    host: str
    tls: TLS | None = None
    context: str = DEFAULT_CONTEXT


def config_folder(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("DOCKER_CONFIG") or Path(environ.get("HOME") or Path.home()) / ".docker")


def resolve(host: str | None = None, context: str | None = None, environ: Mapping[str, str] | None = None) -> Endpoint:
    environ = os.environ if environ is None else environ
    if host and context:
        raise UsageError(msg("endpoint.both"))
    name, source = context_name(host, context, environ)
    if name == DEFAULT_CONTEXT:
        tls = _env_tls(environ)
        return Endpoint(parse_host(host or environ.get("DOCKER_HOST") or DEFAULT_HOST, tls is not None), tls)
    return _stored(name, source, environ)


def context_name(host: str | None, context: str | None, environ: Mapping[str, str]) -> tuple[str, str]:
    """The context's name and what chose it (for messages), as ``resolveContextName`` does."""
    if context:
        return context, "--context"
    if host or environ.get("DOCKER_HOST"):
        return DEFAULT_CONTEXT, "--host" if host else "DOCKER_HOST"
    if environ.get("DOCKER_CONTEXT"):
        return environ["DOCKER_CONTEXT"], "DOCKER_CONTEXT"
    current = _current_context(environ)
    if current:
        return current, str(config_folder(environ) / "config.json")
    return DEFAULT_CONTEXT, DEFAULT_CONTEXT


def _current_context(environ: Mapping[str, str]) -> str | None:
    """The config's ``currentContext`` (``docker context use``); none when there is no config.json."""
    try:
        value = json.loads((config_folder(environ) / "config.json").read_text()).get("currentContext")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and value else None


def _env_tls(environ: Mapping[str, str]) -> TLS | None:
    verify = bool(environ.get("DOCKER_TLS_VERIFY"))
    if not verify and not environ.get("DOCKER_TLS"):
        return None
    folder = Path(environ.get("DOCKER_CERT_PATH") or config_folder(environ))
    cert, key = folder / "cert.pem", folder / "key.pem"
    return TLS(
        verify=verify,
        ca=str(folder / "ca.pem"),
        cert=str(cert) if cert.exists() else None,  # the CLI leaves out a default file that is not there
        key=str(key) if key.exists() else None,
        folder=str(folder),
    )


def parse_host(host: str, tls: bool) -> str:
    """``opts.ParseHost``: a scheme-less ``host:port`` is TCP; TCP without a port gets 2376 with TLS, else 2375."""
    if "://" not in host:
        host = f"tcp://{host}"
    scheme, rest = host.split("://", 1)
    if scheme == "unix" and not rest:
        return DEFAULT_HOST
    if scheme != "tcp":
        return host
    try:
        parts = urlsplit(host)
        port = parts.port or (2376 if tls else 2375)
    except ValueError as error:
        raise DaemonError(msg("daemon.bad_host", endpoint=host, reason=str(error))) from None
    hostname = parts.hostname or "127.0.0.1"
    return f"tcp://[{hostname}]:{port}" if ":" in hostname else f"tcp://{hostname}:{port}"


def ssl_context(endpoint: Endpoint) -> ssl.SSLContext:
    """The client side of TLS as the CLI sets it up (go-connections' tlsconfig.Client): TLS 1.2 or
    later; with ``verify``, the daemon's certificate checked against the CA and the address."""
    import ssl

    tls = endpoint.tls
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    where = tls.folder or "-"
    if tls.verify:
        if tls.ca:
            _load(endpoint, tls.ca, where, lambda: context.load_verify_locations(cafile=tls.ca))
        else:
            context.load_default_certs()
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls.cert or tls.key:
        if not (tls.cert and tls.key):
            missing = str(Path(where) / ("key.pem" if tls.cert else "cert.pem"))
            raise DaemonError(msg("endpoint.tls_file", endpoint=endpoint.host, file=missing, reason="the other half of the pair is there", folder=where))
        _load(endpoint, tls.cert, where, lambda: context.load_cert_chain(tls.cert, tls.key))
    return context


def _load(endpoint: Endpoint, file: str, folder: str, load) -> None:
    import ssl  # ssl_context imported it already

    try:
        load()
    except FileNotFoundError as error:
        raise DaemonError(msg("endpoint.tls_file", endpoint=endpoint.host, file=file, reason=error.strerror, folder=folder)) from None
    except (ssl.SSLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
        raise DaemonError(msg("endpoint.tls_bad", endpoint=endpoint.host, file=file, reason=reason)) from None


def _stored(name: str, source: str, environ: Mapping[str, str]) -> Endpoint:
    """A context from the CLI's store, read directly: no config.json and no docker-py needed."""
    store = config_folder(environ) / "contexts"
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta_file = store / "meta" / digest / "meta.json"
    try:
        meta = json.loads(meta_file.read_text())
        docker = meta["Endpoints"]["docker"]
        host = str(docker["Host"])
    except FileNotFoundError:
        raise DaemonError(msg("endpoint.context_missing", name=name, store=str(store), source=source)) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        reason = getattr(error, "strerror", None) or f"{meta_file}: {error.__class__.__name__} {error}"
        raise DaemonError(msg("daemon.context", name=name, reason=reason)) from None
    folder = store / "tls" / digest / "docker"
    files = {part: folder / f"{part}.pem" for part in ("ca", "cert", "key")}
    present = {part: str(path) for part, path in files.items() if path.is_file()}
    skip = bool(docker.get("SkipTLSVerify"))
    tls = None
    if present or skip:  # the CLI's Endpoint.tlsConfig: no TLS data and no skip-verify means plain TCP
        tls = TLS(verify=not skip, ca=present.get("ca"), cert=present.get("cert"), key=present.get("key"), folder=str(folder))
    return Endpoint(parse_host(host, tls is not None) if host.startswith("tcp://") else host, tls, name)


@dataclass(frozen=True)
class SSHTarget:
    """``ssh://[user@]host[:port][/socket]`` as the CLI's connhelper/ssh parses it."""

    host: str
    user: str = ""
    port: str = ""
    path: str = ""

    def argv(self) -> list[str]:
        """The CLI's command: ``ssh -o ConnectTimeout=30 -T [-l user] [-p port] -- host docker system dial-stdio``."""
        remote = ["docker", "system", "dial-stdio"]
        if self.path.strip("/"):
            remote = ["docker", f"--host=unix://{self.path}", "system", "dial-stdio"]
        args = ["ssh", "-o", "ConnectTimeout=30", "-T"]
        if self.user:
            args += ["-l", self.user]
        if self.port:
            args += ["-p", self.port]
        return args + ["--", self.host, *remote]

    @property
    def display(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host


def parse_ssh(url: str) -> SSHTarget:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise DaemonError(msg("endpoint.bad_ssh", endpoint=url, reason=str(error))) from None
    if parts.password is not None:
        raise DaemonError(msg("endpoint.bad_ssh", endpoint=url, reason="ssh does not accept a password in the address"))
    if not parts.hostname:
        raise DaemonError(msg("endpoint.bad_ssh", endpoint=url, reason="no host"))
    if parts.query or parts.fragment:
        raise DaemonError(msg("endpoint.bad_ssh", endpoint=url, reason="extra query or fragment"))
    return SSHTarget(parts.hostname, parts.username or "", str(port) if port else "", parts.path)
