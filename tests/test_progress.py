"""The progress page and its CSV through Django's test client, and the SVG charts."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.test_plans import make_plan
from waymark.accounts.models import User
from waymark.cli import parse_days_csv, run_clinical
from waymark.clinical.outcomes import window
from waymark.plans.actions import do_save_version
from waymark.plans.models import PlanVersion
from waymark.progress import charts
from waymark.progress.views import amount_text as _amount_text
from waymark.tracking import actions
from waymark.tracking.models import CheckIn, SubstanceAmount

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-password-1"
SVG = "{http://www.w3.org/2000/svg}"
PAGE = reverse("progress:page")
CSV = reverse("progress:record-csv")


def sign_in(client: Client, username: str = "sam") -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    client.force_login(user)
    return user


def today() -> date:
    return actions.today()


def record(owner: User, day: date, used: bool, amounts: dict[str, str] | None = None,
           cravings: int | None = None, mood: int | None = None) -> CheckIn:  # fmt: skip
    check_in = CheckIn.objects.create(owner=owner, day=day, used=used, cravings=cravings, mood=mood)
    for substance, amount in (amounts or {}).items():
        SubstanceAmount.objects.create(check_in=check_in, substance=substance, amount=amount)
    return check_in


def fill(owner: User, days: int) -> None:
    """``days`` days ending today, a few missing, drinking on some, cravings and mood set."""
    checkins, amounts = [], []
    for back in range(days):
        day = today() - timedelta(days=back)
        if back % 9 == 4:
            continue  # a missed day
        used = back % 3 == 0
        checkins.append(
            CheckIn(owner=owner, day=day, used=used, cravings=back % 11, mood=1 + back % 5)
        )
    CheckIn.objects.bulk_create(checkins)
    for check_in in CheckIn.objects.filter(owner=owner, used=True):
        amounts.append(SubstanceAmount(check_in=check_in, substance="alcohol", amount="4.5"))
    SubstanceAmount.objects.bulk_create(amounts)


def page(client: Client) -> tuple[str, Any]:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode(), response.context


def test_a_stranger_is_sent_to_sign_in(client: Client) -> None:
    for url in (PAGE, CSV):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_no_check_ins_yet_is_a_kind_start_with_a_way_in(client: Client) -> None:
    sign_in(client)
    html, _ = page(client)
    assert "Nothing is recorded yet" in html
    assert f'href="{reverse("tracking:today")}"' in html
    assert "<svg" not in html
    assert client.get(CSV).content.decode() == "date,amount\n"


def test_the_page_shows_the_summary_milestones_and_a_table_beside_every_chart(
    client: Client,
) -> None:
    owner = sign_in(client)
    fill(owner, 40)
    html, context = page(client)
    main = html[html.index("<main") :]
    assert str(context["summary"]) and main.index('id="summary"') < main.index("milestones")
    for milestone in ("days-without-use", "best-run", "back-on-track"):
        assert f'id="milestone-{milestone}"' in main
    figures = context["figures"]
    assert [f.id for f in figures] == ["drinks", "abstinent", "heavy", "who", "use", "cravings",
                                       "mood"]  # fmt: skip
    sections = re.findall(r'<section class="figure".*?</section>', main, re.S)
    assert len(sections) == len(figures)
    for section in sections:
        assert section.count('role="img"') == 1
        assert "<table" in section and "<caption>" in section
        assert '<th scope="col">' in section and '<th scope="row">' in section
        svg = ET.fromstring(re.search(r"<svg.*?</svg>", section, re.S).group(0))  # type: ignore[union-attr]
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and desc is not None
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "style=" not in main and "<style" not in main and "<script" not in main
    assert 'id="outcome-windows"' in main and 'id="days-of-use"' in main


def test_missing_days_are_drawn_as_gaps_not_zero(client: Client) -> None:
    owner = sign_in(client)
    record(owner, today(), False)
    record(owner, today() - timedelta(days=2), True, {"alcohol": "3"})
    _, context = page(client)
    drinks = context["figures"][0]
    svg = str(drinks.svg)
    # 26 of the 28 days are not recorded: each a hatched column.
    assert svg.count('fill="url(#chart-drinks-gap)" fill-opacity') == 26
    rows = dict(drinks.rows)
    assert list(rows.values())[-2][0] == "Not recorded"
    assert list(rows.values())[-1][0] == "0.0"


def test_another_person_sees_only_their_own(client: Client) -> None:
    owner = sign_in(client, "owner")
    fill(owner, 20)
    other = Client()
    sign_in(other, "other")
    record(User.objects.get(username="other"), today(), False)
    _, context = page(other)
    assert context["milestones"].days_recorded == 1
    assert other.get(CSV).content.decode() == f"date,amount\n{today().isoformat()},0.0\n"


def test_the_csv_gives_the_command_line_exactly_the_page_s_numbers(
    client: Client, tmp_path: Path
) -> None:
    owner = sign_in(client)
    fill(owner, 50)
    record(owner, today() - timedelta(days=60), True, {"alcohol": "2.25"})
    record(owner, today() - timedelta(days=61), True)  # used, no amount: not a drinking row
    record(owner, today() - timedelta(days=62), True, {"cannabis": "1"})  # no drinks
    response = client.get(CSV)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    path = tmp_path / "record.csv"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run_clinical(["outcomes", "--days", str(path), "--json"], out, err) == 0, err.getvalue()
    _, context = page(client)
    whole = context["whole"]
    assert json.loads(out.getvalue()) == whole.as_dict()
    assert context["command"] == "waymark outcomes --days drinking-record.csv"
    # The windows on the page are the same outcomes of the same rows.
    records, _ = parse_days_csv(text)
    for days, result in context["spans"][:-1]:
        assert result == window(records, today(), days)
    assert f"{(today() - timedelta(days=61)).isoformat()}," not in text
    assert f"{(today() - timedelta(days=62)).isoformat()},0.0" in text


def test_the_page_s_query_count_does_not_grow_with_the_days(client: Client) -> None:
    owner = sign_in(client)
    make_plan(client, "weekend drinker over limits, wants to cut down")
    counts = []
    for days in (10, 120):
        CheckIn.objects.filter(owner=owner).delete()
        fill(owner, days)
        with CaptureQueriesContext(connection) as queries:
            page(client)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


@pytest.mark.parametrize("days", [10, 120])
def test_the_page_stays_within_one_query_bound(
    client: Client, django_assert_max_num_queries: Any, days: int
) -> None:
    owner = sign_in(client)
    fill(owner, days)
    with django_assert_max_num_queries(12):
        page(client)


def test_the_plan_s_target_is_drawn_and_counted(client: Client) -> None:
    owner = sign_in(client)
    plan = make_plan(client, "weekend drinker over limits, wants to cut down", "harm-reduction")
    assert plan.checkup.owner == owner
    record(owner, today(), True, {"alcohol": "4"})
    record(owner, today() - timedelta(days=1), False)
    _, context = page(client)
    drinks = context["figures"][0]
    assert "<path" in str(drinks.svg)  # the dashed target line
    last = drinks.rows[-1][1]
    assert last == ("4.0", "3.0 (above)")  # 3 a day: the low-risk limit for women
    assert context["milestones"].days_with_target == 1
    # The baseline from the check-up: 5 drinks on 8 days of 30.
    assert context["record"].baseline == pytest.approx(5 * 8 / 30)


def test_safety_findings_come_first(client: Client) -> None:
    owner = sign_in(client)
    make_plan(client, "suicidal thoughts on PHQ-9 while drinking lightly")
    record(owner, today(), False)
    html, _ = page(client)
    main = html[html.index("<main") :]
    assert 'class="safety"' in main and main.index('class="safety"') < main.index("<h1")


def test_a_supervised_withdrawal_gets_no_home_target(client: Client) -> None:
    owner = sign_in(client)
    make_plan(client, "heavy drinking with withdrawal seizures, wants to stop")
    record(owner, today(), True, {"alcohol": "12"})
    html, context = page(client)
    assert context["record"].targets is None and context["record"].supervised
    assert "no daily target is shown here" in html
    assert "<path" not in str(context["figures"][0].svg)


def test_someone_who_does_not_drink_sees_use_cravings_and_mood(client: Client) -> None:
    owner = sign_in(client)
    make_plan(client, "cocaine on weekends")
    for back in range(8):
        used = back % 4 == 0
        amounts = {"stimulants": "1"} if used else {}
        record(owner, today() - timedelta(days=back), used, amounts, cravings=5, mood=2)
    _, context = page(client)
    assert [f.id for f in context["figures"]] == ["use", "cravings", "mood"]
    assert context["windows"] is None
    assert str(context["summary"]) == (
        "In the last 28 days you recorded 8 days, 6 of them without using."
    )
    assert context["use_rows"] == [("Stimulants", "2 of 8", "2 of 8")]


def test_under_18_the_adult_drinking_measures_are_left_out(client: Client) -> None:
    """A 16-year-old's page had said "WHO risk level: Medium risk" and counted heavy days at
    an adult's 4 drinks: under 18 no drinking is low risk (the youth rules)."""
    from tests.test_checkup import complete

    owner = sign_in(client)
    complete(client, {"version": 2, "age": 16, "goal": "unsure", "substances": [
        {"substance": "alcohol", "days_used_past_30": 4, "typical_amount": 3}]})  # fmt: skip
    fill(owner, 30)
    html, context = page(client)
    assert not context["record"].adult
    assert [f.id for f in context["figures"]] == ["drinks", "abstinent", "use", "cravings",
                                                  "mood"]  # fmt: skip
    assert '<th scope="row">WHO risk level</th>' not in html
    assert "Heavy drinking days (" not in html and "chart-who" not in html
    assert "no amount of drinking is low risk" in html
    names = [name for table in context["windows"] for name, _value in table.rows]
    assert "Days without drinking" in names and "Alcohol a day" in names


