from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers

from waymark import helplines
from waymark.context_processors import care_links, help_lines


def home(request: HttpRequest) -> HttpResponse:
    response = render(request, "waymark/home.html")
    if request.user.is_authenticated:  # the one-tap buttons hold the numbers in their plan
        add_never_cache_headers(response)
    return response


def find_care(request: HttpRequest) -> HttpResponse:
    """Where to find care near you: the configured links by kind, for anyone, signed in or not."""
    return render(request, "waymark/find_care.html", {"groups": helplines.grouped(care_links())})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: no request context (the fault may be in it), but the help lines still."""
    page = loader.get_template("500.html").render(help_lines(request))
    return HttpResponseServerError(page)
