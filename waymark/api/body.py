"""Reading a JSON request body: strict JSON (no NaN or Infinity), errors in the API's shape."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

from waymark.api.errors import EMPTY_BODY, ApiError
from waymark.clinical import strict_json


def _invalid(message: str) -> ApiError:
    return ApiError(400, "invalid-json", message)


def read_json(request: HttpRequest) -> Any:
    """The decoded body, whatever JSON value it holds; never coerced."""
    try:
        raw = request.body
    except RequestDataTooBig as error:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raise ApiError(413, "too-large", f"The request body is over {limit} bytes.") from error
    if not raw.strip():
        raise _invalid(EMPTY_BODY)
    try:
        return strict_json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _invalid("The request body is not UTF-8 text.") from error
    except strict_json.NotJSONError as error:
        raise _invalid(f"The request body is not valid JSON ({error}).") from error


class StrictJSONParser(Parser):
    """ninja's body parser, reading as `read_json` does. Every body ninja parses for this
    API is a JSON object; anything else would reach the schema as missing fields."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        data = read_json(request)
        if not isinstance(data, dict):
            message = "must be a JSON object"
            raise ApiError(
                400, "invalid-request", f"The request body {message}.", {"body": message}
            )
        return data
