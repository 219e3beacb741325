"""Errors that carry their HTTP status and a machine-readable code, and the handlers that render them."""

import logging
from typing import Any

import asyncpg
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from i18n.forms import refusal_status
from marketplace.platform.runtime import RUNTIME_KEY

__all__ = [
    "AppError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "Unprocessable",
    "TooManyRequests",
    "error_body",
    "handle_exception",
]

log = logging.getLogger("marketplace.errors")


class AppError(Exception):
    """A domain error: the status it maps to, a stable code for clients and a human message."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details
        self.headers = headers or {}


class BadRequest(AppError):
    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    status_code = 401
    code = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Unprocessable(AppError):
    status_code = 422
    code = "unprocessable"


class TooManyRequests(AppError):
    status_code = 429
    code = "too_many_requests"


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The one JSON error shape of the API."""
    return {"error": {"code": code, "message": message, "details": details}}


def describe(exc: Exception) -> tuple[int, str, str, Any, dict[str, str]]:
    """Status, code, message, details and headers for any exception; internals never leak."""
    status = refusal_status(exc)
    if status is not None:
        # Domain errors from any package share this duck type (search and tourism cannot import us).
        message = getattr(exc, "message", None) or str(exc)
        headers = dict(getattr(exc, "headers", None) or {})
        return status, exc.code, message, getattr(exc, "details", None), headers  # type: ignore[attr-defined]
    if isinstance(exc, asyncpg.DataError):
        # Values the database cannot hold (an id past 64 bits, a malformed number) are the client's error.
        return 400, "invalid_value", "A value in the request is out of range or malformed.", None, {}
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        # A reference the client sent to a row that does not exist (or no longer does).
        return 422, "unknown_reference", "The request refers to something that does not exist.", None, {}
    if isinstance(exc, asyncpg.UniqueViolationError):
        return 409, "already_exists", "This already exists.", None, {}
    if isinstance(exc, (UnicodeDecodeError, RecursionError)):
        # A body that is not UTF-8, or JSON nested deeper than the decoder recurses: malformed input.
        return 400, "malformed_body", "The request body is malformed.", None, {}
    if isinstance(exc, (TimeoutError, asyncpg.TooManyConnectionsError, ConnectionError)):
        return 503, "unavailable", "The service is busy. Try again in a moment.", None, {"Retry-After": "5"}
    if isinstance(exc, ValidationException):
        return 400, "validation_failed", "The request is not valid.", exc.extra, {}
    if isinstance(exc, NotAuthorizedException):
        return 401, "unauthorized", exc.detail or "Sign in first.", None, {}
    if isinstance(exc, PermissionDeniedException):
        return 403, "forbidden", exc.detail or "You may not do this.", None, {}
    if isinstance(exc, HTTPException) and 400 <= exc.status_code < 500:
        return (exc.status_code, _HTTP_CODES.get(exc.status_code, "client_error"), exc.detail,
                exc.extra or None, dict(exc.headers or {}))
    return HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "Something went wrong on our side.", None, {}


def handle_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """JSON under /api and for clients that ask for JSON; a translated error page otherwise."""
    status, code, message, details, headers = describe(exc)
    # The request log middleware's id, echoed on refusals it did not send itself (CSRF, a bad token).
    if request_id := request.scope.get("marketplace.request_id"):  # type: ignore[misc]
        headers["X-Request-ID"] = request_id
    if status >= 500 and status != 503:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if _wants_json(request):
        return Response(error_body(code, message, details), status_code=status, media_type=MediaType.JSON,
                        headers=headers)
    renderer = request.app.state.get("error_page")
    if renderer is None:
        return Response(f"{status} {message}", status_code=status, media_type=MediaType.TEXT, headers=headers)
    return renderer(request, status, code, message, headers)


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    path: str = request.scope.get("path", "")
    runtime = request.app.state.get(RUNTIME_KEY)
    prefix: str = runtime.path_prefix if runtime is not None else ""
    if path.startswith(prefix + "/api/") or path.startswith(prefix + "/schema"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept
