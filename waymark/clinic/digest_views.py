"""The one page of the weekly digest outside the staff pages: its one-click unsubscribe link.

Mail clients POST the List-Unsubscribe link (RFC 8058) with no session and no CSRF token, so
this view is exempt: all a POST can do is turn one staff member's digest off, and the signed
token says whose. A GET only shows a button, so a link scanner turns nothing off.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from waymark.clinic import digest


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    staff = digest.unsubscribe_staff(token)
    template = "waymark/clinic/digest_unsubscribe.html"
    if staff is None:
        return render(request, template, {"invalid": True}, status=400)
    if request.method == "POST":
        digest.do_set_weekly_digest(staff, False, request, by_link=True)
        return render(request, template, {"off": True})
    return render(request, template, {"off": not staff.weekly_digest})
