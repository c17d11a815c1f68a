"""(a) The floor: one GET /containers/json?all=1 and one GET /images/json, plain HTTP over the socket."""

import http.client
import json
import socket
import sys


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


connection = UnixConnection(sys.argv[1].removeprefix("unix://"))
sizes = {}
for path in ("/containers/json?all=1", "/images/json"):
    connection.request("GET", path)
    sizes[path] = len(json.loads(connection.getresponse().read()))
print(json.dumps({"listed": sizes}))
