"""Daily check-ins through Django's test client: record, edit, retry, backfill, privacy."""

from __future__ import annotations

import calendar
import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from waymark.accounts.models import User
from waymark.checkup.models import Answer, CheckUp
from waymark.clinic.hooks import evaluation_key
from waymark.jobs.models import Job
from waymark.tracking import actions
from waymark.tracking.actions import CheckInData
from waymark.tracking.models import CheckIn, SubstanceAmount

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-password-1"


def sign_in(client: Client, username: str = "sam") -> User:
    user = User.objects.create_user(username, password=PASSWORD)
    client.force_login(user)
    return user


@pytest.fixture
def person(client: Client) -> User:
    return sign_in(client)


def today() -> date:
    return actions.today()


def day_url(day: date) -> str:
    return reverse("tracking:day", args=[day])


def check_in(client: Client, day: date | None = None, /, **answers: Any) -> Any:
    data = {"used": "no", "idempotency_key": str(uuid.uuid4()), **answers}
    return client.post(day_url(day or today()), data)


def previous_month() -> date:
    """The first of last month: every day of it is past, and within the backfill window."""
    return (today().replace(day=1) - timedelta(days=1)).replace(day=1)


def test_a_person_records_today_without_use(client: Client, person: User) -> None:
    page = client.get(reverse("tracking:today"))
    assert page.status_code == 200
    assert "Did you use today?" in page.content.decode()
    response = check_in(client, used="no", cravings="2", mood="4", triggers=["stress"])
    assert response.status_code == 302
    assert response["Location"] == reverse("tracking:saved", args=[today()])
    row = CheckIn.objects.get()
    assert (row.owner, row.day, row.used, row.cravings, row.mood) == (person, today(), False, 2, 4)
    assert row.triggers == ["stress"] and row.amounts.count() == 0
    saved = client.get(response["Location"]).content.decode()
    assert "Thanks for checking in" in saved and "Every day you check in counts" not in saved


def test_a_day_of_use_records_each_substance_and_amount(client: Client, person: User) -> None:
    response = check_in(
        client, used="yes", **{"amount-alcohol": "3.5", "amount-opioids": "1"}, helped=["talking"]
    )
    assert response.status_code == 302
    amounts = dict(SubstanceAmount.objects.values_list("substance", "amount"))
    assert amounts == {"alcohol": Decimal("3.5"), "opioids": Decimal("1")}
    saved = client.get(response["Location"]).content.decode()
    assert "Thanks for checking in" in saved and "Every day you check in counts." in saved
    assert (
        "<dt>Alcohol (standard drinks)</dt><dd>3.5</dd>" in saved and "Talking to someone" in saved
    )


def test_changing_a_day_keeps_one_check_in(client: Client, person: User) -> None:
    check_in(client, used="yes", **{"amount-alcohol": "6"})
    page = client.get(day_url(today())).content.decode()
    assert 'value="6"' in page and "You have checked in for this day." in page
    response = check_in(client, used="no", note="went for a walk instead")
    assert response.status_code == 302
    row = CheckIn.objects.get()
    assert row.used is False and row.note == "went for a walk instead"
    assert row.amounts.count() == 0


def test_the_same_submission_sent_twice_is_applied_once(client: Client, person: User) -> None:
    data = {"used": "yes", "amount-alcohol": "2", "idempotency_key": str(uuid.uuid4())}
    first = client.post(day_url(today()), data)
    second = client.post(day_url(today()), data)
    assert first.status_code == second.status_code == 302
    assert CheckIn.objects.count() == 1 and SubstanceAmount.objects.count() == 1
    row = CheckIn.objects.get()
    assert row.idempotency_key == uuid.UUID(data["idempotency_key"])
    # A late retry of that submission after nothing else changed it: still nothing new.
    client.post(day_url(today()), {**data, "amount-alcohol": "9"})
    assert CheckIn.objects.get().amounts.get().amount == Decimal("2")


