"""The transport for a daemon's address: the unix socket's own (checks.transport), or, for tcp://
and ssh://, the one on http.client (checks.remote), imported only for such an address so that a
``check`` of a local socket does not pay for http.client, the email package and ssl.

A module above both, so that neither imports the other (tests/test_structure.py counts circles).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from checks.transport import Transport, TransportError, UnixTransport

if TYPE_CHECKING:
    import ssl


def open_transport(host: str, context: "ssl.SSLContext | None", timeout: float, ssh_argv: list[str] | None = None) -> Transport:
    """The transport for an address: unix://, tcp:// (TLS when ``context`` is given) or ssh:// (``ssh_argv``)."""
    scheme, _, rest = host.partition("://")
    if scheme == "unix" and rest:
        return UnixTransport(rest, timeout)
    if scheme == "tcp":
        from checks import remote

        parts = urlsplit(host)
        try:
            port = parts.port
        except ValueError as error:
            raise TransportError(str(error)) from None
        if not parts.hostname or port is None:
            raise TransportError("expected tcp://HOST:PORT")
        return remote.StreamTransport(remote.tcp_opener(parts.hostname, port, context), timeout)
    if scheme == "ssh" and ssh_argv:
        from checks import remote

        return remote.StreamTransport(remote.command_opener(ssh_argv), timeout)
    raise TransportError(f"unsupported address (scheme {scheme or 'none'!r}): use unix://, tcp:// or ssh://")