def test_safety_comes_first_even_before_the_first_check_in(client: Client) -> None:
    sign_in(client)
    make_plan(client, "suicidal thoughts on PHQ-9 while drinking lightly")
    html, _ = page(client)
    main = html[html.index("<main") :]
    assert main.index('class="safety"') < main.index("<h1") < main.index("Nothing is recorded")


# The charts on their own --------------------------------------------------------------------


def _bars(**overrides: Any) -> str:
    arguments: dict[str, Any] = {
        "chart_id": "chart-test",
        "title": "Drinks <script>alert(1)</script>",
        "desc": 'Say "hi" & go',
        "labels": ["a", "b", "c"],
        "values": [1.0, None, 0.0],
        "legend": charts.Legend("Drinks", "Not recorded", "Target"),
        "line": [2.0, 2.0, None],
    }
    return str(charts.bar_chart(**(arguments | overrides)))


def test_a_chart_is_well_formed_escaped_labelled_and_deterministic() -> None:
    svg = _bars()
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-test-title chart-test-desc"
    assert root.find(f"{SVG}title").text == "Drinks <script>alert(1)</script>"  # type: ignore[union-attr]
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style" not in svg
    assert svg == _bars()


def test_a_missing_value_is_hatched_and_a_zero_is_a_thin_bar() -> None:
    root = ET.fromstring(_bars())
    rects = root.findall(f"{SVG}rect")
    gaps = [r for r in rects if r.get("fill") == "url(#chart-test-gap)" and r.get("fill-opacity")]
    assert len(gaps) == 1
    bars = [r for r in rects if r.get("fill") == charts.BAR and r.get("width") != "12"]
    assert [float(r.get("height", 0)) for r in bars][1] == charts.ZERO_BAR


