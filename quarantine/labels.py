"""Sample labels: an A4 sheet of 24 self-adhesive labels (3 × 8, 70 × 37 mm) per page.

70 × 37 mm, 24 to an A4 sheet with no margins between them, is the commonest label sheet sold
in China and Europe (Avery 3474, Herma 4453, 得力 / 晨光 A4 24-up): any office printer prints it.
Each label carries the sample number as a Code 128 barcode (what the laboratory's reader and
LIMS take) and as a QR code, with the consignment, the farm, the animal's national code, the
sample type and the day it was taken, in WenQuanYi Micro Hei (the certificate's embedded font).
"""

import io

from django.utils import timezone
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdf_canvas

from .models import Consignment, Sample
from .pdf import _draw_qr, _font

LABEL_W, LABEL_H = 70 * mm, 37 * mm
COLUMNS, ROWS = 3, 8
# The sheet's 24 labels fill 210 × 296 mm: half a millimetre above and below.
TOP = (A4[1] - ROWS * LABEL_H) / 2
PAD = 2.5 * mm
QR = 17 * mm
BAR_H = 8 * mm
SAMPLE_TYPE = "血样 Blood"


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _label(c, x: float, y: float, sample: Sample, consignment: Consignment, font: str) -> None:
    """One label whose lower-left corner is (x, y)."""
    inner = LABEL_W - 2 * PAD
    # The barcode along the bottom, as wide as the label allows (wider bars read better).
    barcode = Code128(sample.number, barHeight=BAR_H, barWidth=1, quiet=False)
    # Ten modules of quiet zone each side, as Code 128 asks (the label's edge is not one).
    bar_width = min(0.4 * mm, LABEL_W / (barcode.width + 20))
    barcode = Code128(sample.number, barHeight=BAR_H, barWidth=bar_width, quiet=False)
    barcode.drawOn(c, x + (LABEL_W - barcode.width) / 2, y + PAD)
    # The QR code at the top right, the text beside it.
    top = y + LABEL_H - PAD
    _draw_qr(c, sample.number, x + LABEL_W - PAD - QR, top - QR, QR)
    text_w = inner - QR - 1 * mm
    taken = timezone.localtime(sample.taken_at).date().isoformat()
    lines = [
        (sample.number, 7.5),
        (f"批次 {consignment.number}", 6),
        (f"场 {consignment.farm.name_zh}", 6),
        (f"耳标 {sample.national_code}", 6.5),
        (f"{SAMPLE_TYPE} · {taken}", 6),
    ]
    line_y = top - 7
    for text, size in lines:
        c.setFont(font, size)
        c.drawString(x + PAD, line_y, _fit(text, font, size, text_w))
        line_y -= size + 2.2


def sample_labels_pdf(consignment: Consignment, samples: list[Sample]) -> bytes:
    """The consignment's sample labels, 24 to an A4 sheet, in the order of the samples."""
    font = _font()
    out = io.BytesIO()
    c = pdf_canvas.Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(f"{consignment.number} 样品标签 Sample labels")
    per_page = COLUMNS * ROWS
    for n, sample in enumerate(samples):
        if n and n % per_page == 0:
            c.showPage()
        slot = n % per_page
        row, column = divmod(slot, COLUMNS)
        x = column * LABEL_W
        y = A4[1] - TOP - (row + 1) * LABEL_H
        _label(c, x, y, sample, consignment, font)
    c.showPage()
    c.save()
    return out.getvalue()
