"""The live feed's rows (``{% read_rows reads fresh %}``), written in Python.

A reader's page shows its newest reads and each poll of its feed adds the new ones: the rows are
the bulk of both, and in the template language (two includes and a dozen filters a row) they
cost about a millisecond each. This renders the same HTML (``templates/readers/_read_rows.html``
says what each part means) for a few microseconds a row.
"""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from accounts.templatetags.safe_time import safe_date

register = template.Library()


def _spaced(text: str, cuts: tuple[int, ...]) -> str:
    parts, start = [], 0
    for cut in (*cuts, len(text)):
        parts.append(text[start:cut])
        start = cut
    return " ".join(escape(p) for p in parts)


def rfid_html(rfid: str) -> str:
    """As livestock/_rfid.html: an ISO 11784 number spaced CCC NNNNNNNNNNNN."""
    if not rfid:
        return '<span class="text-muted">—</span>'
    return f'<span class="rfid-code" data-rfid="{escape(rfid)}">{_spaced(rfid, (3,))}</span>'


def code_html(code: str) -> str:
    """As livestock/_code.html: a national ear-tag code spaced S CCCCCC NNNNNNNN."""
    if not code:
        return "—"
    return f'<span class="tag-code" data-code="{escape(code)}">{_spaced(code, (1, 7))}</span>'


@register.simple_tag
def read_rows(reads, fresh=False):
    late = format_html(
        ' <span class="badge text-bg-warning fw-normal" title="{}">{}</span>',
        gettext("Received long after it was read: it had waited in the bridge backlog."),
        gettext("late"),
    )
    unknown = format_html(
        '<span class="badge text-bg-danger" data-testid="unknown-tag">'
        '<i class="bi bi-question-diamond"></i> {}</span>',
        gettext("unknown tag"),
    )
    reread = format_html(
        '<span class="badge text-bg-light border fw-normal" data-testid="re-read" title="{}">'
        '<i class="bi bi-arrow-repeat"></i> {}</span>',
        gettext("The same tag was read moments before: kept as evidence, not a new sighting."),
        gettext("re-read"),
    )
    rows = []
    for read in reads:
        css = ("read-new" if fresh else "") + (" read-unknown" if read.animal_id is None else "")
        when = escape(safe_date(read.read_at, "H:i:s"))
        if read.other_day:
            when = f'<span class="text-muted small">{escape(safe_date(read.read_at, "m-d"))}</span> {when}'
        title = escape(safe_date(read.read_at, "Y-m-d H:i:s"))
        if read.animal_id is None:
            animal = unknown
        else:
            animal = code_html(read.animal.national_code)
            if read.animal_url:
                href = escape(read.animal_url)
                animal = (
                    f'<a class="text-decoration-none" href="{href}" data-testid="animal-link">{animal}</a>'
                )
        rows.append(
            f'\n<tr data-read="{read.pk}" data-tag="{escape(read.tag)}" class="{css}">\n'
            f'  <td class="ps-3 text-nowrap font-monospace" title="{title}">'
            f"{when}{late if read.late else ''}</td>\n"
            f'  <td class="text-nowrap">{rfid_html(read.tag)}</td>\n'
            f'  <td class="text-nowrap">{animal}</td>\n'
            f'  <td class="text-nowrap">{reread if read.repeat else ""}</td>\n'
            "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308  (every value above is escaped)
