"""Exports of the venue area: the decision log as CSV (Excel-friendly) and .xlsx, meetings as iCalendar."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kyoso.common.exports import safe_row
from kyoso.regions.models import SectorChoices

from .models import Decision, Meeting, Venue


def _headers() -> list[str]:
    return [_("番号"), _("決定日"), _("件名"), _("決定内容"), _("理由・背景"), _("対象"), _("決定方法"),
            _("賛成"), _("反対"), _("棄権"), _("賛同したセクター"), _("状態"), _("前の決定"), _("関係"),
            _("一般に公開")]


def _rows(decisions: Iterable[Decision], sectors: dict[int, list[str]]) -> Iterable[list[object]]:
    labels = dict(SectorChoices.choices)
    for d in decisions:
        yield [
            d.number or "", d.decided_on or "", d.title, d.text, d.rationale, d.applies_to, d.get_method_display(),
            d.votes_for if d.votes_for is not None else "", d.votes_against if d.votes_against is not None else "",
            d.votes_abstain if d.votes_abstain is not None else "",
            "、".join(str(labels.get(s, s)) for s in sectors.get(d.pk, [])), d.get_status_display(),
            d.previous.reference if d.previous_id and d.previous else "", d.get_relation_display(),
            _("はい") if d.is_public else _("いいえ"),
        ]


def decisions_csv(decisions: Iterable[Decision], sectors: dict[int, list[str]]) -> bytes:
    """UTF-8 with a BOM, so that Excel in Japan opens it without mojibake."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_headers())
    for row in _rows(decisions, sectors):
        writer.writerow(safe_row(v.isoformat() if hasattr(v, "isoformat") else v for v in row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def decisions_xlsx(decisions: Iterable[Decision], sectors: dict[int, list[str]], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("決定事項")
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(decisions, sectors):
        sheet.append(safe_row(row))
    widths = [8, 12, 30, 60, 40, 20, 14, 6, 6, 6, 20, 14, 10, 8, 8]
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[1].number_format = "yyyy/mm/dd"
    sheet.freeze_panes = "A2"
    sheet_title = _("決定事項")
    workbook.properties.title = f"{title} — {sheet_title}"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def meetings_ical(venue: Venue, meetings: Iterable[Meeting], base_url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Kyoso//Regional co-creation venue//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", venue.name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"kyoso-meeting-{meeting.pk}@{venue.slug}")
        event.add("dtstamp", stamp)
        event.add("dtstart", meeting.starts_at)
        if meeting.ends_at:
            event.add("dtend", meeting.ends_at)
        event.add("summary", meeting.title)
        if meeting.place:
            event.add("location", meeting.place)
        url = base_url.rstrip("/") + meeting.get_absolute_url()
        event.add("url", url)
        online = _("オンライン")
        description = url if not meeting.online_url else f"{url}\n{online}: {meeting.online_url}"
        event.add("description", description)
        event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
