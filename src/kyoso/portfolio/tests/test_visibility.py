"""Who sees what, decided once per object in its queryset (``models.py``): Project, Output, Commitment,
Provision, Report and Review for the public, a venue's members, a project's participants and the secretariat;
pages, the API and the exports all read through these querysets."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from kyoso.portfolio.models import Commitment, Output, Project, Provision, Report, Review

from .secret_project import INSIDERS, OUTSIDERS, SECRET_OUTPUT, SLUG, build_secret_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def secret(users):
    return build_secret_project()


def test_projects_are_public_only_when_the_secretariat_says_so(secret, users):
    anonymous = AnonymousUser()
    assert not Project.objects.public().filter(pk=secret.project.pk).exists()  # is_public defaults to False
    assert not Project.objects.visible_to(anonymous).filter(pk=secret.project.pk).exists()
    assert Project.objects.visible_to(users["bank"]).filter(pk=secret.project.pk).exists()  # a member of its venue
    Project.objects.filter(pk=secret.project.pk).update(is_public=True)
    assert Project.objects.visible_to(anonymous).filter(pk=secret.project.pk).exists()
    assert not Project.objects.member_visible(anonymous).exists()
    # its outputs: the public one only, and neither reports nor reviews
    assert list(Output.objects.visible_to(anonymous).filter(project=secret.project).values_list("title", flat=True)
                ) == list(Output.objects.public().filter(project=secret.project).values_list("title", flat=True))
    assert SECRET_OUTPUT not in Output.objects.public().values_list("title", flat=True)
    assert not Commitment.objects.public().filter(pk=secret.commitment.pk).exists()  # confidential
    assert Commitment.objects.public().filter(project=secret.project, kind="staff").exists()
    assert not Report.objects.public().exists() and not Review.objects.public().exists()
    assert not Report.objects.visible_to(anonymous).exists()


def test_confidential_outputs_and_amounts_only_for_participants_and_the_secretariat(secret, users):
    for username in (*INSIDERS, *OUTSIDERS):
        user = users[username]
        insider = username in INSIDERS
        assert Project.objects.confidential_visible_to(user).filter(pk=secret.project.pk).exists() is insider
        assert Output.objects.visible_to(user).filter(pk=secret.output.pk).exists() is insider, username
        row = Commitment.objects.visible_to(user).with_amount_visible(user).get(pk=secret.commitment.pk)
        assert row.amount_visible is insider, username  # the commitment is there; its amount is not
        assert Provision.objects.visible_to(user).filter(commitment=secret.commitment).exists() is insider


def test_rows_of_other_venues_stay_hidden_from_members(secret, users):
    other = Project.objects.exclude(venue__slug=SLUG)
    for username in OUTSIDERS:
        visible = Project.objects.member_visible(users[username])
        assert visible.filter(pk=secret.project.pk).exists()
        assert not visible.filter(pk__in=other.filter(is_public=False).values("pk")).exclude(
            venue__roles__user=users[username]).exists()
