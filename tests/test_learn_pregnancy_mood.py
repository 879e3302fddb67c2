"""The pages on pregnancy and on mood and anxiety: served in both languages, and linked from
the result when they fit."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from waymark.clinical.pathway import recommend
from waymark.clinical.profile import parse_profile
from waymark.content import library
from waymark.paths.examples import examples
from waymark.templatetags.waymark import learn_links

pytestmark = pytest.mark.django_db

NEW_PAGES = ("pregnancy", "mood-and-anxiety")
# Short words that only English prose has; a Spanish paragraph holding two of them slipped
# through untranslated.
ENGLISH = re.compile(r"\b(the|you|your|and|with|is|are|to|of)\b", re.IGNORECASE)
BLOCK = re.compile(r"<(p|li|h2|h3|blockquote)\b[^>]*>(.*?)</\1>", re.DOTALL)


def spanish_client(client: Client) -> Client:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    return client


def article_text_blocks(page: str) -> list[str]:
    article = page[page.index("<article") : page.index("</article>")]
    # The help lines come from configuration, with their own names: not page text.
    article = re.sub(r'<ul class="lines">.*?</ul>', "", article, flags=re.DOTALL)
    return [re.sub(r"<[^>]+>", " ", match.group(2)) for match in BLOCK.finditer(article)]


def example_profile(slug: str) -> dict[str, Any]:
    person = next(person for person in examples() if person["slug"] == slug)
    return copy.deepcopy(person["profile"])


@pytest.mark.parametrize("slug", NEW_PAGES)
def test_the_new_page_is_served_in_english(client: Client, slug: str) -> None:
    response = client.get(reverse("learn:page", args=[slug]))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{library.load(slug, 'en').title}</h1>" in page
    assert "[[" not in page and 'class="lines"' in page


@pytest.mark.parametrize("slug", NEW_PAGES)
def test_the_spanish_page_has_no_english_paragraph(client: Client, slug: str) -> None:
    response = spanish_client(client).get(reverse("learn:page", args=[slug]))
    assert response.status_code == 200
    page = response.content.decode()
    spanish = library.load(slug, "es")
    assert spanish.language == "es"
    assert f"<h1>{spanish.title}</h1>" in page and "<article>" in page
    blocks = article_text_blocks(page)
    assert len(blocks) > 10
    for block in blocks:
        assert len(ENGLISH.findall(block)) < 2, block


def test_the_index_lists_the_new_pages_under_getting_help(client: Client) -> None:
    index = client.get(reverse("learn:index")).content.decode()
    for slug in NEW_PAGES:
        assert reverse("learn:page", args=[slug]) in index


def test_the_pregnancy_finding_links_to_the_pregnancy_page() -> None:
    assert library.TOPIC_PAGES["pregnancy-care"] == "pregnancy"
    profile = example_profile("weekend-drinking")
    profile["pregnant"] = True
    result = recommend(parse_profile(profile))
    assert "pregnancy-care" in result.safety
    with translation.override("en"):
        assert "pregnancy" in [slug for slug, _title in learn_links(result)]


def test_a_result_with_a_mood_risk_links_to_the_mood_page(client: Client) -> None:
    low_mood = recommend(parse_profile(example_profile("low-mood-drinking-more")))
    assert low_mood.risks.mental_health.level != "none"
    with translation.override("en"):
        assert "mood-and-anxiety" in [slug for slug, _title in learn_links(low_mood)]
    page = client.get("/paths/examples/low-mood-drinking-more/").content.decode()
    assert reverse("learn:page", args=["mood-and-anxiety"]) in page


def test_a_result_without_a_mood_risk_does_not() -> None:
    calm = recommend(parse_profile(example_profile("weekend-drinking")))
    assert calm.risks.mental_health.level == "none"
    with translation.override("en"):
        assert "mood-and-anxiety" not in [slug for slug, _title in learn_links(calm)]
