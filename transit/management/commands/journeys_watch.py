"""Run the periodic journey check in-process, every minute (``make run`` has no Celery beat)."""

import time

from django.core.management.base import BaseCommand

from transit.services.journeys import journeys_check


class Command(BaseCommand):
    help = "Check every truck on the road every --every seconds (what beat runs in production)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=60)
        parser.add_argument("--once", action="store_true")

    def handle(self, *args, every: int, once: bool, **options):
        while True:
            result = journeys_check()
            self.stdout.write(
                f"journeys: {result.trips} on the road, raised {result.raised}, resolved {result.resolved}"
            )
            if once:
                return
            time.sleep(max(5, every))
