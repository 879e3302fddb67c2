"""Finding care: care links come from configuration like the help lines, are checked, and are
shown as plain links on /help/find/, on every plan and its PDF, and linked from every result."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.test_plans import make_plan, page
from waymark import checks, helplines
from waymark.accounts.models import User

pytestmark = pytest.mark.django_db
CUSTOM = [
    {"kind": "treatment", "name": "County treatment line", "contact": "Call 555-0100",
     "href": "tel:5550100", "description": "Free assessment, weekdays."},
    {"kind": "syringe-services", "name": "Harm Reduction Works",
     "href": "https://example.org/services"},
]  # fmt: skip


def ids(messages: list[Any]) -> list[str]:
    return [message.id for message in messages]


# Configuration ------------------------------------------------------------------------------


def test_the_default_care_links_are_us_services_of_every_kind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WAYMARK_CARE_LINKS", raising=False)
    monkeypatch.delenv("WAYMARK_CARE_LINKS_FILE", raising=False)
    links = helplines.care_links()
    assert links == helplines.DEFAULT_CARE_LINKS
    assert {link["kind"] for link in links} == set(helplines.CARE_KINDS) - {"other"}
    assert "https://findtreatment.gov/" in {link["href"] for link in links}
    assert "tel:+18006624357" in {link["href"] for link in links}


def test_care_links_are_read_from_the_environment_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WAYMARK_CARE_LINKS", json.dumps(CUSTOM))
    assert helplines.care_links() == CUSTOM
    monkeypatch.setenv("WAYMARK_CARE_LINKS", "[]")
    assert helplines.care_links() == []


def test_care_links_are_read_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "care.json"
    path.write_text(json.dumps(CUSTOM), encoding="utf-8")
    monkeypatch.delenv("WAYMARK_CARE_LINKS", raising=False)
    monkeypatch.setenv("WAYMARK_CARE_LINKS_FILE", str(path))
    assert helplines.care_links() == CUSTOM
    monkeypatch.setenv("WAYMARK_CARE_LINKS_FILE", str(tmp_path / "missing.json"))
    with pytest.raises(helplines.HelpLineError, match="WAYMARK_CARE_LINKS_FILE: cannot read"):
        helplines.care_links()


@pytest.mark.parametrize("raw", ["not json", '{"kind": "treatment"}', '"a string"'])
def test_care_links_that_are_not_a_json_list_are_an_error(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("WAYMARK_CARE_LINKS", raw)
    with pytest.raises(helplines.HelpLineError, match="WAYMARK_CARE_LINKS must be a JSON list"):
        helplines.care_links()


def test_waymark_refuses_to_start_with_care_links_that_are_not_json() -> None:
    env = {**os.environ, "DEBUG": "True", "WAYMARK_CARE_LINKS": "{oops"}
    done = subprocess.run([sys.executable, "-m", "waymark", "check"], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode != 0
    assert "WAYMARK_CARE_LINKS must be a JSON list" in done.stderr


def test_the_default_care_links_pass_the_check() -> None:
    assert checks.check_care_links() == []


def test_no_care_links_at_all_is_allowed(settings: Any) -> None:
    settings.CARE_LINKS = []
    assert checks.check_care_links() == []


def test_a_malformed_care_link_is_reported_with_a_hint(settings: Any) -> None:
    good = {"kind": "meetings", "name": "Group", "href": "https://example.org/"}
    settings.CARE_LINKS = [
        good,
        "https://example.org/",
        {"kind": "meetings", "name": "Group"},
        good | {"kind": "housing"},
        good | {"href": "javascript:alert(1)"},
        good | {"url": "https://example.org/"},
        good | {"name": " "},
    ]
    errors = checks.check_care_links()
    assert ids(errors) == ["waymark.E008"] * 6
    assert [str(error.msg).split()[2] for error in errors] == ["2", "3", "4", "5", "6", "7"]
    assert errors[0].hint is not None and "syringe-services" in errors[0].hint


def test_a_web_link_shows_its_address_and_a_phone_link_its_number() -> None:
    assert helplines.address("https://www.aa.org/find-aa") == "aa.org/find-aa"
    assert helplines.address("https://nasen.org/map/") == "nasen.org/map"
    assert helplines.address("tel:+18006624357") == "+18006624357"


# The page -----------------------------------------------------------------------------------


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def _assert_nothing_is_loaded_from_elsewhere(html: str) -> None:
    for attribute in re.findall(r'\b(?:src|srcset|data)="([^"]*)"', html):
        assert attribute.startswith("/") and not attribute.startswith("//"), attribute
    for tag in re.findall(r"<link\b[^>]*>", html):
        href = re.search(r'href="([^"]*)"', tag)
        assert href is None or href.group(1).startswith("/"), tag
    assert not re.search(r"<(iframe|embed|object|img)\b", _main(html))


def test_anyone_can_find_care_without_signing_in(client: Client) -> None:
    response = client.get(reverse("find-care"))
    assert response.status_code == 200
    client.force_login(User.objects.create_user("ana"))
    assert client.get(reverse("find-care")).status_code == 200


def test_the_page_lists_every_default_link_as_a_plain_link_by_kind(client: Client) -> None:
    html = client.get(reverse("find-care")).content.decode()
    main = _main(html)
    for link in helplines.DEFAULT_CARE_LINKS:
        assert f'<a href="{link["href"]}">' in main, link["href"]
    for kind, (title, _about) in helplines.CARE_KINDS.items():
        assert (f'id="care-{kind}"' in main) is (kind != "other")
        assert (title in main) is (kind != "other")
    assert main.index('id="care-treatment"') < main.index('id="care-meetings"')
    assert "Questions to ask a program" in main
    assert "medication for alcohol or opioid use disorder" in main
    _assert_nothing_is_loaded_from_elsewhere(html)


def test_the_page_shows_a_program_s_own_links_and_not_the_defaults(
    client: Client, settings: Any
) -> None:
    settings.CARE_LINKS = CUSTOM
    main = _main(client.get(reverse("find-care")).content.decode())
    assert '<a href="tel:5550100">Call 555-0100</a>' in main
    assert '<a href="https://example.org/services">example.org/services</a>' in main
    assert "County treatment line" in main and "findtreatment.gov" not in main
    assert 'id="care-meetings"' not in main


def test_with_no_links_the_page_points_to_a_doctor_and_the_help_lines(
    client: Client, settings: Any
) -> None:
    settings.CARE_LINKS = []
    main = _main(client.get(reverse("find-care")).content.decode())
    assert "has not listed any services" in main and 'href="#help-now"' in main
    assert "Questions to ask a program" in main


def test_the_page_in_spanish_keeps_every_link(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    html = client.get(reverse("find-care")).content.decode()
    assert 'lang="es"' in html and "¿Necesitas ayuda ahora?" in html
    main = _main(html)
    assert "Línea Nacional de Ayuda de SAMHSA" in main  # a default name, translated
    for link in helplines.DEFAULT_CARE_LINKS:
        assert f'<a href="{link["href"]}">' in main, link["href"]
    _assert_nothing_is_loaded_from_elsewhere(html)


def test_every_page_s_footer_and_every_result_link_to_the_page(client: Client) -> None:
    url = reverse("find-care")
    assert f'href="{url}"' in client.get("/").content.decode()
    plan = make_plan(client, "weekend drinker over limits, wants to cut down")
    result = client.get(reverse("checkup:result", args=[plan.checkup.public_id]))
    main = _main(result.content.decode())
    steps = main[main.index('id="steps-heading"') :]
    assert f'<a href="{url}">Find help near you</a>' in steps


# The plan -----------------------------------------------------------------------------------


def test_the_plan_shows_the_care_links_and_the_page(client: Client) -> None:
    plan = make_plan(client, "cocaine on weekends")
    main = _main(page(client, plan))
    part = main[main.index('id="finding-care"') :]
    for link in helplines.DEFAULT_CARE_LINKS:
        assert f'<a href="{link["href"]}">' in part, link["href"]
    assert f'href="{reverse("find-care")}"' in part


def test_the_plan_pdf_holds_the_care_links_with_their_addresses(
    client: Client, settings: Any
) -> None:
    settings.CARE_LINKS = CUSTOM
    plan = make_plan(client, "cocaine on weekends")
    response = client.get(reverse("plans:pdf", args=[plan.public_id]))
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Finding care" in text
    assert "County treatment line" in text and "Call 555-0100" in text
    assert "example.org/services" in text


def test_a_plan_without_care_links_still_points_to_the_page(client: Client, settings: Any) -> None:
    settings.CARE_LINKS = []
    plan = make_plan(client, "cocaine on weekends")
    part = _main(page(client, plan)).split('id="finding-care"')[1]
    assert 'class="lines"' not in part.split("</section>")[0]
    assert f'href="{reverse("find-care")}"' in part


def test_the_json_twin_has_the_same_groups_and_links(client: Client, settings: Any) -> None:
    settings.CARE_LINKS = CUSTOM
    body = client.get("/api/v1/help/find").json()
    assert [group["kind"] for group in body["groups"]] == ["treatment", "syringe-services"]
    treatment, syringes = body["groups"]
    assert treatment["title"] == helplines.CARE_KINDS["treatment"][0]
    assert treatment["links"] == [CUSTOM[0]]
    assert syringes["links"] == [CUSTOM[1] | {"contact": "example.org/services", "description": ""}]
    spanish = client.get("/api/v1/help/find", HTTP_ACCEPT_LANGUAGE="es").json()
    assert spanish["groups"][0]["links"] == [CUSTOM[0]]  # a program's own words, as written
