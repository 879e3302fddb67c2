"""Example people and the path Waymark suggests for each: a demo of the engine that needs
no account and stores nothing. The check-up's result page reuses the same template."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile
from waymark.paths.examples import examples


def example_list(request: HttpRequest) -> HttpResponse:
    return render(request, "waymark/paths/examples.html", {"examples": examples()})


def example(request: HttpRequest, slug: str) -> HttpResponse:
    for person in examples():
        if person["slug"] == slug:
            result = recommend(parse_profile(person["profile"]))
            return render(
                request, "waymark/paths/example.html", {"person": person, "result": result}
            )
    raise Http404("No such example.")
