"""Register a tag reader from the command line, for a bridge started beside the server.

The bureau's reader pages register readers too and show the secret once; this command is for a
reader whose bridge runs in the compose stack (docs/deploy.md, "A reader on this host") and for
the compose smoke test, where the secret is generated first and put in ``.env``. With
``--secret-env RFID_BRIDGE_SECRET`` the device gets the secret the bridge already has (read from
the environment, so that it never appears on a command line); without it the system makes one
and prints it once.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import SYSTEM_ADMIN
from accounts.errors import DomainError
from accounts.models import Organisation, User
from farms.models import Farm
from livestock.models import ReaderDevice
from livestock.services.devices import device_register

# As strong as the secrets the system makes (secrets.token_urlsafe(32): 43 characters), and what
# fits the column; no spaces, so that an env file holds it as it is.
SECRET_RE = re.compile(r"[!-~]{32,100}")


class Command(BaseCommand):
    help = "Register a tag reader (a bridge's device) on a farm or a site; prints its id and any new secret."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the device id the bridge uses, e.g. qsh-gate-1")
        parser.add_argument(
            "--name", required=True, help="a name staff recognise, e.g. 'Gate 1 loading chute'"
        )
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--farm", metavar="REGISTRATION_NUMBER", help="the farm's registration number")
        where.add_argument("--site", metavar="CODE", help="the warehouse or port, e.g. wh-qingshuihe")
        parser.add_argument(
            "--actor",
            default=SYSTEM_ADMIN.username,
            help=f"the user who registers it (default {SYSTEM_ADMIN.username})",
        )
        parser.add_argument(
            "--secret-env",
            metavar="VARIABLE",
            help="take the device secret from this environment variable (e.g. RFID_BRIDGE_SECRET) "
            "instead of making one",
        )

    def handle(self, *args, code, name, farm, site, actor, secret_env, **options):
        secret = None
        if secret_env:
            secret = os.environ.get(secret_env, "").strip()
            if not SECRET_RE.fullmatch(secret):
                raise CommandError(
                    f"{secret_env} must hold the device secret: 32 to 100 printable characters without "
                    "spaces (e.g. openssl rand -hex 32)."
                )
        actor_user = User.objects.filter(username=actor).first()
        if actor_user is None:
            raise CommandError(f"No user {actor!r} (seed_places creates {SYSTEM_ADMIN.username}).")
        farm_obj = site_obj = None
        if farm:
            farm_obj = Farm.objects.filter(registration_number=farm).first()
            if farm_obj is None:
                raise CommandError(f"No farm with registration number {farm!r}.")
        else:
            site_obj = Organisation.objects.filter(code=site).first()
            if site_obj is None:
                raise CommandError(f"No organisation with code {site!r}.")
        try:
            with transaction.atomic():
                device = device_register(actor=actor_user, code=code, name=name, farm=farm_obj, site=site_obj)
                if secret:
                    # The service always makes a fresh secret; the one the bridge was given replaces it
                    # in the same transaction, before anything can have been signed with the other.
                    ReaderDevice.objects.filter(pk=device.pk).update(secret=secret)
        except DomainError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"Reader {device.code} (id {device.pk}) is registered at {farm_obj or site_obj}.")
        if not secret:
            self.stdout.write(f"Its secret, shown only now (RFID_BRIDGE_SECRET): {device.secret}")
