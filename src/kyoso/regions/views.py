"""Pages of the directory: organisations, people, regions, and the credits of the reference data."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kyoso.common.access import PUBLIC, SECRETARIAT, access

from . import queries, services
from .forms import AffiliationForm, DirectoryFilterForm, OrganizationForm
from .models import Organization, Person, Region

PAGE_SIZE = 50


@require_safe
@access(PUBLIC)
def organization_list(request: HttpRequest) -> HttpResponse:
    prefectures = list(queries.prefectures())
    form = DirectoryFilterForm(request.GET or None, prefectures=prefectures)
    filters = queries.DirectoryFilters.from_querydict(request.GET)
    page = Paginator(queries.organization_directory(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "filters": filters}
    if request.htmx and not request.htmx.boosted:
        return render(request, "regions/organization_list.html#results", context)
    return render(request, "regions/organization_list.html", context)


@require_safe
@access(PUBLIC)
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(
        Organization.objects.visible_to(request.user).select_related("region", "region__parent"), pk=pk
    )
    context = {
        "organization": organization,
        "affiliations": queries.people_of(organization, request.user),
        "can_edit": Organization.objects.editable_by(request.user).filter(pk=organization.pk).exists(),
    }
    return render(request, "regions/organization_detail.html", context)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("組織「%(name)s」を登録しました。") % {"name": organization.name})
            return redirect(organization)
    return render(request, "regions/organization_form.html", {"form": form, "organization": None})


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def organization_update(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization.objects.visible_to(request.user), pk=pk)
    if not Organization.objects.editable_by(request.user).filter(pk=organization.pk).exists():
        raise PermissionDenied(_("この組織を編集できるのは、この組織が構成員である場の事務局だけです。"))
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, organization=organization, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("組織「%(name)s」を更新しました。") % {"name": organization.name})
            return redirect(organization)
    return render(request, "regions/organization_form.html", {"form": form, "organization": organization})


@require_safe
@access(PUBLIC)
def municipality_options(request: HttpRequest) -> HttpResponse:
    """``<option>`` elements of a prefecture's municipalities, for the organisation form (htmx)."""
    prefecture = Region.objects.filter(pk=request.GET.get("prefecture") or 0, level="prefecture").first()
    municipalities = prefecture.municipalities.order_by("code") if prefecture else Region.objects.none()
    return render(request, "regions/_municipality_options.html", {"municipalities": municipalities})


@require_safe
@access(PUBLIC)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    context = {
        "person": person,
        "affiliations": queries.affiliations_of(person),
        "show_contact": person.contact_visible_to(request.user),
        "can_edit": Person.objects.editable_by(request.user).filter(pk=person.pk).exists(),
    }
    return render(request, "regions/person_detail.html", context)


@require_http_methods(["GET", "POST"])
@access(SECRETARIAT)
def affiliation_create(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not Person.objects.editable_by(request.user).filter(pk=person.pk).exists():
        raise PermissionDenied(_("所属を追加できるのは、この人が所属する組織が構成員である場の事務局だけです。"))
    form = AffiliationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.affiliation_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("所属を追加しました。"))
            return redirect(person)
    return render(request, "regions/affiliation_form.html", {"form": form, "person": person})


@require_safe
@access(PUBLIC)
def region_list(request: HttpRequest) -> HttpResponse:
    return render(request, "regions/region_list.html", {"prefectures": queries.prefectures_with_counts()})


@require_safe
@access(PUBLIC)
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("parent"), code=code)
    organizations = Paginator(queries.organizations_in(region), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "region": region,
        "municipalities": queries.municipalities_of(region) if region.is_prefecture else None,
        "page_obj": organizations,
    }
    return render(request, "regions/region_detail.html", context)


@require_safe
@access(PUBLIC)
def about_data(request: HttpRequest) -> HttpResponse:
    from kyoso.common import registry  # every app's sources and open-data files, from its manifest

    return render(request, "regions/about_data.html",
                  {"sources": registry.data_sources(), "open_data": registry.open_data()})
