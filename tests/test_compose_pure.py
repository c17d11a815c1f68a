"""The compose and http kinds on hand-built snapshots: projects from labels, published ports, probes.

test_compose_daemon.py runs the same kinds against a real dockerd and real compose projects.
"""

from __future__ import annotations

from checks import probe
from checks.kinds import compose, http
from checks.messages import Message
from checks.snapshot import HttpProbe

from apijson import FakeSource, container_json, image_id, snapshot

NGINX = image_id("ab")


def en(message: Message) -> str:
    return message.render("en")


def service(id_: str, project: str, name: str, number: int = 1, state: str = "running", status: str = "Up 3 seconds",
            ports=(), mounts=(), networks=(), labels=None) -> dict:
    item = container_json(id_ * 64, f"{project}_{name}_{number}", "nginx:1.25", NGINX, state, status)
    item["Labels"] = {compose.PROJECT: project, compose.SERVICE: name, "com.docker.compose.container-number": str(number), **(labels or {})}
    item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": c, "PublicPort": h, "Type": "tcp"} for h, c in ports]
    item["Mounts"] = [{"Type": "volume", "Name": v, "Source": f"/var/lib/docker/volumes/{v}/_data", "Destination": d, "RW": True}
                      for v, d in mounts]  # as dockerd lists them
    item["NetworkSettings"] = {"Networks": {n: {} for n in networks or [f"{project}_default"]}}
    return item


def inspected(source: FakeSource, id_: str, env=(), started="2026-11-29T02:00:00.5Z") -> None:
    source.inspected[id_ * 64] = {"Id": id_ * 64, "Config": {"Env": list(env)}, "State": {"StartedAt": started}}


# --- compose ---------------------------------------------------------------------------
def test_services_present_and_their_replicas():
    snap = snapshot(containers=[service("a", "shop", "web"), service("b", "shop", "web", 2), service("c", "shop", "db")])
    assert compose.evaluate({"services": {"web": {"replicas": 2}, "db": {}}}, snap).passed
    result = compose.evaluate({"services": {"web": {"replicas": 3}}}, snap)
    assert not result.passed
    assert en(result.found) == ("project shop: service web has 2 running container(s) (expected: 3): "
                                "shop_web_1 (running), shop_web_2 (running)")
    assert en(compose.evaluate({"services": {"cache": {}}}, snap).found) == "no compose project with the services cache (projects found: shop)"


def test_replicas_count_only_containers_in_the_state_asked():
    snap = snapshot(containers=[service("a", "shop", "web"), service("b", "shop", "web", 2, "exited", "Exited (137) 1 second ago")])
    assert compose.evaluate({"services": {"web": {"replicas": 1}}}, snap).passed
    assert compose.evaluate({"services": {"web": {"replicas": 1, "state": "exited"}}}, snap).passed
    assert not compose.evaluate({"services": {"web": {"replicas": 2}}}, snap).passed


def test_one_off_and_plain_containers_are_no_replicas():
    oneoff = service("b", "shop", "web", 2, labels={compose.ONEOFF: "True"})
    plain = container_json("c" * 64, "web", "nginx:1.25", NGINX, "running", "Up 1 second")
    snap = snapshot(containers=[service("a", "shop", "web"), oneoff, plain])
    assert compose.evaluate({"services": {"web": {"replicas": 1}}}, snap).passed


def test_two_projects_with_the_same_services_never_mix():
    snap = snapshot(containers=[service("a", "one", "web", ports=[(8080, 80)]), service("b", "two", "web"), service("c", "two", "db")])
    # web and db exist, but in different projects: no project has both
    both = compose.evaluate({"services": {"web": {}, "db": {}}}, snap)
    assert both.passed and en(both.found) == "project two: web (1), db (1); all as expected"
    assert not compose.evaluate({"project": "one", "services": {"web": {}, "db": {}}}, snap).passed
    ported = compose.evaluate({"services": {"web": {"ports": ["8080:80"]}, "db": {}}}, snap)
    assert not ported.passed  # project one publishes 8080, but has no db
    assert en(ported.found) == "project two: service web does not publish 8080:80; published ports: none"
    assert compose.evaluate({"project": "one", "services": {"web": {"ports": ["8080:80"]}}}, snap).passed


