"""The pages, through Django's test client: content, help lines, errors, translations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.paths.examples import examples
from waymark.screeners.catalogue import SELF_SCREENS

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_waymark_is_and_offers_a_screen(client: Client) -> None:
    page = client.get("/").content.decode()
    assert "Find the recovery path that fits you" in page
    assert reverse("screeners:list") in page
    assert "never diagnoses" in page.lower() or "does not diagnose" in page.lower()


def test_help_lines_come_from_configuration(client: Client, settings: Any) -> None:
    settings.HELP_LINES = [{"name": "Samaritans", "contact": "116 123", "href": "tel:116123"}]
    page = client.get("/").content.decode()
    assert "Samaritans" in page and 'href="tel:116123"' in page
    assert "988" not in page


def test_every_page_sends_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.parametrize("instrument_id", SELF_SCREENS)
def test_every_quick_screen_shows_its_published_items(client: Client, instrument_id: str) -> None:
    response = client.get(reverse("screeners:take", args=[instrument_id]))
    assert response.status_code == 200
    assert b'type="radio"' in response.content


@pytest.mark.parametrize("instrument_id", ["cows", "ciwa-ar", "sud-11", "nonsense"])
def test_clinician_scales_and_unknown_ids_are_not_self_screens(
    client: Client, instrument_id: str
) -> None:
    assert client.get(f"/screeners/{instrument_id}/").status_code == 404


def test_a_complete_screen_shows_the_score_and_its_meaning(client: Client) -> None:
    answers = dict.fromkeys(("interest", "depressed"), "1")
    page = client.post(reverse("screeners:take", args=["phq-2"]), answers).content.decode()
    assert "Score 2 of 6" in page and "not a diagnosis" in page
    assert 'class="safety"' not in page


def test_phq_9_item_9_shows_crisis_lines_before_anything_else(client: Client) -> None:
    items = ["interest", "depressed", "sleep", "energy", "appetite", "self-worth",
             "concentration", "psychomotor", "self-harm"]  # fmt: skip
    answers = dict.fromkeys(items, "0") | {"self-harm": "1"}
    page = client.post(reverse("screeners:take", args=["phq-9"]), answers).content.decode()
    main = page[page.index("<main") :]
    assert main.index('class="safety"') < main.index("<h1")
    assert "988 Suicide" in main[: main.index("<h1")]


def test_a_missing_answer_re_shows_the_form_with_the_other_answers_kept(client: Client) -> None:
    response = client.post(reverse("screeners:take", args=["audit"]), {"frequency": "1"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "Please choose an answer to this question." in page
    assert 'value="1"' in page and "checked" in page


def test_never_drinking_lets_questions_2_to_8_stay_blank(client: Client) -> None:
    page = client.post(
        reverse("screeners:take", args=["audit"]),
        {"frequency": "0", "injury": "0", "concern": "0"},
    ).content.decode()
    assert "Score 0 of 40" in page


def test_an_option_that_does_not_exist_is_an_error_not_a_crash(client: Client) -> None:
    response = client.post(reverse("screeners:take", args=["phq-2"]), {"interest": "9"})
    assert response.status_code == 400
    assert "Please choose one of the answers shown." in response.content.decode()


def test_audit_c_asks_sex_only_for_its_cut_off(client: Client) -> None:
    url = reverse("screeners:take", args=["audit-c"])
    assert "Sex assigned at birth" in client.get(url).content.decode()
    answers = {"frequency": "1", "typical-quantity": "1", "heavy-episodes": "1"}
    assert "Negative" in client.post(url, answers | {"sex": "male"}).content.decode()
    assert "Positive" in client.post(url, answers).content.decode()


@pytest.mark.parametrize("slug", [person["slug"] for person in examples()])
def test_each_example_puts_safety_first_and_shows_all_six_factors(
    client: Client, slug: str
) -> None:
    page = client.get(reverse("paths:example", args=[slug])).content.decode()
    main = page[page.index("<main") :]
    if 'class="safety"' in main:
        assert main.index('class="safety"') < main.index("<h1")
    assert main.count('class="factor"') == 6
    assert "not a placement" in main


def test_an_unknown_example_is_a_404(client: Client) -> None:
    assert client.get("/paths/examples/nobody/").status_code == 404


def test_the_pages_are_translated_into_spanish(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="es"' in page
    assert "Encuentra el camino de recuperación" in page
