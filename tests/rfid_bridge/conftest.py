"""Helpers for the bridge tests: a virtual serial cable, in-memory and HTTP delivery ends, redis-server.

None of these tests needs the database; the repository's Django conftest still loads, harmlessly.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import tty
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rfid_bridge import protocol
from rfid_bridge.bridge import Bridge, Settings
from rfid_bridge.delivery import DeliveryError
from rfid_bridge.profiles import ALLFLEX

SECRET = b"test-secret"
IN_CI = os.environ.get("CI") == "true"


def need_binary(name: str) -> str:
    """The path of a program the test needs: skip without it locally, fail in CI."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is not installed, and CI must run this test")
        pytest.skip(f"{name} is not installed")
    return path


def wait_until(condition, timeout: float = 10.0, interval: float = 0.01, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class VirtualCable:
    """A pty pair behind a fixed path: the bridge opens ``path``; the test writes into the far end.

    ``pull`` closes the pty (the bridge's reads fail as with a pulled USB cable) and removes the
    path; ``plug`` makes a new pty at the same path.
    """

    def __init__(self, path: Path):
        self.path = path
        self.master: int | None = None
        self.slave: int | None = None

    def plug(self) -> VirtualCable:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo and no CR/LF translation before the bridge opens it
        link = self.path.with_name(self.path.name + ".new")
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))
        os.replace(link, self.path)
        self.master, self.slave = master, slave
        return self

    def write(self, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("latin-1")
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def lines(self, lines) -> None:
        self.write(b"".join(line.encode("latin-1") + b"\r\n" for line in lines))

    def pending(self) -> int:
        """Bytes written but not yet read by the bridge."""
        import fcntl
        import sys
        import termios

        buf = fcntl.ioctl(self.slave, termios.FIONREAD, b"\0\0\0\0")
        return int.from_bytes(buf, sys.byteorder)

    def pull(self) -> None:
        self.path.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None


@pytest.fixture
def cable(tmp_path):
    cable = VirtualCable(tmp_path / "ttyRFID").plug()
    yield cable
    cable.pull()


class MemoryDelivery:
    """The delivery end as a list; checks every payload; can be told to fail."""

    name = "memory"

    def __init__(self, secret: bytes = SECRET):
        self.secret = secret
        self.payloads: list[dict] = []
        self.heartbeats: list[dict] = []
        self.received_at: list[float] = []
        self.failing: str | None = None
        self.refusing = False
        self.attempts = 0
        self.lock = threading.Lock()

    def send_reads(self, payload: dict) -> None:
        self.attempts += 1
        if self.failing:
            raise DeliveryError(self.failing, refused=self.refusing)
        assert protocol.validate_reads(payload) == []
        assert protocol.verify(payload, self.secret)
        with self.lock:
            self.payloads.append(payload)
            self.received_at.extend(time.monotonic() for _ in payload["reads"])

    def send_heartbeat(self, payload: dict) -> None:
        if self.failing:
            raise DeliveryError(self.failing)
        assert protocol.validate_heartbeat(payload) == []
        assert protocol.verify(payload, self.secret)
        self.heartbeats.append(payload)

    @property
    def reads(self) -> list[dict]:
        with self.lock:
            return [read for payload in self.payloads for read in payload["reads"]]

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "memory"


def make_settings(tmp_path: Path, port: str, **overrides) -> Settings:
    values = {
        "device": "gate-1",
        "port": port,
        "profile": ALLFLEX,
        "spool": tmp_path / "spool.sqlite3",
        "secret": SECRET,
        "heartbeat": 3600,
        "backoff_min": 0.05,
        "backoff_max": 0.2,
        "drain_timeout": 2.0,
        "status_every": 0.2,
        **overrides,
    }
    return Settings(**values)


class RunningBridge:
    """A bridge running ``run()`` in a thread, stopped cleanly at the end of the test."""

    def __init__(self, settings: Settings, delivery):
        self.bridge = Bridge(settings, delivery)
        self.thread = threading.Thread(target=self.bridge.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.bridge.stop()
            self.thread.join(15)
            assert not self.thread.is_alive(), "the bridge did not stop"


@pytest.fixture
def run_bridge():
    running: list[RunningBridge] = []

    def start(settings: Settings, delivery) -> Bridge:
        item = RunningBridge(settings, delivery)
        running.append(item)
        return item.bridge

    yield start
    for item in running:
        item.stop()


def tag_lines(count: int, start: int = 0, country: int = 156) -> tuple[list[str], list[str]]:
    """``count`` distinct Allflex lines and their normalised tags."""
    tags = [f"{country:03d}{n:012d}" for n in range(start + 1, start + count + 1)]
    return [f"LA {t[:3]} {t[3:]}" for t in tags], tags


def decode_message(raw: bytes) -> tuple[str, dict]:
    """(task name, payload) of a Celery message as kombu puts it on a Redis list."""
    message = json.loads(raw)
    assert message["content-type"] == "application/json"
    args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    assert kwargs == {} and len(args) == 1
    return message["headers"]["task"], args[0]


class AckingWorker:
    """The server side of Celery delivery as the bridge sees it, on a real redis-server: takes each
    reads message off the queue and acknowledges it as livestock.tasks does after its commit.
    ``lose`` messages are taken and dropped instead, as by a worker killed at that moment."""

    def __init__(self, port: int):
        import redis

        self.client = redis.Redis(port=port)
        self.payloads: list[dict] = []
        self.lose = 0
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import redis

        while not self._stop.is_set():
            try:
                item = self.client.brpop([protocol.QUEUE], timeout=0.2)
            except redis.ConnectionError:
                time.sleep(0.1)
                continue
            if not item:
                continue
            task, payload = decode_message(item[1])
            if task != protocol.TASK_INGEST:
                continue
            if self.lose:
                self.lose -= 1
                continue
            with self.lock:
                self.payloads.append(payload)
            self.client.rpush(protocol.ack_key(payload["device"]), protocol.ack_text(payload["reads"]))

    @property
    def seqs(self) -> list[int]:
        with self.lock:
            return [read["seq"] for payload in self.payloads for read in payload["reads"]]

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(5)


class RedisServer:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                need_binary("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_until(lambda: self._ping(client), timeout=10, what="redis-server to start")

    @staticmethod
    def _ping(client) -> bool:
        import redis

        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path):
    need_binary("redis-server")
    server = RedisServer(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


class Sink(ThreadingHTTPServer):
    """The server's ingestion API, as far as the bridge can tell: answers what the test says."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.status, self.answer = 200, b'{"accepted": true}'
        self.content_type = "application/json"
        self.reads: list[dict] = []
        self.heartbeats: list[dict] = []
        self.refused = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class SinkHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        with server.lock:
            status, answer = server.status, server.answer
            if 200 <= status < 300:
                assert protocol.verify(payload, SECRET)
                if self.path == protocol.READS_PATH:
                    assert protocol.validate_reads(payload) == []
                    server.reads.extend(payload["reads"])
                elif self.path == protocol.HEARTBEAT_PATH:
                    assert protocol.validate_heartbeat(payload) == []
                    server.heartbeats.append(payload)
                else:
                    status, answer = 404, b"<html>no</html>"
            else:
                server.refused += 1
        self.send_response(status)
        self.send_header("Content-Type", server.content_type)
        if 300 <= status < 400:
            self.send_header("Location", "https://elsewhere.example/api/bridge/reads/")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def sink():
    server = Sink()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
