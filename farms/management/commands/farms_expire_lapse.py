from django.core.management.base import BaseCommand

from farms.services import registrations_expire_and_lapse


class Command(BaseCommand):
    help = (
        "Expire farm registrations past their validity and lapse those without consignments "
        "(also run by Celery beat)."
    )

    def handle(self, *args, **options):
        done = registrations_expire_and_lapse()
        self.stdout.write(self.style.SUCCESS(f"{done['expired']} expired, {done['lapsed']} lapsed."))
