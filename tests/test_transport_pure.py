"""The unix-socket transport's own HTTP/1.1 reader, on answers written by hand: every body framing, and cut-short answers."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from pathlib import Path

import pytest

from checks.transport import TransportError, UnixTransport


def answered(raw: bytes, stream: bool = False, size: int = -1):
    """Serves ``raw`` once on a unix socket, then reads it back through UnixTransport; also returns the request."""
    folder = Path(tempfile.mkdtemp(prefix="dgtp-"))
    path = str(folder / "s.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    seen = {}

    def serve():
        connection, _ = server.accept()
        seen["request"] = connection.recv(65536)
        try:
            for index in range(0, len(raw), 7):  # in small pieces, to cross every boundary
                connection.sendall(raw[index:index + 7])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader has all it needs (a chunked body's end) and hung up before the trailers
        finally:
            connection.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        response = UnixTransport(path, 5).get("/v1.41/containers/json", {"all": 1}, stream)
        body = response.read(size)
        response.close()
        return response.status, body, seen.get("request", b"")
    finally:
        thread.join(5)
        server.close()
        os.unlink(path)
        os.rmdir(folder)


def test_a_body_of_content_length_and_the_request_sent():
    status, body, request = answered(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n[1,2,3]")
    assert (status, body) == (200, b"[1,2,3]")
    assert request == b"GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"


def test_a_chunked_body_with_extensions_and_trailers():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\nA\r\nworld, 10b\r\n0\r\nTrailer: 1\r\n\r\n"
    assert answered(raw)[:2] == (200, b"hello world, 10b")
    assert answered(raw, stream=True, size=8)[:2] == (200, b"hello wo")


def test_a_body_up_to_the_end_of_the_connection_and_no_body():
    assert answered(b"HTTP/1.0 404 Not Found\r\n\r\n{\"message\": \"no\"}")[:2] == (404, b'{"message": "no"}')
    assert answered(b"HTTP/1.1 204 No Content\r\n\r\n")[:2] == (204, b"")


@pytest.mark.parametrize("raw", [
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Le",
    b"SSH-2.0-OpenSSH\r\n\r\n",
])
def test_a_cut_short_or_foreign_answer_is_a_transport_error(raw):
    with pytest.raises(TransportError):
        answered(raw)
