"""The questionnaires follow the page's language: a Spanish page shows the Spanish items and
answers and none of the English ones, and says so where the Spanish is our own translation."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from waymark.clinical import scoring
from waymark.screeners.catalogue import SELF_SCREENS

pytestmark = pytest.mark.django_db
UNVALIDATED_ES = "Esta versión en español es una traducción nuestra y no ha sido validada."
UNVALIDATED_EN = "This Spanish version is our own translation and has not been validated."


def spanish() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="es")


def _page(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def assert_in_spanish_only(page: str, instrument_id: str, context: str | None = None) -> None:
    """Every Spanish item text and option label is in the form; no English one that differs.
    (Prose around the form is gettext's, checked by the catalogue's own tests.)"""
    start = page.index('<form method="post" novalidate')
    page = page[start : page.index("</form>", start)]
    instrument = scoring.get_instrument(instrument_id)
    es, en = instrument.wording("es"), instrument.original_wording
    spanish_words = set()
    for item in instrument.items:
        spanish_words |= {es.text_for(item, context), *es.option_labels(item)}
        assert es.text_for(item, context) in page, item.id
        for label in es.option_labels(item):
            assert re.search(rf">\s*{re.escape(label)}</label>", page), label
    for item in instrument.items:
        for english in (en.text_for(item, context), *en.option_labels(item)):
            if english not in spanish_words:  # "No" reads the same in both
                assert english not in page, english


def _unvalidated_note_shown(page: str) -> bool:
    return UNVALIDATED_ES in page or UNVALIDATED_EN in page  # the catalogue may lag


@pytest.mark.parametrize("instrument_id", SELF_SCREENS)
def test_a_spanish_quick_screen_asks_in_spanish_only(instrument_id: str) -> None:
    response = spanish().get(reverse("screeners:take", args=[instrument_id]))
    assert response.status_code == 200
    page = _page(response)
    assert_in_spanish_only(page, instrument_id)
    words = scoring.get_instrument(instrument_id).wording("es")
    assert words.name in page and words.instructions in page
    assert _unvalidated_note_shown(page) == words.unvalidated


def test_an_english_quick_screen_stays_in_english(client: Client) -> None:
    page = _page(client.get(reverse("screeners:take", args=["dast-10"])))
    dast = scoring.get_instrument("dast-10")
    assert all(item.text in page for item in dast.items)
    assert dast.wording("es").text_for(dast.items[0]) not in page
    assert not _unvalidated_note_shown(page)


def test_a_spanish_answer_scores_as_the_same_english_answer() -> None:
    answers = {item.id: "1" for item in scoring.get_instrument("phq-9").items}
    url = reverse("screeners:take", args=["phq-9"])
    scores = [
        re.search(r'<p class="score">(.*?)</p>', _page(c.post(url, answers)), re.S)
        for c in (spanish(), Client())
    ]
    total = scoring.score("phq-9", [1] * 9).total
    numbers = [re.findall(r"\d+", found.group(1)) for found in scores if found]
    assert numbers == [[str(total), "27"], [str(total), "27"]]


def test_an_unvalidated_screen_says_so_on_its_result_too() -> None:
    answers = {item.id: "0" for item in scoring.get_instrument("barc-10").items}
    page = _page(spanish().post(reverse("screeners:take", args=["barc-10"]), answers))
    assert _unvalidated_note_shown(page)
    assert scoring.get_instrument("barc-10").wording("es").source in page


def _checkup_with(client: Client, substances: list[str]) -> str:
    response = client.post(reverse("checkup:start"))
    checkup_url = str(response["Location"]).rsplit("/", 2)[0]
    data = {"substances": substances, "primary": substances[0]}
    assert client.post(f"{checkup_url}/substances/", data).status_code == 302
    return checkup_url


@pytest.mark.parametrize(
    ("step", "instrument_id", "variant"),
    [
        ("audit", "audit", None),
        ("gad-7", "gad-7", None),
        ("support", "barc-10", None),
        ("assist-cannabis", "assist-cannabis", None),
        ("criteria-alcohol", "sud-11", "alcohol"),
        ("criteria-cannabis", "sud-11", "cannabis"),
    ],
)
def test_a_spanish_checkup_step_asks_in_spanish_only(
    step: str, instrument_id: str, variant: str | None
) -> None:
    client = spanish()
    checkup_url = _checkup_with(client, ["alcohol", "cannabis"])
    response = client.get(f"{checkup_url}/{step}/")
    assert response.status_code == 200, step
    page = _page(response)
    assert_in_spanish_only(page, instrument_id, variant)
    assert (
        _unvalidated_note_shown(page)
        == scoring.get_instrument(instrument_id).wording("es").unvalidated
    )


def test_the_mood_steps_give_their_instructions_in_the_pages_language() -> None:
    client = spanish()
    checkup_url = _checkup_with(client, ["alcohol"])
    page = _page(client.get(f"{checkup_url}/mood/"))
    assert scoring.get_instrument("phq-2").wording("es").instructions in page
    assert_in_spanish_only(page, "phq-2")
    assert scoring.get_instrument("phq-2").instructions not in page


def test_the_api_adds_the_wording_in_the_requests_language_and_keeps_the_english() -> None:
    body = json.loads(spanish().get("/api/v1/instruments/gad-7").content)
    gad7 = scoring.get_instrument("gad-7")
    assert [q["text"] for q in body["questions"]] == [item.text for item in gad7.items]
    assert body["wording"]["language"] == "es" and body["wording"]["validated"] is True
    assert body["wording"]["questions"][0]["options"] == list(
        gad7.wording("es").option_labels(gad7.items[0])
    )
    english = json.loads(Client().get("/api/v1/instruments/gad-7").content)["wording"]
    assert english["language"] == "en" and english["translated"] is False
