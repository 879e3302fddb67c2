"""The one page of the weekly digest outside the staff pages: its one-click unsubscribe link
(`waymark.unsubscribe`: a mail client's POST turns one staff member's digest off, a GET only
shows a button)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from waymark.clinic import digest
from waymark.unsubscribe import one_click, unsubscribe_page


@one_click
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    template = "waymark/clinic/digest_unsubscribe.html"
    return unsubscribe_page(request, digest.UNSUBSCRIBE, token, template)