def test_published_ports_host_and_container():
    snap = snapshot(containers=[service("a", "shop", "web", ports=[(8081, 80)])])
    assert compose.evaluate({"services": {"web": {"ports": ["80", "8081:80", "8081:80/tcp"]}}}, snap).passed
    result = compose.evaluate({"services": {"web": {"ports": ["8080:80"]}}}, snap)
    assert en(result.found) == "project shop: service web does not publish 8080:80; published ports: 8081:80/tcp"
    assert not compose.evaluate({"services": {"web": {"ports": ["8081:80/udp"]}}}, snap).passed
    assert not compose.evaluate({"services": {"web": {"ports": ["443"]}}}, snap).passed


def test_health_from_the_list_status():
    snap = snapshot(containers=[service("a", "shop", "web", status="Up 9 seconds (healthy)"),
                                service("b", "shop", "db", status="Up 2 seconds (health: starting)"),
                                service("c", "shop", "cache")])
    assert compose.evaluate({"services": {"web": {"health": "healthy"}, "db": {"health": "starting"}}}, snap).passed
    result = compose.evaluate({"services": {"db": {"health": "healthy"}}}, snap)
    assert en(result.found) == "project shop: service db should be healthy; found: shop_db_1: starting"
    assert en(compose.evaluate({"services": {"cache": {"health": "healthy"}}}, snap).found) == (
        "project shop: service cache should be healthy; found: no healthcheck")


def test_volumes_and_networks_by_compose_name_or_full_name():
    snap = snapshot(containers=[service("a", "shop", "db", mounts=[("shop_data", "/data")], networks=["shop_back", "shared"])])
    assert compose.evaluate({"services": {"db": {"volumes": ["data", "shop_data"], "networks": ["back", "shared"]}}}, snap).passed
    assert en(compose.evaluate({"services": {"db": {"volumes": ["logs"]}}}, snap).found) == (
        "project shop: service db does not mount volume logs; mounts: shop_data")
    assert en(compose.evaluate({"services": {"db": {"networks": ["front"]}}}, snap).found) == (
        "project shop: service db is not on network front; networks: shared, shop_back")


def test_env_reads_each_replicas_inspect_once():
    source = FakeSource()
    inspected(source, "a", ["MODE=prod", "PATH=/bin"])
    inspected(source, "b", ["MODE=dev"])
    snap = snapshot(containers=[service("a", "shop", "web"), service("b", "shop", "web", 2), service("c", "shop", "db")], source=source)
    result = compose.evaluate({"services": {"web": {"env": {"MODE": "prod"}}}}, snap)
    assert en(result.found) == "project shop: variable MODE=prod is missing in shop_web_2 (service web)"
    assert sorted(source.calls) == [("inspect", "a" * 64), ("inspect", "b" * 64)]  # not db's
    assert compose.evaluate({"services": {"web": {"replicas": 2}}}, snap).passed
    assert len(source.calls) == 2


def test_depends_on_from_the_v2_label():
    web = service("a", "shop", "web", labels={compose.DEPENDS_ON: "db:service_started:false,cache:service_healthy:true"})
    snap = snapshot(containers=[web, service("b", "shop", "db"), service("c", "shop", "cache")], source=FakeSource())
    assert compose.evaluate({"services": {"web": {"depends_on": ["db", "cache"]}}}, snap).passed
    only_cache = service("a", "shop", "web", labels={compose.DEPENDS_ON: "cache:service_started:false"})
    snap = snapshot(containers=[only_cache, service("b", "shop", "db"), service("c", "shop", "cache")], source=FakeSource())
    assert not compose.evaluate({"services": {"web": {"depends_on": ["db"]}}}, snap).passed
    assert snap.source.calls == []  # the label says it: no inspect


def test_depends_on_without_labels_is_the_project_files_or_cannot_tell():
    # docker-compose 1.x: db started first, but start order is no dependency (3 of 8 projects without one did too)
    files = {compose.CONFIG_FILES: "docker-compose.yml", compose.WORKING_DIR: "/work"}
    source = FakeSource()
    containers = [service("a", "shop", "web", labels=files), service("b", "shop", "db", labels=files)]
    result = compose.evaluate({"services": {"web": {"depends_on": ["db"]}}}, snapshot(containers=containers, source=source))
    assert (result.passed, result.unknown) == (False, True)
    assert en(result.found) == ("project shop: whether service web depends on db cannot be told: docker-compose 1.x records no "
                                "depends_on on the daemon and the project's file could not be read (only `docker-grader run` reads it)")
    asked = []
    source.providers["project_file"] = lambda folder, text: asked.append((folder, text)) or {"web": {"db"}, "db": set()}
    assert compose.evaluate({"services": {"web": {"depends_on": ["db"]}}}, snapshot(containers=containers, source=source)).passed
    result = compose.evaluate({"services": {"db": {"depends_on": ["web"]}}}, snapshot(containers=containers, source=source))
    assert (result.passed, result.unknown) == (False, False)
    assert en(result.found) == "project shop: service db does not depend on web (neither compose's label nor the project's file declares it)"
    assert asked == [("/work", "docker-compose.yml")] * 2  # once per snapshot


