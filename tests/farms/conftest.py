import pytest


@pytest.fixture(autouse=True)
def _services_speak_english():
    """Farm tests read the services' messages in English (their Chinese: tests/test_i18n.py).

    Pages requested through the test client still choose their own language, as a browser
    would; this only sets the language of code called directly by a test.
    """
    from django.utils import translation

    with translation.override("en"):
        yield
