"""yaml-language-server (the npm package VS Code's YAML extension runs), driven over stdio with
JSON-RPC as an editor drives it: initialize, the editor's settings, didOpen each file, then the
publishDiagnostics it sends back, waited for with a bound.

The server runs in a network namespace of its own (unshare -n): a schema it would download
(the schema store, a $schema URL) cannot leave the machine, and the tests use none."""

from __future__ import annotations

import json
import selectors
import subprocess
import time
from pathlib import Path

from npmtools import node, node_env, npm_package, program

WAIT = 60.0  # seconds for every opened file's diagnostics to arrive


class LanguageServer:
    def __init__(self, root: Path):
        server = npm_package("yaml-language-server") / "bin" / "yaml-language-server"
        self.root = root
        self.process = subprocess.Popen([program("unshare"), "--net", node(), str(server), "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=node_env(), cwd=root)
        self.buffer = b""
        self.next_id = 0
        self.diagnostics: dict[str, list[dict]] = {}
        self.settings: dict[str, dict] = {}
        self.configured = False

    def __enter__(self) -> LanguageServer:
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self.process.stdin.close()
        self.process.stdout.close()

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.process.stdin.flush()

    def request(self, method: str, params: dict) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        deadline = time.monotonic() + WAIT
        while True:
            message = self.receive(deadline)
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message
                return message["result"]

    def receive(self, deadline: float) -> dict:
        """The next message; the server's requests are answered (workspace/configuration from the
        settings, anything else with null), a diagnostics notification recorded."""
        while True:
            head, sep, rest = self.buffer.partition(b"\r\n\r\n")
            if sep:
                length = int(next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")).split(b":")[1])
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    message = json.loads(rest[:length])
                    if message.get("method") == "workspace/configuration":
                        sections = [item.get("section") for item in message["params"]["items"]]
                        self.send({"id": message["id"], "result": [self.settings.get(section) for section in sections]})
                        self.configured = True
                    elif "method" in message and "id" in message:
                        self.send({"id": message["id"], "result": None})
                    if message.get("method") == "textDocument/publishDiagnostics":
                        self.diagnostics[message["params"]["uri"]] = message["params"]["diagnostics"]
                    return message
            self.buffer += self._read(deadline)

    def _read(self, deadline: float) -> bytes:
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise TimeoutError(f"yaml-language-server sent nothing for {WAIT:g} s")
        chunk = self.process.stdout.read1(65536)
        if not chunk:
            raise EOFError("yaml-language-server exited")
        return chunk

    def start(self, schemas: dict[str, list[str]] | None = None) -> None:
        """initialize, then the settings an editor sends: validation on, the schema store off."""
        self.request("initialize", {"processId": None, "rootUri": self.root.as_uri(), "capabilities": {},
                                    "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}]})
        self.send({"method": "initialized", "params": {}})
        self.settings = {"yaml": {"validate": True, "schemas": schemas or {}, "schemaStore": {"enable": False}}}
        self.send({"method": "workspace/didChangeConfiguration", "params": {"settings": self.settings}})
        deadline = time.monotonic() + WAIT
        while not self.configured:  # the server asks for the settings back; files opened before are read without them
            self.receive(deadline)

    def diagnose(self, paths: list[Path]) -> dict[Path, list[dict]]:
        """Opens each file and waits for the server's diagnostics of every one."""
        uris = {path.resolve().as_uri(): path for path in paths}
        for uri, path in uris.items():
            self.send({"method": "textDocument/didOpen",
                       "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": path.read_text()}}})
        deadline = time.monotonic() + WAIT
        while not uris.keys() <= self.diagnostics.keys():
            self.receive(deadline)
        return {path: self.diagnostics[uri] for uri, path in uris.items()}
