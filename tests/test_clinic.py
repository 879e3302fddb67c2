"""The clinic: alerts raised from writes and the worker, the caseload, the chart, scales, notes,
the program report, and the audit entries every staff read leaves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.programs import make_consent, make_person, make_program, make_staff
from tests.worker import run_jobs
from waymark.accounts.models import Role, User
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.checkup.models import Answer, CheckUp
from waymark.clinic import actions, hooks
from waymark.clinic.models import Alert, AppendOnlyError, ClinicalNote, ClinicianScale
from waymark.jobs.models import Job
from waymark.jobs.registry import KINDS, TICKS
from waymark.jobs.worker import claim_next, run_job
from waymark.tracking.actions import CheckInData, do_record_checkin
from waymark.tracking.models import CheckIn, SubstanceAmount

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def crisis_checkup(person: User, days_ago: int = 0) -> CheckUp:
    """A completed check-up in which the person said they have had suicidal thoughts."""
    checkup = CheckUp.objects.create(
        owner=person,
        status=CheckUp.Status.COMPLETE,
        completed_at=timezone.now() - timedelta(days=days_ago),
        result={},
    )
    Answer.objects.create(
        checkup=checkup, instrument="profile", version="1", item="suicidal_thoughts", value=True
    )
    return checkup


def checkin(person: User, days_ago: int, cravings: int | None = None, **amounts: str) -> None:
    data = CheckInData(
        used=bool(amounts),
        amounts={k: Decimal(v) for k, v in amounts.items()},
        cravings=cravings,
    )
    do_record_checkin(person, today() - timedelta(days=days_ago), data)


def linked() -> tuple[Any, User]:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    clinician.user.email = "clinician@example.org"
    clinician.user.save()
    person = make_person()
    make_consent(person, clinician.membership)
    return clinician, person


# Evaluating ---------------------------------------------------------------------------------


def test_a_check_in_with_strong_cravings_raises_an_alert_in_the_worker() -> None:
    _clinician, person = linked()
    checkin(person, 0, cravings=9)
    assert not Alert.objects.exists()  # never in the person's own request
    run_jobs()
    alert = Alert.objects.get(person=person)
    assert (alert.rule, alert.priority, alert.evidence_on) == ("craving-spike", "normal", today())
    assert alert.params == {"cravings": 9}


def test_nobody_watching_means_no_alert() -> None:
    person = make_person()
    checkin(person, 0, cravings=10)
    assert run_jobs() == 1
    assert not Alert.objects.exists()
    assert Job.objects.get().outcome == "skipped: nobody watching"


def test_the_same_finding_is_raised_once() -> None:
    _clinician, person = linked()
    crisis_checkup(person)
    assert [a.rule for a in actions.evaluate(person)] == ["suicidal-thoughts"]
    assert actions.evaluate(person) == []
    assert Alert.objects.filter(person=person).count() == 1


def test_an_urgent_alert_emails_the_clinician_once_with_no_clinical_detail() -> None:
    _clinician, person = linked()
    crisis_checkup(person)
    actions.evaluate(person)
    assert mail.outbox == []  # the worker sends it, never the person's own request
    actions.evaluate(person)
    run_jobs()
    assert run_jobs() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["clinician@example.org"]
    text = f"{message.subject}\n{message.body}".lower()
    assert "needs attention" in text
    for detail in ("suicid", person.username.lower(), str(person.public_id)[:8], "crisis"):
        assert detail not in text
    alert = Alert.objects.get(person=person)
    assert alert.notified_at is not None
    assert actions.notify(alert) == 0  # never twice


def test_a_normal_alert_sends_no_email() -> None:
    _clinician, person = linked()
    checkin(person, 0, cravings=9)
    run_jobs()
    assert Alert.objects.filter(person=person).exists()
    assert not Job.objects.filter(kind=actions.NOTIFY_JOB).exists()
    assert mail.outbox == []


def test_a_clinician_who_lost_consent_is_not_emailed() -> None:
    program = make_program()
    stays = make_staff(Role.CLINICIAN, program=program)
    goes = make_staff(Role.CLINICIAN, program=program)
    stays.user.email, goes.user.email = "stays@example.org", "goes@example.org"
    stays.user.save()
    goes.user.save()
    person = make_person()
    make_consent(person, stays.membership)
    make_consent(person, goes.membership, revoked=True)
    crisis_checkup(person)
    actions.evaluate(person)
    run_jobs()
    assert [m.to for m in mail.outbox] == [["stays@example.org"]]


def complete_checkup(person: User, profile: dict[str, Any]) -> CheckUp:
    """A check-up walked to completion with the answers that give ``profile``."""
    from waymark.checkup import actions as checkup_actions
    from waymark.clinical.checkup import answers_from_profile

    checkup = CheckUp.objects.create(owner=person)
    Answer.objects.bulk_create(
        Answer(checkup=checkup, version="1", instrument=a.instrument, item=a.item,
               option=a.option, value=a.value, context=a.context)
        for a in answers_from_profile(profile)
    )  # fmt: skip
    checkup_actions.do_complete_checkup(checkup)
    return checkup


def complete_crisis_checkup(person: User) -> CheckUp:
    """A check-up walked to completion from the reference vignette with suicidal thoughts."""
    from tests.reference import load

    vignettes = {v["name"]: v["profile"] for v in load("vignettes.json")}
    return complete_checkup(person, vignettes["suicidal thoughts on PHQ-9 while drinking lightly"])


def test_completing_a_check_up_evaluates_the_alerts() -> None:
    _clinician, person = linked()
    complete_crisis_checkup(person)
    run_jobs()
    assert Alert.objects.filter(person=person, rule="suicidal-thoughts").exists()


def test_a_crisis_from_before_sharing_began_is_raised_when_the_consent_starts() -> None:
    """The newcomer's finding: suicidal thoughts in a check-up taken before sharing showed as
    'None' on the caseload, below people at lower risk."""
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    checkup = complete_crisis_checkup(person)
    CheckUp.objects.filter(pk=checkup.pk).update(
        completed_at=timezone.now() - timedelta(days=40)  # long before the lookback
    )
    make_consent(person, clinician.membership)
    run_jobs()
    alert = Alert.objects.get(person=person, rule="suicidal-thoughts")
    assert alert.priority == "urgent" or str(alert.priority).lower().endswith("urgent")


def test_an_older_crisis_behind_a_newer_calm_check_up_is_not_raised_again() -> None:
    """Any check-up with a crisis raises (issue 16), once: its alert, stored already, is not
    raised again by a newer calm check-up."""
    _clinician, person = linked()
    complete_crisis_checkup(person)
    run_jobs()
    assert Alert.objects.filter(person=person, rule="suicidal-thoughts").count() == 1
    profile = {"version": 2, "age": 40, "goal": "cut-down",
               "substances": [{"substance": "alcohol", "days_used_past_30": 2}]}  # fmt: skip
    complete_checkup(person, profile)
    assert not [a for a in actions.evaluate(person) if a.rule == "suicidal-thoughts"]
    assert Alert.objects.filter(person=person, rule="suicidal-thoughts").count() == 1


def test_a_pregnant_person_who_drinks_every_day_is_raised_to_the_clinician() -> None:
    """Their check-up says care is urgent; no alert had told the clinician, because only a
    high withdrawal or overdose risk raised one. A pregnant person who only smokes is not
    raised (care recommended, not urgent)."""

    def complete(person: User, substance: str) -> None:
        complete_checkup(person, {"version": 2, "age": 29, "sex": "female", "pregnant": True,
                                  "goal": "stop", "substances": [{"substance": substance,
                                  "days_used_past_30": 30, "typical_amount": 2}]})  # fmt: skip

    _clinician, drinker = linked()
    complete(drinker, "alcohol")
    _clinician, smoker = linked()
    complete(smoker, "tobacco")
    run_jobs()
    alert = Alert.objects.get(person=drinker, rule="pregnant-and-using")
    assert alert.priority == "high" or str(alert.priority).lower().endswith("high")
    assert not Alert.objects.filter(person=smoker, rule="pregnant-and-using").exists()


def test_the_worker_tick_finds_missed_check_ins() -> None:
    _clinician, person = linked()
    checkin(person, 4)
    run_jobs()
    Alert.objects.all().delete()  # as if the days had passed without a write
    assert "clinic.alerts" in TICKS
    TICKS["clinic.alerts"].run()
    assert not Alert.objects.exists()  # the tick queues the work ...
    run_jobs()  # ... and the worker does it
    alert = Alert.objects.get(person=person)
    assert (alert.rule, alert.evidence_on) == ("no-checkin", today() - timedelta(days=4))


def test_a_missed_check_in_alert_ends_with_the_next_check_in() -> None:
    _clinician, person = linked()
    checkin(person, 5)
    (alert,) = actions.evaluate(person)
    assert alert.rule == "no-checkin"
    checkin(person, 0)
    assert actions.evaluate(person) == []
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert alert.acknowledged_at is None
    assert not alert.open


# Off the request path: one job per person, queued by the write --------------------------------


def evaluation_job(person: User) -> Job:
    return Job.objects.get(dedupe_key=hooks.evaluation_key(person.public_id))


def test_a_write_queues_one_evaluation_in_its_own_transaction(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    _clinician, person = linked()
    checkin(person, 2)
    checkin(person, 1)
    assert Job.objects.filter(kind=hooks.EVALUATE).count() == 1  # one per person, waiting
    run_jobs()
    with django_assert_num_queries(1):  # what a write pays for its alerts: one UPDATE
        hooks.record_changed(person)
    assert evaluation_job(person).done_at is None  # done, then waiting again
    Job.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        checkin(person, 0)
        raise RuntimeError("the write fails after the check-in is saved")
    assert not Job.objects.exists()  # no write, no job


def test_nobody_watching_costs_the_worker_one_query(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    person = make_person()
    checkin(person, 0, cravings=10)
    job = evaluation_job(person)
    with django_assert_num_queries(1):
        assert KINDS[hooks.EVALUATE].handler(job) == "skipped: nobody watching"


def test_a_write_during_an_evaluation_runs_it_once_more_never_beside_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _clinician, person = linked()
    run_jobs()  # the consent's evaluation
    checkin(person, 1, cravings=2)
    running = claim_next("worker-1")
    assert running is not None
    read_record = actions.person_record
    beside: list[Job | None] = []

    def read_then_the_person_checks_in(*args: Any, **kwargs: Any) -> Any:
        record_ = read_record(*args, **kwargs)
        if not beside:  # the run in hand has read the record; now a check-in lands
            checkin(person, 0, cravings=9)
            beside.append(claim_next("worker-2"))  # another worker finds nothing to claim
        return record_

    monkeypatch.setattr(actions, "person_record", read_then_the_person_checks_in)
    assert run_job(running, "worker-1")
    assert beside == [None]
    assert not Alert.objects.filter(rule="craving-spike").exists()  # it read before the write
    assert run_jobs() == 1  # once more, after it
    assert Alert.objects.filter(person=person, rule="craving-spike").exists()
    assert run_jobs() == 0


def history(person: User, count: int) -> None:
    """``count`` days of check-ins up to yesterday, the same pattern counted back from today:
    cravings, drinks, and opioids every fifth day."""
    rows = CheckIn.objects.bulk_create(
        CheckIn(owner=person, day=today() - timedelta(days=n), used=n % 5 == 0, cravings=n % 9)
        for n in range(1, count + 1)
    )
    SubstanceAmount.objects.bulk_create(
        SubstanceAmount(check_in=row, substance="opioids", amount=Decimal(1))
        for row in rows
        if row.used
    )


def test_an_evaluation_costs_the_same_after_a_month_or_three_years(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from waymark.clinical import alerts as rules

    rule_days: list[int] = []
    evaluate_rules = rules.evaluate

    def counting(record_: rules.Record) -> list[rules.Alert]:
        rule_days.append(len(record_.days))
        return evaluate_rules(record_)

    monkeypatch.setattr(rules, "evaluate", counting)
    costs = []
    for count in (30, 365, 1095):
        _clinician, person = linked()
        crisis_checkup(person, days_ago=2)
        history(person, count)
        with CaptureQueriesContext(connection) as queries:
            raised = actions.evaluate(person)
        costs.append((len(queries), rule_days[-1], sorted(a.dedupe_key for a in raised)))
    assert costs[0][1] == rules.WINDOW_DAYS - 1  # yesterday back to the window's first day
    assert costs[0][2]  # something to raise, the same each time
    assert costs[0] == costs[1] == costs[2]


def test_the_alert_record_is_the_whole_history_cut_to_the_window() -> None:
    """The bounded loader gives the rules what the whole record gives them: the same targets
    as `load` (its baseline reads the first check-in; targets do not), the days of the window,
    and the last check-in and opioid use from before it."""
    from dataclasses import replace

    from django.test import Client

    from tests.test_plans import make_plan
    from waymark.clinical import alerts as rules
    from waymark.plans.actions import do_switch_path
    from waymark.progress.record import load

    person = make_person()
    own = Client()
    own.force_login(person)
    plan = make_plan(own, "weekend drinker over limits, wants to cut down")
    do_switch_path(plan, "abstinence", person)
    make_consent(person, make_staff(Role.CLINICIAN).membership)
    history(person, 120)
    record_ = actions.person_record(person)
    whole = load(person.pk)
    assert record_.targets == whole.targets is not None
    assert record_.last_opioid_before == today() - timedelta(days=30)
    assert record_.last_checkin_before == today() - timedelta(days=29)
    assert len(record_.days) == rules.WINDOW_DAYS - 1 < len(whole.days)
    unbounded = replace(
        record_, days=whole.days, since=None, last_checkin_before=None, last_opioid_before=None
    )
    assert rules.window(unbounded) == record_
    assert rules.evaluate(unbounded) == rules.evaluate(record_)


# Pages --------------------------------------------------------------------------------------


def test_the_caseload_puts_urgent_people_first_and_shows_alias_and_short_id() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    quiet = make_person("quiet-one")
    urgent = make_person("urgent-one")
    for person in (quiet, urgent):
        make_consent(person, clinician.membership)
        checkin(person, 0)
    crisis_checkup(urgent)
    actions.evaluate(urgent)
    page = clinician.client.get("/clinic/").content.decode()
    assert page.index("urgent-one") < page.index("quiet-one")
    assert str(urgent.public_id)[:8] in page
    assert "Suicidal thoughts reported" in page


# Everything included — session, user, device, membership, the audit entry (7 of its own) — and
# 4 for the page itself: the sorted page (which counts everyone too), its people's consents and
# alerts, programs led. The same for any caseload size (tests/test_caseload_scale.py: 3, 30
# and 120 people).
CASELOAD_QUERIES = 15


def caseload_queries(count: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    for number in range(count):
        person = make_person()
        make_consent(person, clinician.membership)
        checkin(person, number % 5, cravings=9)
        actions.evaluate(person)
    with CaptureQueriesContext(connection) as queries:
        response = clinician.client.get("/clinic/")
    assert response.status_code == 200
    assert response.content.decode().count('class="case-row') == count
    return len(queries)


@pytest.mark.parametrize("count", [3, 30])
def test_the_caseload_query_count_does_not_grow_with_the_people(
    count: int, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    for number in range(count):
        person = make_person()
        make_consent(person, clinician.membership)
        checkin(person, number % 5, cravings=9)
        actions.evaluate(person)
    with django_assert_max_num_queries(CASELOAD_QUERIES):
        response = clinician.client.get("/clinic/")
    assert response.content.decode().count('class="case-row') == count


def test_the_caseload_costs_exactly_the_same_for_3_or_30_people() -> None:
    few = caseload_queries(3)
    assert caseload_queries(30) == few <= CASELOAD_QUERIES


def test_the_chart_shows_safety_first_and_acknowledging_keeps_the_note() -> None:
    clinician, person = linked()
    checkin(person, 0, cravings=3)
    crisis_checkup(person)
    actions.evaluate(person)
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert page.index("Safety and alerts") < page.index("Screeners over time")
    assert "Suicidal thoughts were reported in a check-up or a measure." in page
    assert "never decide whether withdrawal at home is safe" in page
    alert = Alert.objects.get(person=person)
    url = f"/clinic/people/{person.public_id}/alerts/{alert.public_id}/acknowledge/"
    response = clinician.client.post(url, {"note": "Called; safety plan reviewed."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == clinician.user
    assert alert.ack_note == "Called; safety plan reviewed."
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert "No open alerts." in page
    assert "Called; safety plan reviewed." in page
    assert AuditEntry.objects.filter(action="alert.acknowledge").count() == 1


def test_the_latest_check_ups_safety_findings_lead_the_chart() -> None:
    clinician, person = linked()
    complete_crisis_checkup(person)
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert page.index("Crisis support") < page.index("Screeners over time")
    chart = clinician.client.get(f"/api/v1/clinic/people/{person.public_id}").json()
    assert "Crisis support" in chart["safety"]


def test_a_chart_view_is_audited_without_clinical_detail() -> None:
    clinician, person = linked()
    clinician.client.get(f"/clinic/people/{person.public_id}/")
    assert seal() == 1  # a read waits, signed, until the worker seals it into the chain
    entry = AuditEntry.objects.get(action="view.chart")
    assert entry.subject_ref == str(person.public_id)
    assert entry.actor_ref == str(clinician.user.public_id)
    assert entry.detail == "chart"


def test_a_clinician_records_a_cows_with_its_band() -> None:
    clinician, person = linked()
    # Pulse 101-120 (2), sweating 1, restless 1, pupils 1, aches 1, nose 1, GI 1, tremor 1,
    # yawning 1, anxiety 1, gooseflesh 0: COWS 11, mild (5-12).
    answers = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
    from waymark.clinical.scoring import get_instrument

    items = get_instrument("cows").items
    data = {f"cows-{item.id}": str(a) for item, a in zip(items, answers, strict=True)}
    response = clinician.client.post(f"/clinic/people/{person.public_id}/scales/cows/", data)
    assert response.status_code == 302
    scale = ClinicianScale.objects.get(person=person)
    assert (scale.instrument, scale.band, scale.entered_by) == ("cows", "mild", clinician.user)
    assert scale.total == get_instrument("cows").band_for(scale.total).min or scale.total > 0
    assert AuditEntry.objects.filter(action="scale.record").exists()


def test_an_incomplete_scale_is_shown_again_with_a_400() -> None:
    clinician, person = linked()
    response = clinician.client.post(
        f"/clinic/people/{person.public_id}/scales/ciwa-ar/", {"ciwa-ar-tremor": "1"}
    )
    assert response.status_code == 400
    assert "Please rate every item." in response.content.decode()
    assert not ClinicianScale.objects.exists()


def test_a_self_rated_instrument_cannot_be_entered_as_a_clinician_scale() -> None:
    clinician, person = linked()
    response = clinician.client.post(f"/clinic/people/{person.public_id}/scales/phq-9/", {})
    assert response.status_code == 404


def test_notes_are_append_only_and_amendments_link_back() -> None:
    clinician, person = linked()
    url = f"/clinic/people/{person.public_id}/notes/"
    assert clinician.client.post(url, {"text": "First contact."}).status_code == 302
    first = ClinicalNote.objects.get()
    response = clinician.client.post(url, {"text": "Correction.", "amends": str(first.public_id)})
    assert response.status_code == 302
    amendment = ClinicalNote.objects.exclude(pk=first.pk).get()
    assert amendment.amends == first
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        ClinicalNote.objects.all().delete()
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert "First contact." in page
    assert "amends an earlier note" in page


def test_notes_need_the_notes_scope() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    make_consent(person, clinician.membership, scopes=("checkups", "checkins"))
    url = f"/clinic/people/{person.public_id}/notes/"
    assert clinician.client.post(url, {"text": "x"}).status_code == 404
    assert not ClinicalNote.objects.exists()


def test_an_empty_note_is_refused_with_a_400() -> None:
    clinician, person = linked()
    response = clinician.client.post(f"/clinic/people/{person.public_id}/notes/", {"text": ""})
    assert response.status_code == 400


def test_another_programs_notes_and_scales_stay_with_that_program() -> None:
    first, second = make_program(), make_program()
    one = make_staff(Role.CLINICIAN, program=first)
    other = make_staff(Role.CLINICIAN, program=second)
    person = make_person()
    make_consent(person, one.membership)
    make_consent(person, other.membership)
    one.client.post(f"/clinic/people/{person.public_id}/notes/", {"text": "Only for program one"})
    page = other.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert "Only for program one" not in page


def test_the_report_is_for_leads_of_that_program_only() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    clinician = make_staff(Role.CLINICIAN, program=program)
    other_lead = make_staff(Role.LEAD)
    url = f"/clinic/programs/{program.public_id}/report/"
    response = lead.client.get(url)
    assert response.status_code == 200
    assert "Not shown (fewer than 11 people)" in response.content.decode()
    assert clinician.client.get(url).status_code == 404
    assert other_lead.client.get(url).status_code == 404
    seal()
    assert AuditEntry.objects.filter(action="view.report").count() == 1


def test_the_report_shows_numbers_from_eleven_people() -> None:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for _ in range(11):
        person = make_person()
        make_consent(person, lead.membership)
        checkin(person, 1)
    page = lead.client.get(f"/clinic/programs/{program.public_id}/report/").content.decode()
    assert "100.0%" in page  # retention: all 11 checked in within 28 days


@pytest.mark.parametrize("shared", [True, False])
def test_the_plan_shows_on_the_chart_only_when_shared(shared: bool) -> None:
    from django.test import Client

    from tests.test_plans import make_plan
    from waymark.plans.document import PERSONAL_TITLES

    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    own = Client()
    own.force_login(person)
    plan = make_plan(own, "weekend drinker over limits, wants to cut down")
    goal = plan.latest().content["goals"][0]
    scopes = ("plan", "checkins") if shared else ("checkins",)
    make_consent(person, clinician.membership, scopes=scopes)
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert (PERSONAL_TITLES["goals"] in page) is shared
    assert (goal in page) is shared
    assert ("Plan and its versions" in page) is shared


def test_the_persons_own_check_in_notes_show_only_with_the_notes_scope() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    do_record_checkin(person, today(), CheckInData(used=False, cravings=2, note="my own words 417"))
    consent = make_consent(person, clinician.membership, scopes=("checkins",))
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert 'id="recent-checkins"' in page
    assert "my own words 417" not in page
    from waymark.accounts.actions import do_revoke_consent

    do_revoke_consent(consent, actor=person)
    make_consent(person, clinician.membership, scopes=("checkins", "notes"))
    page = clinician.client.get(f"/clinic/people/{person.public_id}/").content.decode()
    assert "my own words 417" in page
