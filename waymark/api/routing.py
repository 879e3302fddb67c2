"""The API's URLs, with the errors ninja answers outside its exception handlers — a wrong
method, an address that is not in the API, the API root — in the one error shape too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from waymark.api import tokens
from waymark.api.errors import error_response, on_not_found, on_unexpected

View = Callable[..., HttpResponse]


def guarded(view: View) -> View:
    def view_in_the_error_shape(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            # A personal API token signs the request in (waymark/api/tokens.py), or is refused.
            refused = tokens.authenticate(request)
            if refused is not None:
                return refused
            response = view(request, *args, **kwargs)
        except Http404 as error:
            return on_not_found(request, error)
        except Exception as error:  # the last guard: log it, answer in the shape, leak nothing
            return on_unexpected(request, error)
        # Answers hold someone's data (signed in, by token, or a browser's own check-ups):
        # never kept by a browser or a proxy.
        response.headers.setdefault("Cache-Control", "no-store, private")
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            shaped = error_response(
                405, "method-not-allowed", f"This address answers only {allowed}."
            )
            shaped["Allow"] = allowed
            return shaped
        return response

    # ninja's views check CSRF themselves, and only where a cookie signs someone in.
    view_in_the_error_shape.csrf_exempt = True  # type: ignore[attr-defined]
    return view_in_the_error_shape


def not_in_the_api(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, "not-found", "There is nothing at this address in the API.")


not_in_the_api.csrf_exempt = True  # type: ignore[attr-defined]


def _view_for(pattern: URLPattern) -> View:
    # The root only names the API (ninja reverses it to find the OpenAPI paths).
    return not_in_the_api if pattern.name == "api-root" else guarded(pattern.callback)


BEARER = "personalToken"


class WaymarkAPI(NinjaAPI):
    """A NinjaAPI whose every answer, errors included, is JSON in the API's shape."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Every operation that takes a signed-in session also takes a personal API token."""
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})[BEARER] = {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, `wm_…`, made at /account/tokens/.",
        }
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                security = operation.get("security")
                if security and {BEARER: []} not in security:
                    security.append({BEARER: []})
        return schema

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        shaped: list[URLResolver | URLPattern] = [
            URLPattern(p.pattern, _view_for(p), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in patterns
        ]
        shaped.append(re_path(r"", not_in_the_api, name="not-in-the-api"))
        return shaped, app_name, namespace
