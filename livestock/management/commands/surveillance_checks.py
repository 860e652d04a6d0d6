"""Run the periodic checks of the alerts centre once (the embedded mode has no Celery beat).

It lives in livestock, not surveillance: it runs a livestock check too, and surveillance (floor 3)
may not import livestock (floor 4).
"""

from django.core.management.base import BaseCommand

from livestock.services.alerts import readers_silence_check
from surveillance.services import restrictions_refresh


class Command(BaseCommand):
    help = "Raise or close the alerts of silent readers, and flag farms that came into a disease zone."

    def handle(self, *args, **options):
        readers = readers_silence_check()
        zones = restrictions_refresh()
        self.stdout.write(
            f"readers: {readers['raised']} alerts raised, {readers['closed']} closed; "
            f"zones: {zones['flagged']} farms flagged, {zones['moved_out']} no longer inside"
        )
