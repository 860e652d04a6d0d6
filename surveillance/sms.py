"""The one gateway for text messages (SMS). ``settings.SMS_BACKEND`` names the backend.

Every app sends through ``sms_send`` (alerts now; notices to enterprises later), never through
a provider's client of its own. Backends:

- ``surveillance.sms.ConsoleBackend`` — prints each message (the embedded mode's default);
- ``surveillance.sms.LocMemBackend`` — keeps them in ``surveillance.sms.outbox`` (the tests');
- ``surveillance.sms.HttpBackend`` — POSTs ``{"to": [...], "text": "..."}`` as JSON to
  ``settings.SMS_URL`` with ``Authorization: Bearer <SMS_TOKEN>``: the shape of most SMS
  gateways' HTTP APIs, or of a small adapter in front of the provider the bureau contracts.

A backend is a class with ``send(messages) -> int`` (how many were accepted). A gateway that
fails raises ``SmsError``; the caller (a Celery task) retries.
"""

import json
import logging
import sys
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)

#: What LocMemBackend sent, for tests (emptied by them).
outbox: list["SmsMessage"] = []

#: A text message longer than this is cut (with "…"): several SMS parts at most.
MAX_LENGTH = 280


class SmsError(Exception):
    """The gateway refused or could not be reached."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class ConsoleBackend:
    def send(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            sys.stdout.write(f"[SMS to {message.to}] {message.text}\n")
        sys.stdout.flush()
        return len(messages)


class LocMemBackend:
    def send(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


class HttpBackend:
    timeout = 10

    def send(self, messages: list[SmsMessage]) -> int:
        url = settings.SMS_URL
        if not url:
            raise SmsError("SMS_URL is not set")
        sent = 0
        for message in messages:
            body = json.dumps({"to": [message.to], "text": message.text}).encode()
            request = urllib.request.Request(url, data=body, method="POST")
            request.add_header("Content-Type", "application/json")
            if settings.SMS_TOKEN:
                request.add_header("Authorization", f"Bearer {settings.SMS_TOKEN}")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                    if response.status >= 300:
                        raise SmsError(f"gateway answered {response.status}")
            except OSError as exc:
                raise SmsError(str(exc)) from exc
            sent += 1
        return sent


def backend():
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, to: list[str] | str, text: str) -> int:
    """Send ``text`` to each number in ``to`` (blank numbers skipped); return how many were accepted."""
    numbers = [to] if isinstance(to, str) else list(to)
    text = text if len(text) <= MAX_LENGTH else text[: MAX_LENGTH - 1] + "…"
    messages = [SmsMessage(to=n.strip(), text=text) for n in numbers if n and n.strip()]
    if not messages:
        return 0
    return backend().send(messages)
