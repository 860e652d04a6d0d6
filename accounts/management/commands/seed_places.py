"""Create or update the reference data every installation needs, production included."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from accounts.demo import SYSTEM_ADMIN, seed_places


class Command(BaseCommand):
    help = (
        "Create or update the bureau's real places (head office, branches, ports, warehouse, lab), the "
        "system administrator's account and each app's reference tables (reference.py)."
    )

    def handle(self, *args, **options):
        orgs = seed_places()
        self.stdout.write(self.style.SUCCESS(f"{len(orgs)} places are in place."))
        # Apps keep the tables they need from the first day in reference.py (minimum distances,
        # checklists, credit grades…); ensure() only adds what is missing.
        for config in apps.get_app_configs():
            if config.name.startswith(("django", "rules", "axes", "simple_history", "leaflet")):
                continue
            if module_has_submodule(config.module, "reference"):
                import_module(f"{config.name}.reference").ensure()
                self.stdout.write(f"  reference data of {config.label} is in place")
        self.stdout.write(
            "Give the system administrator a password with: "
            f"python manage.py changepassword {SYSTEM_ADMIN.username}"
        )
