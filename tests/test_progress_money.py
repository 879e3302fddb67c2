"""The "money not spent" figure: set on the progress page, shown only to the person, in the
page's language, in the API's progress JSON, in their export, and gone with their account."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from tests.programs import make_consent, make_person, make_program, make_staff
from waymark.accounts.models import Role, User
from waymark.interop import csvzip
from waymark.interop.actions import do_delete_account
from waymark.interop.export import document, to_json
from waymark.interop.importer import do_import
from waymark.progress.models import TypicalSpend
from waymark.progress.spend import do_set_typical_spend
from waymark.tracking import actions
from waymark.tracking.models import CheckIn

pytestmark = pytest.mark.django_db
PAGE = reverse("progress:page")
SPEND = reverse("progress:spend")


def today() -> date:
    return actions.today()


def person(client: Client, username: str = "sam") -> User:
    user = User.objects.create_user(username)
    client.force_login(user)
    return user


def days(owner: User, used: list[bool]) -> None:
    """One check-in a day, ``used`` oldest first, the last one today."""
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, day=today() - timedelta(days=back), used=use)
        for back, use in enumerate(reversed(used))
    )


def test_no_figure_until_the_person_gives_a_spend_only_a_quiet_offer(client: Client) -> None:
    owner = person(client)
    days(owner, [False, True, False])
    text = client.get(PAGE).content.decode()
    assert 'id="money"' in text and "See the money you did not spend (optional)" in text
    assert "Money not spent" not in text and 'id="money-whole"' not in text
    assert client.get("/api/v1/progress").json()["money_not_spent"] is None


def test_the_figure_counts_recorded_days_without_use_and_never_speaks_of_spending(
    client: Client,
) -> None:
    owner = person(client)
    # 40 days: use on every fifth; a day in the last four weeks and one before are missing.
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, day=today() - timedelta(days=back), used=back % 5 == 0)
        for back in range(40)
        if back not in (3, 33)
    )
    response = client.post(SPEND, {"spend-amount": "12.50", "spend-currency": "USD",
                                   "action": "save"}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0].endswith("/progress/#money")
    text = response.content.decode()
    assert "Saved: 12.50 USD on a day of use." in text
    # 38 recorded days, 8 of them with use (0, 5, …, 35): 30 without, 30 × 12.50 = 375.
    # The last 28 days: 27 recorded (3 missing), 6 with use: 21 × 12.50 = 262.50 → 263.
    assert '<p class="score" id="money-whole">375 USD</p>' in text
    assert "on each of the 30 days you recorded without use" in text
    assert "In the last 28 days: 263 USD." in text
    assert text.index("Your progress") < text.index('id="money"') < text.index("Milestones")
    for shaming in ("wasted", "money spent", "you spent", "lost"):
        assert shaming not in text.lower().split('id="money"')[1].split("Milestones")[0]
    money = client.get("/api/v1/progress").json()["money_not_spent"]
    assert money == {
        "typical_spend": "12.50",
        "currency": "USD",
        "windows": [
            {"days": 28, "days_without_use": 21, "amount": 263},
            {"days": None, "days_without_use": 30, "amount": 375},
        ],
    }


def test_safety_still_comes_first(client: Client) -> None:
    from tests.test_plans import make_plan

    owner = person(client)
    make_plan(client, "suicidal thoughts on PHQ-9 while drinking lightly")
    days(owner, [False] * 3)
    do_set_typical_spend(owner, Decimal("20"))
    text = client.get(PAGE).content.decode()
    main = text[text.index("<main") :]
    assert main.index('class="safety"') < main.index("<h1") < main.index('id="money"')


def test_a_spend_with_nothing_recorded_without_use_yet_says_what_will_count(
    client: Client,
) -> None:
    owner = person(client)
    do_set_typical_spend(owner, Decimal("300"), "MXN")
    text = client.get(PAGE).content.decode()  # no check-ins: the empty page
    assert "Each day you record without use adds your usual 300 MXN here." in text
    days(owner, [True, True])
    text = client.get(PAGE).content.decode()
    assert "Each day you record without use adds your usual 300 MXN here." in text
    assert 'id="money-whole"' not in text and ">0 MXN" not in text
    body = client.get("/api/v1/progress").json()["money_not_spent"]
    assert [w["amount"] for w in body["windows"]] == [0, 0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount, such as 20."),
        ("twelve", "Enter the amount as a number, such as 20 or 12.50."),
        ("NaN", "Enter the amount as a number, such as 20 or 12.50."),
        ("Infinity", "Enter the amount as a number, such as 20 or 12.50."),
        ("0", "Enter an amount above 0."),
        ("-5", "Enter an amount above 0."),
        ("50.000", "no thousands separators: for fifty thousand, write 50000."),
        ("1,500", "no thousands separators"),
        ("12.345", "Use at most two decimals"),
        ("10000000.01", "That is more than 10,000,000. Please check the amount."),
        ("1e400", "That is more than 10,000,000."),
        ("9" * 40, "That is more than 10,000,000."),
    ],
)
def test_a_bad_amount_comes_back_with_its_words_and_nothing_is_saved(
    client: Client, typed: str, message: str
) -> None:
    owner = person(client)
    days(owner, [False])
    response = client.post(SPEND, {"spend-amount": typed, "spend-currency": "EUR",
                                   "action": "save"})  # fmt: skip
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and "Please check the form" in text
    assert 'href="#id_spend-amount"' in text
    assert f'value="{typed}"' in text if typed else True  # what was typed is kept
    assert '<option value="EUR" selected>' in text
    assert "<details open>" in text
    assert not TypicalSpend.objects.exists()


def test_an_unknown_currency_is_refused_and_a_missing_one_shows_the_number_alone(
    client: Client,
) -> None:
    owner = person(client)
    days(owner, [False, False])
    response = client.post(SPEND, {"spend-amount": "5", "spend-currency": "XXX"})
    assert response.status_code == 400 and not TypicalSpend.objects.exists()
    assert client.post(SPEND, {"spend-amount": "5"}).status_code == 302
    assert TypicalSpend.objects.get(owner=owner).currency == ""
    assert '<p class="score" id="money-whole">10</p>' in client.get(PAGE).content.decode()


def test_the_empty_page_reshows_errors_too(client: Client) -> None:
    person(client)
    response = client.post(SPEND, {"spend-amount": "lots"})
    assert response.status_code == 400
    assert "Enter the amount as a number" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("12,50", "12.50"), (" 1 200 ", "1200.00"), ("1\u00a0200", "1200.00"), ("7", "7.00")],
)
def test_a_decimal_comma_and_spaces_between_thousands_are_understood(
    client: Client, typed: str, stored: str
) -> None:
    owner = person(client)
    assert client.post(SPEND, {"spend-amount": typed, "spend-currency": "ARS"}).status_code == 302
    assert TypicalSpend.objects.get(owner=owner).amount == Decimal(stored)


def test_spanish_pages_use_spanish_separators(client: Client) -> None:
    owner = person(client)
    days(owner, [False] * 30)
    do_set_typical_spend(owner, Decimal("50000"), "COP")
    text = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "1\u00a0500\u00a0000 COP" in text  # 30 × 50 000, grouped as Spanish groups
    assert "50\u00a0000 COP" in text
    do_set_typical_spend(owner, Decimal("12.5"), "EUR")
    text = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "12,50 EUR" in text and "375 EUR" in text
    assert 'value="12.5"' in text  # the form shows the amount as it is typed back


def test_changing_and_removing_it(client: Client) -> None:
    owner = person(client)
    days(owner, [False, False, True])
    client.post(SPEND, {"spend-amount": "10", "spend-currency": "GBP"})
    client.post(SPEND, {"spend-amount": "8", "spend-currency": "CAD"})
    spend = TypicalSpend.objects.get(owner=owner)
    assert (spend.amount, spend.currency) == (Decimal("8.00"), "CAD")
    text = client.get(PAGE).content.decode()
    assert "16 CAD" in text and 'value="8"' in text and "Remove this figure" in text
    response = client.post(SPEND, {"action": "remove"}, follow=True)
    text = response.content.decode()
    assert "The money figure is removed. You can add it again at any time." in text
    assert not TypicalSpend.objects.exists() and 'id="money-whole"' not in text
    # Removing twice, or with nothing set, is harmless.
    assert client.post(SPEND, {"action": "remove"}).status_code == 302


def test_only_the_signed_in_person_sets_or_sees_their_own(client: Client) -> None:
    assert Client().post(SPEND, {"spend-amount": "5"}).status_code == 302  # to sign in
    assert Client().get("/api/v1/progress").status_code == 401
    assert not TypicalSpend.objects.exists()
    owner = person(client)
    assert client.get(SPEND).status_code == 405
    days(owner, [False])
    do_set_typical_spend(owner, Decimal("99"), "MXN")
    other = Client()
    someone = person(other, "ben")
    days(someone, [False])
    assert "99 MXN" not in other.get(PAGE).content.decode()
    assert other.get("/api/v1/progress").json()["money_not_spent"] is None
    other.post(SPEND, {"action": "remove"})
    assert TypicalSpend.objects.filter(owner=owner).exists()  # only ever one's own


def test_staff_never_see_it_on_the_chart() -> None:
    """The person's own motivation, not a clinical measure: not on the clinic chart (page or
    JSON), even with every scope shared."""
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    patient = make_person()
    make_consent(patient, clinician.membership)
    days(patient, [False] * 5)
    do_set_typical_spend(patient, Decimal("4321.98"), "PEN")
    page = clinician.client.get(f"/clinic/people/{patient.public_id}/")
    assert page.status_code == 200
    api = clinician.client.get(f"/api/v1/clinic/people/{patient.public_id}")
    assert api.status_code == 200
    for text in (page.content.decode(), api.content.decode()):
        # Neither the usual spend nor what 5 days of it come to (21,609.90), in any form.
        for number in ("4321", "4,321", "4.321", "21610", "21,610", "21609", "21,609"):
            assert number not in text
        assert not re.search(r"\bPEN\b", text)
        assert "money" not in text.lower() and "spend" not in text.lower()


def test_the_export_carries_it_and_an_older_export_without_it_still_imports(
    client: Client,
) -> None:
    owner = person(client)
    days(owner, [False, True])
    do_set_typical_spend(owner, Decimal("12.5"), "EUR")
    data = document(owner)
    (part,) = data["typical_spend"]
    assert (part["amount"], part["currency"]) == ("12.50", "EUR")
    archive = zipfile.ZipFile(io.BytesIO(csvzip.build(data)))
    rows = list(csv.DictReader(io.StringIO(archive.read("typical_spend.csv").decode())))
    assert [(r["amount"], r["currency"]) for r in rows] == [("12.50", "EUR")]
    assert "typical_spend.csv" in archive.read("README.txt").decode()

    moved = User.objects.create_user("sam-2")
    do_import(moved, to_json(data), actor=None, new_account=True)
    assert TypicalSpend.objects.get(owner=moved).amount == Decimal("12.50")
    assert document(moved)["typical_spend"] == data["typical_spend"]

    older = json.loads(to_json(data))
    del older["typical_spend"]  # an export made before the figure existed
    again = User.objects.create_user("sam-3")
    counts = do_import(again, json.dumps(older), actor=None, new_account=True)
    assert "typical_spend" not in counts and not TypicalSpend.objects.filter(owner=again).exists()

    twice = json.loads(to_json(data))
    twice["typical_spend"].append(twice["typical_spend"][0])
    with pytest.raises(ValueError, match="at most one usual spend"):
        do_import(User.objects.create_user("sam-4"), json.dumps(twice), actor=None)
    bad = json.loads(to_json(data))
    bad["typical_spend"][0]["amount"] = "0"
    with pytest.raises(ValueError, match=r"typical_spend\[0\]\.amount"):
        do_import(User.objects.create_user("sam-5"), json.dumps(bad), actor=None)


def test_deleting_the_account_deletes_it(client: Client) -> None:
    owner = person(client)
    do_set_typical_spend(owner, Decimal("5"))
    do_delete_account(owner)
    assert not TypicalSpend.objects.exists()
