"""The API's one exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``).

Services speak Django: they raise ``django.core.exceptions.ValidationError`` with translated messages (per field
or for the whole input) and ``PermissionDenied`` with a translated reason. Views let them through; this handler
answers every API request the same way:

* ``ValidationError`` → 400, ``{"field": ["message", …]}`` (or ``["message", …]`` when no field is named);
* ``PermissionDenied`` → 403, ``{"detail": "reason"}`` (the service's reason, not a generic text);
* ``Http404`` → 404;
* any other exception that sets ``http_status`` (a service error such as an edit conflict may) → that status with
  ``{"detail": str(error)}``;
* DRF's own exceptions as DRF answers them; anything else is a server error (500, logged).

So a view never translates errors by hand (no ``try/except ValidationError`` around a service call).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ServiceError(exceptions.APIException):
    """Carries the status a service error names (``http_status``) and its message."""

    def __init__(self, detail: Any, status_code: int) -> None:
        super().__init__(detail)
        self.status_code = status_code


def as_drf(error: Exception) -> Exception:
    """The DRF exception that answers ``error`` (unchanged when it is not one of the translated kinds)."""
    if isinstance(error, DjangoValidationError):
        return exceptions.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
    if isinstance(error, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*error.args[:1])
    status = getattr(error, "http_status", None)
    if isinstance(status, int) and not isinstance(error, exceptions.APIException):
        return ServiceError(str(error), status)
    return error


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    translated = as_drf(exc)
    if translated is not exc:
        translated.__cause__ = exc
    return drf_exception_handler(translated, context)
