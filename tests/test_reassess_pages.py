"""Re-assessment, the next step and switching paths, through Django's test client."""

from __future__ import annotations

import copy
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from tests.reference import load
from waymark import checks
from waymark.accounts.models import User
from waymark.checkup.actions import do_complete_checkup
from waymark.checkup.models import Answer, CheckUp
from waymark.clinical.checkup import answers_from_profile
from waymark.plans.actions import do_create_plan, do_save_version, do_switch_path
from waymark.plans.models import Plan, PlanVersion
from waymark.tracking.models import CheckIn, SubstanceAmount

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-password-1"
PROGRESS = reverse("progress:page")
HISTORY = reverse("checkup:history")
BY_NAME = {v["name"]: v["profile"] for v in load("vignettes.json")}
WEEKEND = "weekend drinker over limits, wants to cut down"  # 3 a day: the limit for women
SEIZURES = "heavy drinking with withdrawal seizures, wants to stop"


def sign_in(client: Client) -> User:
    user = User.objects.create_user("sam", password=PASSWORD)
    client.force_login(user)
    return user


def phq9(total: int) -> list[int]:
    """PHQ-9 answers adding up to ``total``, item 9 always 0 (no crisis flow here)."""
    answers = []
    for _ in range(8):
        answers.append(min(3, total))
        total -= answers[-1]
    return [*answers, 0]


def checkup(owner: User, days_ago: int, vignette: str = WEEKEND, phq: int | None = None) -> CheckUp:
    profile = copy.deepcopy(BY_NAME[vignette])
    if phq is not None:
        profile.setdefault("instruments", {})["phq-9"] = phq9(phq)
    done = CheckUp.objects.create(owner=owner)
    Answer.objects.bulk_create(
        Answer(checkup=done, instrument=a.instrument, version="1", context=a.context,
               item=a.item, option=a.option, value=a.value)
        for a in answers_from_profile(profile)
    )  # fmt: skip
    do_complete_checkup(done)
    when = timezone.now() - timedelta(days=days_ago)
    CheckUp.objects.filter(pk=done.pk).update(created_at=when, completed_at=when)
    done.refresh_from_db()
    return done


def backdate(plan: Plan, days_ago: int) -> None:
    PlanVersion.objects.filter(plan=plan).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )


def today() -> date:
    return timezone.localdate()


def drink(owner: User, day: date, drinks: int) -> None:
    check_in = CheckIn.objects.create(owner=owner, day=day, used=drinks > 0, cravings=2, mood=4)
    if drinks:
        SubstanceAmount.objects.create(check_in=check_in, substance="alcohol", amount=drinks)


def kept_weeks(owner: User, weeks: int = 4, drinks: int = 2) -> None:
    """Every day from ``weeks`` full weeks before this one up to today, within 3 a day."""
    monday = today() - timedelta(days=today().weekday())
    day = monday - timedelta(weeks=weeks)
    while day <= today():
        drink(owner, day, drinks if day.day % 2 else 0)
        day += timedelta(days=1)


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def main(page: str) -> str:
    return page[page.index("<main") :]


# Due again ----------------------------------------------------------------------------------


def test_the_due_notice_shows_on_all_three_pages_once_28_days_have_passed(client: Client) -> None:
    owner = sign_in(client)
    checkup(owner, days_ago=29)
    drink(owner, today(), 0)
    saved = reverse("tracking:saved", args=[today()])
    for url in (PROGRESS, HISTORY, saved):
        page = html(client, url)
        assert 'id="checkup-due"' in page, url
        assert "Your check-up is due again" in page
        assert reverse("checkup:start") in page[page.index('id="checkup-due"') :]


def test_no_due_notice_before_28_days_or_without_a_check_up(client: Client) -> None:
    owner = sign_in(client)
    drink(owner, today(), 0)
    assert 'id="checkup-due"' not in html(client, PROGRESS)
    checkup(owner, days_ago=27)
    saved = reverse("tracking:saved", args=[today()])
    for url in (PROGRESS, HISTORY, saved):
        assert 'id="checkup-due"' not in html(client, url), url


