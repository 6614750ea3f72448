"""The light identity of a participant: a random token in a cookie, stored only as its SHA-256.

One cookie (``kyoso_participant``) per browser; the participant of a consultation is derived from it
(:func:`participant_id`: a UUID computed from the consultation and the token's hash, so that the vote path can
create the participant and record the vote without first reading its key). The e-mail confirmation link carries a
signed, time-limited value (``django.core.signing``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "kyoso_participant"
COOKIE_AGE = 365 * 24 * 3600
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
NAMESPACE = uuid.UUID("6f1d3c2e-5b7a-4c1e-9a43-0b6e1d2c7f10")
EMAIL_SALT = "kyoso.consultations.email"
EMAIL_MAX_AGE = 3 * 24 * 3600


def token_of(request: HttpRequest) -> tuple[str, bool]:
    """(the browser's token, whether it is new and must be set on the response)."""
    token = request.COOKIES.get(COOKIE, "")
    if TOKEN_SHAPE.match(token):
        return token, False
    return secrets.token_urlsafe(32), True


def remember(response: HttpResponse, token: str) -> HttpResponse:
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def participant_id(consultation_id: int, hashed: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"{consultation_id}:{hashed}")


def client_key(request: HttpRequest) -> str:
    """A keyed hash of the client's address (for the rate limit; the address itself is never stored)."""
    address = request.META.get("REMOTE_ADDR", "")
    return hashlib.blake2b(address.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=16).hexdigest()


def email_token(participant_pk: uuid.UUID, email: str) -> str:
    return signing.dumps({"p": str(participant_pk), "e": email}, salt=EMAIL_SALT, compress=True)


def read_email_token(value: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(value, salt=EMAIL_SALT, max_age=EMAIL_MAX_AGE)
    except signing.BadSignature:
        return None
    return str(data.get("p", "")), str(data.get("e", ""))
