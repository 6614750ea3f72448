"""The API's one exception handler: services' Django errors become 400/403 with their translated messages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from kyoso.common.access import PUBLIC, policy


class Conflict(Exception):
    http_status = 409


def view_raising(error: Exception):
    class Raising(APIView):
        access = policy(PUBLIC)
        authentication_classes = ()

        def get(self, request):
            raise error

    return Raising.as_view()


def answer(error: Exception):
    response = view_raising(error)(APIRequestFactory().get("/x/"))
    return response.status_code, response.data


@pytest.mark.parametrize(("error", "expected"), [
    (ValidationError({"name": ["名前を入力してください。"]}), (400, {"name": ["名前を入力してください。"]})),
    (ValidationError("期間が重なっています。"), (400, ["期間が重なっています。"])),
    (PermissionDenied("事務局だけが行えます。"), (403, {"detail": "事務局だけが行えます。"})),
    (Http404(), (404, {"detail": "見つかりませんでした。"})),
    (Conflict("ほかの人が先に保存しました。"), (409, {"detail": "ほかの人が先に保存しました。"})),
])
def test_service_errors_answer_with_their_status_and_message(error, expected):
    status, data = answer(error)
    assert (status, data if isinstance(data, list) else dict(data)) == expected


def test_the_handler_is_the_configured_one(settings):
    assert settings.REST_FRAMEWORK["EXCEPTION_HANDLER"] == "kyoso.api.errors.exception_handler"


def test_other_errors_are_server_errors():
    with pytest.raises(RuntimeError):
        answer(RuntimeError("bug"))


@pytest.mark.django_db
def test_a_service_validation_error_reaches_the_caller_as_400(users):
    """Finalising a finalised decision: the service's translated message as a 400 (no try/except in the view)."""
    from rest_framework.test import APIClient

    from kyoso.sample.region import VENUE_SLUG

    client = APIClient()
    client.force_authenticate(users["secretariat"])
    created = client.post("/api/v1/decisions/", {"venue": VENUE_SLUG, "title": "t", "text": "x"}, format="json")
    url = f"/api/v1/decisions/{created.json()['id']}/finalise/"
    assert client.post(url, {}, format="json").status_code == 200
    again = client.post(url, {}, format="json")
    assert again.status_code == 400, again.content
    assert again.json() == ["確定できるのは、合意した決定か、賛同手続きを使わない案だけです。"]