def test_the_interval_is_configurable_and_overdue_two_weeks_later(
    client: Client, settings: Any
) -> None:
    owner = sign_in(client)
    checkup(owner, days_ago=10)
    assert 'id="checkup-due"' not in html(client, HISTORY)
    settings.WAYMARK_REASSESS_DAYS = 7
    assert "Your check-up is due again" in html(client, HISTORY)
    checkup(owner, days_ago=40)  # an older one changes nothing: the latest counts
    settings.WAYMARK_REASSESS_DAYS = 1
    CheckUp.objects.filter(owner=owner).update(completed_at=timezone.now() - timedelta(days=16))
    assert "Your check-up is overdue" in html(client, HISTORY)


@pytest.mark.parametrize("days", [0, -3, "28", True])
def test_an_unusable_interval_is_a_configuration_error(settings: Any, days: Any) -> None:
    settings.WAYMARK_REASSESS_DAYS = days
    assert [error.id for error in checks.check_reassess_days()] == ["waymark.E007"]


def test_the_default_interval_passes_its_check() -> None:
    assert checks.check_reassess_days() == []


# Change since baseline and worsening ----------------------------------------------------------


def test_history_shows_change_since_the_first_check_up_in_words(client: Client) -> None:
    owner = sign_in(client)
    checkup(owner, days_ago=60, phq=12)
    checkup(owner, days_ago=30, phq=9)
    checkup(owner, days_ago=1, phq=6)
    page = html(client, HISTORY)
    row = page[page.index('id="change-phq-9"') :]
    row = row[: row.index("</table>")]
    assert "12 (Moderate)" in row and "6 (Mild)" in row
    assert "Better: 6 points lower" in row
    assert 'id="worsening"' not in page


def test_a_phq9_rise_of_5_brings_the_care_suggestion_first(client: Client) -> None:
    owner = sign_in(client)
    drink(owner, today(), 0)
    checkup(owner, days_ago=30, phq=5)
    checkup(owner, days_ago=1, phq=10)  # mild → moderate, and +5
    for url in (HISTORY, PROGRESS):
        page = main(html(client, url))
        assert 'id="worsening"' in page, url
        assert page.index('id="worsening"') < page.index("<h1"), url
        banner = page[page.index('id="worsening"') :]
        assert "from 5 to 10" in banner and "doctor or counsellor" in banner
        assert "988" in banner or "crisis" in banner.lower()  # the configured lines
    history = html(client, HISTORY)
    assert "Worse: 5 points higher" in history


def test_a_phq9_rise_of_4_in_the_same_band_brings_no_care_suggestion(client: Client) -> None:
    owner = sign_in(client)
    checkup(owner, days_ago=30, phq=10)
    checkup(owner, days_ago=1, phq=14)
    page = html(client, HISTORY)
    assert 'id="worsening"' not in page
    assert "Worse: 4 points higher" in page


def test_a_rise_since_the_last_check_up_counts_even_below_the_first(client: Client) -> None:
    owner = sign_in(client)
    checkup(owner, days_ago=60, phq=16)
    checkup(owner, days_ago=30, phq=3)
    checkup(owner, days_ago=1, phq=9)  # better than the first, +6 and a band up since the last
    assert 'id="worse-phq-9"' in html(client, HISTORY)


# Switching paths ------------------------------------------------------------------------------


def make_plan(owner: User, approach: str = "harm-reduction", vignette: str = WEEKEND) -> Plan:
    plan = do_create_plan(checkup(owner, days_ago=50, vignette=vignette), approach, owner)
    backdate(plan, 42)
    return plan


