from django.core.management.base import BaseCommand

from accounts.demo import SYSTEM_ADMIN, seed_places


class Command(BaseCommand):
    help = (
        "Create or update the bureau's real places (head office, branches, ports, warehouse, lab) "
        "and the system administrator's account."
    )

    def handle(self, *args, **options):
        orgs = seed_places()
        self.stdout.write(self.style.SUCCESS(f"{len(orgs)} places are in place."))
        self.stdout.write(
            "Give the system administrator a password with: "
            f"python manage.py changepassword {SYSTEM_ADMIN.username}"
        )