def test_the_project_files_depends_on_stays_inside_the_submissions_copy(tmp_path):
    from checks import compose_files

    work = tmp_path / "work"
    work.mkdir()
    (work / "docker-compose.yml").write_text("services:\n  web: {image: x, depends_on: [db]}\n  db: {image: y}\n"
                                             "  worker: {image: z, depends_on: {db: {condition: service_started}}}\n")
    (tmp_path / "outside.yml").write_text("services:\n  web: {depends_on: [db]}\n")
    (work / "link.yml").symlink_to(tmp_path / "outside.yml")
    (work / "bomb.yml").write_text("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)))
    assert compose_files.depends_on(work, "/work", "docker-compose.yml") == {"web": {"db"}, "db": set(), "worker": {"db"}}
    assert compose_files.depends_on(work, "/work", "link.yml") is None
    assert compose_files.depends_on(work, "/work", "../outside.yml") is None
    assert compose_files.depends_on(work, "/work", str(tmp_path / "outside.yml")) is None
    assert compose_files.depends_on(work, "/work", "bomb.yml") is None
    assert compose_files.depends_on(work, "/work/sub", "../missing.yml") is None


def test_an_exercises_own_services_read_depends_on_from_the_instructors_file_only(tmp_path):
    from checks import compose_files

    course = tmp_path / "course"
    course.mkdir()
    (course / "app.yml").write_text("services:\n  app: {image: x, depends_on: [db]}\n  db: {image: y}\n")
    (course / "other.yml").write_text("services:\n  app: {image: x, depends_on: [cache]}\n")
    read = compose_files.instructor_depends_on
    assert read(course / "app.yml", str(course), "app.yml") == {"app": {"db"}, "db": set()}
    assert read(course / "app.yml", "/", str(course / "app.yml")) == {"app": {"db"}, "db": set()}
    assert read(course / "app.yml", str(course), "other.yml") is None  # a project made from another file


# --- http ------------------------------------------------------------------------------
def answer(port: int, status: int | None, body: bytes = b"", headers=None, tries: int = 1) -> HttpProbe:
    line = f"GET http://127.0.0.1:{port}/ → {status if status else 'connection refused'}"
    return HttpProbe((line,) * tries, status, headers or {}, body)


def test_http_goes_to_the_host_port_the_container_port_is_published_on():
    source = FakeSource()
    source.answers[(8081, "/")] = answer(8081, 200, b"<h1>It works!</h1>", {"content-type": "text/html"})
    snap = snapshot(containers=[service("a", "shop", "web", ports=[(8081, 80)])], source=source)
    result = http.evaluate({"service": "web", "port": 80, "body_contains": "It works!", "header": {"name": "Content-Type", "contains": "html"}}, snap)
    assert result.passed and en(result.found) == "http://127.0.0.1:8081/ answered 200, as expected"
    assert source.calls == [("http", 8081, "/", 5)]
    assert not http.evaluate({"host_port": 8080, "attempts": 2}, snap).passed
    assert source.calls[-1] == ("http", 8080, "/", 2)


def test_http_probes_the_ipv4_binding_when_dockerd_gave_ipv6_another_port():
    # dockerd 20.10 as `docker ps` showed it in moby/moby#43246: 0.0.0.0:49169->80/tcp, :::49168->80/tcp.
    # 127.0.0.1:49168 refuses (the :: listener is IPv6 only); the exercise's own wait had used 49169.
    source = FakeSource()
    source.answers[(49169, "/")] = answer(49169, 200, b"Loja do Curso")
    item = service("a", "shop", "app")
    item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 49169, "Type": "tcp"},
                     {"IP": "::", "PrivatePort": 80, "PublicPort": 49168, "Type": "tcp"}]
    result = http.evaluate({"service": "app", "port": 80, "body_contains": "Loja"}, snapshot(containers=[item], source=source))
    assert result.passed, en(result.found)
    assert source.calls == [("http", 49169, "/", 5)]


def test_http_tries_every_replica_on_ipv4_when_each_has_two_bindings():
    source = FakeSource()
    items = []
    for number, (v4, v6) in enumerate([(49160, 49159), (49162, 49161), (49164, 49163)], start=1):
        source.answers[(v4, "/")] = answer(v4, 200)
        item = service(str(number), "shop", "worker", number=number)
        item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": v4, "Type": "tcp"},
                         {"IP": "::", "PrivatePort": 80, "PublicPort": v6, "Type": "tcp"}]
        items.append(item)
    assert http.evaluate({"service": "worker", "port": 80}, snapshot(containers=items, source=source)).passed
    assert [call[1] for call in source.calls] == [49160, 49162, 49164]


