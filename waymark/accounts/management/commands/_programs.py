"""Shared by the staff commands: finding a program or an account, and the sign-in link."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.management.base import CommandError
from django.urls import reverse

from waymark.accounts.models import Organization, User


def bad_input(message: str) -> CommandError:
    """Bad input: exit status 2 with one line (like every Waymark command)."""
    return CommandError(message, returncode=2)


def find_program(text: str) -> Organization:
    """A program by its exact name or its public id."""
    try:
        program = Organization.objects.filter(public_id=uuid.UUID(text)).first()
    except ValueError:
        program = Organization.objects.filter(name=text).first()
    if program is None:
        raise bad_input(f"no program named {text!r} (see `waymark addprogram`)")
    return program


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise bad_input(f"no account with the username {username!r}")
    return user


def site_link(name: str) -> str:
    return settings.WAYMARK_SITE_URL + reverse(name)
