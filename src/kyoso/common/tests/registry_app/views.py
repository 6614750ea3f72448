from types import SimpleNamespace

from django.http import HttpResponse
from rest_framework import viewsets
from rest_framework.response import Response

from kyoso.common.access import PUBLIC, access, policy

BUILT: list[str] = []
SOURCES = [SimpleNamespace(key="fake", title_ja="FAKE-SOURCE", title_en="FAKE-SOURCE", credit_ja="FAKE-CREDIT",
                           credit_en="FAKE-CREDIT", origin="nowhere", commit="", licence="CC0", files=(), url="")]


@access(PUBLIC)
def page(request, slug: str = "") -> HttpResponse:
    return HttpResponse(f"fake page {slug}")


class FakeViewSet(viewsets.ViewSet):
    access = policy(PUBLIC)

    def list(self, request):
        return Response({"fake": True})


def build_sample(*, venue, actor) -> bool:
    BUILT.append(venue.slug)
    return True
