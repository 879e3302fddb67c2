"""The education library: pages the Waymark team wrote from FACTS.md, in English and Spanish.

Each page is a Markdown file, ``pages/<language>/<slug>.md``, that starts with two lines of
front matter (``title: ...`` and ``summary: ...``), a blank line, then the body. Only the
slugs listed in SECTIONS are ever loaded, so no file path is built from what a visitor typed.

Help lines are configuration, never page text (PRODUCT.md): a page marks where they belong
with a line of its own, ``[[help-lines]]`` or ``[[harm-reduction-lines]]``, and the page
template puts the configured lines there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

import markdown
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("en", "es")
FALLBACK_LANGUAGE = "en"
# When a clinician last checked every page against FACTS.md; change it with each review.
REVIEWED = date(2026, 11, 26)

# The index, in reading order: the paths first, then when and where to get help, then how to
# stay safer, the services and medicines, and the myths last.
SECTIONS: tuple[tuple[Promise, tuple[str, ...]], ...] = (
    (_("The three paths"), ("abstinence", "harm-reduction", "staged-path")),
    (
        _("Getting help"),
        (
            "when-to-seek-treatment",
            "what-treatment-covers",
            "abstinence-based-programs",
            "pregnancy",
            "mood-and-anxiety",
        ),
    ),
    (
        _("Staying safer"),
        (
            "naloxone-and-overdose",
            "never-use-alone",
            "fentanyl-test-strips",
            "lost-tolerance",
            "withdrawal-safety",
            "safer-use",
        ),
    ),
    (
        _("Services and medicines"),
        (
            "syringe-services",
            "safer-consumption-spaces",
            "medication-for-opioid-use-disorder",
            "medication-for-alcohol-use-disorder",
            "gradual-tapering",
        ),
    ),
    (_("Myths and facts"), ("myths-and-facts",)),
)
SLUGS: tuple[str, ...] = tuple(slug for _heading, slugs in SECTIONS for slug in slugs)

RELATED: dict[str, tuple[str, ...]] = {
    "abstinence": ("abstinence-based-programs", "withdrawal-safety", "staged-path"),
    "harm-reduction": ("naloxone-and-overdose", "safer-use", "staged-path"),
    "staged-path": ("harm-reduction", "abstinence", "gradual-tapering"),
    "when-to-seek-treatment": (
        "what-treatment-covers",
        "withdrawal-safety",
        "myths-and-facts",
        "pregnancy",
        "mood-and-anxiety",
    ),
    "what-treatment-covers": (
        "when-to-seek-treatment",
        "medication-for-opioid-use-disorder",
        "medication-for-alcohol-use-disorder",
        "mood-and-anxiety",
    ),
    "abstinence-based-programs": (
        "abstinence",
        "what-treatment-covers",
        "medication-for-alcohol-use-disorder",
    ),
    "pregnancy": (
        "medication-for-opioid-use-disorder",
        "withdrawal-safety",
        "when-to-seek-treatment",
    ),
    "mood-and-anxiety": ("when-to-seek-treatment", "what-treatment-covers", "withdrawal-safety"),
    "naloxone-and-overdose": ("never-use-alone", "fentanyl-test-strips", "lost-tolerance"),
    "never-use-alone": ("naloxone-and-overdose", "safer-consumption-spaces", "lost-tolerance"),
    "fentanyl-test-strips": ("naloxone-and-overdose", "never-use-alone", "safer-use"),
    "lost-tolerance": (
        "naloxone-and-overdose",
        "never-use-alone",
        "medication-for-opioid-use-disorder",
    ),
    "withdrawal-safety": (
        "gradual-tapering",
        "when-to-seek-treatment",
        "medication-for-alcohol-use-disorder",
        "pregnancy",
    ),
    "safer-use": ("naloxone-and-overdose", "fentanyl-test-strips", "withdrawal-safety"),
    "syringe-services": (
        "naloxone-and-overdose",
        "fentanyl-test-strips",
        "medication-for-opioid-use-disorder",
    ),
    "safer-consumption-spaces": ("never-use-alone", "syringe-services", "naloxone-and-overdose"),
    "medication-for-opioid-use-disorder": (
        "lost-tolerance",
        "what-treatment-covers",
        "naloxone-and-overdose",
        "pregnancy",
    ),
    "medication-for-alcohol-use-disorder": (
        "withdrawal-safety",
        "what-treatment-covers",
        "safer-use",
    ),
    "gradual-tapering": ("withdrawal-safety", "safer-use", "when-to-seek-treatment"),
    "myths-and-facts": (
        "harm-reduction",
        "medication-for-opioid-use-disorder",
        "when-to-seek-treatment",
    ),
}

# The page a result links to for each path and each public safety id (CONTRACTS.md §3).
TOPIC_PAGES: dict[str, str] = {
    "abstinence": "abstinence",
    "harm-reduction": "harm-reduction",
    "staged": "staged-path",
    "under-18": "when-to-seek-treatment",
    "continue-moud": "medication-for-opioid-use-disorder",
    "medically-supervised-withdrawal": "withdrawal-safety",
    "no-self-taper": "gradual-tapering",
    "pregnancy-care": "pregnancy",
    "polysubstance-overdose-risk": "safer-use",
    "reduced-tolerance": "lost-tolerance",
    "naloxone": "naloxone-and-overdose",
    "never-use-alone": "never-use-alone",
    "fentanyl-test-strips": "fentanyl-test-strips",
    "syringe-services": "syringe-services",
    "medication-for-opioid-use-disorder": "medication-for-opioid-use-disorder",
    "medication-for-alcohol-use-disorder": "medication-for-alcohol-use-disorder",
}

PAGES = resources.files("waymark.content") / "pages"
PLACEHOLDERS = ("help-lines", "harm-reduction-lines")
# Markdown turns a placeholder on its own line into a paragraph of its own.
_PLACEHOLDER = re.compile(r"<p>\[\[(" + "|".join(PLACEHOLDERS) + r")\]\]</p>")
_MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc"]
_MARKDOWN_CONFIG = {"toc": {"permalink": False}}


class PageError(ValueError):
    """A page file that does not follow the format (a bug the tests catch)."""


@dataclass(frozen=True)
class Part:
    """A piece of a page body: our own HTML, or the name of the configured lines to show."""

    html: str = ""
    lines: str = ""


@dataclass(frozen=True)
class Page:
    slug: str
    language: str  # the language it is written in: English when there is no translation
    title: str
    summary: str
    html: str
    parts: tuple[Part, ...]  # the html, cut at the help-lines placeholders
    related: tuple[str, ...]
    reviewed: date = REVIEWED


def page_language(language: str | None) -> str:
    """The library language for a Django language code ("es-us" → "es"); English otherwise."""
    code = (language or FALLBACK_LANGUAGE).split("-")[0].lower()
    return code if code in LANGUAGES else FALLBACK_LANGUAGE


def load(slug: str, language: str | None) -> Page:
    """The page in the language, or in English when it has no translation.

    Raises KeyError for any slug that is not one of ours (views turn it into a 404).
    """
    if slug not in SLUGS:
        raise KeyError(slug)
    return _load(slug, page_language(language))


def all_pages(language: str | None) -> list[Page]:
    return [load(slug, language) for slug in SLUGS]


def sections(language: str | None) -> list[tuple[Promise, list[Page]]]:
    return [(heading, [load(slug, language) for slug in slugs]) for heading, slugs in SECTIONS]


@cache
def _load(slug: str, language: str) -> Page:
    for code in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        source = PAGES / code / f"{slug}.md"
        if source.is_file():
            return parse(slug, code, source.read_text(encoding="utf-8"))
    raise KeyError(slug)


def parse(slug: str, language: str, text: str) -> Page:
    head, blank_line, body = text.partition("\n\n")
    fields: dict[str, str] = {}
    for line in head.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            raise PageError(f"pages/{language}/{slug}.md: front matter line {line!r} has no ':'")
        fields[key.strip()] = value.strip()
    if not blank_line or not fields.get("title") or not fields.get("summary"):
        raise PageError(
            f"pages/{language}/{slug}.md must start with 'title: ...', 'summary: ...' "
            "and a blank line"
        )
    html = render(body)
    return Page(
        slug=slug,
        language=language,
        title=fields["title"],
        summary=fields["summary"],
        html=html,
        parts=split(html),
        related=RELATED.get(slug, ()),
    )


def render(body: str) -> str:
    return markdown.markdown(
        body, extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG
    )


def split(html: str) -> tuple[Part, ...]:
    """The body cut at each help-lines placeholder, for the template to fill in."""
    pieces = _PLACEHOLDER.split(html)
    # re.split with one group alternates text, placeholder name, text, ...
    parts = [
        Part(lines=piece) if index % 2 else Part(html=piece) for index, piece in enumerate(pieces)
    ]
    return tuple(part for part in parts if part.lines or part.html.strip())
