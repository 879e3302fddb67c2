"""Leaving a list of emails with one click (RFC 8058), the same way for every list.

Each list Waymark emails — check-in reminders, emails about questions, the weekly digest — is
an `EmailList`: its own salt, so a link signed for one list can never turn another off; the
page its links open; and whether a person gets it, and how they leave it. The link carries
the person's public id, signed (Signer, no expiry: all it can do is turn one list off); it
goes in the email's List-Unsubscribe header (`mail.message(..., unsubscribe=url)`), and may
end the body too.

The page (`unsubscribe_page`, behind `one_click`): a mail client's one-click POST turns the
list off with no session and no CSRF token (the view is exempt: the signature says whose);
a GET only shows a page with a button, so a link scanner that opens every link unsubscribes
nobody. Each list's template extends ``waymark/unsubscribe.html`` with its own words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from waymark.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponse])


@dataclass(frozen=True)
class EmailList:
    """One list of emails a person can leave with a link: ``salt`` is the list's own (never
    shared with another list or another use of signing); ``url_name`` its page, which takes
    the ``token``; ``is_on`` whether the person gets it; ``turn_off`` takes them off it from
    the link (audited the first time; doing it again changes nothing)."""

    salt: str
    url_name: str
    is_on: Callable[[User], bool]
    turn_off: Callable[[User, HttpRequest], object]

    def _signer(self) -> signing.Signer:
        return signing.Signer(salt=self.salt)

    def token(self, person: User) -> str:
        return self._signer().sign(str(person.public_id))

    def url(self, person: User) -> str:
        """The link, absolute (WAYMARK_SITE_URL): it is read in an email."""
        return settings.WAYMARK_SITE_URL + reverse(
            self.url_name, kwargs={"token": self.token(person)}
        )

    def person(self, token: str) -> User | None:
        """The account a link was made for; None for an altered link, one made for another
        list, or an account that is gone."""
        try:
            public_id = self._signer().unsign(token)
        except signing.BadSignature:
            return None
        return User.objects.filter(public_id=public_id).first()


def one_click(view: View) -> View:
    """An unsubscribe page's view: GET and POST only, never cached, and exempt from CSRF
    because mail clients POST it with no session (all it can do is turn one list off)."""
    return csrf_exempt(never_cache(require_http_methods(["GET", "POST"])(view)))


def unsubscribe_page(
    request: HttpRequest, email_list: EmailList, token: str, template: str
) -> HttpResponse:
    """The page a link opens (400 when it is not valid for this list): POST turns the list
    off; GET only says whether it is off, with a button when it is not."""
    person = email_list.person(token)
    if person is None:
        return render(request, template, {"invalid": True}, status=400)
    if request.method == "POST":
        email_list.turn_off(person, request)
        return render(request, template, {"off": True})
    return render(request, template, {"off": not email_list.is_on(person)})
