"""A project with a confidential cash commitment and a confidential output, for the confidentiality tests.

Its participants are the ``company`` persona (company lead) and the ``researcher`` (PI); the secretariat and
staff see its secrets too; ``ura``, ``bank`` and ``observer`` are members of the venue who must not.
The amounts are unusual numbers that appear nowhere else, so a test can look for them in any response.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from kyoso.common.domain.fiscal import fiscal_year
from kyoso.portfolio import services
from kyoso.portfolio.models import Commitment, Output, Project
from kyoso.regions.models import Organization, Person
from kyoso.venues.models import Venue

SLUG = "hamamatsu-sample"
SECRET_AMOUNT = 7_654_321
SECRET_PROVIDED = 765_432
SECRET_OUTPUT = "極秘の試作品エックスワイゼット"
PUBLIC_OUTPUT = "公開の学会発表アルファ"
#: The ratio of the two, from which both can be recovered (0.0999999869…): its full-precision digits.
SECRET_RATIO = repr(SECRET_PROVIDED / SECRET_AMOUNT)[:8]
#: How the secret amounts may be written: raw, with digit grouping, as an API decimal; their exact ratio.
SECRET_STRINGS = ("7654321", "7,654,321", "765432", "765,432", SECRET_OUTPUT, SECRET_RATIO)

INSIDERS = ("company", "researcher", "secretariat", "admin")
OUTSIDERS = ("ura", "bank", "observer")


@dataclass
class Secret:
    project: Project
    commitment: Commitment
    output: Output


def build_secret_project(actor=None) -> Secret:
    venue = Venue.objects.get(slug=SLUG)
    company = Organization.objects.get(reference_key="sample:enshu-seimitsu")
    university = Organization.objects.get(reference_key="mext:F122110106224")
    today = timezone.localdate()
    project = services.project_create(actor=actor, venue=venue, title="秘密保持の確認用プロジェクト",
                                      start_date=today - dt.timedelta(days=900), lead_organization=company)
    services.participant_add(actor=actor, project=project, organization=company, role="company_lead",
                             person=Person.objects.get(user__username="company"))
    services.participant_add(actor=actor, project=project, organization=university, role="pi",
                             person=Person.objects.get(user__username="researcher"), in_region=True)
    year = fiscal_year(today) - 2  # over, so the shortfall signal checks it (and fires: 10 % provided)
    commitment = services.commitment_add(actor=actor, project=project, partner=company, fiscal_year=year, kind="cash",
                                         amount=Decimal(SECRET_AMOUNT), is_confidential=True,
                                         description="共同研究費")
    services.provision_record(actor=actor, commitment=commitment, amount=Decimal(SECRET_PROVIDED),
                              provided_on=dt.date(year, 10, 1), evidence="振込記録")
    services.commitment_add(actor=actor, project=project, partner=university, fiscal_year=year, kind="staff",
                            amount=Decimal(6))
    output = services.output_add(actor=actor, project=project, kind="prototype", title=SECRET_OUTPUT,
                                 date=today - dt.timedelta(days=30), is_confidential=True)
    services.output_add(actor=actor, project=project, kind="presentation", title=PUBLIC_OUTPUT,
                        date=today - dt.timedelta(days=60))
    return Secret(project=project, commitment=commitment, output=output)


def leaks(text: str) -> list[str]:
    return [s for s in SECRET_STRINGS if s in text]
