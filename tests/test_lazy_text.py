"""Text fixed when a module is imported stays in the language of that moment.

A label or hint built at import time from a translated string (``_("… %(n)s") % {...}``,
``str(_(...))``, an f-string) is a plain ``str`` in one language for the life of the process:
the desk's attachment hint stayed Chinese on English pages that way. Every form field's label
and help text must stay lazy (or be plain text with no words to translate).
"""

import importlib
import inspect
import pkgutil
import re

from django import forms
from django.utils.functional import Promise

APPS = ["accounts", "farms", "livestock", "portal_shared", "portal_enterprise", "portal_ciq"]
WORDS = re.compile(r"[A-Za-z]{2}|[\u4e00-\u9fff]")


def form_classes():
    seen = set()
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or ".demo" in info.name:
                continue
            module = importlib.import_module(info.name)
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == module.__name__
                    and obj not in seen
                ):
                    seen.add(obj)
                    yield obj


def test_form_labels_and_hints_are_translated_when_shown():
    frozen = []
    for form in form_classes():
        for name, field in form.base_fields.items():
            for attr in ("label", "help_text"):
                value = getattr(field, attr)
                if value and not isinstance(value, Promise) and WORDS.search(str(value)):
                    frozen.append(f"{form.__module__}.{form.__name__}.{name}.{attr}: {value!r}")
    assert frozen == []
