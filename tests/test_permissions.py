"""Walk every URL pattern and check who may reach it.

Adding a URL without declaring its access (or without listing it below) makes this test fail:
the declaration is checked against EXPECTED, and the behaviour is checked for anonymous visitors
and for every persona against which personas each rule admits (ADMITTED), written out by hand.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kyoso.common.access import declared_policy
from kyoso.regions.models import Organization, Person

ANON = "anonymous"
PERSONA_NAMES = ["secretariat", "ura", "company", "bank", "researcher", "observer", "resident", "admin"]

# Which visitors each rule admits — by hand, independent of the implementation.
ADMITTED = {
    "public": {ANON, *PERSONA_NAMES},
    "authenticated": set(PERSONA_NAMES),
    "venue_participant": {"secretariat", "ura", "company", "bank", "researcher", "observer", "admin"},
    "secretariat": {"secretariat", "admin"},
    "staff": {"admin"},
}

# Every named URL and its declared policy ("read" or "read/write").
EXPECTED = {
    "home": "public",
    "healthz": "public",
    "set_language": "public",
    "accounts:login": "public",
    "accounts:logout": "public",
    "accounts:password_reset": "public",
    "accounts:password_reset_done": "public",
    "accounts:password_reset_confirm": "public",
    "accounts:password_reset_complete": "public",
    "accounts:password_change": "authenticated",
    "accounts:password_change_done": "authenticated",
    "regions:organization_list": "public",
    "regions:organization_create": "secretariat",
    "regions:organization_detail": "public",
    "regions:organization_update": "secretariat",
    "regions:municipality_options": "public",
    "regions:person_detail": "public",
    "regions:affiliation_create": "secretariat",
    "regions:region_list": "public",
    "regions:region_detail": "public",
    "regions:about_data": "public",
    "venues:venue_list": "public",
    "venues:venue_create": "secretariat",
    "venues:my_actions": "authenticated",
    "venues:venue_detail": "public",
    "venues:venue_update": "secretariat",
    "venues:member_list": "public",
    "venues:member_add": "secretariat",
    "venues:representative_add": "secretariat",
    "venues:meeting_list": "venue_participant",
    "venues:meeting_create": "secretariat",
    "venues:meeting_calendar": "public",
    "venues:meeting_detail": "venue_participant",
    "venues:meeting_update": "secretariat",
    "venues:agenda_item_add": "secretariat",
    "venues:attendance_edit": "secretariat",
    "venues:minutes_edit": "venue_participant",
    "venues:minutes_finalise": "secretariat",
    "venues:document_add": "venue_participant",
    "venues:document_download": "venue_participant",
    "venues:decision_list": "public",
    "venues:decision_export_csv": "public",
    "venues:decision_export_xlsx": "public",
    "venues:decision_create": "secretariat",
    "venues:decision_detail": "public",
    "venues:decision_update": "secretariat",
    "venues:decision_propose": "secretariat",
    "venues:decision_endorse": "venue_participant",
    "venues:decision_finalise": "secretariat",
    "venues:action_create": "secretariat",
    "venues:action_list": "venue_participant",
    "venues:action_detail": "venue_participant",
    "portfolio:portfolio": "venue_participant",
    "portfolio:matrix": "venue_participant",
    "portfolio:chart": "venue_participant",
    "portfolio:resources": "venue_participant",
    "portfolio:settings": "secretariat",
    "portfolio:project_create": "secretariat",
    "portfolio:project_detail": "venue_participant",
    "portfolio:project_update": "secretariat",
    "portfolio:participant_add": "secretariat",
    "portfolio:commitment_add": "venue_participant",
    "portfolio:provision_add": "venue_participant",
    "portfolio:output_add": "venue_participant",
    "portfolio:report_add": "venue_participant",
    "portfolio:milestone_add": "venue_participant",
    "portfolio:milestone_done": "venue_participant",
    "portfolio:review_add": "secretariat",
    "portfolio:portfolio_export_xlsx": "venue_participant",
    "portfolio:portfolio_export_pdf": "venue_participant",
    "portfolio:report_job_create": "venue_participant",
    "portfolio:report_job_detail": "venue_participant",
    "portfolio:report_job_download": "venue_participant",
    "portfolio:project_export_xlsx": "venue_participant",
    "portfolio:project_export_pdf": "venue_participant",
    "visions:vision_list": "venue_participant",
    "visions:vision_create": "secretariat",
    "visions:vision_detail": "venue_participant",
    "visions:vision_update": "secretariat",
    "visions:goal_create": "secretariat",
    "visions:kpi_create": "secretariat",
    "visions:kpi_detail": "venue_participant",
    "visions:kpi_update": "secretariat",
    "visions:kpi_observe": "venue_participant",
    "visions:kpi_reference": "secretariat",
    "visions:import_create": "venue_participant",
    "visions:import_detail": "venue_participant",
    "visions:import_apply": "venue_participant",
    "visions:version_list": "venue_participant",
    "visions:version_save": "secretariat",
    "visions:version_diff": "venue_participant",
    "visions:version_detail": "venue_participant",
    "visions:version_propose": "secretariat",
    "visions:version_endorse": "venue_participant",
    "visions:milestone_create": "secretariat",
    "visions:milestone_update": "secretariat",
    "visions:issue_create": "secretariat",
    "visions:theme_create": "secretariat",
    "visions:tree": "venue_participant",
    "visions:graph": "venue_participant",
    "visions:export_xlsx": "venue_participant",
    "visions:export_json": "venue_participant",
    "api:region-list": "public",
    "api:region-detail": "public",
    "api:organization-list": "public/secretariat",
    "api:organization-detail": "public/secretariat",
    "api:person-list": "public/secretariat",
    "api:person-detail": "public/secretariat",
    "api:person-affiliations": "public/secretariat",
    "api:venue-list": "public/venue_participant",
    "api:venue-detail": "public/venue_participant",
    "api:venue-members": "public/venue_participant",
    "api:meeting-list": "venue_participant",
    "api:meeting-detail": "venue_participant",
    "api:decision-list": "public/venue_participant",
    "api:decision-detail": "public/venue_participant",
    "api:decision-propose": "public/venue_participant",
    "api:decision-endorse": "public/venue_participant",
    "api:decision-finalise": "public/venue_participant",
    "api:action-item-list": "venue_participant",
    "api:action-item-detail": "venue_participant",
    "api:action-item-progress": "venue_participant",
    "api:vision-list": "venue_participant",
    "api:vision-detail": "venue_participant",
    "api:vision-export": "venue_participant",
    "api:kpi-list": "venue_participant",
    "api:kpi-detail": "venue_participant",
    "api:kpi-observations": "venue_participant",
    "api:import-list": "venue_participant",
    "api:import-detail": "venue_participant",
    "api:import-apply": "venue_participant",
    "api:vision-version-list": "venue_participant",
    "api:vision-version-detail": "venue_participant",
    "api:vision-version-propose": "venue_participant",
    "api:vision-version-endorse": "venue_participant",
    "api:project-list": "venue_participant",
    "api:project-detail": "venue_participant",
    "api:commitment-list": "venue_participant",
    "api:commitment-detail": "venue_participant",
    "api:commitment-provision": "venue_participant",
    "api:output-list": "venue_participant",
    "api:output-detail": "venue_participant",
    "api:report-list": "venue_participant",
    "api:report-detail": "venue_participant",
    "api:review-list": "venue_participant",
    "api:review-detail": "venue_participant",
    "listening:upload_list": "secretariat",
    "listening:upload_create": "secretariat",
    "listening:upload_detail": "secretariat",
    "listening:upload_column": "secretariat",
    "listening:upload_answers": "secretariat",
    "listening:upload_publish": "secretariat",
    "listening:upload_agenda": "secretariat",
    "listening_public:result_list": "public",
    "listening_public:result_detail": "public",
    "matching:researcher_list": "public",
    "matching:researcher_detail": "public",
    "matching:match": "venue_participant",
    "matching:shortlist_list": "venue_participant",
    "matching:shortlist_create": "venue_participant",
    "matching:entry_add": "venue_participant",
    "matching:shortlist_detail": "venue_participant",
    "matching:entry_note": "venue_participant",
    "matching:contact_create": "venue_participant",
    "matching:proposal_create": "venue_participant",
    "matching:proposal_decide": "secretariat",
    "consultations_public:list": "public",
    "consultations_public:detail": "public",
    "consultations_public:vote": "public",
    "consultations_public:statement_add": "public",
    "consultations_public:comment_add": "public",
    "consultations_public:report": "public",
    "consultations_public:email_start": "public",
    "consultations_public:email_confirm": "public",
    "consultations_public:map": "public",
    "consultations:manage_list": "venue_participant",
    "consultations:create": "secretariat",
    "consultations:manage": "venue_participant",
    "consultations:edit": "secretariat",
    "consultations:set_status": "secretariat",
    "consultations:seed": "secretariat",
    "consultations:map_recompute": "secretariat",
    "consultations:map_publish": "secretariat",
    "consultations:agenda": "secretariat",
    "consultations:reply": "secretariat",
    "consultations:moderation": "secretariat",
    "consultations:moderation_log_csv": "secretariat",
    "api:consultation-list": "public",
    "api:consultation-detail": "public",
    "public:site": "public",
    "public:kpi_detail": "public",
    "public:project_list": "public",
    "public:project_detail": "public",
    "public:decision_list": "public",
    "public:decision_detail": "public",
    "public:meeting_list": "public",
    "public:meeting_detail": "public",
    "public:open_data": "public",
    "public:data_kpis": "public",
    "public:data_observations": "public",
    "public:data_targets": "public",
    "public:data_projects": "public",
    "public:data_outputs": "public",
    "public:data_decisions": "public",
    "public:easy_list": "secretariat",
    "public:easy_edit": "secretariat",
    "public:easy_check": "secretariat",
    "api:researcher-list": "public",
    "api:researcher-detail": "public",
    "api:matching-search-list": "venue_participant",
    "api:shortlist-list": "venue_participant",
    "api:shortlist-detail": "venue_participant",
    "api:shortlist-entries": "venue_participant",
    "api:shortlist-contacts": "venue_participant",
    "api:shortlist-proposals": "venue_participant",
    "api:shortlist-decide": "venue_participant",
    "api-token": "public",
    "api-schema": "public",
    "api-docs": "public",
}


def walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            yield from walk(entry, f"{namespace}:{ns}".strip(":") if ns else namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield namespace, entry, prefix + str(entry.pattern)


def all_patterns():
    return list(walk(get_resolver()))


def test_every_url_declares_its_access_and_is_listed():
    seen = set()
    problems = []
    for namespace, pattern, route in all_patterns():
        if namespace.split(":")[0] == "admin":
            assert str(declared_policy(pattern.callback, namespace)) == "staff"
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        if pattern.name is None:
            problems.append(f"unnamed URL {route!r}: name it and list it in EXPECTED")
            continue
        declared = declared_policy(pattern.callback, namespace)
        if declared is None:
            problems.append(f"{name} ({route}) declares no access policy")
        elif name not in EXPECTED:
            problems.append(f"{name} ({route}) is not listed in EXPECTED (declared: {declared})")
        elif str(declared) != EXPECTED[name]:
            problems.append(f"{name}: declared {declared}, expected {EXPECTED[name]}")
        seen.add(name)
    missing = set(EXPECTED) - seen
    assert not problems, "\n".join(problems)
    assert not missing, f"EXPECTED lists URLs that no longer exist: {sorted(missing)}"


def sample_kwargs(name: str, route: str, objects: dict) -> dict:
    """URL kwargs for a pattern: the object a ``<int:pk>`` names is chosen by the route segment before it."""
    kwargs = {}
    if "<int:pk>" in route or "(?P<pk>" in route:
        segment = re.split(r"<int:pk>|\(\?P<pk>", route)[0].rstrip("/").split("/")[-1].lstrip("^")
        kwargs["pk"] = objects[PK_OBJECTS.get(segment, "org")].pk
    if "<str:code>" in route or "(?P<code>" in route:
        kwargs["code"] = "22130"
    if "<slug:slug>" in route:
        kwargs["slug"] = "hamamatsu-sample"
    if "(?P<slug>" in route:
        kwargs["slug"] = "hamamatsu-sample"
    if "<uidb64>" in route:
        kwargs.update(uidb64="MQ", token="set-password")
    if "(?P<format>" in route:
        kwargs["format"] = "json"
    for name_, key in (("kpi", "kpi"), ("batch", "batch"), ("number", "version"), ("milestone", "milestone"),
                       ("commitment", "commitment"), ("item", "project_milestone")):
        if f"<int:{name_}>" in route:
            kwargs[name_] = objects[key].number if key == "version" else objects[key].pk
    return kwargs


PK_OBJECTS = {
    "organizations": "org", "people": "person", "members": "membership", "meetings": "meeting",
    "documents": "document", "decisions": "decision", "actions": "action", "action-items": "action",
    "memberships": "membership", "visions": "vision", "portfolio": "project", "kpis": "kpi", "imports": "batch",
    "vision-versions": "version",
    "uploads": "survey_upload", "listening": "survey_upload",
    "researchers": "researcher", "shortlists": "shortlist", "proposals": "proposal",
    "projects": "project", "commitments": "commitment", "outputs": "output", "reports": "report", "reviews": "review",
    "consultations": "consultation",
}

# Object-level rules inside the venue, by hand: who gets past the view's own check (others: 403).
# The sample meeting has draft minutes that its attendees (the representatives) may correct; the
# sample decision was endorsed through a proposal; the sample action belongs to the URA.
REPRESENTATIVES = {"secretariat", "ura", "company", "bank"}
CONTRIBUTORS = {"secretariat", "ura", "company", "bank", "researcher", "admin"}
PROJECT_RECORDERS = {"secretariat", "researcher", "company", "admin"}
KPI_RECORDERS = {"secretariat", "ura", "researcher", "admin"}
OBJECT_LEVEL = {
    ("venues:minutes_edit", "get"): REPRESENTATIVES | {"admin"},
    ("venues:minutes_edit", "post"): REPRESENTATIVES | {"admin"},
    ("venues:document_add", "post"): {"secretariat", "ura", "company", "bank", "researcher", "admin"},
    ("venues:decision_endorse", "post"): REPRESENTATIVES,
    ("venues:action_detail", "post"): {"secretariat", "ura", "admin"},
    ("api:decision-propose", "post"): {"secretariat", "admin"},
    ("api:decision-finalise", "post"): {"secretariat", "admin"},
    ("api:decision-endorse", "post"): REPRESENTATIVES,
    ("api:action-item-progress", "post"): {"secretariat", "ura", "admin"},
    # People are created by staff; a secretariat adds affiliations to the people of its venue's members.
    ("api:person-list", "post"): {"admin"},
    # Actual values are recorded by the KPI's owner organisation's people and the secretariat (the sample KPI
    # is owned by the sample university: its URA and researcher); observers never write. Importing a file needs
    # the right to record at least one KPI of the vision; a checked file is applied by its uploader (the sample
    # batch's is the secretariat) or the secretariat.
    ("visions:kpi_observe", "post"): KPI_RECORDERS,
    ("visions:import_create", "get"): KPI_RECORDERS,
    ("visions:import_create", "post"): KPI_RECORDERS,
    ("visions:import_apply", "post"): {"secretariat", "admin"},
    ("visions:version_endorse", "post"): REPRESENTATIVES,
    ("api:kpi-observations", "post"): KPI_RECORDERS,
    ("api:import-apply", "post"): {"secretariat", "admin"},
    ("api:vision-version-propose", "post"): {"secretariat", "admin"},
    ("api:vision-version-endorse", "post"): REPRESENTATIVES,
    # Shortlists and contact notes: observers read but never write.
    **{(f"matching:{name}", method): CONTRIBUTORS for name, method in (
        ("shortlist_create", "post"), ("entry_add", "post"), ("entry_note", "post"), ("contact_create", "get"),
        ("contact_create", "post"),
        ("proposal_create", "get"), ("proposal_create", "post"))},
    ("api:shortlist-entries", "post"): CONTRIBUTORS,
    ("api:shortlist-contacts", "post"): CONTRIBUTORS,
    ("api:shortlist-proposals", "post"): CONTRIBUTORS,
    ("api:shortlist-decide", "post"): {"secretariat", "admin"},
    # Records of a project: its participants (the sample project's: researcher, company, and the city's
    # contact who is the secretariat) and the secretariat; observers and other members only read.
    **{(f"portfolio:{name}", method): PROJECT_RECORDERS
       for name in ("commitment_add", "provision_add", "output_add", "report_add", "milestone_add")
       for method in ("get", "post")},
    ("portfolio:milestone_done", "post"): PROJECT_RECORDERS,
    ("api:commitment-provision", "post"): PROJECT_RECORDERS,
}


def venue_objects():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kyoso.venues import services
    from kyoso.venues.models import ActionItem, Decision, Meeting, Membership

    meeting = Meeting.objects.get(minutes_status="draft")
    document = services.document_add(actor=None, meeting=meeting, title="資料",
                                     upload=SimpleUploadedFile("a.pdf", b"%PDF-1.7 test", "application/pdf"))
    from kyoso.visions import services as vision_services
    from kyoso.visions.models import Vision

    vision = Vision.objects.get(venue__slug="hamamatsu-sample")
    batch = vision_services.import_upload(actor=None, vision=vision, filename="o.csv",
                                          content=b"kpi,date,value\njoint-research,2026-03-31,40\n")
    from kyoso.portfolio.models import Project, Review

    project = Project.objects.get(venue__slug="hamamatsu-sample", title__startswith="浜名湖の水質センサー網")
    from kyoso.consultations.models import Consultation
    from kyoso.listening.tests.objects import permission_objects as listening_objects
    from kyoso.matching.tests.objects import permission_objects

    return {
        **permission_objects(),
        **listening_objects(),
        "project": project,
        "commitment": project.commitments.first(),
        "output": project.outputs.filter(is_confidential=False).first(),
        "report": project.reports.first(),
        "review": Review.objects.filter(project__venue__slug="hamamatsu-sample").first(),
        "project_milestone": project.milestones.first(),
        "vision": vision,
        "kpi": vision.kpis.get(code="joint-research"),
        "batch": batch,
        "version": vision.versions.get(number=1),
        "milestone": vision.milestones.first(),
        "meeting": meeting,
        "membership": Membership.objects.filter(venue__slug="hamamatsu-sample").first(),
        "decision": Decision.objects.filter(status="finalised", is_public=True, proposal__isnull=False).first(),
        "document": document,
        "action": ActionItem.objects.filter(owner_person__user__username="ura").first(),
        "consultation": Consultation.objects.get(venue__slug="hamamatsu-sample", status="open"),
    }


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_each_visitor_reaches_exactly_what_the_policy_admits(users, settings):
    settings.AXES_ENABLED = False
    org = Organization.objects.filter(is_sample=True).first()
    person = Person.objects.filter(user__username="researcher").get()
    objects = {"org": org, "person": person, **venue_objects()}
    failures = []
    for namespace, pattern, route in all_patterns():
        if namespace.split(":")[0] == "admin" or pattern.name is None:
            continue
        name = f"{namespace}:{pattern.name}" if namespace else pattern.name
        url = reverse(name, kwargs=sample_kwargs(name, route, objects))
        read_rule, _, write_rule = EXPECTED[name].partition("/")
        write_rule = write_rule or read_rule
        is_api = url.startswith("/api/")
        for visitor in [ANON, *PERSONA_NAMES]:
            client = Client()
            if visitor != ANON:
                client.force_login(users[visitor])
            for method, rule in (("get", read_rule), ("post", write_rule)):
                response = getattr(client, method)(url)
                admitted = visitor in ADMITTED[rule]
                if admitted and (name, method) in OBJECT_LEVEL:
                    admitted = visitor in OBJECT_LEVEL[(name, method)]
                status = response.status_code
                if admitted:
                    refused = status in (401, 403) or is_login_redirect(response)
                    if refused:
                        failures.append(f"{method.upper()} {url} as {visitor}: refused ({status}) but {rule} admits")
                elif visitor != ANON and visitor in ADMITTED[rule]:
                    if status != 403:
                        failures.append(f"{method.upper()} {url} as {visitor}: {status}, expected 403 (object level)")
                elif visitor == ANON and not is_api:
                    if not is_login_redirect(response):
                        failures.append(f"{method.upper()} {url} as anonymous: {status}, expected login redirect")
                elif status not in (401, 403):
                    failures.append(f"{method.upper()} {url} as {visitor}: {status}, expected 403 ({rule})")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_is_for_staff_only(users):
    client = Client()
    assert is_login_redirect(client.get("/admin/")) or client.get("/admin/").status_code == 302
    client.force_login(users["secretariat"])
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(users["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/regions/organization/").status_code == 200


@pytest.mark.django_db
def test_a_view_without_declaration_is_refused(rf, users):
    from django.http import HttpResponse

    from kyoso.common.access import AccessPolicyMiddleware

    def undeclared(request):
        return HttpResponse("should not be reached")

    request = rf.get("/somewhere")
    request.user = users["admin"]
    request.resolver_match = None
    middleware = AccessPolicyMiddleware(lambda r: HttpResponse())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        middleware.process_view(request, undeclared, (), {})
