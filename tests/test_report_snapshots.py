"""Large programs' reports: computed by the worker and kept, shown dated, computed again on
request and every day; small programs' reports stay live. The page and its API twin agree."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.programs import Staff, make_consent, make_person, make_program, make_staff
from tests.test_report_scale import days_back, record
from tests.worker import run_jobs
from waymark.accounts.models import Organization, Role
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.clinic import snapshots
from waymark.clinic.models import ReportSnapshot
from waymark.clinic.report import program_report_for
from waymark.clinic.snapshots import KIND, Refresh
from waymark.jobs.models import Job
from waymark.jobs.registry import TICKS

pytestmark = pytest.mark.django_db

LIMIT = 12  # the live limit in these tests: 13 people make a large program


@pytest.fixture(autouse=True)
def _small_limit(settings: Any) -> None:
    settings.WAYMARK_REPORT_LIVE_LIMIT = LIMIT


def program_of(people: int) -> tuple[Organization, Staff]:
    program = make_program()
    lead = make_staff(Role.LEAD, program=program)
    for n in range(people):
        someone = make_person()
        make_consent(someone, lead.membership)
        record(someone, days_back(70, skip=5), pattern=n)
    run_jobs()  # granting consent evaluates alerts: out of the way before each test looks
    return program, lead


def page(lead: Staff, program: Organization) -> str:
    response = lead.client.get(f"/clinic/programs/{program.public_id}/report/")
    assert response.status_code == 200
    return response.content.decode()


def api(lead: Staff, program: Organization) -> Any:
    return lead.client.get(f"/api/v1/clinic/programs/{program.public_id}/report")


def jobs(program: Organization) -> list[Job]:
    return list(Job.objects.filter(kind=KIND, payload={"program": program.pk}))


def test_a_small_program_is_computed_live_with_no_job() -> None:
    program, lead = program_of(LIMIT)
    text = page(lead, program)
    assert "100.0%" in text  # retention, computed now
    assert "Compute again" not in text
    assert "Computed on" not in text
    body = api(lead, program).json()
    assert body["live"] is True
    assert body["refresh"] is None
    assert body["computed_at"] is not None
    assert jobs(program) == []
    assert ReportSnapshot.objects.count() == 0


def test_a_large_programs_first_report_is_prepared_by_the_worker() -> None:
    program, lead = program_of(LIMIT + 1)
    text = page(lead, program)
    assert "The report is being prepared" in text
    assert "A new computation is queued" in text
    assert 'id="report"' not in text  # no table of numbers yet
    assert len(jobs(program)) == 1
    pending = api(lead, program)
    assert pending.status_code == 202
    assert pending.json() == {
        "program": program.name,
        "live": False,
        "computed_at": None,
        "refresh": "queued",
    }
    assert len(jobs(program)) == 1  # asking twice queues once

    run_jobs()
    kept = ReportSnapshot.objects.get(program=program)
    text = page(lead, program)
    assert "Computed on" in text
    assert 'id="report"' in text and "100.0%" in text
    assert "Compute again" in text
    body = api(lead, program).json()
    assert body["live"] is False
    assert body["refresh"] is None
    assert body["computed_at"].startswith(kept.computed_at.isoformat()[:19])
    assert body["people"] == LIMIT + 1
    assert body["retention"] == {"value": 100.0, "people": LIMIT + 1}
    assert kept.today == timezone.localdate()
    seal()
    assert AuditEntry.objects.filter(action="view.report").count() == 4  # every read


def test_a_kept_report_holds_exactly_the_live_numbers() -> None:
    program, _lead = program_of(LIMIT + 1)
    snapshots.save_snapshot(program)
    kept = snapshots.latest_snapshot(program)
    assert kept is not None
    assert kept[0] == program_report_for(program)


def test_compute_again_queues_one_computation_at_a_time() -> None:
    program, lead = program_of(LIMIT + 1)
    snapshots.save_snapshot(program)
    url = f"/clinic/programs/{program.public_id}/report/"
    response = lead.client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    assert "A new computation is queued" in page(lead, program)
    assert "Compute again" not in page(lead, program)
    lead.client.post(url)
    assert len(jobs(program)) == 1
    run_jobs()
    assert ReportSnapshot.objects.filter(program=program).count() == 2
    assert "Compute again" in page(lead, program)
    # The job that ran is queued again: a new computation after the last one finished.
    lead.client.post(url)
    (job,) = jobs(program)
    assert job.done_at is None
    run_jobs()
    assert ReportSnapshot.objects.filter(program=program).count() == 3


def test_the_page_says_when_a_computation_is_running_or_failed() -> None:
    program, lead = program_of(LIMIT + 1)
    snapshots.save_snapshot(program)
    snapshots.request_snapshot(program)
    (job,) = jobs(program)
    Job.objects.filter(pk=job.pk).update(
        claimed_by="a-worker", lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    text = page(lead, program)
    assert "A new computation is in progress" in text
    assert "Compute again" not in text
    assert api(lead, program).json()["refresh"] == "running"
    Job.objects.filter(pk=job.pk).update(done_at=timezone.now(), last_error="OperationalError")
    text = page(lead, program)
    assert "The last computation did not finish" in text
    assert "Compute again" in text
    assert snapshots.request_snapshot(program) is Refresh.QUEUED


def test_compute_again_on_a_small_program_queues_nothing() -> None:
    program, lead = program_of(3)
    response = lead.client.post(f"/clinic/programs/{program.public_id}/report/")
    assert response.status_code == 302
    answer = lead.client.post(f"/api/v1/clinic/programs/{program.public_id}/report")
    assert answer.status_code == 202
    assert answer.json() == {"program": program.name, "live": True, "refresh": None}
    assert jobs(program) == []


def test_the_api_queues_a_large_programs_report() -> None:
    program, lead = program_of(LIMIT + 1)
    answer = lead.client.post(f"/api/v1/clinic/programs/{program.public_id}/report")
    assert answer.status_code == 202
    assert answer.json() == {"program": program.name, "live": False, "refresh": "queued"}
    assert len(jobs(program)) == 1


def test_only_the_programs_leads_may_ask_for_a_computation() -> None:
    program, lead = program_of(LIMIT + 1)
    clinician = make_staff(Role.CLINICIAN, program=program)
    other_lead = make_staff(Role.LEAD)
    for staff in (clinician, other_lead):
        page_post = staff.client.post(f"/clinic/programs/{program.public_id}/report/")
        assert page_post.status_code == 404
        api_post = staff.client.post(f"/api/v1/clinic/programs/{program.public_id}/report")
        assert api_post.status_code == 404
    anonymous = Client().post(f"/clinic/programs/{program.public_id}/report/")
    assert anonymous.status_code == 302
    assert Client().post(f"/api/v1/clinic/programs/{program.public_id}/report").status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = lead.client.cookies
    assert strict.post(f"/clinic/programs/{program.public_id}/report/").status_code == 403
    assert jobs(program) == []


def test_the_page_form_carries_the_csrf_token() -> None:
    program, lead = program_of(LIMIT + 1)
    snapshots.save_snapshot(program)
    text = page(lead, program)
    form = text[text.index('<form method="post"') :]
    assert "csrfmiddlewaretoken" in form[: form.index("</form>")]


def test_the_daily_tick_refreshes_only_large_programs_not_yet_computed_today() -> None:
    large, _ = program_of(LIMIT + 1)
    small, _ = program_of(2)
    assert snapshots.TICK in TICKS
    assert snapshots.refresh_large_programs() == 1
    assert [j.payload for j in Job.objects.filter(kind=KIND)] == [{"program": large.pk}]
    assert snapshots.refresh_large_programs() == 0  # already queued
    run_jobs()
    assert snapshots.refresh_large_programs() == 0  # today's is kept
    ReportSnapshot.objects.update(today=timezone.localdate() - timedelta(days=1))
    assert snapshots.refresh_large_programs() == 1  # yesterday's: computed again
    run_jobs()
    assert ReportSnapshot.objects.filter(program=large).count() == 2
    assert not ReportSnapshot.objects.filter(program=small).exists()


def test_only_the_latest_reports_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "KEEP", 2)
    program, _ = program_of(2)
    made = [snapshots.save_snapshot(program) for _ in range(4)]
    kept = set(ReportSnapshot.objects.values_list("pk", flat=True))
    assert kept == {made[-1].pk, made[-2].pk}


def test_a_kept_report_of_another_shape_is_passed_over() -> None:
    program, lead = program_of(LIMIT + 1)
    snapshots.save_snapshot(program)
    ReportSnapshot.objects.create(program=program, today=timezone.localdate(), report={"x": 1})
    kept = snapshots.latest_snapshot(program)
    assert kept is not None and kept[0].people == LIMIT + 1
    assert "Computed on" in page(lead, program)


def test_a_job_for_a_program_that_is_gone_is_skipped() -> None:
    from waymark.jobs import enqueue

    enqueue(KIND, "report-snapshot:gone", payload={"program": 987654})
    run_jobs()
    assert Job.objects.get(dedupe_key="report-snapshot:gone").outcome == "skipped: no such program"
