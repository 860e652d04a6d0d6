"""A simulated reader for the embedded mode: a virtual serial cable fed with demo tags.

``make run`` starts it beside the web server, so that a newcomer sees reads arrive on the bureau's
reader page without hardware. It registers a demo reader on a demo farm (once), opens a pseudo-
terminal pair — the virtual cable — starts the real ``rfid_bridge`` on one end, delivering over
the HTTP API, and writes Allflex reader lines into the other end: animals of that farm passing the
reader, each read several times while in range, now and then an unknown tag or a line of noise.
"""

import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import Organisation, User
from farms.models import Farm
from livestock.models import Animal, ReaderDevice
from rfid_bridge import iso11784, profiles

DEVICE = "demo-chute-1"


class Command(BaseCommand):
    help = "Run a simulated ear-tag reader and its bridge against the local server (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument("--rate", type=float, default=0.5, help="animals passing per second")
        parser.add_argument("--count", type=int, default=0, help="stop after this many animals (0: never)")

    def handle(self, *args, server, rate, count, **options):
        device, tags = self._device()
        base = Path(settings.BASE_DIR) / "var" / "reader"
        base.mkdir(parents=True, exist_ok=True)
        secret = base / f"{device.code}.secret"
        secret.write_text(device.secret)
        secret.chmod(0o600)
        master, slave = os.openpty()
        port = os.ttyname(slave)
        log = (base / "bridge.log").open("ab")
        bridge = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rfid_bridge",
                "run",
                "--device",
                device.code,
                "--port",
                port,
                "--profile",
                "allflex",
                "--server",
                server,
                "--secret-file",
                str(secret),
                "--spool",
                str(base / "spool.sqlite3"),
                "--status-file",
                str(base / "status.json"),
                "--heartbeat",
                "10",
            ],
            stdout=log,
            stderr=log,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(
            f"Simulated reader {device.code} on {port} ({device.site_name}): reads appear at "
            f"{server}/bureau/readers/{device.pk}/ (bridge log: var/reader/bridge.log)"
        )
        try:
            self._wait_for(server)
            self._feed(master, tags, rate, count)
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            bridge.terminate()
            try:
                bridge.wait(10)
            except subprocess.TimeoutExpired:
                bridge.kill()

    def _device(self):
        device = ReaderDevice.objects.filter(code=DEVICE).select_related("farm", "site").first()
        if device is None:
            farm = (
                Farm.objects.filter(status=Farm.Status.REGISTERED, animals__isnull=False)
                .order_by("enterprise__code", "pk")
                .first()
            )
            site = None if farm else Organisation.objects.get(code="wh-qingshuihe")
            device = ReaderDevice.objects.create(
                code=DEVICE,
                name="演示读卡器（装猪通道）",
                farm=farm,
                site=site,
                created_by=User.objects.filter(is_superuser=True).first(),
            )
        if device.farm_id:
            tags = list(
                Animal.objects.filter(
                    farm_id=device.farm_id, status=Animal.Status.ON_FARM, rfid__isnull=False
                ).values_list("rfid", flat=True)[:500]
            )
        else:
            tags = []
        return device, tags or [f"156{n:012d}" for n in range(1, 51)]

    def _wait_for(self, server: str) -> None:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{server}/healthz", timeout=2)
                return
            except OSError:
                time.sleep(1)

    def _feed(self, fd: int, tags: list[str], rate: float, count: int) -> None:
        rng = random.Random()
        allflex = profiles.get("allflex")
        passed = 0
        while not count or passed < count:
            # Now and then a tag nobody registered (999: a test tag).
            tag = f"999{rng.randrange(10**12):012d}" if rng.random() < 0.05 else rng.choice(tags)
            line = allflex.format(iso11784.from_decimal(tag[:3], tag[3:]))
            for _ in range(rng.randint(3, 8)):  # read again and again while in range
                os.write(fd, (line + "\r\n").encode())
                time.sleep(0.1)
            if rng.random() < 0.05:
                os.write(fd, b"\x02\r\n")  # the reader's power-on line: not a tag
            passed += 1
            time.sleep(max(0.0, 1 / rate - 0.5))
