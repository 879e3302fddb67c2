"""Gzip only where no secret can leak through the length of the answer (BREACH):
waymark/compression.py."""

from __future__ import annotations

import gzip
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.programs import make_person
from waymark import compression
from waymark.accounts import signin_views, staff_views
from waymark.interop import views as interop_views

pytestmark = pytest.mark.django_db
GZIP: dict[str, Any] = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
SECRET = re.compile(r"wm_[A-Za-z0-9_-]{43}")
ROOT = Path(__file__).resolve().parent.parent


def _gzipped(response: HttpResponseBase) -> bool:
    return response.get("Content-Encoding") == "gzip"


def _vary(response: HttpResponseBase) -> set[str]:
    return {part.strip() for part in response.get("Vary", "").split(",")}


@pytest.mark.parametrize("url", ["/", "/learn/", "/help/find/"])
def test_a_page_without_a_form_is_gzipped_for_a_new_visitor(url: str) -> None:
    plain = Client().get(url)
    response = Client().get(url, **GZIP)
    assert response.status_code == 200 and _gzipped(response)
    assert "Accept-Encoding" in _vary(response)
    assert len(response.content) < len(plain.content)
    assert gzip.decompress(response.content).decode().startswith("<!doctype html>")
    # Django's random filler (a file name of 0-99 bytes) is in the header against BREACH.
    assert response.content[3] & gzip.FNAME


def test_without_accept_encoding_nothing_is_compressed_and_caches_are_told() -> None:
    response = Client().get("/")
    assert not _gzipped(response) and "Accept-Encoding" in _vary(response)
    assert response.content.decode().startswith("<!doctype html>")


@pytest.mark.parametrize("url", ["/account/login/", "/checkup/"])
def test_a_page_with_the_csrf_token_is_never_gzipped(url: str) -> None:
    response = Client().get(url, **GZIP)
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert not _gzipped(response)


def test_the_language_switch_needs_no_token_so_every_page_can_be_gzipped() -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("set_language"), {"language": "es", "next": "/learn/"})
    assert response.status_code == 302 and browser.cookies["django_language"].value == "es"


def test_nothing_is_gzipped_for_a_browser_with_a_session() -> None:
    client = Client()
    client.force_login(make_person())
    for url in ("/learn/", "/account/data/export/csv/", "/account/data/export/json/"):
        response = client.get(url, **GZIP)
        assert response.status_code == 200 and not _gzipped(response), url
    csv = client.get("/account/data/export/csv/", **GZIP)  # a zip of CSV files, whole
    assert zipfile.ZipFile(io.BytesIO(csv.content)).testzip() is None


def _bearer(person_client: Client) -> dict[str, Any]:
    response = person_client.post(
        reverse("interop:tokens"), {"name": "script", "scope": "read", "expires": "30"}, **GZIP
    )
    assert response.status_code == 200 and not _gzipped(response)
    [secret] = SECRET.findall(response.content.decode())
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_the_json_api_is_gzipped_when_large() -> None:
    public = Client().get("/api/v1/openapi.json", **GZIP)
    assert _gzipped(public) and "Accept-Encoding" in _vary(public)
    assert json.loads(gzip.decompress(public.content))["openapi"]
    person = Client()
    person.force_login(make_person())
    script = Client()  # a bearer token: no browser sends it by itself
    export = script.get("/api/v1/export", **GZIP, **_bearer(person))
    assert export.status_code == 200 and _gzipped(export)
    assert "version" in json.loads(gzip.decompress(export.content))
    small = Client().get("/healthz", **GZIP)
    assert not _gzipped(small)  # under 200 bytes, as Django's GZipMiddleware leaves it


def test_one_time_secrets_are_never_gzipped(monkeypatch: pytest.MonkeyPatch) -> None:
    for view in (
        signin_views.recovery_codes,
        staff_views.enrol,
        staff_views.backup_codes,
        interop_views.token_list,
    ):
        assert getattr(view, "never_compress", False), view.__name__
    # Even if the session rule were gone, a new API token's answer stays uncompressed.
    monkeypatch.setattr(compression, "from_a_browser_session", lambda request: False)
    client = Client()
    client.force_login(make_person())
    assert _gzipped(client.get("/api/v1/export", **GZIP))
    body = {"name": "a script with a long name"}
    made = client.post("/api/v1/tokens", body, content_type="application/json", **GZIP)
    assert made.status_code == 201 and not _gzipped(made)
    assert SECRET.search(made.content.decode())


def _through(
    response: HttpResponseBase, view: Callable[[HttpRequest], HttpResponseBase] | None = None
) -> Any:
    """The answer as the middleware lets it out, for a request that accepts gzip."""
    request = RequestFactory().get("/x", **GZIP)
    if view is not None:
        response = view(request)
    return compression.SecretSafeGZipMiddleware(lambda _: response).process_response(
        request, response
    )


def test_a_streamed_csv_is_gzipped_chunk_by_chunk_and_arrives_whole() -> None:
    rows = [f"2026-01-{day:02d},{day % 4}\n".encode() for day in range(1, 29)]
    done = _through(StreamingHttpResponse(iter([b"date,amount\n", *rows]), content_type="text/csv"))
    assert _gzipped(done) and "Content-Length" not in done
    assert gzip.decompress(b"".join(done.streaming_content)) == b"date,amount\n" + b"".join(rows)


def test_streamed_html_and_binary_answers_are_left_alone() -> None:
    html = StreamingHttpResponse(iter([b"<p>" * 200]), content_type="text/html; charset=utf-8")
    assert not _gzipped(_through(html))
    pdf = HttpResponse(b"%PDF-1.7" + b" " * 500, content_type="application/pdf")
    assert not _gzipped(_through(pdf))
    svg = HttpResponse(b"<svg>" + b"<g/>" * 100 + b"</svg>", content_type="image/svg+xml")
    assert _gzipped(_through(svg))


def test_a_view_marked_never_compress_is_not_gzipped() -> None:
    @compression.never_compress
    def codes(request: HttpRequest) -> HttpResponse:
        return HttpResponse("one-time code " * 100, content_type="text/plain")

    page = HttpResponse("no code " * 100, content_type="text/plain")
    assert _gzipped(_through(page)) and not _gzipped(_through(page, view=codes))


def test_caddy_does_not_compress_what_waymark_leaves_uncompressed() -> None:
    """An `encode` directive in front would gzip every answer, secrets and all."""
    lines = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8").splitlines()
    directives = [line.split()[0] for line in lines if line.strip() and line.lstrip()[0] != "#"]
    assert "encode" not in directives
