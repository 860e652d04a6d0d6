"""Checking an uploaded file by what it is, not by what its name says.

Every app that takes uploads (farm plans and photos, desk attachments, later certificates)
goes through ``upload_check``: a file is accepted only when its first bytes are those of an
allowed type, an image really decodes as one, and it is within the size limit.

An image's header may declare any size: a PNG of a few hundred bytes can claim 50,000 × 50,000
pixels and take gigabytes to decode (a "decompression bomb"), in our workers or in the browser
that shows it. Pillow refuses the worst itself (DecompressionBombError) and only warns below
that (89 million pixels); we refuse anything beyond ``settings.UPLOAD_MAX_MEGAPIXELS`` (80 by
default) from the header alone.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
IMAGES = frozenset({"image/png", "image/jpeg"})
ANY = frozenset(SIGNATURES.values())

FILE_TOO_BIG = _("“{name}” is {size} MB; files may be at most {limit} MB. Please reduce it and try again.")
FILE_WRONG_TYPE = _(
    "“{name}” is not an image (JPEG, PNG) or a PDF, whatever its name says. Please upload a photo, "
    "a scan or a PDF."
)
FILE_BROKEN_IMAGE = _("“{name}” looks like an image but cannot be opened; it may be damaged.")
FILE_EMPTY = _("“{name}” is empty.")
FILE_TOO_MANY_PIXELS = _(
    "“{name}” is too large an image: at most {limit} million pixels are accepted. Please upload a "
    "smaller photo or scan."
)


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    size: int


def upload_check(file, *, allowed=ANY) -> CheckedUpload:
    """Return the real type and size of an uploaded file, or raise DomainError saying what is wrong."""
    name = getattr(file, "name", "") or "?"
    limit_mb = settings.UPLOAD_MAX_MB
    size = file.size
    if not size:
        raise DomainError(format_lazy(FILE_EMPTY, name=name), items=[name])
    if size > limit_mb * 1024 * 1024:
        raise DomainError(
            format_lazy(FILE_TOO_BIG, name=name, size=f"{size / 1048576:.1f}", limit=limit_mb), items=[name]
        )
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    content_type = next((t for sig, t in SIGNATURES.items() if head.startswith(sig)), None)
    if content_type is None or content_type not in allowed:
        raise DomainError(format_lazy(FILE_WRONG_TYPE, name=name), items=[name])
    if content_type in IMAGES:
        _check_image(file, name)
    return CheckedUpload(content_type=content_type, size=size)


def _check_image(file, name: str) -> None:
    from PIL import Image, UnidentifiedImageError

    limit = settings.UPLOAD_MAX_MEGAPIXELS
    too_many = DomainError(format_lazy(FILE_TOO_MANY_PIXELS, name=name, limit=limit), items=[name])
    try:
        # Only the header is read here; Pillow refuses twice its own limit itself.
        with Image.open(file) as image:
            width, height = image.size
            if width * height > limit * 1_000_000:
                raise too_many
            image.verify()
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DomainError(format_lazy(FILE_BROKEN_IMAGE, name=name), items=[name]) from exc
    finally:
        file.seek(0)
