import pytest


@pytest.fixture(autouse=True)
def _services_speak_english():
    """Service messages are read in English here (their Chinese: tests/test_i18n.py)."""
    from django.utils import translation

    with translation.override("en"):
        yield
