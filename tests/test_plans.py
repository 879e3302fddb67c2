"""Plans through Django's test client: drafted from a check-up, owned, versioned, printed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.reference import load
from tests.test_checkup import complete
from waymark.accounts.models import User
from waymark.checkup.models import CheckUp
from waymark.plans.models import Plan, PlanVersion

pytestmark = pytest.mark.django_db
VIGNETTES: list[dict[str, Any]] = load("vignettes.json")
BY_NAME = {v["name"]: v for v in VIGNETTES}


def make_plan(client: Client, vignette: str, approach: str = "") -> Plan:
    complete(client, BY_NAME[vignette]["profile"])
    checkup = CheckUp.objects.get()
    response = client.post(
        reverse("plans:create", args=[checkup.public_id]), {"approach": approach}
    )
    assert response.status_code == 302
    return Plan.objects.get()


def page(client: Client, plan: Plan, name: str = "plans:detail") -> str:
    response = client.get(reverse(name, args=[plan.public_id]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_every_safety_item_of_the_result_is_in_the_plan_first(
    client: Client, vignette: dict[str, Any]
) -> None:
    plan = make_plan(client, vignette["name"])
    html = page(client, plan)
    main = html[html.index("<main") :]
    for safety_id in plan.checkup.result["safety"]:
        assert f'id="block-{safety_id}"' in main, safety_id
    if plan.checkup.result["safety"]:
        assert main.index('class="safety"') < main.index("<h1")


def test_choosing_another_path_keeps_every_safety_item(client: Client) -> None:
    plan = make_plan(client, "injects fentanyl, not ready to stop", approach="abstinence")
    assert plan.latest().content["approach"] == "abstinence"
    html = page(client, plan)
    for safety_id in ("naloxone", "never-use-alone", "fentanyl-test-strips", "syringe-services"):
        assert f'id="block-{safety_id}"' in html


def test_no_home_taper_schedule_where_it_is_refused(client: Client) -> None:
    plan = make_plan(client, "heavy drinking with withdrawal seizures, wants to stop", "staged")
    html = page(client, plan)
    assert 'class="taper"' not in html


def test_a_staged_plan_shows_both_stages_and_the_signal(client: Client) -> None:
    plan = make_plan(client, "weekend drinker over limits, wants to cut down", "staged")
    html = page(client, plan)
    assert html.count('class="card"') >= 2 and 'class="notice"' in html


def test_every_save_is_a_new_version_and_earlier_ones_stay(client: Client) -> None:
    plan = make_plan(client, "weekend drinker over limits, wants to cut down")
    edit = reverse("plans:edit", args=[plan.public_id])
    form = client.get(edit)
    assert form.status_code == 200
    data = {"triggers": "Payday\nFriday nights", "person-0-name": "Ana",
            "person-0-phone": "555 0100", "notes": "Call Ana first."}  # fmt: skip
    response = client.post(edit, data)
    assert response.status_code == 302
    assert list(plan.versions.values_list("number", flat=True)) == [2, 1]
    latest = plan.latest().content
    assert latest["triggers"] == ["Payday", "Friday nights"]
    assert latest["people"] == [{"name": "Ana", "phone": "555 0100", "note": ""}]
    first = client.get(reverse("plans:version", args=[plan.public_id, 1])).content.decode()
    assert "Ana" not in first and "This is an earlier version." in first


def test_a_form_error_re_shows_everything_typed(client: Client) -> None:
    plan = make_plan(client, "weekend drinker over limits, wants to cut down")
    response = client.post(
        reverse("plans:edit", args=[plan.public_id]),
        {"person-0-phone": "555 0100", "triggers": "Payday", "notes": "keep me"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please add a name for this number." in html
    assert "555 0100" in html and "Payday" in html and "keep me" in html
    assert plan.versions.count() == 1


def test_what_the_person_writes_is_encrypted_at_rest(client: Client) -> None:
    plan = make_plan(client, "weekend drinker over limits, wants to cut down")
    client.post(reverse("plans:edit", args=[plan.public_id]), {"notes": "my secret note"})
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT content FROM {PlanVersion._meta.db_table}")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "my secret note" not in stored and "Payday" not in stored


def test_only_the_owner_can_see_a_plan(client: Client) -> None:
    plan = make_plan(client, "cocaine on weekends")
    stranger = Client()
    for name in ("plans:detail", "plans:edit", "plans:versions", "plans:pdf", "plans:wallet"):
        assert stranger.get(reverse(name, args=[plan.public_id])).status_code == 404
    other = User.objects.create_user("other", password="a-long-password-1")
    stranger.force_login(other)
    assert stranger.get(reverse("plans:detail", args=[plan.public_id])).status_code == 404
    assert stranger.post(reverse("plans:create", args=[plan.checkup.public_id])).status_code == 404


def test_the_pdf_holds_the_crisis_lines_and_the_plan_s_sections(
    client: Client, settings: Any
) -> None:
    plan = make_plan(client, "suicidal thoughts on PHQ-9 while drinking lightly")
    response = client.get(reverse("plans:pdf", args=[plan.public_id]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(__import__("io").BytesIO(response.content))
    text = " ".join(p.extract_text() for p in reader.pages)
    for line in settings.HELP_LINES:
        assert str(line["contact"]) in text
    html = page(client, plan)
    for title in ("My goals", "My warning signs"):
        assert title in text and title in html


def test_the_wallet_card_is_one_page(client: Client) -> None:
    plan = make_plan(client, "injects fentanyl, not ready to stop")
    response = client.get(reverse("plans:wallet", args=[plan.public_id]))
    reader = PdfReader(__import__("io").BytesIO(response.content))
    assert len(reader.pages) == 1


def test_an_unknown_path_choice_changes_nothing(client: Client) -> None:
    complete(client, BY_NAME["cocaine on weekends"]["profile"])
    checkup = CheckUp.objects.get()
    client.post(reverse("plans:create", args=[checkup.public_id]), {"approach": "moderation"})
    assert not Plan.objects.exists()


def test_the_json_twin_shows_the_plan_as_the_page_does(client: Client) -> None:
    plan = make_plan(client, "injects fentanyl, not ready to stop")
    listed = client.get("/api/v1/plans").json()
    assert [p["id"] for p in listed["items"]] == [str(plan.public_id)]  # paginated
    detail = client.get(f"/api/v1/plans/{plan.public_id}").json()
    assert detail["approach"] == "harm-reduction" and detail["version"] == 1
    safety_blocks = [b["id"] for b in detail["document"]["safety"]["blocks"]]
    assert safety_blocks == plan.checkup.result["safety"]
    versions = client.get(f"/api/v1/plans/{plan.public_id}/versions").json()
    assert [v["number"] for v in versions["items"]] == [1]


def test_the_json_twin_is_closed_to_others(client: Client) -> None:
    plan = make_plan(client, "cocaine on weekends")
    stranger = Client()
    other = User.objects.create_user("other", password="a-long-password-1")
    stranger.force_login(other)
    response = stranger.get(f"/api/v1/plans/{plan.public_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not-found"
    assert Client().get("/api/v1/plans").status_code == 401


YOUTH = {
    "version": 2,
    "age": 16,
    "goal": "cut-down",
    "substances": [{"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 4}],
}


def test_under_18_is_offered_no_adult_path(client: Client) -> None:
    """The `under-18` finding promises no adult path (CONTRACTS.md §3b): the result offers no
    choice, a crafted choice makes no plan, and the plan offers no switch (newcomer review: a
    16-year-old chose harm reduction and was told to keep to her limit)."""
    result_url, _ = complete(client, YOUTH)
    checkup = CheckUp.objects.get()
    result = client.get(result_url).content.decode()
    assert 'name="approach" value="abstinence"' in result and 'type="radio"' not in result
    create = reverse("plans:create", args=[checkup.public_id])
    client.post(create, {"approach": "harm-reduction"})
    assert not Plan.objects.exists()
    assert client.post(create, {"approach": "abstinence"}).status_code == 302
    plan = Plan.objects.get()
    assert plan.latest().content["approach"] == "abstinence"
    assert 'id="switch-path"' not in page(client, plan)
    switched = client.post(reverse("plans:switch", args=[plan.public_id]),
                           {"approach": "harm-reduction"})  # fmt: skip
    assert switched.status_code == 400 and plan.versions.count() == 1
