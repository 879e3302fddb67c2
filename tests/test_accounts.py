"""Accounts: a nickname is enough; failed logins slow down; sign out; change password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from waymark import settings as production
from waymark.accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-password-1"


def signup(client: Client, **extra: Any) -> Any:
    data = {"username": "river", "password1": PASSWORD, "password2": PASSWORD} | extra
    return client.post(reverse("accounts:signup"), data)


def test_a_nickname_and_a_password_are_enough(client: Client, settings: Any) -> None:
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # Argon2, as in production
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(username="river")
    assert user.email == "" and user.password.startswith("argon2")
    assert client.get(reverse("checkup:history")).status_code == 200


def test_signup_errors_re_show_the_form_keeping_the_username(client: Client) -> None:
    response = signup(client, password2="something-else-2")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in page and 'value="river"' in page
    assert not User.objects.exists()


def test_an_outside_next_address_is_ignored(client: Client) -> None:
    response = signup(client, next="https://evil.example/")
    # The recovery codes come first; their "continue" leads home, not away.
    assert response["Location"] == f"{reverse('accounts:recovery_codes')}?next=%2Faccount%2F"
    page = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("accounts:home")}"' in page and "evil.example" not in page


def test_repeated_failed_logins_make_the_next_try_wait(client: Client) -> None:
    User.objects.create_user("river", password=PASSWORD)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "river", "password": "wrong"})
    waiting = client.post(reverse("accounts:login"), {"username": "river", "password": PASSWORD})
    assert waiting.status_code == 429
    assert "Too many tries for now" in waiting.content.decode()  # more in tests/test_signin.py


def test_sign_in_and_out(client: Client) -> None:
    User.objects.create_user("river", password=PASSWORD)
    response = client.post(reverse("accounts:login"), {"username": "river", "password": PASSWORD})
    assert response.status_code == 302
    assert "Sign out" in client.get("/").content.decode()
    client.post(reverse("accounts:logout"))
    assert "Sign in" in client.get("/").content.decode()


def test_password_change(client: Client) -> None:
    user = User.objects.create_user("river", password=PASSWORD)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-pass-2",
         "new_password2": "another-long-pass-2"},
    )  # fmt: skip
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-2")


def test_pages_for_people_need_a_sign_in(client: Client) -> None:
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_demo_account_has_two_check_ups_to_compare(client: Client) -> None:
    from django.core.management import call_command

    call_command("demo")
    call_command("demo")  # running it again changes nothing
    user = User.objects.get(username="demo")
    assert user.checkups.filter(status="complete").count() == 2
    plan = user.checkups.order_by("-completed_at").first().plans.get()  # type: ignore[union-attr]
    # Made, edited the next day, then switched from harm reduction to abstinence 2 weeks ago.
    versions = list(plan.versions.order_by("number"))
    assert [v.content["approach"] for v in versions] == [
        "harm-reduction",
        "harm-reduction",
        "abstinence",
    ]
    today = timezone.localdate()
    assert [(today - timezone.localdate(v.created_at)).days for v in versions] == [29, 28, 14]
    assert user.checkins.count() == 24
    # Nothing drunk since the switch but for one slip.
    since = user.checkins.filter(day__gt=today - timedelta(days=14), used=True)
    assert since.count() == 1
    client.force_login(user)
    assert "→" in client.get(reverse("checkup:history")).content.decode()
    page = client.get(reverse("progress:page")).content.decode()
    assert "<svg" in page and 'class="marker"' in page
    assert "Path changed to Abstinence on" in page
    assert 'id="checkup-due"' in page  # the second check-up was 29 days ago
    again = client.get("/api/v1/progress").json()["reassessment"]
    assert again["due"]["status"] == "due" and again["worsening"] == []
    [audit] = again["changes"]  # since the first check-up: the AUDIT, 15 then 10
    assert audit["instrument"] == "audit" and audit["direction"] == "better"
    assert (audit["baseline"]["total"], audit["latest"]["total"]) == (15, 10)
    # Only the demo account was touched.
    assert not User.objects.exclude(username__in=("demo", "demo-clinician", "demo-lead")).exists()


def test_the_demo_refuses_on_a_public_host(settings: Any) -> None:
    from django.core.management import CommandError, call_command

    settings.ALLOWED_HOSTS = ["waymark.example.org"]
    with pytest.raises(CommandError, match="refusing"):
        call_command("demo")


def test_settings_page_links_each_area(client: Client) -> None:
    user = User.objects.create_user("river", password=PASSWORD)
    assert client.get(reverse("accounts:settings")).status_code == 302
    client.force_login(user)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert reverse("accounts:password_change") in page