def test_http_keeps_a_port_bound_on_ipv6_alone():
    source = FakeSource()
    item = service("a", "shop", "app")
    item["Ports"] = [{"IP": "::", "PrivatePort": 80, "PublicPort": 49168, "Type": "tcp"}]
    result = http.evaluate({"service": "app", "port": 80, "attempts": 1}, snapshot(containers=[item], source=source))
    assert en(result.found) == "no answer; tried: GET http://127.0.0.1:49168/ → connection refused"


def test_http_never_answering_lists_what_was_tried():
    source = FakeSource()
    snap = snapshot(containers=[service("a", "shop", "web", ports=[(8080, 80)])], source=source)
    result = http.evaluate({"service": "web", "port": 80, "attempts": 3}, snap)
    assert en(result.found) == "no answer; tried: GET http://127.0.0.1:8080/ → connection refused (×3)"


def test_http_500_body_and_header_failures():
    source = FakeSource()
    source.answers[(8080, "/")] = answer(8080, 500, b"boom", tries=5)
    source.answers[(8082, "/")] = answer(8082, 200, b"hello", {"content-type": "text/plain"})
    snap = snapshot(containers=[service("a", "shop", "web", ports=[(8080, 80)]), service("b", "shop", "api", ports=[(8082, 80)])], source=source)
    assert en(http.evaluate({"service": "web", "port": 80}, snap).found) == (
        "answered 500, expected 200; tried: GET http://127.0.0.1:8080/ → 500 (×5)")
    assert http.evaluate({"service": "web", "port": 80, "status": 500}, snap).passed
    assert en(http.evaluate({"service": "api", "port": 80, "body_contains": "bye"}, snap).found) == (
        "the answer of http://127.0.0.1:8082/ does not contain 'bye'; it starts: 'hello'")
    assert en(http.evaluate({"service": "api", "port": 80, "header": {"name": "Content-Type", "contains": "html"}}, snap).found) == (
        "the answer of http://127.0.0.1:8082/ has no header Content-Type with 'html'; found: 'text/plain'")


def test_http_without_a_running_container_or_a_published_port():
    source = FakeSource()
    snap = snapshot(containers=[service("a", "shop", "web"), service("b", "two", "web", ports=[(9000, 81)], state="exited", status="Exited (0)")], source=source)
    assert en(http.evaluate({"service": "web", "port": 80}, snap).found) == "port 80 of shop_web_1 is not published; published ports: none"
    assert en(http.evaluate({"service": "web", "project": "two", "port": 81}, snap).found) == "no running container of service web in project two"
    assert en(http.evaluate({"container": "nope", "port": 80}, snap).found) == "no running container named nope"
    assert source.calls == []


def test_http_on_a_remote_daemon_is_not_tried():
    source = FakeSource()
    source.answers[(8080, "/")] = HttpProbe(skipped="tcp://192.0.2.7:2376")
    snap = snapshot(containers=[service("a", "shop", "web", ports=[(8080, 80)])], source=source)
    assert en(http.evaluate({"service": "web", "port": 80}, snap).found).startswith("not tried: the daemon at tcp://192.0.2.7:2376 is on another machine")


# --- where probes go -------------------------------------------------------------------
def test_probes_go_to_loopback_and_never_to_another_machine(tmp_path):
    assert probe.for_host("unix:///var/run/docker.sock") == probe.Prober()
    assert probe.for_host("tcp://127.0.0.1:2375") == probe.Prober()
    assert probe.for_host("tcp://localhost:2375") == probe.Prober()
    assert probe.for_host("tcp://[::1]:2375") == probe.Prober()
    for remote in ("tcp://192.0.2.7:2376", "ssh://me@build.example.org", "tcp://docker:2375"):
        prober = probe.for_host(remote)
        assert prober.skipped == remote
        assert prober.probe(80, "/", 3) == HttpProbe(skipped=remote) and prober.sent == []


def test_a_labs_socket_names_its_network_namespace(tmp_path):
    (tmp_path / "netns").touch()
    (tmp_path / "lab.json").write_text(f'{{"host": "unix://{tmp_path}/docker.sock", "netns": "{tmp_path}/netns"}}')
    assert probe.for_host(f"unix://{tmp_path}/docker.sock").namespace == tmp_path / "netns"
    assert probe.for_host(f"unix://{tmp_path}/other.sock").namespace is None  # lab.json names another socket


