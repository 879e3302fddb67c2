"""A person shares with a program: code → consent screen → grant; change; stop at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.programs import as_verified, make_consent, make_person, make_program, make_staff
from waymark import access
from waymark.accounts.actions import do_record_expired_consents
from waymark.accounts.models import (
    AppendOnlyError,
    Consent,
    ConsentEvent,
    Invitation,
    Role,
    User,
    format_code,
)
from waymark.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def signed_in(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


def ends_on(days: int = 90) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_the_sharing_page_is_linked_from_settings_and_starts_empty() -> None:
    client = signed_in(make_person())
    assert reverse("accounts:sharing") in client.get(reverse("accounts:settings")).content.decode()
    page = client.get(reverse("accounts:sharing")).content.decode()
    assert "You are not sharing with anyone." in page


def test_a_code_opens_a_consent_screen_naming_the_program_and_clinician() -> None:
    program = make_program("Riverside Outpatient")
    clinician = make_staff(Role.CLINICIAN, program=program)
    make_staff(Role.ADMIN, program=program)  # admins are never offered
    invitation = Invitation.objects.create(organization=program)
    client = signed_in(make_person())
    typed = format_code(invitation.code).lower().replace("-", " ")
    page = client.get(reverse("accounts:sharing_join"), {"code": typed})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Share with Riverside Outpatient?" in html
    assert clinician.user.display_name in html
    assert html.count('name="clinicians"') == 1, "only the clinician, not the admin"
    assert 'value="notes"' in html and 'value="notes" checked' not in html
    assert not Consent.objects.exists(), "nothing is shared before the person agrees"


def test_granting_shares_exactly_what_was_chosen_and_writes_history_and_audit() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    person = make_person()
    client = signed_in(person)
    response = client.post(
        reverse("accounts:sharing_join"),
        {
            "code": invitation.code,
            "clinicians": [clinician.membership.pk],
            "scopes": ["checkins"],
            "ends_on": ends_on(30),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sharing")
    consent = Consent.objects.get(person=person)
    assert consent.scopes == ["checkins"] and consent.invitation == invitation
    assert consent.last_day == timezone.localdate() + timedelta(days=30)
    viewer = as_verified(clinician.user)
    assert access.can_see(viewer, person, "checkins")
    assert not access.can_see(viewer, person, "checkups")
    assert list(consent.events.values_list("kind", flat=True)) == ["granted"]
    entry = AuditEntry.objects.get(action="consent.grant")
    assert entry.subject_ref == str(person.public_id) and str(consent.public_id) in entry.detail
    invitation.refresh_from_db()
    assert invitation.uses == 1
    page = client.get(reverse("accounts:sharing")).content.decode()
    assert clinician.user.display_name in page and "Daily check-ins" in page


def test_a_consent_form_with_errors_re_shows_with_messages() -> None:
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    client = signed_in(make_person())
    response = client.post(
        reverse("accounts:sharing_join"),
        {"code": invitation.code, "scopes": [], "ends_on": timezone.localdate().isoformat()},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in html
    assert "Choose at least one person." in html and "Choose a day after today." in html
    assert not Consent.objects.exists()


def test_a_clinician_cannot_be_slipped_in_from_another_program() -> None:
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    stranger = make_staff(Role.CLINICIAN)
    invitation = Invitation.objects.create(organization=program)
    client = signed_in(make_person())
    response = client.post(
        reverse("accounts:sharing_join"),
        {
            "code": invitation.code,
            "clinicians": [stranger.membership.pk],
            "scopes": ["plan"],
            "ends_on": ends_on(),
        },
    )
    assert response.status_code == 400 and not Consent.objects.exists()


def test_a_clinicians_own_code_offers_only_that_clinician() -> None:
    program = make_program()
    mine = make_staff(Role.CLINICIAN, program=program)
    colleague = make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    invitation.clinicians.set([mine.membership])
    page = signed_in(make_person()).get(reverse("accounts:sharing_join"), {"code": invitation.code})
    html = page.content.decode()
    assert mine.user.display_name in html and colleague.user.display_name not in html
    assert f'value="{mine.membership.pk}"' in html and "checked" in html


@pytest.mark.parametrize("state", ["unknown", "expired", "withdrawn", "used-up"])
def test_a_code_that_cannot_be_used_is_refused_plainly(state: str) -> None:
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program, max_uses=1)
    code = invitation.code
    if state == "unknown":
        code = "ZZZZ2222" if code != "ZZZZ2222" else "YYYY2222"
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    elif state == "withdrawn":
        Invitation.objects.filter(pk=invitation.pk).update(withdrawn_at=timezone.now())
    else:
        Invitation.objects.filter(pk=invitation.pk).update(uses=1)
    response = signed_in(make_person()).get(reverse("accounts:sharing_join"), {"code": code})
    assert response.status_code == 400
    assert "This code was not found, or it has expired." in response.content.decode()


def test_too_many_wrong_codes_are_refused_for_an_hour() -> None:
    client = signed_in(make_person())
    for number in range(10):
        client.get(reverse("accounts:sharing_join"), {"code": f"WRNG{number}XXX"})
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    good = Invitation.objects.create(organization=program)
    response = client.get(reverse("accounts:sharing_join"), {"code": good.code})
    assert response.status_code == 429


def test_a_single_use_code_works_for_one_person_only() -> None:
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program, max_uses=1)
    data = {
        "code": invitation.code,
        "clinicians": [clinician.membership.pk],
        "scopes": ["plan"],
        "ends_on": ends_on(),
    }
    assert signed_in(make_person()).post(reverse("accounts:sharing_join"), data).status_code == 302
    assert signed_in(make_person()).post(reverse("accounts:sharing_join"), data).status_code == 400
    assert Consent.objects.count() == 1


def test_stopping_asks_once_then_ends_access_at_once() -> None:
    person = make_person()
    clinician = make_staff(Role.CLINICIAN)
    consent = make_consent(person, clinician.membership)
    viewer = as_verified(clinician.user)
    client = signed_in(person)
    confirm = client.get(reverse("accounts:sharing_stop", args=[consent.public_id]))
    assert confirm.status_code == 200 and "Stop sharing now" in confirm.content.decode()
    assert access.can_see(viewer, person, "plan"), "asking is not stopping"
    response = client.post(reverse("accounts:sharing_stop", args=[consent.public_id]))
    assert response.status_code == 302
    assert not access.can_see(viewer, person, "plan")
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert [e.kind for e in consent.events.all()] == ["granted", "revoked"]
    assert AuditEntry.objects.filter(action="consent.revoke").count() == 1
    page = client.get(reverse("accounts:sharing")).content.decode()
    assert "Sharing that has ended" in page and "You are not sharing with anyone." in page


def test_changing_a_consent_narrows_access_at_once() -> None:
    person = make_person()
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    consent = make_consent(person, clinician.membership)
    client = signed_in(person)
    page = client.get(reverse("accounts:sharing_change", args=[consent.public_id]))
    assert page.status_code == 200
    response = client.post(
        reverse("accounts:sharing_change", args=[consent.public_id]),
        {"clinicians": [clinician.membership.pk], "scopes": ["plan"], "ends_on": ends_on(10)},
    )
    assert response.status_code == 302
    viewer = as_verified(clinician.user)
    assert access.scopes_for(viewer, person) == {"plan"}
    assert [e.kind for e in Consent.objects.get().events.all()] == ["granted", "changed"]
    assert AuditEntry.objects.filter(action="consent.change").exists()


def test_nobody_can_see_change_or_stop_another_persons_consent() -> None:
    owner, other = make_person(), make_person()
    clinician = make_staff(Role.CLINICIAN)
    consent = make_consent(owner, clinician.membership)
    client = signed_in(other)
    for name in ("accounts:sharing_stop", "accounts:sharing_change"):
        assert client.get(reverse(name, args=[consent.public_id])).status_code == 404
        assert client.post(reverse(name, args=[consent.public_id])).status_code == 404
    assert (
        clinician.client.post(
            reverse("accounts:sharing_stop", args=[consent.public_id])
        ).status_code
        == 404
    )
    consent.refresh_from_db()
    assert consent.revoked_at is None
    assert owner.username not in client.get(reverse("accounts:sharing")).content.decode()


def test_the_sharing_pages_need_an_account() -> None:
    response = Client().get(reverse("accounts:sharing"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_ended_consent_is_written_to_the_history_once() -> None:
    person = make_person()
    clinician = make_staff(Role.CLINICIAN)
    consent = make_consent(
        person,
        clinician.membership,
        starts_at=timezone.now() - timedelta(days=5),
        ends_at=timezone.now() + timedelta(days=1),
    )
    assert do_record_expired_consents() == 0
    later = timezone.now() + timedelta(days=2)
    assert do_record_expired_consents(later) == 1
    assert do_record_expired_consents(later) == 0
    assert [e.kind for e in consent.events.all()] == ["granted", "expired"]
    assert AuditEntry.objects.filter(action="consent.expire").count() == 1


def test_consent_history_cannot_be_edited_or_deleted() -> None:
    consent = make_consent(make_person(), make_staff(Role.CLINICIAN).membership)
    event = consent.events.get()
    event.kind = ConsentEvent.Kind.REVOKED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.update(kind="revoked")


def test_the_worker_writes_ended_consents_into_the_history() -> None:
    from waymark.accounts.apps import CONSENT_EXPIRY_TICK
    from waymark.jobs.registry import TICKS

    person = make_person()
    consent = make_consent(
        person,
        make_staff(Role.CLINICIAN).membership,
        starts_at=timezone.now() - timedelta(days=5),
        ends_at=timezone.now() - timedelta(seconds=1),
    )
    TICKS[CONSENT_EXPIRY_TICK].run()
    assert [e.kind for e in consent.events.all()] == ["granted", "expired"]


# The JSON twins (/api/v1/consents, /api/v1/invitations) ---------------------------------------


def api(client: Client, method: str, path: str, body: object = None) -> tuple[int, Any]:
    import json

    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    response = getattr(client, method)("/api/v1" + path, **kwargs)
    return response.status_code, json.loads(response.content) if response.content else None


def test_the_api_grants_lists_changes_and_revokes_like_the_pages() -> None:
    program = make_program("Riverside")
    clinician = make_staff(Role.CLINICIAN, program=program)
    invitation = Invitation.objects.create(organization=program)
    person = make_person()
    client = signed_in(person)
    status, offer = api(client, "get", f"/invitations/{invitation.code.lower()}")
    assert status == 200 and offer["program"]["name"] == "Riverside"
    assert [c["id"] for c in offer["clinicians"]] == [str(clinician.membership.public_id)]
    status, body = api(
        client,
        "post",
        "/consents",
        {
            "code": format_code(invitation.code),
            "clinicians": [offer["clinicians"][0]["id"]],
            "scopes": ["plan", "checkins"],
            "ends_on": ends_on(20),
        },
    )
    assert status == 201 and body["scopes"] == ["plan", "checkins"] and body["status"] == "active"
    viewer = as_verified(clinician.user)
    assert access.scopes_for(viewer, person) == {"plan", "checkins"}
    consent_id = body["id"]
    status, listing = api(client, "get", "/consents")
    assert status == 200 and [c["id"] for c in listing["items"]] == [consent_id]
    assert listing["count"] == 1
    status, changed = api(
        client,
        "put",
        f"/consents/{consent_id}",
        {"clinicians": [offer["clinicians"][0]["id"]], "scopes": ["plan"], "ends_on": ends_on(5)},
    )
    assert status == 200 and changed["scopes"] == ["plan"]
    assert access.scopes_for(viewer, person) == {"plan"}
    status, revoked = api(client, "post", f"/consents/{consent_id}/revoke")
    assert status == 200 and revoked["status"] == "revoked"
    assert [e["kind"] for e in revoked["history"]] == ["granted", "changed", "revoked"]
    assert not access.can_see(viewer, person, "plan")


def test_the_api_refuses_bad_consents_in_the_one_error_shape() -> None:
    program = make_program()
    make_staff(Role.CLINICIAN, program=program)
    stranger = make_staff(Role.CLINICIAN)
    invitation = Invitation.objects.create(organization=program)
    client = signed_in(make_person())
    status, body = api(client, "get", "/invitations/NOPENOPE")
    assert status == 404 and body["error"]["code"] == "not-found"
    status, body = api(
        client,
        "post",
        "/consents",
        {
            "code": invitation.code,
            "clinicians": [str(stranger.membership.public_id)],
            "scopes": ["plan"],
            "ends_on": timezone.localdate().isoformat(),
        },
    )
    assert status == 400 and set(body["error"]["fields"]) == {"body.clinicians", "body.ends_on"}
    status, body = api(
        client, "post", "/consents", {"code": invitation.code, "clinicians": [], "scopes": ["x"]}
    )
    assert status == 400 and body["error"]["code"] == "invalid-request"
    assert not Consent.objects.exists()


def test_the_api_shows_and_changes_only_ones_own_consents() -> None:
    owner = make_person()
    clinician = make_staff(Role.CLINICIAN)
    consent = make_consent(owner, clinician.membership)
    other = signed_in(make_person())
    assert api(other, "get", "/consents") == (200, {"items": [], "count": 0})
    assert api(other, "get", f"/consents/{consent.public_id}")[0] == 404
    assert api(other, "post", f"/consents/{consent.public_id}/revoke")[0] == 404
    assert api(clinician.client, "post", f"/consents/{consent.public_id}/revoke")[0] == 404
    assert api(Client(), "get", "/consents")[0] == 401
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_a_program_with_nobody_to_name_says_so_instead_of_a_form() -> None:
    program = make_program()
    make_staff(Role.ADMIN, program=program)
    invitation = Invitation.objects.create(organization=program)
    page = signed_in(make_person()).get(reverse("accounts:sharing_join"), {"code": invitation.code})
    html = page.content.decode()
    assert "Nobody at this program can be chosen yet" in html and 'name="scopes"' not in html
