"""One error shape for every API error (CONTRACTS.md §6):

    {"error": {"code": str, "message": str, "fields": {...}}}

`code` is stable, for programs; `message` is one sentence for people and may change. `fields`
maps what was at fault to a message: a request location such as ``body.answers`` or
``query.limit``, a profile's JSON path such as ``$.substances[0].substance``, or a score
request's ``answers.N`` (the 0-based item). Errors about no one field leave it empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.responses import Response
from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/json; charset=utf-8"  # as ninja answers everything else
CODES = (
    "invalid-json",  # 400: the body is empty or not JSON
    "invalid-request",  # 400: the request does not have the documented shape
    "invalid-profile",  # 400: the profile is not a valid profile v1
    "invalid-answers",  # 400: the answers cannot be scored
    "not-signed-in",  # 401
    "forbidden",  # 403: a signed-in request without its CSRF token, or a read-only token
    "not-found",  # 404: also whatever is not yours
    "method-not-allowed",  # 405
    "idempotency-conflict",  # 409: an Idempotency-Key sent again with a different request
    "account-not-empty",  # 409: an import into an account that already has records
    "too-large",  # 413
    "rate-limited",  # 429, with Retry-After
    "server-error",  # 500: logged; never expected
)
_CODE_FOR_STATUS = {400: "invalid-request", 401: "not-signed-in", 403: "forbidden",
                    404: "not-found", 405: "method-not-allowed", 413: "too-large",
                    429: "rate-limited"}  # fmt: skip
EMPTY_BODY = "The request body is empty; send a JSON object."


class ErrorDetail(BaseModel):
    code: str = Field(description="one of: " + ", ".join(CODES))
    message: str = Field(description="one plain sentence for people")
    fields: dict[str, str] = Field(description="what was at fault, and why")


class Error(BaseModel):
    """Every error the API answers has this shape."""

    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The error responses an operation documents, for `response={200: ..., **errors(...)}`."""
    return dict.fromkeys(statuses, Error)


class ApiError(Exception):
    """Raised by views and the body parser: answers one error in the shape."""

    def __init__(
        self, status: int, code: str, message: str, fields: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = dict(fields or {})


def error_response(
    status: int, code: str, message: str, fields: Mapping[str, str] | None = None
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": dict(fields or {})}}
    return Response(body, status=status, content_type=CONTENT_TYPE)


# --- ninja's validation errors ---------------------------------------------------------------


def _location(loc: tuple[Any, ...]) -> str:
    """ninja's location without the view's parameter name: the body parameter `payload`
    reports ``("body", "payload", "answers")``, and a client sent ``body.answers``."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "body":
        del parts[1]
    return ".".join(str(part) for part in parts)


def validation_fields(problems: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for problem in problems:
        fields.setdefault(_location(tuple(problem.get("loc", ()))), str(problem.get("msg")))
    return fields


def _on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = validation_fields(exc.errors)
    if fields == {"body": "Field required"}:
        # ninja reads an empty body as no body at all; say what the client did.
        return error_response(400, "invalid-json", EMPTY_BODY)
    where = "; ".join(f"{key}: {message}" for key, message in list(fields.items())[:3])
    return error_response(400, "invalid-request", f"The request is not valid ({where}).", fields)


# --- everything else -------------------------------------------------------------------------


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja turns whatever the body parser raises into a plain 400: answer the parser's own.
    if isinstance(exc.__cause__, ApiError):
        return _on_api_error(request, exc.__cause__)
    status = exc.status_code
    return error_response(status, _CODE_FOR_STATUS.get(status, "invalid-request"), str(exc))


def _on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After, from the limit's wait(), to the response made here.
    message = "Too many requests from this address; wait a minute."
    return error_response(429, "rate-limited", message)


def _on_not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "not-signed-in", "Sign in first.")


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not-found", str(exc) or "Not found.")


def _on_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(413, "too-large", "The request body is too large.")


def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "server-error", "Something went wrong on our side.")


def install(api: NinjaAPI) -> None:
    """Answer every error ninja handles in the one shape (the most specific class wins)."""
    handlers: dict[type[Exception], Callable[[HttpRequest, Any], HttpResponse]] = {
        Exception: on_unexpected,
        Http404: on_not_found,
        RequestDataTooBig: _on_too_large,
        HttpError: _on_http_error,
        Throttled: _on_throttled,
        AuthenticationError: _on_not_signed_in,
        ValidationError: _on_validation_error,
        ApiError: _on_api_error,
    }
    for exception, handler in handlers.items():
        api.add_exception_handler(exception, handler)
