"""The person's access log speaks plain words, in their language, never ids meant for auditors."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from waymark.audit import log

pytestmark = pytest.mark.django_db

CONSENT_DETAIL = (
    "consent a615f219-daa6-46a3-8446-8add96fb91c9; program b172ef70-de14-4786-a3dc-61eaa826c52c; "
    "scopes checkups,plan,checkins,notes; clinicians 1; ends 2027-11-26"
)


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "Started sharing with a program"), ("es", "Se empezó a compartir con un programa")],
)
def test_sharing_is_told_in_plain_words_without_ids(language: str, words: str) -> None:
    person = get_user_model().objects.create_user(username="sam", password="a-long-passphrase")
    log.record("consent.grant", actor=person, subject=person, detail=CONSENT_DETAIL)
    log.record("export.csv", actor=person, subject=person, detail="3 files")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person)
    page = client.get("/account/access/").content.decode()
    assert words in page
    assert "a615f219" not in page and "scopes" not in page
    assert "3 files" in page  # a detail a person can read stays


def test_an_action_without_plain_words_still_shows_its_detail() -> None:
    person = get_user_model().objects.create_user(username="sam", password="a-long-passphrase")
    log.record("account.something", actor=None, subject=person, detail="what happened")
    client = Client()
    client.force_login(person)
    assert "what happened" in client.get("/account/access/").content.decode()
