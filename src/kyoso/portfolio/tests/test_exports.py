"""The project and portfolio reports: the document's rows, Excel in the house style (Japanese headers, fiscal
years as 2026年度, formula injection neutralised) and PDF with Noto Sans JP embedded."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kyoso.portfolio import exports, reporting
from kyoso.portfolio.models import Project
from kyoso.venues.permissions import venue_access

from .secret_project import SECRET_AMOUNT, SLUG, build_secret_project, leaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(users):
    secret = build_secret_project()
    secret.project.title = "=HYPERLINK(\"http://example.invalid\")"  # a hostile title
    secret.project.save(update_fields=["title"])
    return secret


def documents(user, project):
    venue = project.venue
    rights = venue_access(user, venue)
    today = timezone.localdate()
    projects = list(Project.objects.filter(venue=venue).select_related("lead_organization"))
    project = Project.objects.select_related("venue", "lead_organization").get(pk=project.pk)
    return (exports.project_document(reporting.project_report(project, user, rights, today)),
            exports.portfolio_document(reporting.portfolio_report(venue, projects, user, rights, today),
                                       reporting.participant_counts(projects)))


def test_the_project_document_has_every_part_of_the_report(secret, users):
    project_doc, _portfolio = documents(users["secretariat"], secret.project)
    headings = [s.heading for s in project_doc.sections]
    assert headings == ["概要", "約束と提供（機関・年度・種類ごと）", "成果", "最新の定期報告", "シグナル",
                        "評価と場の決定"]
    text = project_doc.text()
    for expected in ("研究代表者", "企業側責任者", "地域内", "期限超過", "資源の提供不足", "重大", "試作品",
                     "7,654,321円", "年度（令和"):
        assert expected in text, expected
    ledger = project_doc.sections[1].tables[0]
    cash = next(row for row in ledger.rows if row[2] == "資金")
    assert cash[1].startswith(f"{secret.commitment.fiscal_year}年度") and cash[5] == "10%" and cash[7] == "期限超過"


def test_the_portfolio_document_summarises_every_project_and_each_partner(secret, users):
    _project, portfolio_doc = documents(users["bank"], secret.project)
    summary = portfolio_doc.sections[1].tables[0]
    assert summary.headers[-6:] == ["資源の提供不足", "KPIへの寄与の停滞", "研究者の都合の優先", "報告の遅れ",
                                    "ビジョンとのつながりなし", "終了日超過"]
    assert len(summary.rows) == Project.objects.filter(venue__slug=SLUG).count()
    row = next(r for r in summary.rows if r[0] == secret.project.title)
    assert row[-6] == "重大" and row[-2] == "要確認"
    partners = portfolio_doc.sections[3].tables[0]
    seimitsu = next(r for r in partners.rows if r[0].startswith("遠州精密") and r[1] == "資金")
    assert seimitsu[6] >= 1  # the secret commitment is counted as hidden, not added up, for the bank
    assert str(SECRET_AMOUNT) not in portfolio_doc.text()
    overdue = portfolio_doc.sections[3].tables[2]
    secret_row = next(r for r in overdue.rows if r[0] == secret.project.title and r[3] == "資金")
    assert secret_row[4] == secret_row[5] == "非公開" and secret_row[6] == "0〜10%"  # only its band


def test_excel_reports_have_japanese_sheets_and_neutralise_formulas(secret, users):
    client = Client()
    client.force_login(users["secretariat"])
    for url in (reverse("portfolio:project_export_xlsx", args=[SLUG, secret.project.pk]),
                reverse("portfolio:portfolio_export_xlsx", args=[SLUG])):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        assert "概要" in book.sheetnames
        values = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        titles = [v for v in values if isinstance(v, str) and "HYPERLINK" in v]
        assert titles and all(v.startswith("'=") for v in titles)
        assert any(isinstance(v, str) and re.match(r"\d{4}年度", v) for v in values)
    book = load_workbook(io.BytesIO(client.get(reverse("portfolio:project_export_xlsx",
                                                       args=[SLUG, secret.project.pk])).content))
    assert SECRET_AMOUNT in [c for row in book["約束と提供"].iter_rows(values_only=True) for c in row]


def test_pdf_embeds_the_japanese_font_and_its_text(secret, users):
    project_doc, portfolio_doc = documents(users["company"], secret.project)
    for document in (project_doc, portfolio_doc):
        pdf = exports.to_pdf(document, compress=False)
        assert pdf.startswith(b"%PDF")
        assert b"/FontFile2" in pdf and b"NotoSansJP" in pdf
        # The text is written as glyph ids; the ToUnicode map says which characters were embedded.
        mapped = {int(code, 16) for code in re.findall(rb"<[0-9A-F]{4}> <([0-9A-F]{4,8})>", pdf)}
        for character in "約束提供年度概要非公開":
            assert ord(character) in mapped, character
    client = Client()
    client.force_login(users["observer"])
    response = client.get(reverse("portfolio:portfolio_export_pdf", args=[SLUG]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) < 1_000_000  # subset, not the whole font


def test_pdf_tables_wrap_and_split_a_row_taller_than_a_page():
    rows = [["短い", "一行"], ["長い", "進捗の記述。" * 600], ["後", "最後の行"]]
    table = exports.Table(["項目", "内容"], rows, [10, 60])
    pdf = exports.to_pdf(exports.Document("題名", "副題", [exports.Section("節", tables=[table])]), compress=False)
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    assert pages >= 3


def test_reports_follow_the_active_language(secret, users):
    from django.utils import translation

    with translation.override("en"):
        project_doc, _portfolio = documents(users["secretariat"], secret.project)
    years = [row[1] for row in project_doc.sections[1].tables[0].rows]
    assert years and all(year.startswith("FY") for year in years)
    project_doc, _portfolio = documents(users["secretariat"], secret.project)  # Japanese by default
    assert all("年度" in row[1] for row in project_doc.sections[1].tables[0].rows)


def test_excel_amounts_are_numbers_shown_with_their_unit(secret, users):
    client = Client()
    client.force_login(users["company"])
    book = load_workbook(io.BytesIO(client.get(reverse("portfolio:project_export_xlsx",
                                                       args=[SLUG, secret.project.pk])).content))
    cells = [c for row in book["約束と提供"].iter_rows() for c in row if c.value == SECRET_AMOUNT]
    assert cells and cells[0].number_format == '#,##0"円"'


def test_a_large_portfolio_report_is_built_in_the_background_for_its_requester_only(
        secret, users, monkeypatch, django_capture_on_commit_callbacks):
    from kyoso.portfolio import export_views
    from kyoso.portfolio.models import ReportJob

    monkeypatch.setattr(export_views, "SYNC_LIMIT", 1)
    observer = Client()
    observer.force_login(users["observer"])
    offer = observer.get(reverse("portfolio:portfolio_export_xlsx", args=[SLUG]), {"stage": ""})
    assert offer.status_code == 200 and "バックグラウンドで作成" in offer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued once the job is committed
        response = observer.post(reverse("portfolio:report_job_create", args=[SLUG]), {"fmt": "xlsx", "query": ""})
    job = ReportJob.objects.get(requested_by=users["observer"])
    assert response.status_code == 302 and response["Location"].endswith(f"/report-jobs/{job.pk}/")
    job.refresh_from_db()  # the test settings run tasks at once
    assert job.status == ReportJob.Status.DONE and job.filename.startswith("ポートフォリオ報告")
    page = observer.get(response["Location"]).content.decode()
    assert "ダウンロード" in page
    partial = observer.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'id="job-status"' in partial and "<html" not in partial and "hx-trigger" not in partial  # done: no poll
    download = observer.get(reverse("portfolio:report_job_download", args=[SLUG, job.pk]))
    text = "\n".join(str(c) for sheet in load_workbook(io.BytesIO(download.content)) for row in
                     sheet.iter_rows(values_only=True) for c in row if c is not None)
    assert "HYPERLINK" in text and leaks(text) == []  # the project is there, its secrets are not (observer)
    secretariat = Client()
    secretariat.force_login(users["secretariat"])
    assert secretariat.get(reverse("portfolio:report_job_download", args=[SLUG, job.pk])).status_code == 404
    assert observer.post(reverse("portfolio:report_job_create", args=[SLUG]), {"fmt": "exe"}).status_code == 404
