from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from waymark.context_processors import help_lines


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "waymark/home.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: no request context (the fault may be in it), but the help lines still."""
    page = loader.get_template("500.html").render(help_lines(request))
    return HttpResponseServerError(page)
