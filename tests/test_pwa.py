"""Waymark on a phone through Django's test client: the manifest, the service worker's script
and headers, the offline page, the people to call (/call/ and the one-tap buttons), and
sign-out clearing the device. The browser side is in tests/e2e/test_pwa.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from waymark.accounts.models import User
from waymark.checkup.models import CheckUp
from waymark.phone.calls import people_to_call, tel_href
from waymark.plans.models import Plan, PlanVersion
from waymark.templatetags.phone import device_person

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str = "sam") -> User:
    person = User.objects.create_user(username, password="a-long-password-1")
    client.force_login(person)
    return person


def plan_with(owner: User, people: list[dict[str, str]], number: int = 1) -> Plan:
    plan = Plan.objects.filter(checkup__owner=owner).first()
    if plan is None:
        plan = Plan.objects.create(checkup=CheckUp.objects.create(owner=owner))
    PlanVersion.objects.create(
        plan=plan, number=number, content={"approach": "harm-reduction", "people": people}
    )
    return plan


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The manifest ---------------------------------------------------------------------------------


def manifest(client: Client, query: str = "") -> dict[str, Any]:
    response = client.get(reverse("phone:manifest") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data: dict[str, Any] = json.loads(response.content)
    return data


def test_the_manifest_makes_waymark_installable_and_starts_at_the_check_in(
    client: Client,
) -> None:
    data = manifest(client)
    assert data["name"] == data["short_name"] == "Waymark"
    assert data["start_url"] == reverse("tracking:today") == "/track/"
    assert data["scope"] == "/" and data["id"] == "/"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#1f5f8b"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/") and icon["type"] == "image/png"
    shortcut = data["shortcuts"][0]
    assert shortcut["name"] == "Call my person" and shortcut["url"] == "/call/"


def test_the_icons_are_the_sizes_the_manifest_says() -> None:
    from django.contrib.staticfiles import finders
    from PIL import Image

    for name, size in (("icon-192", 192), ("icon-512", 512), ("maskable-512", 512),
                       ("apple-touch-icon", 180), ("call-96", 96)):  # fmt: skip
        path = finders.find(f"waymark/icons/{name}.png")
        assert path, name
        with Image.open(path) as image:
            assert image.size == (size, size), name


def test_the_manifest_speaks_the_page_s_language_and_nothing_personal(client: Client) -> None:
    spanish = manifest(client, "?lang=es")
    assert spanish["lang"] == "es"
    assert spanish["name"] == "Waymark"
    assert manifest(client, "?lang=xx")["lang"] == "en"  # an unknown language: the default
    person = sign_in(client)
    plan_with(person, [{"name": "Sam's sister", "phone": "555-0100"}])
    assert "555" not in json.dumps(manifest(client))


def test_every_page_links_the_manifest_in_its_language_and_the_touch_icon(client: Client) -> None:
    page = html(client, "/")
    assert 'rel="manifest" href="/manifest.webmanifest?lang=en"' in page
    assert 'rel="apple-touch-icon"' in page and 'name="theme-color"' in page
    client.cookies["django_language"] = "es"
    assert 'href="/manifest.webmanifest?lang=es"' in html(client, "/")


# The service worker ---------------------------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_never_cached(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    # It keeps the pages' own files, and nothing it names comes from another origin.
    assert '"/static/waymark/js/phone.js"' in script
    assert 'importScripts("/static/waymark/js/checkin-queue.js")' in script
    assert "http://" not in script and "https://" not in script
    assert "{{" not in script and "{%" not in script  # every template value was filled in
    assert 'const PRIVATE_PAGES = ["/track/", "/call/"]' in script


def test_the_service_worker_keeps_no_answer_from_the_api() -> None:
    from waymark.phone.views import worker_script

    script = worker_script()
    fetch = script[script.index("--- 3. Pages and files") : script.index("--- 4.")]
    assert "/api/" not in fetch
    assert "cache.put" not in fetch.replace("(cache) => cache.put(request, copy)", "")


def test_the_service_worker_s_version_follows_the_files_it_keeps(settings: Any) -> None:
    from waymark.phone.views import worker_script

    before = worker_script()
    settings.STATIC_URL = "/assets/"
    after = worker_script()
    version = [line for line in after.splitlines() if line.startswith("const VERSION")]
    assert version and version[0] not in before


def test_the_policy_lets_our_own_worker_and_manifest_load(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    assert "worker-src 'self'" in policy
    assert "manifest-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


# The offline page -----------------------------------------------------------------------------


def test_the_offline_page_is_public_and_shows_the_help_lines(client: Client) -> None:
    page = html(client, reverse("phone:offline"))
    assert "No connection" in page
    assert 'href="/track/"' in page and 'href="/call/"' in page
    assert 'href="tel:988"' in page  # the footer's help lines work without data
    assert "data-person-unknown" in page  # the script does not take it as signed out


# People to call ------------------------------------------------------------------------------


def test_the_call_page_needs_an_account(client: Client) -> None:
    response = client.get("/call/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_call_page_lists_the_people_in_the_latest_plan_then_the_crisis_lines(
    client: Client,
) -> None:
    person = sign_in(client)
    plan_with(person, [{"name": "Old friend", "phone": "555-0199"}], number=1)
    plan_with(
        person,
        [
            {"name": "Alex", "phone": "+1 (555) 010-0100", "note": "my sponsor"},
            {"name": "No number", "phone": ""},
            {"name": "", "phone": "555 0142"},
        ],
        number=2,
    )
    response = client.get("/call/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert 'href="tel:+15550100100"' in page
    assert "Call Alex" in page and "+1 (555) 010-0100" in page
    assert 'href="tel:5550142"' in page and "Call 555 0142" in page
    assert "No number" not in page and "Old friend" not in page  # the latest version only
    assert page.index("Call Alex") < page.index('href="tel:988"')
    assert 'href="tel:911"' in page[: page.index("site-footer")]  # every line a phone can dial
    assert 'href="sms:741741"' in page[: page.index("site-footer")]


def test_the_call_page_without_people_says_how_to_add_them(client: Client) -> None:
    sign_in(client)
    page = html(client, "/call/")
    assert "No one in your plan has a phone number yet." in page
    assert reverse("plans:mine") in page
    assert 'href="tel:988"' in page[: page.index("site-footer")]


def test_nobody_else_s_people_are_ever_shown(client: Client) -> None:
    other = User.objects.create_user("other", password="a-long-password-1")
    plan_with(other, [{"name": "Their brother", "phone": "555-0111"}])
    sign_in(client)
    for url in ("/call/", "/", "/track/"):
        assert "Their brother" not in html(client, url), url
    assert [contact.name for contact in people_to_call(other)] == ["Their brother"]


def test_the_home_and_check_in_pages_have_one_tap_buttons_for_a_signed_in_person(
    client: Client,
) -> None:
    person = sign_in(client)
    plan_with(person, [{"name": "Alex", "phone": "555-0100"}])
    for url in ("/", "/track/"):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url  # their numbers: never cached
        page = response.content.decode()
        section = page[page.index('class="call-now"') :]
        section = section[: section.index("</section>")]
        assert 'href="tel:5550100"' in section and "Call Alex" in section
        assert 'href="tel:911"' in section and 'href="tel:988"' in section
        assert 'href="/call/"' in section


def test_a_visitor_sees_no_call_buttons_and_the_home_page_may_be_cached(client: Client) -> None:
    response = client.get("/")
    assert 'class="call-now"' not in response.content.decode()
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_phone_number_becomes_a_dialable_link() -> None:
    assert tel_href("+1 (555) 010-0100") == "tel:+15550100100"
    assert tel_href("555.0100 ext. 2") == "tel:55501002"
    assert tel_href("call me") == ""
    assert tel_href('555"><script>') == "tel:555"


# The check-in form offline, and the device status ---------------------------------------------


def test_the_check_in_form_carries_what_the_offline_script_needs(client: Client) -> None:
    person = sign_in(client)
    page = html(client, "/track/")
    form = page[page.index('<form method="post" action="/track/') :]
    form = form[: form.index(">")]
    assert "data-offline-form" in form and "data-today" in form
    assert 'data-time-zone="UTC"' in form
    assert 'data-answer="Please answer yes or no."' in form
    status = page[page.index('id="device-status"') :]
    status = status[: status.index("</div>")]
    assert 'role="status"' in status
    assert f'data-person="{device_person(person)}"' in status
    assert str(person.public_id) not in page  # a keyed hash, never the account's own id
    assert "Saved on this phone. It will be sent when you&#x27;re back online." in status


def test_a_signed_out_page_says_so_to_the_script(client: Client) -> None:
    page = html(client, "/")
    status = page[page.index('id="device-status"') :]
    assert "data-signed-out" in status[: status.index(">")]
    assert "data-person=" not in page


def test_signing_out_clears_the_site_data_on_this_device(client: Client) -> None:
    sign_in(client)
    page = html(client, "/")
    assert "data-sign-out" in page
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in client.get("/")
