"""Help lines: configuration, never template text (PRODUCT.md invariants).

The defaults are US lines (FACTS.md §5, §6 — check them at every release). A program
elsewhere sets WAYMARK_HELP_LINES / WAYMARK_HARM_REDUCTION_LINES to a JSON list of
{"name", "contact", "href"?, "description"?} objects, or the same names with _FILE to read
the list from a file. Plain Python, so the command line can show them without Django.

Care links (WAYMARK_CARE_LINKS, same rules) are where to find care near you: treatment
locators, helplines, naloxone, syringe services and meetings, each {"kind", "name", "href",
"contact"?, "description"?}. They are links a person follows, never anything a page loads.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from waymark.clinical.text import N_

HelpLine = dict[str, str]

DEFAULT_HELP_LINES: list[HelpLine] = [
    {
        "name": N_("Emergency"),
        "contact": N_("Call 911"),
        "href": "tel:911",
        "description": N_("If a life is in danger now: an overdose, a seizure, a suicide attempt."),
    },
    {
        "name": N_("988 Suicide & Crisis Lifeline"),
        "contact": N_("Call or text 988"),
        "href": "tel:988",
        "description": N_("Free, confidential support any time, day or night. Spanish: press 2."),
    },
    {
        "name": N_("Crisis Text Line"),
        "contact": N_("Text HOME to 741741"),
        "href": "sms:741741",
        "description": N_("Talk by text with a trained crisis counselor."),
    },
    {
        "name": N_("SAMHSA National Helpline"),
        "contact": "1-800-662-4357",
        "href": "tel:+18006624357",
        "description": N_("Free, confidential treatment referral and information, 24/7."),
    },
]

# Volunteer-run; federal funding was barred from April 2026 (FACTS.md §5): check each release.
DEFAULT_HARM_REDUCTION_LINES: list[HelpLine] = [
    {
        "name": N_("Never Use Alone"),
        "contact": "1-800-484-3731",
        "href": "tel:+18004843731",
        "description": N_(
            "If you use alone, call: someone stays on the line and sends help if you stop "
            "answering."
        ),
    },
]


class HelpLineError(ValueError):
    pass


def _read(name: str) -> str:
    if name in os.environ:
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8")
        except OSError as error:
            raise HelpLineError(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return ""


def from_environment(name: str, default: list[HelpLine]) -> list[Any]:
    """The configured list, or the default; shape problems are reported by the system check
    waymark.E005 with a hint, not here."""
    raw = _read(name)
    if raw.strip() == "":
        return default
    try:
        lines = json.loads(raw)
    except json.JSONDecodeError as error:
        raise HelpLineError(f"{name} must be a JSON list: {error}") from error
    if not isinstance(lines, list):
        raise HelpLineError(f"{name} must be a JSON list of objects")
    return lines


def help_lines() -> list[Any]:
    return from_environment("WAYMARK_HELP_LINES", DEFAULT_HELP_LINES)


def harm_reduction_lines() -> list[Any]:
    return from_environment("WAYMARK_HARM_REDUCTION_LINES", DEFAULT_HARM_REDUCTION_LINES)


# --- Care links: where to find care near you (the "Find help near you" page and the plan) ---
# Each kind has a title and a plain explanation in our own words; the page shows the kinds in
# this order. "other" holds whatever a program adds that fits none of the rest.
CARE_KINDS: dict[str, tuple[str, str]] = {
    "treatment": (
        N_("Treatment programs and clinicians"),
        N_(
            "Treatment can be a few visits to a doctor or counsellor, a program you go to "
            "several days a week, or a stay in a residential program. Good programs offer "
            "counselling and medication, and match the care to you. These searches let you "
            "look by place, by the kind of care and by how you can pay."
        ),
    ),
    "helpline": (
        N_("Talk it over on the phone"),
        N_(
            "Not sure what kind of help you need? A free, confidential helpline can talk it "
            "through with you and tell you about services near you, including low-cost ones."
        ),
    ),
    "naloxone": (
        N_("Naloxone"),
        N_(
            "Naloxone (Narcan is one brand) can reverse an opioid overdose. In the US the "
            "nasal spray is sold in pharmacies without a prescription, and many programs give "
            "it away free, some by mail. Keep it where the people around you can find it."
        ),
    ),
    "syringe-services": (
        N_("Syringe services programs"),
        N_(
            "Syringe services programs give out new needles and other supplies free and "
            "without judgment. Many also offer naloxone, testing for HIV and hepatitis C, "
            "wound care, and a way into treatment whenever you want it."
        ),
    ),
    "meetings": (
        N_("Meetings and mutual-help groups"),
        N_(
            "Free groups where people facing the same thing support each other, in person or "
            "online. Groups differ: some follow twelve steps, some use practical tools from "
            "psychology, most are for people who want to stop and a few for people who want "
            "to cut down. It is fine to try several before one feels right."
        ),
    ),
    "other": (N_("More help"), N_("Other services your program suggests.")),
}

# US services. Each address was checked against public sources when it was added (see
# docs/configuration.md, "Care links"); ⚠️ marks one we could only partly confirm. Check them
# all at every release, like the help lines.
DEFAULT_CARE_LINKS: list[HelpLine] = [
    {
        "kind": "treatment",
        "name": "FindTreatment.gov",
        "href": "https://findtreatment.gov/",
        "description": N_(
            "The US government's confidential search for treatment programs, including ones "
            "that offer medication. You can filter by insurance and by free or low-cost care."
        ),
    },
    {
        "kind": "treatment",
        "name": N_("NIAAA Alcohol Treatment Navigator"),
        "href": "https://alcoholtreatment.niaaa.nih.gov/",
        "description": N_(
            "A guide from the US National Institute on Alcohol Abuse and Alcoholism to finding "
            "good alcohol treatment: programs, therapists and doctors."
        ),
    },
    {
        "kind": "helpline",
        "name": N_("SAMHSA National Helpline"),
        "contact": "1-800-662-4357",
        "href": "tel:+18006624357",
        "description": N_("Free, confidential treatment referral and information, 24/7."),
    },
    {
        "kind": "naloxone",
        "name": N_("NEXT Distro (free naloxone)"),
        "href": "https://nextdistro.org/naloxone",
        "description": N_(
            "Where to get naloxone free in your state, including by mail where that is offered."
        ),
    },
    {
        "kind": "syringe-services",
        "name": N_("North American Syringe Exchange Network (NASEN)"),
        "href": "https://nasen.org/map/",
        "description": N_("A map of syringe services programs across the US."),
    },
    {
        "kind": "meetings",
        "name": N_("Alcoholics Anonymous (AA)"),
        "href": "https://www.aa.org/find-aa",
        "description": N_("Twelve-step meetings for people who want to stop drinking."),
    },
    {
        "kind": "meetings",
        "name": N_("Narcotics Anonymous (NA)"),
        "href": "https://www.na.org/meetingsearch/",
        "description": N_("Twelve-step meetings for people who want to stop using drugs."),
    },
    {
        "kind": "meetings",
        "name": "SMART Recovery",
        "href": "https://meetings.smartrecovery.org/meetings/",
        "description": N_(
            "Meetings built on practical tools from psychology, for alcohol, drugs and other "
            "habits, whatever your goal."
        ),
    },
    {
        # ⚠️ The site is confirmed; we found no stable address for its meeting list.
        "kind": "meetings",
        "name": "Moderation Management",
        "href": "https://moderation.org/",
        "description": N_(
            "Peer groups for people who want to drink less rather than stop. If you get shaky, "
            "sweaty or sick when you stop drinking, cut down only with a doctor's help."
        ),
    },
]

WEB_SCHEMES = ("https://", "http://")
CARE_SCHEMES = (*WEB_SCHEMES, "tel:", "sms:")


def care_links() -> list[Any]:
    return from_environment("WAYMARK_CARE_LINKS", DEFAULT_CARE_LINKS)


def address(href: str) -> str:
    """What a link shows when it names no contact: a web link's host and path, a phone link's
    number. On paper it is the only way to follow the link."""
    for scheme in WEB_SCHEMES:
        if href.startswith(scheme):
            shown = href.removeprefix(scheme).removeprefix("www.")
            return shown.removesuffix("/")
    return href.partition(":")[2]


def grouped(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The links by kind, in CARE_KINDS order, kinds without links left out."""
    return [
        {"kind": kind, "title": title, "about": about, "links": found}
        for kind, (title, about) in CARE_KINDS.items()
        if (found := [link for link in links if link.get("kind") == kind])
    ]
