"""The education library: every page in both languages, safe text, working links and lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from waymark.clinical import labels, safety
from waymark.content import library, views

pytestmark = pytest.mark.django_db

PAGES_DIR = Path(library.__file__).resolve().parent / "pages"
SOURCES = [(language, slug) for language in library.LANGUAGES for slug in library.SLUGS]
# Help lines come from configuration only: no number of three digits or more (911, 988,
# 1-800-..., 741741) and no call or text links may be written into a page.
PHONE_LIKE = re.compile(r"\d{3,}|tel:|sms:", re.IGNORECASE)
DOSE = re.compile(r"\d\s*(mg|mcg|µg|milligram|microgram|ml)\b", re.IGNORECASE)
LINK = re.compile(r"\]\(([^)\s]*)\)")
OLD_DIETARY_LIMITS = re.compile(
    r"\b(1|2|one|two|un|uno|dos) (standard )?(drinks?|tragos?)( estándar)? "
    r"(a|per|al|por) (day|día)",
    re.IGNORECASE,
)
DIAGNOSIS = re.compile(r"\byou have (a|an) [\w ]*use disorder|\btienes un trastorno", re.I)


def source(language: str, slug: str) -> str:
    return (PAGES_DIR / language / f"{slug}.md").read_text(encoding="utf-8")


def words(html: str) -> str:
    return " ".join(html.split())


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


def article_of(page: str) -> str:
    return page[page.index("<article") : page.index("</article>")]


@pytest.fixture
def spanish(client: Client) -> Client:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    return client


@pytest.mark.parametrize(("language", "slug"), SOURCES)
def test_every_page_is_written_in_both_languages_with_a_title_and_summary(
    language: str, slug: str
) -> None:
    page = library.parse(slug, language, source(language, slug))
    assert page.title and page.summary and page.html
    loaded = library.load(slug, language)
    assert loaded.language == language and loaded.title == page.title


def test_the_folders_hold_exactly_the_known_pages() -> None:
    assert len(set(library.SLUGS)) == len(library.SLUGS)
    for language in library.LANGUAGES:
        on_disk = {path.stem for path in (PAGES_DIR / language).glob("*")}
        assert on_disk == set(library.SLUGS), language


@pytest.mark.parametrize(("language", "slug"), SOURCES)
def test_no_page_writes_a_phone_number_or_a_medication_dose(language: str, slug: str) -> None:
    text = source(language, slug)
    assert not PHONE_LIKE.findall(text), "help lines come from configuration: use [[help-lines]]"
    assert not DOSE.findall(text), "medicines are facts to discuss with a prescriber, no doses"


@pytest.mark.parametrize(("language", "slug"), SOURCES)
def test_no_page_diagnoses_or_gives_the_old_dietary_limits(language: str, slug: str) -> None:
    text = source(language, slug)
    assert not DIAGNOSIS.findall(text)
    assert not OLD_DIETARY_LIMITS.findall(text)


@pytest.mark.parametrize(("language", "slug"), SOURCES)
def test_every_link_in_a_page_points_to_an_existing_page(language: str, slug: str) -> None:
    for target in LINK.findall(source(language, slug)):
        match = re.fullmatch(r"/learn/([a-z0-9-]+)/", target)
        assert match, f"{language}/{slug}.md links outside the library: {target}"
        assert match.group(1) in library.SLUGS, f"{language}/{slug}.md: no page {target}"


@pytest.mark.parametrize("slug", library.SLUGS)
def test_the_spanish_page_has_the_same_structure_as_the_english(slug: str) -> None:
    english, spanish = source("en", slug), source("es", slug)
    assert LINK.findall(english) == LINK.findall(spanish)
    assert re.findall(r"\[\[[a-z-]+\]\]", english) == re.findall(r"\[\[[a-z-]+\]\]", spanish)
    assert re.findall(r"^#+ ", english, re.M) == re.findall(r"^#+ ", spanish, re.M)


@pytest.mark.parametrize(("language", "slug"), SOURCES)
def test_pages_leave_the_main_heading_to_the_template_and_use_known_placeholders(
    language: str, slug: str
) -> None:
    text = source(language, slug)
    assert not re.search(r"^# ", text, re.M)
    for placeholder in re.findall(r"\[\[([^\]]*)\]\]", text):
        assert placeholder in library.PLACEHOLDERS
        assert f"\n[[{placeholder}]]\n" in text, "a placeholder stands on its own line"
    page = library.load(slug, language)
    assert all("[[" not in part.html for part in page.parts)


def test_related_pages_and_result_links_all_exist() -> None:
    assert set(library.RELATED) == set(library.SLUGS)
    for slug, related in library.RELATED.items():
        assert slug not in related and set(related) <= set(library.SLUGS)
    assert set(library.TOPIC_PAGES.values()) <= set(library.SLUGS)
    assert set(labels.APPROACH) <= set(library.TOPIC_PAGES)
    assert set(safety.SAFETY_IDS) - {"crisis-support"} <= set(library.TOPIC_PAGES)


def test_the_library_language_follows_django_and_falls_back_to_english() -> None:
    assert library.page_language("es-us") == "es"
    assert library.page_language("fr") == "en"
    assert library.page_language(None) == "en"
    assert library.load("abstinence", "fr").language == "en"


def test_a_page_not_yet_translated_is_shown_in_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "abstinence.md").write_text("title: T\nsummary: S\n\nBody.\n", "utf-8")
    monkeypatch.setattr(library, "PAGES", tmp_path)
    library._load.cache_clear()
    try:
        page = library.load("abstinence", "es")
        assert (page.language, page.title, page.html) == ("en", "T", "<p>Body.</p>")
    finally:
        library._load.cache_clear()


@pytest.mark.parametrize(
    "text", ["no front matter\n", "title: T\n\nBody", "title: T\nsummary: S\nBody only"]
)
def test_a_page_without_its_front_matter_is_refused(text: str) -> None:
    with pytest.raises(library.PageError):
        library.parse("abstinence", "en", text)


@pytest.mark.parametrize("slug", ["../settings", "..", "", "settings", "ABSTINENCE"])
def test_only_known_slugs_are_ever_loaded(slug: str) -> None:
    with pytest.raises(KeyError):
        library.load(slug, "en")


@pytest.mark.parametrize(
    "path", ["/learn/nothing-here/", "/learn/../settings/", "/learn/..%2Fsettings/"]
)
def test_an_unknown_or_sneaky_address_is_a_404(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_view_refuses_a_traversal_slug_itself() -> None:
    request = RequestFactory().get("/learn/x/")
    with pytest.raises(Http404):
        views.page(request, "../settings")


def test_the_index_lists_every_page_in_reading_order(client: Client) -> None:
    response = client.get(reverse("learn:index"))
    assert response.status_code == 200
    main = main_of(response.content.decode())
    positions = [main.index(reverse("learn:page", args=[slug])) for slug in library.SLUGS]
    assert positions == sorted(positions)
    assert "<h1>Learn</h1>" in main


@pytest.mark.parametrize("slug", library.SLUGS)
def test_each_page_ends_with_related_links_and_the_review_note(client: Client, slug: str) -> None:
    response = client.get(reverse("learn:page", args=[slug]))
    assert response.status_code == 200
    main = main_of(response.content.decode())
    page = library.load(slug, "en")
    assert f"<h1>{page.title}</h1>" in main.replace("&#x27;", "'")
    related = main[main.index('id="related-heading"') :]
    for other in page.related:
        assert reverse("learn:page", args=[other]) in related
    assert "not medical advice. Last reviewed: Nov. 26, 2026" in related
    ids = re.findall(r'\sid="([^"]+)"', response.content.decode())
    assert len(ids) == len(set(ids)), "a heading id from the Markdown repeats one of the layout"


def test_the_spanish_page_is_served_when_the_language_is_spanish(spanish: Client) -> None:
    page = spanish.get(reverse("learn:page", args=["naloxone-and-overdose"])).content.decode()
    assert 'lang="es"' in page
    assert "<h1>La naloxona y qué hacer ante una sobredosis</h1>" in page
    assert "<article>" in page, "a page written in the reader's language needs no lang of its own"
    index = spanish.get(reverse("learn:index")).content.decode()
    assert "Tiras reactivas de fentanilo" in index


def test_a_page_shown_in_english_to_a_spanish_reader_is_marked_english() -> None:
    english = library.load("abstinence", "en")
    with translation.override("es"):
        response = render(RequestFactory().get("/"), "waymark/content/page.html", {"page": english})
    assert '<article lang="en">' in response.content.decode()


def test_the_placeholders_show_the_configured_lines(client: Client, settings: Any) -> None:
    settings.HELP_LINES = [{"name": "Samaritans", "contact": "116 123", "href": "tel:116123"}]
    settings.HARM_REDUCTION_LINES = [{"name": "Buddy line", "contact": "0800 000"}]
    naloxone = article_of(client.get("/learn/naloxone-and-overdose/").content.decode())
    assert "Samaritans" in naloxone and 'href="tel:116123"' in naloxone
    assert "988" not in naloxone and "[[" not in naloxone
    alone = article_of(client.get("/learn/never-use-alone/").content.decode())
    assert "Buddy line" in alone and "0800 000" in alone and "[[" not in alone


def test_the_page_about_levels_of_care_never_claims_a_placement() -> None:
    english = words(library.load("what-treatment-covers", "en").html)
    assert "A clinician can assess you with the ASAM Criteria to recommend a level of care" in (
        english
    )
    assert "It is not a placement" in english
    spanish = words(library.load("what-treatment-covers", "es").html)
    assert "evaluarte con los Criterios de la ASAM para recomendarte un nivel de atención" in (
        spanish
    )


def test_uncertain_facts_are_marked_as_uncertain() -> None:
    english = words(library.load("naloxone-and-overdose", "en").html)
    assert "about 30–90 minutes (this is an estimate; sources differ)" in english
    spanish = words(library.load("naloxone-and-overdose", "es").html)
    assert "unos 30 a 90 minutos (es un cálculo aproximado; las fuentes no coinciden)" in spanish