def test_switching_path_makes_a_new_version_and_keeps_the_person_s_own_lists(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    content = dict(plan.latest().content)
    content["triggers"] = [*content["triggers"], "Payday Fridays"]
    content["people"] = [{"name": "Jordan", "phone": "555-0134", "note": "sister"}]
    content["notes"] = "Call Jordan first."
    do_save_version(plan, content, owner)
    url = reverse("plans:switch", args=[plan.public_id])
    response = client.post(url, {"approach": "abstinence"})
    assert response.status_code == 302
    versions = list(plan.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    latest = versions[-1].content
    assert latest["approach"] == "abstinence" and latest["switched_from"] == "harm-reduction"
    assert "Payday Fridays" in latest["triggers"]
    assert latest["people"] == content["people"] and latest["notes"] == "Call Jordan first."
    assert versions[1].content["approach"] == "harm-reduction"  # the earlier one is as it was
    page = html(client, reverse("plans:detail", args=[plan.public_id]))
    assert "Path changed from Harm reduction in this version." in page
    assert 'value="abstinence"' not in page[page.index('id="switch-path"') :]


def test_every_safety_item_stays_after_a_switch(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner, "abstinence", SEIZURES)
    do_switch_path(plan, "harm-reduction", owner)
    page = main(html(client, reverse("plans:detail", args=[plan.public_id])))
    for safety_id in plan.checkup.result["safety"]:
        assert f'id="block-{safety_id}"' in page, safety_id
    assert page.index('class="safety"') < page.index("<h1")


def test_a_bad_or_unchanged_path_re_shows_the_plan_with_a_message(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    url = reverse("plans:switch", args=[plan.public_id])
    for approach in ("", "moderation", "harm-reduction"):
        response = client.post(url, {"approach": approach})
        assert response.status_code == 400
        assert "Please choose one of the other paths." in response.content.decode()
    assert plan.versions.count() == 1


def test_someone_else_cannot_switch_my_path(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    other = Client()
    other.force_login(User.objects.create_user("alex", password=PASSWORD))
    url = reverse("plans:switch", args=[plan.public_id])
    assert other.post(url, {"approach": "abstinence"}).status_code == 404
    assert plan.versions.count() == 1


def test_the_charts_mark_each_switch_with_a_line_a_label_and_a_caption(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 2)
    do_switch_path(plan, "abstinence", owner)
    page = html(client, PROGRESS)
    when = today()
    context = client.get(PROGRESS).context
    for figure in context["figures"]:
        svg = str(figure.svg)
        assert 'class="marker"' in svg and "Path: Abstinence" in svg, figure.id
        assert "Path changed to Abstinence on" in figure.caption, figure.id
    assert 'id="path-changes"' in page
    assert f"{when.day}" in page[page.index('id="path-changes"') :][:400]


def test_the_page_s_queries_do_not_grow_with_switches_or_days(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    counts = []
    for switches, weeks in ((1, 1), (6, 4)):
        PlanVersion.objects.filter(plan=plan, number__gt=1).delete()
        CheckIn.objects.filter(owner=owner).delete()
        kept_weeks(owner, weeks)
        for n in range(switches):
            do_switch_path(plan, ("abstinence", "harm-reduction")[n % 2], owner)
        with CaptureQueriesContext(connection) as queries:
            html(client, PROGRESS)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 13, counts


# The next step --------------------------------------------------------------------------------


def test_four_weeks_within_the_limit_offer_a_next_step(client: Client) -> None:
    owner = sign_in(client)
    make_plan(owner)
    kept_weeks(owner, 4)
    page = html(client, PROGRESS)
    section = page[page.index('id="next-step"') :]
    assert "limit of 3 drinks a day for the last 4 weeks" in section
    assert 'value="lower-target"' in section and 'value="abstinence-trial"' in section
    assert "keep going as you are" in section


def test_three_weeks_offer_nothing_yet(client: Client) -> None:
    owner = sign_in(client)
    make_plan(owner)
    kept_weeks(owner, 4)
    monday = today() - timedelta(days=today().weekday())
    CheckIn.objects.filter(owner=owner, day__lt=monday - timedelta(weeks=3)).delete()
    assert 'id="next-step"' not in html(client, PROGRESS)


def test_a_lower_limit_makes_a_new_version_and_the_chart_follows_it(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    response = client.post(
        reverse("plans:next-step", args=[plan.public_id]), {"kind": "lower-target"}
    )
    assert response.status_code == 302
    latest = plan.latest().content
    assert latest["daily_limit"] == 2.0 and latest["approach"] == "harm-reduction"
    assert plan.versions.count() == 2
    plan_page = html(client, reverse("plans:detail", args=[plan.public_id]))
    assert "You chose a lower limit: at most 2 drinks a day." in plan_page
    pdf = client.get(reverse("plans:pdf", args=[plan.public_id]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "My next step: at most 2 drinks a day" in " ".join(text.split())
    figure = client.get(PROGRESS).context["figures"][0]
    assert figure.rows[-1][1][1].startswith("2.0")  # today's target
    assert figure.rows[0][1][1].startswith("3.0")  # four weeks ago, the old limit
    assert 'id="next-step"' not in html(client, PROGRESS)  # four new weeks start now
    # Editing the plan afterwards keeps the chosen limit.
    form = client.get(reverse("plans:edit", args=[plan.public_id])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    assert client.post(reverse("plans:edit", args=[plan.public_id]), data).status_code == 302
    assert plan.latest().content["daily_limit"] == 2.0


def test_a_trial_of_abstinence_moves_the_plan_to_abstinence_and_the_chart_marks_it(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    url = reverse("plans:next-step", args=[plan.public_id])
    assert client.post(url, {"kind": "abstinence-trial"}).status_code == 302
    latest = plan.latest().content
    assert latest["approach"] == "abstinence" and latest["daily_limit"] == 0.0
    assert latest["next_step"]["kind"] == "abstinence-trial"
    assert "Path: Abstinence" in str(client.get(PROGRESS).context["figures"][0].svg)
    plan_page = html(client, reverse("plans:detail", args=[plan.public_id]))
    assert "You chose to try 4 weeks without drinking." in plan_page
    versions = html(client, reverse("plans:versions", args=[plan.public_id]))
    assert "path: Harm reduction" in versions and "path: Abstinence" in versions


def test_a_step_not_on_offer_changes_nothing(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 2)
    url = reverse("plans:next-step", args=[plan.public_id])
    response = client.post(url, {"kind": "abstinence-trial"})
    assert response.status_code == 400
    assert "Nothing was changed" in response.content.decode()
    kept_weeks_more = CheckIn.objects.filter(owner=owner).count()
    assert kept_weeks_more and plan.versions.count() == 1


def test_no_next_step_beside_a_worsening(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(owner)
    kept_weeks(owner, 4)
    CheckUp.objects.filter(pk=plan.checkup.pk).update(
        completed_at=timezone.now() - timedelta(days=50)
    )
    checkup(owner, days_ago=40, phq=4)
    checkup(owner, days_ago=2, phq=15)
    page = html(client, PROGRESS)
    assert 'id="worsening"' in page and 'id="next-step"' not in page


def test_supervised_withdrawal_sets_no_home_limit_so_no_next_step(client: Client) -> None:
    owner = sign_in(client)
    make_plan(owner, "harm-reduction", SEIZURES)
    kept_weeks(owner, 4)
    assert 'id="next-step"' not in html(client, PROGRESS)


def test_the_history_page_s_queries_do_not_grow_with_check_ups(client: Client) -> None:
    owner = sign_in(client)
    counts = []
    for total in (2, 6):
        CheckUp.objects.filter(owner=owner).delete()
        for n in range(total):
            checkup(owner, days_ago=10 * (total - n), phq=n)
        with CaptureQueriesContext(connection) as queries:
            html(client, HISTORY)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
