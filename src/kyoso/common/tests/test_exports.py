"""The one spreadsheet-cell helper (common.exports) and every CSV/Excel export that uses it: no live formulas.

The portfolio exports are covered in portfolio/tests/test_exports.py
(test_excel_reports_have_japanese_sheets_and_neutralise_formulas), which goes through the same helper.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kyoso.common.exports import safe_cell, safe_row

SLUG = "hamamatsu-sample"
HOSTILE = '=HYPERLINK("http://example.invalid/?leak","クリック")'


@pytest.mark.parametrize("text", ["=1+1", "+81 53", "-2+3", "@SUM(A1)", "\t=1", "\r=1", HOSTILE])
def test_text_that_a_spreadsheet_would_evaluate_is_made_text(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, -5.25, Decimal("-1.5"), 0, None, "", "浜松市", "a=b", dt.date(2026, 4, 1)])
def test_numbers_dates_and_plain_text_are_kept(value):
    assert safe_cell(value) == value
    assert safe_row([value, "=1"]) == [value, "'=1"]


def _inert(cells):
    """The cells holding the hostile text: each must be plain text beginning with the apostrophe."""
    found = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert found
    for cell in found:
        assert cell.data_type == "s" and cell.value.startswith("'=")
    return found


@pytest.mark.django_db
def test_vision_excel_export_writes_a_formula_note_as_text(client, users):
    from kyoso.visions.models import Kpi, Observation, Vision

    vision = Vision.objects.filter(venue__slug=SLUG).order_by("id").first()
    kpi = Kpi.objects.filter(vision=vision).order_by("id").first()
    Observation.objects.create(kpi=kpi, date=dt.date(2020, 3, 31), value=Decimal("-3"), note=HOSTILE)
    Kpi.objects.filter(pk=kpi.pk).update(data_source=HOSTILE)
    client.force_login(users["secretariat"])
    response = client.get(reverse("visions:export_xlsx", args=[SLUG, vision.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[1].iter_rows(min_row=2))
    note_row = next(row for row in rows if row[3].value and "HYPERLINK" in row[3].value)
    _inert([note_row[3]])
    assert note_row[2].value == -3 and note_row[2].data_type == "n"  # a negative number stays a number
    _inert([cell for row in workbook.worksheets[0].iter_rows(min_row=2) for cell in row])


@pytest.mark.django_db
def test_decision_exports_write_a_formula_title_as_text(client, users):
    from kyoso.venues import services
    from kyoso.venues.models import Venue

    venue = Venue.objects.get(slug=SLUG)
    services.decision_create(actor=users["secretariat"], venue=venue, title=HOSTILE, text="-1")
    client.force_login(users["secretariat"])
    body = client.get(reverse("venues:decision_export_csv", args=[SLUG])).content.decode("utf-8")
    assert "'" + HOSTILE.replace('"', '""') in body and ",'-1," in body
    xlsx = client.get(reverse("venues:decision_export_xlsx", args=[SLUG]))
    _inert([cell for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=2) for cell in row])
