"""The health certificate as a bilingual A4 PDF (reportlab), with its QR code drawn as vectors.

Everything printed comes from the signed content (``certificate.content``), never from the
consignment as it stands now, and a certificate that fails its check is printed with the
warning across every page.
"""

import functools
import io
from pathlib import Path

import segno
from django.conf import settings
from django.utils import translation
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from farms.models import Species

from .models import Certificate

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).parent / "fonts" / "wqy-microhei.ttc"
TAG_COLUMNS = 5
QR_SIZE = 38 * mm


@functools.cache
def _font() -> str:
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def verify_url(certificate: Certificate) -> str:
    """The URL the QR code holds: SITE_URL/V/<payload>, in capitals so it fits the QR's dense mode."""
    return f"{settings.SITE_URL.rstrip('/')}/V/{certificate.qr_payload}".upper()


def _styles():
    font = _font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=11, leading=14, alignment=1),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12),
        "small": ParagraphStyle("small", fontName=font, fontSize=7.5, leading=10),
        "tag": ParagraphStyle("tag", fontName=font, fontSize=8, leading=10),
    }


def _species(code: str) -> str:
    label = Species(code).label
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return f"{zh} {en}"


def _both(pair: dict) -> str:
    return " / ".join(v for v in (pair.get("zh"), pair.get("en")) if v)


def _draw_qr(canvas, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m")
    matrix = list(qr.matrix)
    border = 2
    n = len(matrix) + 2 * border
    module = size / n
    canvas.setFillColor(colors.white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (col_index + border) * module,
                    y + size - (row_index + border + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


class QRCode(Flowable):
    def __init__(self, url: str, size: float):
        super().__init__()
        self.url, self.size = url, size
        self.width = self.height = size

    def draw(self):
        _draw_qr(self.canv, self.url, 0, 0, self.size)


def certificate_pdf(certificate: Certificate, *, warning: str = "") -> bytes:
    """Render the certificate; ``warning`` (void, altered…) is printed across every page."""
    c = certificate.content
    st = _styles()
    font = _font()
    url = verify_url(certificate)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"动物卫生证书 Animal Health Certificate {c['number']}",
        author=_both(c["issuer"]),
    )

    def P(text, style="cell"):
        return Paragraph(text, st[style])

    rows = [
        ("证书编号 Certificate No.", f"{c['number']}　　核验码 Token: {certificate.token}"),
        ("报检编号 Declaration No.", c["consignment"]),
        ("签发机构 Issued by", _both(c["issuer"])),
        ("发货人 Consignor", _both(c["enterprise"])),
        ("产地（注册养殖场）Farm of origin", f"{_both(c['farm'])}　{c['farm']['registration']}"),
        ("动物种类 Species", _species(c["species"])),
        ("数量 Number of animals", f"{c['head_count']} 头 head"),
        ("出境口岸 Exit port", _both(c["exit_port"])),
        ("收货人 Consignee", c["consignee"]),
        ("目的地 Destination", c["destination"]),
        ("计划装运日期 Planned loading", c["planned_loading_on"]),
        ("签发时间 Issued", c["issued_at"].replace("T", " ").replace("Z", " UTC")),
        ("有效期至 Valid until", c["valid_until"]),
    ]
    if c.get("replaces"):
        rows.append(("替代证书 Replaces", c["replaces"]))
    fields = Table(
        [[P(k), P(v)] for k, v in rows],
        colWidths=[52 * mm, None],
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        ),
    )
    tags = c["tags"]
    tag_rows = [
        [P(f"{i + 1}. {t}", "tag") for i, t in enumerate(tags[n : n + TAG_COLUMNS], start=n)]
        for n in range(0, len(tags), TAG_COLUMNS)
    ]
    for row in tag_rows:
        row += [""] * (TAG_COLUMNS - len(row))
    tag_table = Table(
        tag_rows or [[""] * TAG_COLUMNS],
        colWidths=[(A4[0] - 36 * mm) / TAG_COLUMNS] * TAG_COLUMNS,
        style=TableStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.black)]),
        repeatRows=0,
    )
    seals = Table(
        [
            [P("施封号 Seal numbers"), "", P("车牌号 Vehicle plate"), ""],
            [P("装载时间 Loaded at"), "", P("装载监管官员 Loading officer"), ""],
        ],
        colWidths=[38 * mm, 49 * mm, 38 * mm, None],
        rowHeights=[10 * mm, 10 * mm],
        style=TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        ),
    )
    statement = (
        "兹证明上述动物来自非疫区的注册养殖场，经产地检疫临床检查和实验室检测合格，符合供港要求。<br/>"
        "This is to certify that the animals described above come from a registered farm outside any disease "
        "zone, were clinically examined and tested by the laboratory in origin quarantine with favourable "
        "results, and meet the requirements for supply to Hong Kong."
    )
    signer = (
        f"签发人 Signed by: {c['signer']['name']}　身份 Capacity: {c['signer']['capacity']}<br/>"
        f"电子签名 Ed25519 signature (key {c['key_id']}): {certificate.signature[:43]}…"
    )
    scan = (
        "扫描二维码核验：在线，或离线使用海关公布的公钥（python -m quarantine.verify）。<br/>"
        "Scan the QR code to verify: online, or offline with the bureau's published keys "
        "(python -m quarantine.verify). Or enter the number and token at "
        f"{settings.SITE_URL.rstrip('/')}/verify/"
    )
    story = [
        P("中华人民共和国海关", "subtitle"),
        P("动物卫生证书", "title"),
        P("ANIMAL HEALTH CERTIFICATE", "subtitle"),
        Spacer(0, 4 * mm),
        fields,
        Spacer(0, 4 * mm),
        P(f"动物耳标号 Ear tags ({len(tags)})"),
        Spacer(0, 1 * mm),
        tag_table,
        Spacer(0, 4 * mm),
        P("装运与施封（装载时填写） Loading and seals (filled in at loading)"),
        Spacer(0, 1 * mm),
        seals,
        Spacer(0, 4 * mm),
        P(statement),
        Spacer(0, 3 * mm),
        KeepTogether(
            Table(
                [[[P(signer, "small"), Spacer(0, 2 * mm), P(scan, "small")], QRCode(url, QR_SIZE)]],
                colWidths=[None, QR_SIZE + 2 * mm],
                style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)]),
            )
        ),
    ]

    def page(canvas, document):
        canvas.saveState()
        canvas.setFont(font, 7)
        canvas.drawRightString(
            A4[0] - 18 * mm, 10 * mm, f"{c['number']} · 第 {document.page} 页 Page {document.page}"
        )
        if warning:
            canvas.setFillColor(colors.Color(0.8, 0, 0, alpha=0.35))
            canvas.setFont(font, 48)
            canvas.translate(A4[0] / 2, A4[1] / 2)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, warning)
        canvas.restoreState()

    doc.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
