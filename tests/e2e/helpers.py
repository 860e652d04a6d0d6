"""Helpers shared by the browser tests of transit (loading, port, the whole chain)."""

import io
from pathlib import Path

from django.utils import translation
from PIL import Image

TABLET = {"width": 1024, "height": 768}
TABLET_PORTRAIT = {"width": 1024, "height": 1366}


def tablet(new_context, locale: str = "zh-CN", viewport: dict | None = None):
    """A page in a fresh browser context (own cookies) sized as a tablet."""
    page = new_context(locale).new_page()
    page.set_viewport_size(viewport or TABLET)
    return page


def jpeg_photo(path: Path, colour=(150, 60, 60)) -> Path:
    """Write a small JPEG at ``path`` (a photo to upload) and return the path."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def event_labels(*kinds, language: str = "zh-hans") -> list[str]:
    """The labels an animal's page shows for these event kinds (livestock.vocab), translated."""
    from livestock import vocab

    with translation.override(language):
        return [str(vocab.KINDS[kind].label) for kind in kinds]
