"""Deleting an account: a clear page, a last-chance export, confirmation, and afterwards no
row anywhere refers to the person; the audit trail keeps only the opaque id."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from tests.interop.people import PASSWORD, rich_person
from tests.programs import make_consent, make_staff
from waymark.accounts.models import User
from waymark.audit.models import AuditEntry
from waymark.interop.actions import CannotDeleteError, do_delete_account

pytestmark = pytest.mark.django_db


def rows_referring_to(user_pk: Any, username: str) -> list[str]:
    """Every row of every installed model that points at the user: by a foreign key or a
    one-to-one or many-to-many field, or (django-axes) by the nickname."""
    found = []
    user_model = apps.get_model("accounts", "User")
    for model in apps.get_models():
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            concrete = isinstance(field, models.ForeignKey | models.ManyToManyField)
            if concrete and related is user_model:
                manager = model._base_manager
                if manager.filter(**{field.name: user_pk}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
        names = {f.name for f in model._meta.get_fields()}
        axes = model._meta.app_label == "axes" and "username" in names
        if axes and model._base_manager.filter(username=username).exists():
            found.append(f"{model._meta.label}.username")
    return found


def test_after_deletion_no_row_refers_to_the_person(client: Client) -> None:
    user = rich_person(client)
    staff = make_staff()
    make_consent(user, staff.membership)  # consent history, clinician membership
    client.post(reverse("accounts:login"), {"username": "robin", "password": "wrong"})
    ApiToken = apps.get_model("interop", "ApiToken")
    ApiToken.objects.create(owner=user, name="t", prefix="wm_x", digest="0" * 64)
    try:  # a program's note about the person, when the clinic is installed
        note = apps.get_model("clinic", "ClinicalNote")
        note.objects.create(person=user, organization=staff.membership.organization,
                            author=staff.user, text="seen today")  # fmt: skip
    except LookupError:
        pass
    for kind in ("json", "csv", "fhir"):
        assert client.get(reverse("interop:download", args=[kind])).status_code == 200
    pk, username, public_id = user.pk, user.username, str(user.public_id)
    assert rows_referring_to(pk, username)  # the test can fail: there is plenty to delete

    reference = do_delete_account(user)

    assert reference == public_id
    assert rows_referring_to(pk, username) == []
    assert not User.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.filter(action="account.delete").get()
    assert entry.subject_ref == public_id and entry.actor_ref == ""
    assert entry.actor_label == "" and username not in entry.detail
    # The staff member and their program are untouched.
    assert User.objects.filter(pk=staff.user.pk).exists()


def test_a_staff_account_is_not_deleted_here() -> None:
    staff = make_staff()
    with pytest.raises(CannotDeleteError):
        do_delete_account(staff.user)
    assert User.objects.filter(pk=staff.user.pk).exists()


def test_the_page_explains_offers_an_export_and_needs_confirmation(client: Client) -> None:
    user = rich_person(client)
    page = client.get(reverse("interop:delete"))
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("interop:download", args=["json"]) in html
    assert "cannot be undone" in html
    wrong = client.post(reverse("interop:delete"), {"nickname": "robyn", "password": PASSWORD})
    assert wrong.status_code == 400 and 'class="error-summary"' in wrong.content.decode()
    bad_password = client.post(reverse("interop:delete"), {"nickname": "robin", "password": "x"})
    assert bad_password.status_code == 400
    assert User.objects.filter(pk=user.pk).exists()
    done = client.post(reverse("interop:delete"), {"nickname": "robin", "password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("home")
    assert not User.objects.filter(pk=user.pk).exists()
    # Signed out: the data page now asks to sign in.
    assert client.get(reverse("interop:data")).status_code == 302


def test_downloads_from_the_data_page(client: Client) -> None:
    rich_person(client)
    page = client.get(reverse("interop:data")).content.decode()
    for kind, content_type in (("json", "application/json"), ("csv", "application/zip"),
                               ("fhir", "application/fhir+json")):  # fmt: skip
        assert reverse("interop:download", args=[kind]) in page
        response = client.get(reverse("interop:download", args=[kind]))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert "attachment" in response["Content-Disposition"]
    assert client.get(reverse("interop:download", args=["xml"])).status_code == 404
    # An account with records is offered no import.
    assert 'action="/account/data/import/"' not in page


def test_importing_from_the_page_into_a_new_account(client: Client) -> None:
    rich_person(client)
    exported = client.get(reverse("interop:download", args=["json"])).content
    newcomer = Client()
    newcomer.force_login(User.objects.create_user("newcomer"))
    page = newcomer.get(reverse("interop:data")).content.decode()
    assert 'action="/account/data/import/"' in page
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = newcomer.post(reverse("interop:import"),
                        {"file": SimpleUploadedFile("x.json", b'{"format": "other"}')})  # fmt: skip
    assert bad.status_code == 400 and "not a Waymark export" in bad.content.decode()
    good = newcomer.post(reverse("interop:import"),
                         {"file": SimpleUploadedFile("w.json", exported)})  # fmt: skip
    assert good.status_code == 302
    mine = newcomer.get("/api/v1/checkins").json()
    assert mine["count"] == 40
