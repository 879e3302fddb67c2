"""The education library's pages: an index by topic, and one page per slug."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from waymark.content import library


def _language() -> str:
    return library.page_language(get_language())


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "waymark/content/index.html", {"sections": library.sections(_language())}
    )


def page(request: HttpRequest, slug: str) -> HttpResponse:
    language = _language()
    try:
        found = library.load(slug, language)
    except KeyError:
        raise Http404("No such page.") from None
    related = [library.load(other, language) for other in found.related]
    return render(request, "waymark/content/page.html", {"page": found, "related": related})
