"""The one access rule (waymark.access): deny by default, role plus an active consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests.programs import as_verified, make_consent, make_person, make_program, make_staff
from waymark import access
from waymark.accounts.models import ConsentEvent, Membership, Organization, Role, User, shares

pytestmark = pytest.mark.django_db


def clinician_of(
    program: Organization | None = None, role: str = Role.CLINICIAN
) -> tuple[User, Membership]:
    staff = make_staff(role, program=program)
    return as_verified(staff.user), staff.membership


def test_a_person_always_sees_their_own_data() -> None:
    person = make_person()
    assert all(access.can_see(person, person, scope) for scope in access.SCOPES)
    assert access.scopes_for(person, person) == frozenset(access.SCOPES)


def test_nobody_else_sees_anything_without_a_consent() -> None:
    person, other = make_person(), make_person()
    viewer, _membership = clinician_of()
    for scope in access.SCOPES:
        assert not access.can_see(other, person, scope)
        assert not access.can_see(viewer, person, scope)
        assert not access.can_see(AnonymousUser(), person, scope)
        assert not access.can_see(None, person, scope)
    assert not access.people_visible_to(viewer).exists()


def test_a_named_clinician_sees_the_consented_scopes_only() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership, scopes=["checkups", "plan"])
    assert access.can_see(viewer, person, "checkups")
    assert access.can_see(viewer, person, "plan")
    assert not access.can_see(viewer, person, "checkins")
    assert not access.can_see(viewer, person, "notes")
    assert access.scopes_for(viewer, person) == {"checkups", "plan"}
    assert list(access.people_visible_to(viewer)) == [person]
    assert list(access.people_visible_to(viewer, "plan")) == [person]
    assert not access.people_visible_to(viewer, "checkins").exists()
    assert access.visible_person(viewer, person.public_id) == person
    assert access.visible_person(viewer, person.public_id, "notes") is None


def test_a_program_lead_named_in_the_consent_sees_it_too() -> None:
    person = make_person()
    lead, membership = clinician_of(role=Role.LEAD)
    make_consent(person, membership)
    assert access.can_see(lead, person, "checkins")


def test_an_admin_never_sees_patient_data_and_cannot_be_named() -> None:
    from waymark.accounts.actions import ConsentError

    person = make_person()
    admin, membership = clinician_of(role=Role.ADMIN)
    with pytest.raises(ConsentError):
        make_consent(person, membership)
    assert not access.people_visible_to(admin).exists()


def test_a_clinician_of_the_program_who_is_not_named_sees_nothing() -> None:
    person = make_person()
    _named, membership = clinician_of()
    colleague, _ = clinician_of(program=membership.organization)
    make_consent(person, membership)
    assert not access.can_see(colleague, person, "checkups")
    assert not access.people_visible_to(colleague).exists()


def test_staff_of_another_program_see_nothing_even_as_its_lead() -> None:
    person = make_person()
    _named, membership = clinician_of()
    other_lead, _ = clinician_of(program=make_program(), role=Role.LEAD)
    make_consent(person, membership)
    assert not access.can_see(other_lead, person, "checkups")


def test_a_membership_of_the_same_user_in_another_program_does_not_count() -> None:
    """The named membership must be in the consent's program (checked in the same row)."""
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership)
    elsewhere = Membership.objects.create(
        user=viewer, organization=make_program(), role=Role.CLINICIAN
    )
    Membership.objects.filter(pk=membership.pk).update(active=False)
    assert elsewhere.active
    assert not access.can_see(viewer, person, "checkups")


def test_an_inactive_membership_sees_nothing() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership)
    membership.active = False
    membership.save()
    assert not access.can_see(viewer, person, "checkups")
    assert not access.people_visible_to(viewer).exists()


def test_a_membership_demoted_to_admin_sees_nothing() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership)
    Membership.objects.filter(pk=membership.pk).update(role=Role.ADMIN)
    assert not access.can_see(viewer, person, "checkups")


def test_a_deactivated_staff_account_sees_nothing() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership)
    viewer.is_active = False
    assert not access.can_see(viewer, person, "checkups")


def test_revocation_is_effective_at_once() -> None:
    from waymark.accounts.actions import do_revoke_consent

    person = make_person()
    viewer, membership = clinician_of()
    consent = make_consent(person, membership)
    assert access.can_see(viewer, person, "checkups")
    assert do_revoke_consent(consent, actor=person)
    assert not access.can_see(viewer, person, "checkups")
    assert not access.people_visible_to(viewer).exists()
    assert not do_revoke_consent(consent, actor=person), "revoking twice changes nothing"
    kinds = list(consent.events.values_list("kind", flat=True))
    assert kinds == [ConsentEvent.Kind.GRANTED, ConsentEvent.Kind.REVOKED]


def test_an_expired_consent_gives_no_access() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    start = timezone.now() - timedelta(days=10)
    make_consent(person, membership, starts_at=start, ends_at=timezone.now() - timedelta(days=1))
    assert not access.can_see(viewer, person, "checkups")


def test_a_consent_that_has_not_started_gives_no_access_yet() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership, starts_at=timezone.now() + timedelta(days=1))
    assert not access.can_see(viewer, person, "checkups")


def test_an_unverified_staff_session_sees_nothing() -> None:
    person = make_person()
    staff = make_staff(Role.CLINICIAN, verified=False)
    make_consent(person, staff.membership)
    assert not access.can_see(staff.user, person, "checkups")  # no is_verified() at all
    staff.user.is_verified = lambda: False  # type: ignore[attr-defined]
    assert not access.can_see(staff.user, person, "checkups")
    assert not access.people_visible_to(staff.user).exists()
    assert access.scopes_for(staff.user, person) == frozenset()


