"""Getting payloads to the server: Celery tasks on the ``rfid`` queue, or the HTTP ingestion API.

A ``send_*`` call returns only when the server side has the payload (Redis did the LPUSH, or the
HTTP server answered 2xx); anything else raises :class:`DeliveryError`, and the caller keeps the
reads and tries again later.

``confirms`` says whether a returned ``send_reads`` means *stored*: true over HTTP (the server
answers after its commit); false for Celery, where the reads are stored only when a worker has
run the task, and the worker's acknowledgement comes later through :meth:`CeleryDelivery.take_acks`
(see rfid_bridge.protocol, "Acknowledgements").
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import urllib.error
import urllib.request

from . import __version__
from .protocol import HEARTBEAT_PATH, QUEUE, READS_PATH, TASK_HEARTBEAT, TASK_INGEST, ack_key, parse_ack

log = logging.getLogger("rfid_bridge.delivery")


class DeliveryError(Exception):
    """Delivery did not happen. ``refused``: the server said no (4xx with a JSON answer)."""

    def __init__(self, message: str, refused: bool = False):
        super().__init__(message)
        self.refused = refused


class CeleryDelivery:
    """Publish Celery tasks with the Celery client only: no project code, JSON only.

    The bridge's Redis user may only ``LPUSH`` to the queue (docs/rfid_bridge.md, "Redis ACL"),
    so the queue is not declared (``declare=[]``) and the task goes straight to the list.
    """

    name = "celery"
    confirms = False

    def __init__(self, broker_url: str, queue: str = QUEUE, timeout: float = 10.0):
        from celery import Celery  # imported here: `parse` and `status` must not need Celery

        # fixups=[]: Celery's Django fixup would import Django whenever DJANGO_SETTINGS_MODULE is
        # set in the environment; the bridge must never touch the project.
        self.app = Celery("rfid_bridge", broker=broker_url, set_as_current=False, fixups=[])
        self.app.conf.update(
            task_serializer="json",
            accept_content=["json"],
            result_serializer="json",
            result_backend=None,
            task_create_missing_queues=True,
            broker_connection_retry=False,
            broker_connection_retry_on_startup=False,
            broker_connection_max_retries=0,
            broker_connection_timeout=timeout,
            broker_heartbeat=0,
            broker_pool_limit=1,
            broker_transport_options={
                "socket_timeout": timeout,
                "socket_connect_timeout": timeout,
                "max_retries": 0,
            },
        )
        self.queue = queue
        self._broker_url = broker_url
        self._timeout = timeout
        self._acks = None  # a plain Redis client for the acknowledgement list, made when needed

    def _send(self, task: str, payload: dict) -> None:
        try:
            self.app.send_task(task, args=[payload], queue=self.queue, retry=False, declare=[])
        except Exception as exc:  # noqa: BLE001 - kombu and redis-py raise many unrelated types
            raise DeliveryError(f"broker: {type(exc).__name__}: {exc}") from exc

    def send_reads(self, payload: dict) -> None:
        self._send(TASK_INGEST, payload)

    def send_heartbeat(self, payload: dict) -> None:
        self._send(TASK_HEARTBEAT, payload)

    def take_acks(self, device: str, limit: int = 1000) -> list[tuple[int, int]]:
        """Pop the workers' acknowledgements for ``device``: ``(first, last)`` seq ranges stored."""
        import redis  # the Celery client's Redis transport depends on it

        if self._acks is None:
            self._acks = redis.Redis.from_url(
                self._broker_url, socket_timeout=self._timeout, socket_connect_timeout=self._timeout
            )
        try:
            popped = self._acks.lpop(ack_key(device), limit) or []
        except redis.RedisError as exc:
            raise DeliveryError(f"broker: {type(exc).__name__}: {exc}") from exc
        acks = []
        for text in popped:
            ack = parse_ack(text)
            if ack is None:
                log.warning("ignoring a malformed acknowledgement %r on %s", text, ack_key(device))
            else:
                acks.append(ack)
        return acks

    def close(self) -> None:
        # Closing a broken connection may fail in any way; there is nothing left to do then.
        with contextlib.suppress(Exception):
            self.app.close()
        if self._acks is not None:
            with contextlib.suppress(Exception):
                self._acks.close()

    def describe(self) -> str:
        return f"Celery queue {self.queue!r} on {self.app.connection_for_write().as_uri()}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body: refuse instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class HttpDelivery:
    """POST JSON to ``{server}/api/bridge/reads/`` and ``/api/bridge/heartbeat/``."""

    name = "http"
    confirms = True  # the server answers 2xx only after it committed the reads

    def __init__(self, server: str, timeout: float = 10.0):
        self.server = server.rstrip("/")
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def _post(self, path: str, payload: dict) -> None:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        request = urllib.request.Request(
            self.server + path,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": f"rfid-bridge/{__version__}"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from exc
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise DeliveryError(f"server {self.server}: {exc}") from exc
        if not 200 <= status < 300:
            raise DeliveryError(f"server {self.server} answered HTTP {status}")

    def _refusal(self, exc: urllib.error.HTTPError) -> DeliveryError:
        try:
            text = exc.read(2000).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        if 300 <= exc.code < 400:
            where = exc.headers.get("Location", "?")
            return DeliveryError(f"server redirected to {where}: set --server to the final address")
        if 400 <= exc.code < 500:
            try:
                answer = json.loads(text)
            except ValueError:
                answer = None
            if answer is not None:
                return DeliveryError(f"server refused (HTTP {exc.code}): {text[:500]}", refused=True)
        return DeliveryError(f"server {self.server} answered HTTP {exc.code}: {text[:200]}")

    def send_reads(self, payload: dict) -> None:
        self._post(READS_PATH, payload)

    def send_heartbeat(self, payload: dict) -> None:
        self._post(HEARTBEAT_PATH, payload)

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return f"HTTP {self.server}{READS_PATH}"


class NullDelivery:
    """Accept everything and keep nothing: for benchmarks only (reads leave the spool unsent)."""

    name = "null"
    confirms = True

    def __init__(self):
        self.reads = 0
        self.payloads = 0

    def send_reads(self, payload: dict) -> None:
        self.reads += len(payload["reads"])
        self.payloads += 1

    def send_heartbeat(self, payload: dict) -> None:
        pass

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "nowhere (benchmark)"
