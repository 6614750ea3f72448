"""One-time form tokens: a form sent twice is acted on once.

Going back after creating a meeting and sending the form again, a double click, or fifty identical requests in
parallel must create one meeting. ``SubmissionTokenMiddleware`` does this for every form of the product:

* Every HTML page it serves gets a fresh random token in each ``<form method="post">`` (a hidden input named
  ``FIELD``), so no create form can forget it, whatever template or htmx partial renders the form.
* A POST carrying a token claims it before the view runs, by inserting the unique key (user + token) of a
  ``SubmissionToken`` in its own committed transaction: of concurrent identical requests exactly one insert wins.
* The winner's result is kept: a redirect (the usual answer to a successful POST) stores where it led; any other
  answer (the form shown again with its errors, an error page) releases the token so the corrected form can be sent.
* A repeat is not passed to the view: it is redirected to the first submission's result with a translated notice
  (or, while the first is still being processed, back to the form with a notice).

Requests without a token (the API, scripts) are not affected; a few views where repeating is harmless and
expected (language switch, login, logout) are exempt.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SubmissionToken

FIELD = "kyoso_submission"
EXEMPT_VIEWS = frozenset({"set_language", "accounts:login", "accounts:logout"})
_POST_FORM = re.compile(rb"<form\b[^>]*\bmethod=[\"']?post\b[^>]*>", re.IGNORECASE)
_RETRIES = 20  # SQLite (shared-cache test database) answers "table is locked" instead of waiting
KEPT_FOR = dt.timedelta(days=7)  # a page older than this is treated as new when sent


def _hidden_input(match: re.Match[bytes]) -> bytes:
    token = secrets.token_urlsafe(18)
    return match.group(0) + f'<input type="hidden" name="{FIELD}" value="{token}">'.encode()


def add_tokens(html: bytes) -> bytes:
    """``html`` with a fresh token in each POST form."""
    return _POST_FORM.sub(_hidden_input, html)


def _retrying(action: Callable[[], Any]) -> Any:
    for attempt in range(_RETRIES):
        try:
            return action()
        except OperationalError:
            if attempt == _RETRIES - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    return None


def _key(request: HttpRequest, token: str) -> str:
    user = getattr(request, "user", None)
    owner = user.pk if user is not None and user.is_authenticated else "anon"
    return f"{owner}:{token}"[:120]


def _claim(key: str, path: str) -> SubmissionToken | None:
    """The new claim, or None when the key was claimed before."""
    try:
        with transaction.atomic():
            return SubmissionToken.objects.create(key=key, path=path[:500])
    except IntegrityError:
        return None


def prune(now: dt.datetime | None = None) -> int:
    """Forget submissions older than ``KEPT_FOR``; returns how many were forgotten."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    return SubmissionToken.objects.filter(created_at__lt=cutoff).delete()[0]


class SubmissionTokenMiddleware:
    """Put a one-time token into every POST form and act on each token once (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        claim: SubmissionToken | None = getattr(request, "_submission_claim", None)
        if claim is not None:
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                claim.result_url = response["Location"][:500]
                _retrying(lambda: SubmissionToken.objects.filter(pk=claim.pk).update(result_url=claim.result_url))
            else:
                _retrying(lambda: SubmissionToken.objects.filter(pk=claim.pk).delete())
        content_type = response.get("Content-Type", "")
        if not response.streaming and content_type.startswith("text/html") and b"<form" in response.content:
            response.content = add_tokens(response.content)
        return response

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
                     ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        token = request.POST.get(FIELD, "")
        match = getattr(request, "resolver_match", None)
        if not token or (match is not None and match.view_name in EXEMPT_VIEWS):
            return None
        key = _key(request, token)
        claim = _retrying(lambda: _claim(key, request.path))
        if claim is not None:
            request._submission_claim = claim  # type: ignore[attr-defined]
            if secrets.randbelow(500) == 0:  # now and then, without a scheduled job
                _retrying(prune)
            return None
        first = _retrying(lambda: SubmissionToken.objects.filter(key=key).first())
        if first is not None and first.result_url:
            messages.info(request, _("このフォームはすでに送信済みです。最初の送信の結果を表示しています。"))
            return HttpResponseRedirect(first.result_url)
        messages.warning(request, _("このフォームはすでに送信され、処理中です。結果は一覧でご確認ください。"))
        return HttpResponseRedirect(request.get_full_path())
