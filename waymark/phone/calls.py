"""Who a person can call in one tap: the people in their latest plan who have a number, and
the configured help lines a phone can dial or text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from waymark.plans.content import people
from waymark.plans.models import Plan

DIALABLE = re.compile(r"[^0-9+*#]")  # what a tel: link may hold; spaces, dashes, dots go


@dataclass(frozen=True)
class Contact:
    name: str
    number: str  # as the person wrote it, or the line's "Call or text 988"
    href: str  # tel:… (digits only) or sms:…


def tel_href(number: str) -> str:
    """ "+1 (555) 010-0100" → "tel:+15550100100"; "" when nothing dialable is left."""
    digits = DIALABLE.sub("", number)
    return f"tel:{digits}" if any(c.isdigit() for c in digits) else ""


def people_to_call(person: Any) -> list[Contact]:
    """The people with a phone number in ``person``'s latest plan (two queries; none for a
    visitor without an account)."""
    if not getattr(person, "is_authenticated", False):
        return []
    plan = Plan.objects.filter(checkup__owner=person).order_by("-created_at", "-pk").first()
    version = plan.versions.order_by("-number").first() if plan else None
    if version is None:
        return []
    contacts = []
    for entry in people(version.content):
        name, number = str(entry.get("name", "")), str(entry.get("phone", ""))
        href = tel_href(number)
        if href:
            contacts.append(Contact(name=name or number, number=number, href=href))
    return contacts


def phone_lines(lines: list[dict[str, Any]]) -> list[Contact]:
    """The help lines a phone can call or text (tel: and sms: links), in their order; their
    number is what the line says to do ("Call or text 988")."""
    return [
        Contact(name=str(line.get("name", "")), number=str(line.get("contact", "")), href=href)
        for line in lines
        if (href := str(line.get("href", ""))).startswith(("tel:", "sms:"))
    ]