def test_an_unknown_scope_is_an_error_not_a_yes() -> None:
    person = make_person()
    with pytest.raises(access.UnknownScopeError):
        access.can_see(person, person, "everything")


def test_two_consents_to_one_clinician_combine_their_scopes() -> None:
    person = make_person()
    viewer, membership = clinician_of()
    make_consent(person, membership, scopes=["checkups"])
    make_consent(person, membership, scopes=["checkins"])
    assert access.scopes_for(viewer, person) == {"checkups", "checkins"}
    assert list(access.people_visible_to(viewer)) == [person]  # once, not twice


def test_the_caseload_is_one_query_however_many_people(django_assert_num_queries) -> None:
    viewer, membership = clinician_of()
    for _ in range(5):
        make_consent(make_person(), membership)
    with django_assert_num_queries(1):
        assert len(list(access.people_visible_to(viewer, "checkins"))) == 5


def test_records_of_a_person_follow_the_rule() -> None:
    from waymark.checkup.models import CheckUp

    person = make_person()
    viewer, membership = clinician_of()
    CheckUp.objects.create(owner=person)
    assert not access.checkups_of(viewer, person).exists()
    make_consent(person, membership, scopes=["checkups"])
    assert access.checkups_of(viewer, person).count() == 1
    assert not access.checkins_of(viewer, person).exists()
    assert not access.plans_of(viewer, person).exists()


def test_managed_programs_are_those_led_or_administered() -> None:
    lead, membership = clinician_of(role=Role.LEAD)
    clinician, _ = clinician_of(program=membership.organization)
    assert list(access.managed_organizations(lead)) == [membership.organization]
    assert list(access.led_organizations(lead)) == [membership.organization]
    assert not access.managed_organizations(clinician).exists()


def test_the_programs_a_request_lists_as_led_are_led_organizations() -> None:
    from django.test import RequestFactory

    lead, membership = clinician_of(role=Role.LEAD)
    zebra = Organization.objects.create(name="Zebra House")
    Membership.objects.create(user=lead, organization=zebra, role=Role.LEAD)
    Membership.objects.create(user=lead, organization=make_program("Aspen"), role=Role.CLINICIAN)
    Membership.objects.create(
        user=lead, organization=make_program("Birch"), role=Role.LEAD, active=False
    )
    request = RequestFactory().get("/")
    request.user = lead
    listed = access.led_programs(request)
    assert listed == sorted(access.led_organizations(lead), key=lambda p: p.name)
    assert listed == sorted([membership.organization, zebra], key=lambda p: p.name)
    unverified = RequestFactory().get("/")
    unverified.user = User.objects.get(pk=lead.pk)  # not verified in this session
    assert access.led_programs(unverified) == []
    assert not access.led_organizations(unverified.user).exists()


def test_a_consent_naming_the_viewer_among_colleagues_is_found_once() -> None:
    """No DISTINCT in `consents_naming`: a user has one membership a program and a consent
    names it once, so the join finds each consent once however many it names."""
    person = make_person()
    program = make_program()
    viewer, membership = clinician_of(program)
    colleagues = [clinician_of(program)[1] for _ in range(3)]
    lead, lead_membership = clinician_of(program, role=Role.LEAD)
    consent = make_consent(person, [membership, lead_membership, *colleagues])
    assert list(access.active_consents_for(viewer)) == [consent]
    assert list(access.active_consents_for(lead).values_list("pk", flat=True)) == [consent.pk]
    assert list(access.active_consents_for(viewer).values("person")) == [{"person": person.pk}]


def test_scopes_by_person_is_the_union_of_each_persons_consents() -> None:
    first, second, third = make_person(), make_person(), make_person()
    viewer, membership = clinician_of()
    other_program = make_program()
    other = Membership.objects.create(user=viewer, organization=other_program, role=Role.LEAD)
    make_consent(first, membership, scopes=["checkups"])
    make_consent(first, other, scopes=["checkins", "notes"])
    make_consent(second, membership, scopes=["plan"])
    make_consent(second, membership, scopes=["plan"], revoked=True)
    make_consent(third, other, scopes=["checkins"])
    found = {
        row["person"]: {scope for scope in access.SCOPES if row[shares(scope)]}
        for row in access.active_consents_for(viewer).scopes_by_person()
    }
    assert found == {first.pk: {"checkups", "checkins", "notes"}, second.pk: {"plan"},
                     third.pk: {"checkins"}}  # fmt: skip
    for person in (first, second, third):
        assert found[person.pk] == access.scopes_for(viewer, person)
    named = access.active_consents_for(viewer).scopes_by_person("person__username")
    assert {frozenset(row) for row in named} == {
        frozenset({"person", "person__username", *map(shares, access.SCOPES)})
    }


def test_the_staff_answer_is_asked_once_a_request(django_assert_num_queries) -> None:
    from django.test import RequestFactory

    viewer, membership = clinician_of()
    request = RequestFactory().get("/")
    request.user = viewer
    with django_assert_num_queries(1):
        assert access.request_is_staff(request)
        assert access.request_is_staff(request)
    # Kept for the request's user only: another user on the same request is asked again.
    person = make_person()
    request.user = person
    assert not access.request_is_staff(request)
    assert access.request_memberships(request) == []
    request.user = viewer
    assert access.request_is_staff(request)
    fresh = RequestFactory().get("/")
    fresh.user = viewer
    membership.active = False
    membership.save()
    assert not access.request_is_staff(fresh)  # a new request asks again
    anonymous = RequestFactory().get("/")
    anonymous.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert not access.request_is_staff(anonymous)
