"""The serial side: open the reader's port, cut its output into lines, survive a pulled cable.

``url`` is anything ``serial.serial_for_url`` opens: ``/dev/ttyUSB0``, ``loop://``,
``socket://host:port``. When the port disappears (cable pulled, USB adapter unplugged, the remote
serial server gone) the reader closes it and opens it again with back-off, forever, until told
to stop.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import serial

from .lines import Backoff, LineSplitter

log = logging.getLogger("rfid_bridge.reader")

READ_TIMEOUT = 0.1  # how often the loop looks at the stop flag when the reader is silent
# Bytes taken from the port at once, at most (about 24 reader lines): what is not yet taken stays
# in the operating system's buffer, where a killed bridge does not lose it.
READ_MAX = 512
DRAIN_ON_STOP = 1.0  # seconds at most to read what is still buffered when stopping


def open_port(url: str, baudrate: int = 9600, bytesize: int = 8, parity: str = "N", stopbits: float = 1):
    """Open a serial URL for reading with a short timeout (so the loop can notice a stop)."""
    options = {
        "baudrate": baudrate,
        "bytesize": bytesize,
        "parity": parity,
        "stopbits": stopbits,
        "timeout": READ_TIMEOUT,
    }
    if "://" not in url:
        options["exclusive"] = True  # two bridges on one reader would each get half the lines
    port = serial.serial_for_url(url, do_not_open=True, **options)
    if hasattr(port, "_reset_input_buffer"):
        # pyserial empties the input buffer when it opens a port: reads a reader sent while the
        # bridge was restarting, and that the operating system still holds, would be thrown
        # away. Keep them (a half line at the start is recognised as one and counted).
        port._reset_input_buffer = lambda: None
    port.open()
    return port


class SerialLoop:
    """Read lines from the port until ``stop`` is set, calling ``on_line(line: bytes, at: float)``.

    ``on_state(connected: bool, error: str | None)`` is told when the port opens or is lost;
    ``on_partial(line)`` gets an unfinished line dropped at a disconnect. ``ready()``, asked before
    each read, may hold the loop back (it waits a little and returns False) while the lines taken
    are not yet safe: the port keeps the rest meanwhile.
    """

    def __init__(
        self,
        url: str,
        on_line: Callable[[bytes, float], None],
        on_state: Callable[[bool, str | None], None],
        on_partial: Callable[[bytes], None],
        stop: threading.Event,
        backoff: Backoff,
        serial_options: dict | None = None,
        opener: Callable = open_port,
        ready: Callable[[], bool] | None = None,
    ):
        self.url = url
        self.on_line, self.on_state, self.on_partial = on_line, on_state, on_partial
        self.stop, self.backoff = stop, backoff
        self.serial_options = serial_options or {}
        self.opener = opener
        self.ready = ready
        self.bytes_read = 0  # everything the port delivered, lines or not (for diagnosis)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                port = self.opener(self.url, **self.serial_options)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._lost(f"cannot open {self.url}: {exc}")
                continue
            self.backoff.reset()
            log.info("reader connected on %s", self.url)
            self.on_state(True, None)
            try:
                self._read(port)
            except (serial.SerialException, OSError) as exc:
                self._lost(f"lost {self.url}: {exc}")
            finally:
                with contextlib.suppress(serial.SerialException, OSError):
                    port.close()
        self.on_state(False, None)

    def _take(self, port, splitter: LineSplitter) -> bool:
        """Read what the port has (waiting up to READ_TIMEOUT); False when it had nothing."""
        waiting = min(port.in_waiting, READ_MAX)
        data = port.read(waiting if waiting > 0 else 1)
        if not data:
            return False
        self.bytes_read += len(data)
        now = time.time()
        for line in splitter.feed(data):
            self.on_line(line, now)
        return True

    def _lost(self, error: str) -> None:
        self.on_state(False, error)
        delay = self.backoff.next()
        log.warning("%s; trying again in %.1f s", error, delay)
        self.stop.wait(delay)

    def _read(self, port) -> None:
        splitter = LineSplitter()
        try:
            while not self.stop.is_set():
                if self.ready is None or self.ready():
                    self._take(port, splitter)
            # Stopping: what the reader already sent is in the port's buffer; take it (a stop
            # must not lose reads the bridge could still have had), then close.
            deadline = time.monotonic() + DRAIN_ON_STOP
            while self._take(port, splitter) and time.monotonic() < deadline:
                pass
        finally:
            partial = splitter.take_partial()
            if partial:
                self.on_partial(partial)
