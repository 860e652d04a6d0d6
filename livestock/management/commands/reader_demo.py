"""A simulated reader for the embedded mode: a virtual serial cable fed with demo tags.

``make run`` starts it beside the web server, so that a newcomer sees reads arrive on the bureau's
reader page without hardware. It registers a demo reader on a demo farm (once), opens a pseudo-
terminal pair — the virtual cable — and starts two programs of ``rfid_bridge`` on it: the real
bridge on one end, delivering over the HTTP API, and its simulator on the other, writing Allflex
reader lines: animals of that farm passing the reader, each read several times while in range, now
and then an unknown tag or a line of noise (``simulate --forever``). It imports nothing of the
bridge: it runs it, as a site runs it.
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
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation, User
from farms.models import Farm
from livestock.models import Animal, ReaderDevice

DEVICE = "demo-chute-1"
READS_APART_S = 0.1  # a tag in range is read about ten times a second
UNKNOWN_SHARE = 0.05  # of the tags passing: test tags (999) nobody registered
NOISE_SHARE = 0.01  # of the lines: the reader's power-on line and other things that are not tags


def simulator_command(
    tags_file: Path, *, rate: float, count: int, seed: int, reads_apart: float = READS_APART_S
) -> list[str]:
    """``python -m rfid_bridge simulate`` writing to standard output, as a chute reader would read.

    ``rate`` animals pass a second: each read 3-8 times, ``reads_apart`` seconds apart (0: as fast
    as possible), then the gap until the next one.
    """
    gap = max(0.0, 1 / rate - 5.5 * reads_apart)
    return [
        sys.executable,
        "-m",
        "rfid_bridge",
        "simulate",
        "--port",
        "-",
        "--profile",
        "allflex",
        "--tags",
        str(tags_file),
        "--forever",
        "--repeat",
        "3-8",
        "--rate",
        str(1 / reads_apart if reads_apart else 0),
        "--gap",
        f"{gap:.3f}",
        "--unknown",
        str(UNKNOWN_SHARE),
        "--noise",
        str(NOISE_SHARE),
        "--count",
        str(count),
        "--seed",
        str(seed),
    ]


class Command(BaseCommand):
    help = "Run a simulated ear-tag reader and its bridge against the local server (embedded mode)."

    def add_arguments(self, parser):
        parser.add_argument("--server", default="http://127.0.0.1:8000")
        parser.add_argument("--rate", type=float, default=0.5, help="animals passing per second")
        parser.add_argument("--count", type=int, default=0, help="stop after this many animals (0: never)")

    def handle(self, *args, server, rate, count, **options):
        if rate <= 0:
            raise CommandError("--rate must be above 0")
        device, tags = self._device()
        base = Path(settings.BASE_DIR) / "var" / "reader"
        base.mkdir(parents=True, exist_ok=True)
        secret = base / f"{device.code}.secret"
        secret.write_text(device.secret)
        secret.chmod(0o600)
        tags_file = base / "tags.txt"
        tags_file.write_text("".join(f"{tag}\n" for tag in tags))
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
        reader = None
        try:
            self._wait_for(server)
            # The reader's lines go into the cable's far end: the simulator's standard output.
            command = simulator_command(tags_file, rate=rate, count=count, seed=random.randrange(1 << 30))
            reader = subprocess.Popen(command, stdout=master, stderr=log)
            os.close(master)  # the simulator holds it now; the bridge reads the other end
            while reader.poll() is None and bridge.poll() is None:
                time.sleep(1)
            if count and reader.returncode == 0:
                return
            stopped = "the simulated reader" if reader.returncode is not None else "the bridge"
            raise CommandError(f"{stopped} stopped unexpectedly: see var/reader/bridge.log")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            for process in (reader, bridge):
                if process is not None and process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        process.kill()

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
