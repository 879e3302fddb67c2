"""Clinician-rated scales (COWS, CIWA-Ar) never reach a person's check-up or quick screens."""

from __future__ import annotations

import pytest
from django.test import Client

from waymark.clinical import checkup, scoring
from waymark.clinical.checkup import Answers, StoredAnswer
from waymark.screeners.catalogue import SELF_SCREENS

CLINICIAN_SCALES = ("cows", "ciwa-ar")


def test_cows_and_ciwa_ar_are_marked_clinician_only() -> None:
    only = {i.id for i in scoring.all_instruments() if i.clinician_only}
    assert only == set(CLINICIAN_SCALES)


def test_the_quick_screens_list_no_clinician_scale() -> None:
    assert not any(scoring.get_instrument(i).clinician_only for i in SELF_SCREENS)


def test_no_check_up_step_asks_a_clinician_scale() -> None:
    every = Answers(
        [
            StoredAnswer(checkup.PROFILE, "substances", value=list(checkup.CRITERIA_SUBSTANCES)),
            StoredAnswer("phq-2", "interest", option=3),
            StoredAnswer("phq-2", "depressed", option=3),
        ]
    )
    steps = checkup.applicable_steps(every)
    assert "phq-9" in steps  # the answers reach the longest check-up
    assert not set(steps) & set(CLINICIAN_SCALES)
    assert not set(checkup.STEPS) & set(CLINICIAN_SCALES)


@pytest.mark.django_db
@pytest.mark.parametrize("instrument", CLINICIAN_SCALES)
def test_a_clinician_scale_has_no_quick_screen_page(client: Client, instrument: str) -> None:
    assert client.get(f"/screeners/{instrument}/").status_code == 404
    listing = client.get("/screeners/").content.decode()
    assert scoring.get_instrument(instrument).short_name not in listing