def test_two_submissions_for_one_day_make_one_edited_check_in(client: Client, person: User) -> None:
    assert check_in(client, used="no").status_code == 302
    assert check_in(client, used="yes", **{"amount-cannabis": "2"}).status_code == 302
    row = CheckIn.objects.get()
    assert row.used is True and row.amounts.get().substance == "cannabis"


def test_a_key_already_used_for_another_day_never_raises(person: User) -> None:
    key = uuid.uuid4()
    yesterday = today() - timedelta(days=1)
    actions.do_record_checkin(person, yesterday, CheckInData(used=False), key)
    actions.do_record_checkin(person, today(), CheckInData(used=True), key)
    assert dict(CheckIn.objects.values_list("day", "used")) == {yesterday: False, today(): True}
    assert CheckIn.objects.get(day=yesterday).idempotency_key == key


def test_a_day_keeps_its_key_when_the_new_one_is_held_elsewhere_or_none_is_sent(
    person: User,
) -> None:
    held, own = uuid.uuid4(), uuid.uuid4()
    yesterday = today() - timedelta(days=1)
    actions.do_record_checkin(person, yesterday, CheckInData(used=False), held)
    actions.do_record_checkin(person, today(), CheckInData(used=False), own)
    changed = actions.do_record_checkin(person, today(), CheckInData(used=True), held)
    assert changed.applied and not changed.created and changed.check_in.idempotency_key == own
    unkeyed = actions.do_record_checkin(person, today(), CheckInData(used=False, mood=2))
    assert unkeyed.applied and unkeyed.check_in.idempotency_key == own
    row = CheckIn.objects.get(day=today())
    assert (row.used, row.mood, row.idempotency_key) == (False, 2, own)


def _evaluation_waits(person: User) -> bool:
    """Whether the person's alert evaluation is queued to run (and mark it run, for the next
    check)."""
    jobs = Job.objects.filter(dedupe_key=evaluation_key(person.public_id), done_at=None)
    return jobs.update(done_at=timezone.now()) == 1


def test_the_check_in_a_write_returns_is_the_one_stored(person: User) -> None:
    """Built from what was written, never read back: it must equal a read, field by field."""
    key = uuid.uuid4()
    data = CheckInData(
        used=True,
        amounts={"alcohol": Decimal("2.5")},
        cravings=7,
        mood=2,
        triggers=["payday", "stress"],
        helped=["waiting"],
        note="Ñ «private» 💬",
    )
    for created in (True, False):
        recorded = actions.do_record_checkin(
            person, today(), data, uuid.uuid4() if created else key
        )
        assert (recorded.created, recorded.applied) == (created, True)
        written = recorded.check_in
        stored = CheckIn.objects.get(pk=written.pk)
        fields = [f.attname for f in CheckIn._meta.concrete_fields]
        assert [getattr(written, f) for f in fields] == [getattr(stored, f) for f in fields]
        assert written.triggers == ["stress", "payday"] and written.note == data.note
        assert dict(stored.amounts.values_list("substance", "amount")) == data.amounts
        assert not written._state.adding
        assert _evaluation_waits(person)
    other = CheckInData(used=True, amounts={"cannabis": Decimal(1)}, mood=5)
    again = actions.do_record_checkin(person, today(), other, key)
    assert (again.created, again.applied) == (False, False) and again.check_in.mood == 2
    assert not _evaluation_waits(person)  # nothing changed: nothing to re-evaluate
    assert CheckIn.objects.get().mood == 2
    assert dict(SubstanceAmount.objects.values_list("substance", "amount")) == data.amounts


