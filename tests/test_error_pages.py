"""Error pages: a person who hits one still sees where they are, a way on, and the help lines."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from waymark import urls, views

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_waymark_page_with_the_help_lines(
    client: Client, settings: Any
) -> None:
    settings.HELP_LINES = [{"name": "Samaritans", "contact": "116 123", "href": "tel:116123"}]
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert 'href="tel:116123"' in page
    assert 'name="viewport"' in page


def test_a_missing_page_speaks_spanish(client: Client) -> None:
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Página no encontrada</h1>" in page and "Go to the home page" not in page
    assert 'lang="es"' in page


def test_a_person_without_a_staff_role_gets_a_plain_refusal_at_the_admin(client: Client) -> None:
    person = get_user_model().objects.create_user(username="sam", password="a-long-passphrase")
    client.force_login(person)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>Not allowed</h1>" in page
    assert "Need help now?" in page


def test_a_fault_shows_a_page_with_the_help_lines(settings: Any) -> None:
    settings.HELP_LINES = [{"name": "Samaritans", "contact": "116 123", "href": "tel:116123"}]
    assert urls.handler500 is views.server_error
    response = views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and 'href="tel:116123"' in page