def test_a_line_chart_breaks_at_a_gap() -> None:
    svg = str(
        charts.line_chart(
            chart_id="chart-line",
            title="t",
            desc="d",
            labels=["1", "2", "3", "4", "5"],
            values=[1.0, 2.0, None, 3.0, 4.0],
            legend=charts.Legend("Mood", "Not recorded"),
            y_min=1.0,
            y_max=5.0,
            y_ticks=[(1.0, "Very low"), (5.0, "Very good")],
        )
    )
    root = ET.fromstring(svg)
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 4  # the legend's dot is in its own group
    assert len(list(root.iter(f"{SVG}circle"))) == 5


def test_a_chart_id_must_be_safe() -> None:
    with pytest.raises(ValueError, match="chart id"):
        _bars(chart_id='x" onload="alert(1)')


def test_csv_amounts_round_trip_exactly() -> None:
    for amount in (Decimal("0"), Decimal("2.25"), Decimal("199.99"), Decimal("0.01")):
        assert float(_amount_text(float(amount))) == float(amount)


def test_the_taper_counts_from_when_the_path_was_chosen_not_from_each_save(
    client: Client,
) -> None:
    owner = sign_in(client)
    plan = make_plan(client, "many returns to use, low confidence, wants to stop", "abstinence")
    first = plan.latest()
    PlanVersion.objects.filter(pk=first.pk).update(created_at=first.created_at - timedelta(days=10))
    do_save_version(plan, {**first.content, "notes": "a later save"}, owner)
    record(owner, today(), True, {"alcohol": "5"})
    _, context = page(client)
    # 7 a day, held for the week of stabilisation, then 0.5 less a day: day 11 is 5.
    assert context["figures"][0].rows[-1][1] == ("5.0", "5.0 (within)")
    assert context["record"].targets.start == today() - timedelta(days=10)


def test_the_json_twins_give_the_check_ins_and_the_page_s_numbers(client: Client) -> None:
    from django.utils import timezone

    from waymark.tracking.actions import CheckInData, do_record_checkin

    user = User.objects.create_user("twin", password="a-long-password-1")
    today = timezone.localdate()
    for back, drinks in ((2, 3), (1, 0), (0, 5)):
        amounts = {"alcohol": Decimal(drinks)} if drinks else {}
        do_record_checkin(user, today - timedelta(days=back), CheckInData(drinks > 0, amounts))
    client.force_login(user)
    checkins = client.get("/api/v1/checkins").json()["items"]
    assert [c["amounts"].get("alcohol", 0) for c in checkins] == [5.0, 0, 3.0]
    progress = client.get("/api/v1/progress").json()
    whole = progress["windows"][-1]
    assert whole["days"] is None and whole["outcomes"]["days_recorded"] == 3
    assert whole["outcomes"]["drinks_per_drinking_day"] == 4.0
    assert progress["milestones"]["days_without_use"] == 1
    assert Client().get("/api/v1/progress").status_code == 401
