"""The export notice for the Hong Kong side as a bilingual A4 PDF, drawn from the notice as stored
at release (PortCheck.notice) with the certificate's vendored font."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from quarantine.pdf import _font

TAG_COLUMNS = 5


def _both(pair) -> str:
    if isinstance(pair, dict):
        return " ".join(p for p in (pair.get("zh", ""), pair.get("en", "")) if p)
    return str(pair or "")


def export_notice_pdf(notice: dict) -> bytes:
    font = _font()
    cell = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"出境放行通知 Export notice {notice.get('certificate', '')}",
    )

    def P(text):
        return Paragraph(str(text), cell)

    override = notice.get("override") or {}
    vehicle = notice.get("vehicle") or {}
    rows = [
        ("证书编号 Certificate No.", notice.get("certificate", "")),
        ("报检编号 Declaration No.", notice.get("consignment", "")),
        ("签发机构 Issued by", _both(notice.get("issuer"))),
        ("发货人 Consignor", _both(notice.get("enterprise"))),
        (
            "产地 Farm of origin",
            f"{_both(notice.get('farm'))} {(notice.get('farm') or {}).get('registration', '')}",
        ),
        ("收货人 Consignee", notice.get("consignee", "")),
        ("目的地 Destination", notice.get("destination", "")),
        ("出境口岸 Exit port", _both(notice.get("exit_port"))),
        ("证书数量 Head certified", notice.get("head_certified", "")),
        ("放行数量 Head released", notice.get("head_released", "")),
        ("剔除 Set aside (残次死畜)", ", ".join(notice.get("set_aside", [])) or "—"),
        ("封识 Seals", ", ".join(notice.get("seals", [])) or "—"),
        ("车辆 Vehicle", f"{vehicle.get('plate', '')} / {vehicle.get('hk_plate', '')}"),
        ("司机 Driver", notice.get("driver", "")),
        ("放行时间 Released at", notice.get("released_at", "")),
        ("放行官员 Released by", notice.get("released_by", "")),
    ]
    if override:
        rows.append(("扣留原因 Hold reason", override.get("hold_reason", "")))
        rows.append(
            ("主管放行理由 Supervisor's override", f"{override.get('reason', '')} — {override.get('by', '')}")
        )
    table = Table([[P(a), P(b)] for a, b in rows], colWidths=[55 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    tags = notice.get("tags", [])
    grid = [tags[i : i + TAG_COLUMNS] for i in range(0, len(tags), TAG_COLUMNS)] or [["—"]]
    grid = [[P(t) for t in row] + [""] * (TAG_COLUMNS - len(row)) for row in grid]
    tag_table = Table(grid)
    tag_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    doc.build(
        [
            Paragraph("活畜出境放行通知 Export Notice of Live Animals", title),
            Spacer(1, 6 * mm),
            table,
            Spacer(1, 5 * mm),
            P("放行动物耳标 Ear tags of the animals released"),
            Spacer(1, 2 * mm),
            tag_table,
        ]
    )
    return buffer.getvalue()
