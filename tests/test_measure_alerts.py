"""Caseload alerts from measures and from any check-up (issue 16, "Alerts and digest"): a
crisis from before sharing began raised when the consent starts, missed measures, a BAM's
elevated risk factors, PHQ-9 item 9 in a measure (urgent, emailed), shown only to staff who
share check-ups; and the digest's line of measures missed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from tests.programs import Staff, make_consent, make_person, make_program, make_staff
from tests.test_clinic import crisis_checkup
from tests.worker import run_jobs
from waymark.accounts.models import Organization, Role, Scope, User
from waymark.checkup.models import CheckUp
from waymark.clinic import actions, digest
from waymark.clinic.models import Alert
from waymark.clinical import alerts as rules
from waymark.clinical.text import say
from waymark.jobs.models import Job
from waymark.measures import actions as measure_actions
from waymark.measures import digest as measure_digest
from waymark.measures.models import MeasureRequest, MeasureResponse, Schedule, Via

pytestmark = pytest.mark.django_db


def linked() -> tuple[Staff, User, Organization]:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    clinician.user.email = "clinician@example.org"
    clinician.user.save()
    person = make_person()
    make_consent(person, clinician.membership)
    return clinician, person, program


def request_for(
    person: User, program: Organization, instrument: str, due_days_ago: int, *, expired: bool
) -> MeasureRequest:
    now = timezone.now()
    return MeasureRequest.objects.create(
        person=person,
        program=program,
        instrument=instrument,
        due_on=timezone.localdate() - timedelta(days=due_days_ago),
        expires_at=now - timedelta(hours=1) if expired else now + timedelta(days=7),
    )


def answer(
    person: User, program: Organization, instrument: str, answers: list[int], days_ago: int = 0
) -> None:
    request = request_for(person, program, instrument, days_ago, expired=False)
    measure_actions.do_answer(request, answers, Via.APP)


BAM_RISK_HIGH = [4, 4, 4] + [0] * 10 + [4, 0, 0, 0, 0, 0, 0, 0, 0, 0]  # Risk 16, scored


# Any check-up, including before sharing -----------------------------------------------------


def test_a_crisis_check_up_two_years_before_sharing_is_urgent_once_the_consent_starts() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    person = make_person()
    old = crisis_checkup(person)
    CheckUp.objects.filter(pk=old.pk).update(completed_at=timezone.now() - timedelta(days=730))
    CheckUp.objects.create(  # a calmer one since
        owner=person, status=CheckUp.Status.COMPLETE, completed_at=timezone.now(), result={}
    )
    run_jobs()
    assert not Alert.objects.exists()  # nobody watching yet
    make_consent(person, clinician.membership)  # granting it queues the evaluation
    run_jobs()
    alert = Alert.objects.get(person=person)
    assert (alert.rule, alert.priority, alert.evidence_on) == (
        "suicidal-thoughts",
        "urgent",
        timezone.localdate() - timedelta(days=730),
    )
    assert "Suicidal thoughts reported" in clinician.client.get("/clinic/").content.decode()
    run_jobs()
    assert Alert.objects.filter(person=person).count() == 1  # raised once


# Missed measures --------------------------------------------------------------------------------


def test_two_expired_unanswered_requests_of_a_measure_raise_missed_measures() -> None:
    clinician, person, program = linked()
    request_for(person, program, "phq-9", 30, expired=True)
    last = request_for(person, program, "phq-9", 16, expired=True)
    request_for(person, program, "phq-9", 2, expired=False)  # still open: no miss yet
    actions.evaluate(person)
    alert = Alert.objects.get(person=person, rule="missed-measures")
    assert (alert.priority, alert.evidence_on) == ("high", last.due_on)
    page = clinician.client.get(f"/clinic/?alert={rules.MISSED_MEASURES.id}").content.decode()
    assert "Measures missed in a row" in page


def test_the_hourly_tick_finds_a_measure_that_expired_since() -> None:
    _clinician, person, program = linked()
    request_for(person, program, "bam", 60, expired=True)
    late = request_for(person, program, "bam", 30, expired=False)
    run_jobs()
    assert not Alert.objects.filter(rule="missed-measures").exists()
    MeasureRequest.objects.filter(pk=late.pk).update(expires_at=timezone.now())
    from waymark.jobs.registry import TICKS

    TICKS["clinic.alerts"].run()
    run_jobs()
    assert Alert.objects.filter(person=person, rule="missed-measures").exists()


def test_only_a_state_rule_that_is_no_longer_found_has_ended() -> None:
    missed = rules.Alert(rules.MISSED_MEASURES, say("x"), timezone.localdate())
    crisis = rules.Alert(rules.SUICIDAL, say("x"), timezone.localdate())
    assert rules.ended([]) == ["missed-measures"]
    assert rules.ended([missed, crisis]) == []
    assert rules.ended([crisis]) == ["missed-measures"]  # an event never ends by itself
    assert {rule.id for rule in rules.ENDS_WHEN_GONE} == {"missed-measures"}


def test_missed_measures_end_by_themselves_once_one_is_answered() -> None:
    """The alert is the person's state: answering the measure ends it, as a check-in ends a
    missed check-in; one a clinician acknowledged stays as it was."""
    _clinician, person, program = linked()
    request_for(person, program, "phq-9", 30, expired=True)
    request_for(person, program, "phq-9", 16, expired=True)
    actions.evaluate(person)
    alert = Alert.objects.get(person=person, rule="missed-measures", resolved_at=None)
    actions.evaluate(person)
    assert Alert.objects.get(pk=alert.pk).resolved_at is None  # still missed: still open
    answer(person, program, "phq-9", [0] * 9)
    actions.evaluate(person)
    assert Alert.objects.get(pk=alert.pk).resolved_at is not None
    assert not Alert.objects.filter(person=person, rule="missed-measures", resolved_at=None)


def test_an_acknowledged_missed_measures_alert_is_left_as_it_was() -> None:
    _clinician, person, program = linked()
    request_for(person, program, "bam", 60, expired=True)
    request_for(person, program, "bam", 30, expired=True)
    actions.evaluate(person)
    acknowledged = timezone.now()
    Alert.objects.filter(person=person).update(acknowledged_at=acknowledged)
    answer(person, program, "bam", [0] * 23)
    actions.evaluate(person)
    alert = Alert.objects.get(person=person, rule="missed-measures")
    assert (alert.acknowledged_at, alert.resolved_at) == (acknowledged, None)


def test_an_answer_between_two_misses_breaks_the_run() -> None:
    _clinician, person, program = linked()
    request_for(person, program, "phq-9", 44, expired=True)
    answered = request_for(person, program, "phq-9", 30, expired=True)
    MeasureRequest.objects.filter(pk=answered.pk).update(answered_at=timezone.now())
    request_for(person, program, "phq-9", 16, expired=True)
    assert not [a for a in actions.evaluate(person) if a.rule == "missed-measures"]


# Answers: BAM risk, PHQ-9 item 9 ---------------------------------------------------------------


def test_answering_a_measure_queues_the_evaluation_and_a_bam_risk_raises_an_alert() -> None:
    _clinician, person, program = linked()
    run_jobs()
    answer(person, program, "bam", BAM_RISK_HIGH)
    response = MeasureResponse.objects.get(person=person)
    assert "risk-elevated" in response.flags and response.subscales["risk"] == 16
    run_jobs()
    alert = Alert.objects.get(person=person, rule="bam-risk")
    assert (alert.priority, alert.params) == ("high", {"score": 16})
    with translation.override("en"):
        assert actions.alert_message(alert) == (
            "The Brief Addiction Monitor's risk factors scored 16: 12 or more is elevated."
        )


def test_phq9_item_9_in_a_measure_is_urgent_and_queues_the_email() -> None:
    _clinician, person, program = linked()
    run_jobs()
    answer(person, program, "phq-9", [1, 1, 1, 0, 0, 0, 0, 0, 2])
    run_jobs()
    alert = Alert.objects.get(person=person, rule="suicidal-thoughts")
    assert alert.priority == "urgent"
    assert Job.objects.filter(kind=actions.NOTIFY_JOB).count() == 1
    alert.refresh_from_db()
    assert alert.notified_at is not None  # the worker ran the email job too


def test_a_crisis_measure_from_long_ago_is_still_read_and_a_calm_one_is_not() -> None:
    _clinician, person, program = linked()
    answer(person, program, "phq-9", [1, 1, 1, 0, 0, 0, 0, 0, 1])
    answer(person, program, "phq-9", [3, 3, 3, 0, 0, 0, 0, 0, 0], days_ago=1)
    MeasureResponse.objects.update(completed_at=timezone.now() - timedelta(days=400))
    record = actions.person_record(person)
    assert [(m.instrument, m.crisis) for m in record.measures] == [("phq-9", True)]


def test_measure_alerts_show_only_to_staff_who_share_check_ups() -> None:
    program = make_program()
    checkups = make_staff(Role.CLINICIAN, program=program)
    checkins_only = make_staff(Role.CLINICIAN, program=program)
    person = make_person("measured-one")
    make_consent(person, checkups.membership, scopes=[Scope.CHECKUPS])
    make_consent(person, checkins_only.membership, scopes=[Scope.CHECKINS])
    answer(person, program, "bam", BAM_RISK_HIGH)
    run_jobs()
    assert Alert.objects.filter(person=person, rule="bam-risk").exists()
    filtered = f"/clinic/?alert={rules.BAM_RISK.id}"
    assert "measured-one" in checkups.client.get(filtered).content.decode()
    assert "measured-one" not in checkins_only.client.get(filtered).content.decode()
    chart = f"/clinic/people/{person.public_id}/"
    assert "risk factors scored 16" in checkups.client.get(chart).content.decode()
    seen = checkins_only.client.get(chart)
    assert seen.status_code == 200
    assert "risk factors scored 16" not in seen.content.decode()


def test_measures_cost_the_same_queries_however_many_there_were() -> None:
    costs = []
    for count in (2, 40):
        _clinician, person, program = linked()
        for n in range(count):
            request_for(person, program, "phq-9", 14 * (n + 1), expired=True)
        with CaptureQueriesContext(connection) as queries:
            record = actions.person_record(person)
        costs.append((len(queries), len(record.asked)))
    assert costs[0] == costs[1]
    assert costs[0][1] == rules.MISSED_IN_A_ROW


# The digest's line ------------------------------------------------------------------------------


def test_the_digest_counts_measures_missed_this_week_where_check_ups_are_shared(
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    clinician, person, program = linked()
    assert measure_digest.measures_missed in digest.COUNT_PROVIDERS
    week = digest.DigestWeek(clinician.user)
    assert measure_digest.measures_missed(week) is None  # the program sends no measures
    Schedule.objects.create(program=program, instrument="phq-9", every_days=14,
                            set_at=timezone.now())  # fmt: skip
    request_for(person, program, "phq-9", 9, expired=True)  # expired an hour ago
    week_old = request_for(person, program, "bam", 40, expired=True)
    MeasureRequest.objects.filter(pk=week_old.pk).update(
        expires_at=timezone.now() - timedelta(days=8)
    )
    elsewhere = make_program()
    request_for(person, elsewhere, "gad-7", 9, expired=True)  # not through this clinician
    hidden = make_person()
    make_consent(hidden, clinician.membership, scopes=[Scope.CHECKINS])
    request_for(hidden, program, "phq-9", 9, expired=True)  # check-ups not shared
    week = digest.DigestWeek(clinician.user)
    with django_assert_max_num_queries(3), translation.override("en"):
        line = measure_digest.measures_missed(week)
    assert line is not None
    assert (line.key, line.value) == ("measures-missed", 1)
    assert line.text == "1 measure expired unanswered in the last 7 days"
