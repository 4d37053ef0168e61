"""The app's one error hierarchy, and the handler that answers every error as JSON ``{"detail": "..."}``.

Views, the policy and the services raise ``ApiError`` subclasses (a status and a sentence a person can
act on, plus any extra keys for the body); DRF's own exceptions (authentication, parsing, methods) and
database errors are answered by the same handler. Used as the exception handler of this app's views
only (the LMS's global DRF settings are left alone).
"""

import logging

from django.db import DatabaseError, IntegrityError, OperationalError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)


class ApiError(APIException):
    """A request that cannot be carried out. ``extra`` keys are added to the JSON body next to ``detail``."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail, **extra):
        super().__init__(detail)
        self.extra = extra


class InvalidRequest(ApiError):
    """400; ``errors`` (field → sentence), when given, is added to the body."""

    default_code = "invalid"

    def __init__(self, detail, errors=None):
        super().__init__(detail, **({"errors": errors} if errors else {}))


class NotAllowed(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "permission_denied"


class NotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def is_deadlock(error) -> bool:
    """MySQL/MariaDB ER_LOCK_DEADLOCK (1213): the server rolled the whole transaction back."""
    return isinstance(error, OperationalError) and bool(error.args) and error.args[0] == 1213


def _plain(detail):
    """DRF details can be a string, list or dict; make one sentence of them."""
    if isinstance(detail, (str, ErrorDetail)):
        return str(detail)
    if isinstance(detail, list):
        return " ".join(_plain(d) for d in detail)
    if isinstance(detail, dict):
        return " ".join(f"{k}: {_plain(v)}" for k, v in detail.items())
    return str(detail)


def _database_error(exc):
    if isinstance(exc, IntegrityError):
        log.warning("waffle_enrollments: integrity error answered with 409: %s", exc)
        return Response(
            {
                "detail": "This change conflicts with another one made at the same moment "
                "(e.g. the same enrollment created twice). Reload and try again."
            },
            status=status.HTTP_409_CONFLICT,
        )
    if is_deadlock(exc):  # still deadlocked after the retries, or inside the caller's transaction
        log.warning("waffle_enrollments: deadlock answered with 409: %s", exc)
        return Response(
            {
                "detail": "This change collided with another one made at the same moment (a database deadlock) "
                "and nothing was changed. Reload and try again."
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, OperationalError):
        log.warning("waffle_enrollments: database unavailable or locked, answered with 503: %s", exc)
        return Response(
            {
                "detail": "The database is busy (lock timeout or deadlock) and nothing was changed. "
                "Try again in a moment."
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "2"},
        )
    log.exception("waffle_enrollments: database error answered with 503")
    return Response(
        {
            "detail": "The database refused this request and nothing was changed. Try again; if it persists, "
            "tell the LMS operators."
        },
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
    )


def exception_handler(exc, context):
    if isinstance(exc, ApiError):
        return Response({"detail": _plain(exc.detail), **exc.extra}, status=exc.status_code)
    if isinstance(exc, DatabaseError):
        return _database_error(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a programming error: let Django log it and answer 500
    if isinstance(exc, Http404) and not isinstance(response.data, dict):
        response.data = {"detail": "Not found."}
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        response.data = {**data, "detail": _plain(data["detail"])}
    else:
        response.data = {"detail": _plain(data)}
    return response