def _amounts(person: User, day: date) -> dict[str, Decimal]:
    return dict(
        SubstanceAmount.objects.filter(check_in__owner=person, check_in__day=day).values_list(
            "substance", "amount"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_part_way_leaves_nothing_and_the_next_one_works() -> None:
    """An amount the database refuses (below 0: only a bug could send it, CheckInData refuses
    it first) fails the write's second statement: the day, its amounts and the alert job are
    all undone, on PostgreSQL's one message as in SQLite's transaction."""
    from django.db import IntegrityError

    person = User.objects.create_user("partway", password=None)
    prepared = actions.prepare_checkin(person, today(), CheckInData(used=True))
    broken = replace(prepared, amounts={"alcohol": Decimal(-1)})
    with pytest.raises(IntegrityError):
        actions.do_record_prepared(broken)
    assert not CheckIn.objects.filter(owner=person).exists()
    assert not Job.objects.filter(dedupe_key=evaluation_key(person.public_id)).exists()
    good = CheckInData(used=True, amounts={"alcohol": Decimal(2)})
    assert actions.do_record_checkin(person, today(), good).created
    assert _amounts(person, today()) == {"alcohol": Decimal(2)}
    assert _evaluation_waits(person)


@pytest.mark.postgres
def test_on_postgresql_a_replay_never_acts_on_a_check_in_written_before_it(person: User) -> None:
    """The message's amounts and job act on the check-in its own upsert wrote, named in a
    setting local to the transaction that its first statement always sets, '' when it writes
    nothing: so a replay in a transaction that wrote another day first changes nothing."""
    from django.db import transaction

    key = uuid.uuid4()
    yesterday = today() - timedelta(days=1)
    other = actions.do_record_checkin(
        person, yesterday, CheckInData(used=True, amounts={"alcohol": Decimal(1)})
    )
    actions.do_record_checkin(
        person, today(), CheckInData(used=True, amounts={"cannabis": Decimal(2)}), key
    )
    _evaluation_waits(person)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('waymark.written_check_in', %s, true)", [str(other.check_in.pk)]
        )
        again = CheckInData(used=True, amounts={"alcohol": Decimal(9)})
        assert not actions.do_record_checkin(person, today(), again, key).applied
    assert _amounts(person, yesterday) == {"alcohol": Decimal(1)}
    assert _amounts(person, today()) == {"cannabis": Decimal(2)}
    assert not _evaluation_waits(person)


def test_the_one_message_write_needs_client_side_binding() -> None:
    class Database:
        def __init__(self, vendor: str, options: dict[str, Any]) -> None:
            self.vendor, self.settings_dict = vendor, {"OPTIONS": options}

    one_trip = actions._in_one_trip
    assert one_trip(Database("postgresql", {}))  # type: ignore[arg-type]
    assert not one_trip(Database("postgresql", {"server_side_binding": True}))  # type: ignore[arg-type]
    assert not one_trip(Database("sqlite", {}))  # type: ignore[arg-type]


def test_a_future_day_is_refused(client: Client, person: User) -> None:
    tomorrow = today() + timedelta(days=1)
    response = check_in(client, tomorrow, note="typed anyway")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and "data-focus-on-load" in page
    assert "has not happened yet" in page and "typed anyway" in page
    assert not CheckIn.objects.exists()
    assert client.get(day_url(tomorrow)).status_code == 400
    with pytest.raises(actions.DayNotOpenError):
        actions.do_record_checkin(person, tomorrow, CheckInData(used=False))


def test_a_day_beyond_the_backfill_window_is_refused(client: Client, person: User) -> None:
    too_old = today() - timedelta(days=actions.BACKFILL_DAYS + 1)
    response = check_in(client, too_old)
    assert response.status_code == 400 and "90 days" in response.content.decode()
    assert check_in(client, too_old + timedelta(days=1)).status_code == 302
    assert CheckIn.objects.count() == 1


def test_an_impossible_date_is_not_found(client: Client, person: User) -> None:
    assert client.get("/track/2025-02-30/").status_code == 404
    assert client.get("/track/calendar/2025/13/").status_code == 404


def test_an_answer_of_no_with_an_amount_re_shows_everything_typed(
    client: Client, person: User
) -> None:
    response = check_in(
        client, used="no", note="my own words", triggers=["payday"], **{"amount-alcohol": "4"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and 'href="#id_used_0"' in page
    assert "entered an amount above 0" in page
    assert "my own words" in page and 'value="payday" id="id_triggers_8" checked' in page
    assert 'name="amount-alcohol" value="4"' in page
    assert not CheckIn.objects.exists()


def test_the_calculator_fills_in_standard_drinks(client: Client, person: User) -> None:
    data = {
        "action": "calculate",
        "used": "yes",
        "note": "kept while calculating",
        "idempotency_key": str(uuid.uuid4()),
        "calc-kind": "",
        "calc-size": "12",
        "calc-unit": "fl-oz",
        "calc-strength": "5",
        "calc-count": "2",
    }
    response = client.post(reverse("tracking:today"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="amount-alcohol" value="2.0"' in page
    assert "That is 2.0 standard drinks." in page and "kept while calculating" in page
    assert data["idempotency_key"] in page
    assert 'role="alert"' not in page  # the check-in itself is not checked yet
    assert not CheckIn.objects.exists()


def test_the_calculator_takes_the_usual_size_and_strength_of_a_drink(
    client: Client, person: User
) -> None:
    data = {"action": "calculate", "calc-kind": "wine", "calc-unit": "fl-oz", "calc-count": "3"}
    page = client.post(reverse("tracking:today"), data).content.decode()
    assert 'name="amount-alcohol" value="3.0"' in page


def test_the_calculator_says_what_is_missing(client: Client, person: User) -> None:
    data = {"action": "calculate", "calc-size": "330", "calc-unit": "ml", "note": "still here"}
    response = client.post(reverse("tracking:today"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_calc-strength"' in page and "Please enter the strength" in page
    assert "still here" in page and "<details" in page and " open>" in page


def test_the_form_offers_the_substances_of_the_latest_check_up_first(
    client: Client, person: User
) -> None:
    checkup = CheckUp.objects.create(owner=person, status=CheckUp.Status.COMPLETE)
    Answer.objects.create(
        checkup=checkup, instrument="profile", version="1", item="substances", value=["opioids"]
    )
    page = client.get(reverse("tracking:today")).content.decode()
    main, _, others = page.partition("<summary>Something else</summary>")
    assert 'name="amount-opioids"' in main and 'name="amount-alcohol"' not in main
    assert 'name="amount-alcohol"' in others  # nothing used goes unrecorded


def test_nobody_sees_another_persons_check_ins(client: Client, person: User) -> None:
    check_in(client, used="yes", note="only mine", **{"amount-alcohol": "5"})
    stranger = Client()
    sign_in(stranger, "other")
    page = stranger.get(day_url(today())).content.decode()
    assert "only mine" not in page and 'name="amount-alcohol" value=' not in page
    assert 'id="id_used_0" checked' not in page
    assert stranger.get(reverse("tracking:saved", args=[today()])).status_code == 404
    calendar = stranger.get(reverse("tracking:calendar")).content.decode()
    label = date_format(today(), "MONTH_DAY_FORMAT")
    assert f'aria-label="{label}: not recorded"' in calendar
    assert check_in(stranger, used="no").status_code == 302
    assert CheckIn.objects.get(owner=person).used is True  # theirs is their own row
    assert CheckIn.objects.count() == 2


def test_anonymous_people_are_sent_to_sign_in(client: Client) -> None:
    urls = [
        reverse("tracking:today"),
        day_url(today()),
        reverse("tracking:saved", args=[today()]),
        reverse("tracking:calendar"),
        reverse("tracking:month", args=[2026, 3]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client.post(reverse("tracking:fill"), {}).status_code == 302
    assert check_in(client).status_code == 302
    assert not CheckIn.objects.exists()


def test_the_note_is_encrypted_at_rest(client: Client, person: User) -> None:
    check_in(client, note="a very private note")
    assert CheckIn.objects.get().note == "a very private note"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {CheckIn._meta.db_table}")
        stored = " ".join(str(row[0]) for row in cursor.fetchall())
    assert "private" not in stored and stored.startswith("gAAAA")


def test_the_calendar_marks_used_not_used_and_missing_days(client: Client, person: User) -> None:
    first = previous_month()
    actions.do_record_checkin(person, first.replace(day=3), CheckInData(used=True))
    actions.do_record_checkin(person, first.replace(day=5), CheckInData(used=False))
    response = client.get(reverse("tracking:month", args=[first.year, first.month]))
    page = response.content.decode()
    assert response.status_code == 200
    name = date_format(first, "F")
    assert f"<caption>{date_format(first, 'YEAR_MONTH_FORMAT')}</caption>" in page
    assert f'aria-label="{name} 3: used"' in page
    assert f'aria-label="{name} 5: did not use"' in page
    assert f'aria-label="{name} 4: not recorded"' in page
    assert f'href="{day_url(first.replace(day=4))}"' in page
    days = calendar.monthrange(first.year, first.month)[1]
    assert page.count(': not recorded"') == days - 2
    assert f"2 of {days} days recorded, {days - 2} not recorded." in page
    assert "never count as days without use" in page


def test_the_calendar_links_months_and_never_a_future_day(client: Client, person: User) -> None:
    page = client.get(reverse("tracking:calendar")).content.decode()
    first = previous_month()
    assert reverse("tracking:month", args=[first.year, first.month]) in page
    assert 'aria-current="date"' in page
    tomorrow = today() + timedelta(days=1)
    assert f'href="{day_url(tomorrow)}"' not in page
    assert 'rel="next"' not in page


def test_filling_the_week_creates_only_missing_days(client: Client, person: User) -> None:
    days = [today() - timedelta(days=n) for n in range(7, 0, -1)]
    actions.do_record_checkin(person, days[4], CheckInData(used=True, note="already there"))
    page = client.get(reverse("tracking:calendar")).content.decode()
    assert f'name="used-{days[0].isoformat()}"' in page
    assert f'name="used-{days[4].isoformat()}"' not in page
    data = {
        f"used-{days[0].isoformat()}": "no",
        f"used-{days[1].isoformat()}": "yes",
        f"amount-{days[1].isoformat()}": "4",
        f"used-{days[2].isoformat()}": "",
        f"used-{days[4].isoformat()}": "no",  # recorded already: left as it is
    }
    response = client.post(reverse("tracking:fill"), data)
    assert response.status_code == 302
    recorded = dict(CheckIn.objects.values_list("day", "used"))
    assert recorded == {days[0]: False, days[1]: True, days[4]: True}
    assert CheckIn.objects.get(day=days[4]).note == "already there"
    assert CheckIn.objects.get(day=days[1]).amounts.get().amount == Decimal("4")
    assert "2 days filled in" in client.get(response["Location"]).content.decode()
    client.post(reverse("tracking:fill"), data)  # sent again: nothing new
    assert CheckIn.objects.count() == 3


def test_a_week_row_with_an_amount_but_no_answer_is_shown_again(
    client: Client, person: User
) -> None:
    yesterday = today() - timedelta(days=1)
    response = client.post(reverse("tracking:fill"), {f"amount-{yesterday.isoformat()}": "3"})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_used-{yesterday.isoformat()}_0"' in page and 'value="3"' in page
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("count", [1, 20])
def test_the_calendar_reads_a_fixed_number_of_queries(
    client: Client, person: User, django_assert_max_num_queries: Any, count: int
) -> None:
    first = previous_month()
    for n in range(count):
        actions.do_record_checkin(person, first + timedelta(days=n), CheckInData(used=n % 2 == 0))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tracking:month", args=[first.year, first.month]))
    assert response.status_code == 200


def test_a_hard_day_brings_the_help_lines_forward(client: Client, person: User) -> None:
    saved = client.get(check_in(client, cravings="9")["Location"]).content.decode()
    assert 'href="#help-now"' in saved and "You do not have to get through it alone." in saved
    calm = client.get(check_in(client, cravings="2", mood="3")["Location"]).content.decode()
    assert "You do not have to get through it alone." not in calm


@pytest.mark.parametrize(
    "answers",
    [
        {"used": False, "amounts": {"alcohol": Decimal(2)}},
        {"used": True, "amounts": {"coffee": Decimal(2)}},
        {"used": True, "amounts": {"alcohol": Decimal(-1)}},
        {"used": True, "cravings": 11},
        {"used": True, "mood": 6},
        {"used": True, "triggers": ["full-moon"]},
    ],
)
def test_the_action_refuses_answers_the_form_would_never_send(answers: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        CheckInData(**answers)
