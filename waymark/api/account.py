"""JSON twins of the remaining pages that show data: who has seen my data (/account/access/),
my check-in reminder (/track/reminders/), the education library (/learn/) and where to find
care (/help/find/)."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as time_of_day
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language, gettext
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.security import django_auth

from waymark import helplines
from waymark.accounts.models import User
from waymark.api.errors import ApiError, errors
from waymark.api.pagination import Page
from waymark.audit import log
from waymark.audit.models import AuditEntry
from waymark.content import library
from waymark.context_processors import care_links
from waymark.tracking.models import Reminder

router = Router(tags=["account"])


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class AccessEntryOut(Schema):
    at: datetime
    actor: str = Field(description="`you`, `someone` (staff; see actor_name) or `waymark`")
    actor_name: str = Field(description="the staff member's name, when actor is someone")
    action: str = Field(description="e.g. view.chart, export.json, consent.grant")
    detail: str
    via: str = Field(description="web, api or system")

    # Each entry is a dict of log.SHOWN, sealed into the chain or still waiting to be.
    @staticmethod
    def resolve_actor(entry: dict[str, Any], context: dict[str, Any]) -> str:
        if entry["actor_ref"] == str(_user(context["request"]).public_id):
            return "you"
        return "someone" if entry["actor_ref"] else "waymark"

    @staticmethod
    def resolve_actor_name(entry: dict[str, Any], context: dict[str, Any]) -> str:
        someone = AccessEntryOut.resolve_actor(entry, context) == "someone"
        return str(entry["actor_label"]) if someone else ""


@router.get(
    "/access-log",
    auth=django_auth,
    response={200: list[AccessEntryOut], **errors(400, 401, 429)},
    operation_id="list_access_log",
    summary="Who looked at, changed or exported my data, newest first",
)
@paginate(Page)
def access_log(request: HttpRequest) -> QuerySet[AuditEntry, dict[str, Any]]:
    return log.entries_about(_user(request))


class ReminderOut(Schema):
    enabled: bool
    time: time_of_day = Field(description="the time of day, in time_zone")
    time_zone: str
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday")
    channel: str = Field(description="email, push (a notification on the person's phones) or both")


class ReminderState(Schema):
    reminder: ReminderOut | None = Field(description="null when no reminder was ever set")


@router.get(
    "/reminder",
    auth=django_auth,
    response={200: ReminderState, **errors(401, 429)},
    operation_id="get_reminder",
    summary="My check-in reminder, as /track/reminders/ shows it",
)
def get_reminder(request: HttpRequest) -> dict[str, Any]:
    return {"reminder": Reminder.objects.filter(owner=_user(request)).first()}


class LibraryPageOut(Schema):
    slug: str
    language: str = Field(description="the language it is written in (English if untranslated)")
    title: str
    summary: str
    reviewed: date


class LibrarySectionOut(Schema):
    heading: str
    pages: list[LibraryPageOut]


class HelpLineOut(Schema):
    name: str
    contact: str
    href: str
    description: str


class PartOut(Schema):
    html: str = Field(description="our own HTML; empty where help lines go")
    lines: list[HelpLineOut] = Field(description="the configured help lines shown here, if any")


class LibraryPageDetailOut(LibraryPageOut):
    parts: list[PartOut] = Field(description="the page body, with the configured help lines")
    related: list[str] = Field(description="slugs of related pages")


def _page(found: library.Page) -> dict[str, Any]:
    return {
        "slug": found.slug,
        "language": found.language,
        "title": found.title,
        "summary": found.summary,
        "reviewed": found.reviewed,
    }


def _lines(name: str) -> list[dict[str, str]]:
    chosen = {
        "help-lines": helplines.help_lines,
        "harm-reduction-lines": helplines.harm_reduction_lines,
    }
    found = chosen[name]() if name in chosen else []
    return [
        {
            "name": gettext(str(line.get("name", ""))),
            "contact": gettext(str(line.get("contact", ""))),
            "href": str(line.get("href", "")),
            "description": gettext(str(line.get("description", ""))),
        }
        for line in found
    ]


@router.get(
    "/learn",
    response={200: list[LibrarySectionOut], **errors(429)},
    operation_id="list_library",
    summary="The education library by topic, in the request's language (a fixed catalogue)",
)
def list_library(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"heading": str(heading), "pages": [_page(p) for p in pages]}
        for heading, pages in library.sections(get_language())
    ]


@router.get(
    "/learn/{slug}",
    response={200: LibraryPageDetailOut, **errors(404, 429)},
    operation_id="get_library_page",
    summary="One page of the education library, with the help lines where it shows them",
)
def get_library_page(request: HttpRequest, slug: str) -> dict[str, Any]:
    try:
        found = library.load(slug, get_language())
    except KeyError:
        raise ApiError(404, "not-found", "No such page.") from None
    return _page(found) | {
        "parts": [{"html": part.html, "lines": _lines(part.lines)} for part in found.parts],
        "related": list(found.related),
    }


class CareLinkOut(Schema):
    kind: str
    name: str
    contact: str = Field(description="the text the link shows: a number, or the web address")
    href: str = Field(description="https:, http:, tel: or sms:")
    description: str


class CareGroupOut(Schema):
    kind: str = Field(description="one of: " + ", ".join(helplines.CARE_KINDS))
    title: str
    about: str = Field(description="what this kind of service is, in plain words")
    links: list[CareLinkOut]


class CareOut(Schema):
    groups: list[CareGroupOut] = Field(description="the kinds that have links, in page order")


@router.get(
    "/help/find",
    response={200: CareOut, **errors(429)},
    operation_id="find_care",
    summary="Where to find care near you, by kind, as /help/find/ shows it (WAYMARK_CARE_LINKS)",
)
def find_care(request: HttpRequest) -> dict[str, Any]:
    links = [{"description": "", **link} for link in care_links()]
    groups = helplines.grouped(links)
    return {
        "groups": [
            group | {"title": gettext(group["title"]), "about": gettext(group["about"])}
            for group in groups
        ]
    }
