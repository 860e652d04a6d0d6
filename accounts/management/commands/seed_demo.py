"""Load the demo data of every app, lowest floor first; safe to run again and again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

from accounts.demo import DEMO_PASSWORD, PEOPLE


class Command(BaseCommand):
    help = "Create or update demo organisations, people and data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        # Each app that has demo data keeps it in its own demo.py; INSTALLED_APPS lists the apps
        # lowest floor first, so an app's seed can rely on the ones below it.
        for config in apps.get_app_configs():
            if config.name.split(".")[0] in {"django", "rules", "axes", "simple_history", "leaflet"}:
                continue
            if module_has_submodule(config.module, "demo"):
                import_module(f"{config.name}.demo").seed()
                self.stdout.write(f"  seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if settings.DEMO_PASSWORDS and not options["quiet_logins"]:
            self.stdout.write("")
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for person in PEOPLE:
                self.stdout.write(f"  {person.role.label:<28} {person.username:<14} {person.organisation}")
        elif not settings.DEMO_PASSWORDS:
            self.stdout.write(
                "Demo accounts have no password outside the embedded mode (set one with changepassword)."
            )