def test_retries_are_bounded_and_stop_at_an_answer_below_500():
    prober = probe.Prober(address="127.0.0.1")
    slept = []
    prober.sleep = slept.append
    closed = _closed_port()
    result = prober.probe(closed, "/", 4)
    assert result.status is None and len(result.tried) == 4 and len(prober.sent) == 4 and slept == [probe.INTERVAL] * 3
    assert result.tried[0] == f"GET http://127.0.0.1:{closed}/ → connection refused"
    assert len(probe.Prober(sleep=slept.append).probe(closed, "/", 99).tried) == probe.MAX_ATTEMPTS


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_http_takes_only_tcp_ports():
    source = FakeSource()
    item = service("a", "shop", "dns")
    item["Ports"] = [{"IP": "0.0.0.0", "PrivatePort": 53, "PublicPort": 5353, "Type": "udp"}]
    result = http.evaluate({"service": "dns", "port": 53}, snapshot(containers=[item], source=source))
    assert en(result.found) == "port 53 of shop_dns_1 is not published; published ports: 5353:53" and source.calls == []


def test_a_5xx_is_tried_again_and_a_4xx_is_an_answer():
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(500 if self.path == "/broken" else 404)
            self.send_header("Content-Length", "4")
            self.end_headers()
            self.wfile.write(b"body")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        prober = probe.Prober(sleep=lambda seconds: None)
        broken = prober.probe(port, "/broken", 3)
        assert (broken.status, broken.body, len(prober.sent)) == (500, b"body", 3)
        prober.sent.clear()
        missing = prober.probe(port, "/missing", 3)
        assert (missing.status, len(prober.sent)) == (404, 1)
        assert missing.tried == (f"GET http://127.0.0.1:{port}/missing → 404",)
    finally:
        server.shutdown()
        server.server_close()


def test_a_namespace_that_cannot_be_entered_is_a_failed_probe_not_a_crash(tmp_path):
    (tmp_path / "netns").write_text("not a namespace")
    (tmp_path / "lab.json").write_text(f'{{"host": "unix://{tmp_path}/docker.sock", "netns": "{tmp_path}/netns"}}')
    prober = probe.for_host(f"unix://{tmp_path}/docker.sock")
    result = prober.probe(8080, "/", 3)
    assert result.status is None and prober.sent == []
    assert result.tried == (f"GET http://127.0.0.1:8080/ → not sent: cannot enter {tmp_path}/netns (Invalid argument)",)


def test_a_service_that_answers_one_byte_at_a_time_gets_one_deadline_for_the_whole_request(monkeypatch):
    """A per-read timeout let a service dripping its answer keep `run` alive past its budget (issue 20)."""
    import socket
    import threading
    import time

    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Padding: " + b"p" * 40 + b"\r\n\r\nok"
    sent: list[int] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def drip():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            try:
                for byte in answer:  # about 3 s in all, a byte every 0.05 s: each read gets something
                    connection.sendall(bytes([byte]))
                    sent.append(byte)
                    time.sleep(0.05)
            except OSError:  # the prober hung up
                pass

    threading.Thread(target=drip, daemon=True).start()
    monkeypatch.setattr(probe, "TIMEOUT", 0.5)
    try:
        result = probe.Prober(sleep=lambda seconds: None).probe(listener.getsockname()[1], "/", 1)
    finally:
        listener.close()
    assert result.status is None and result.tried[0].endswith("→ no answer in 0.5 s"), result
    assert len(sent) < len(answer) // 2  # the prober stopped reading long before the drip ended


def test_an_answer_that_keeps_its_connection_open_is_read_as_soon_as_it_is_whole():
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def hold():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            done.wait(10)  # open until the prober is done

    threading.Thread(target=hold, daemon=True).start()
    try:
        result = probe.Prober(sleep=lambda seconds: None).probe(listener.getsockname()[1], "/", 1)
    finally:
        done.set()
        listener.close()
    assert (result.status, result.body) == (200, b"hello")


def test_a_path_with_a_line_break_is_never_sent():
    """The probe writes its request line itself: a path with CR or LF would smuggle headers in."""
    import socket

    with socket.create_server(("127.0.0.1", 0)) as listener:  # listening, never accepting
        result = probe.Prober(sleep=lambda seconds: None).probe(listener.getsockname()[1], "/\r\nX-Evil: 1", 1)
    assert result.status is None and result.tried[0].endswith("→ InvalidURL"), result
