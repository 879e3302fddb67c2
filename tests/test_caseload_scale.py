"""The caseload at scale: one sorted page straight from SQL, in the same order as the rows'
own `CaseRow.sort_key` always gave, with search, alert filters and pages on the page and in
the API, a constant number of queries whatever the caseload's size, and audit entries for the
rows shown and no others."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.programs import as_verified, make_consent, make_person, make_program, make_staff
from waymark import access
from waymark.accounts.models import Role, User
from waymark.audit.log import seal
from waymark.audit.models import AuditEntry
from waymark.clinic.chart import (
    PAGE_SIZE,
    Caseload,
    CaseloadQuery,
    CaseRow,
    short_id,
    visible,
)
from waymark.clinic.models import PRIORITY_RANK, Alert
from waymark.clinical.alerts import RULES
from waymark.tracking.models import CheckIn

pytestmark = pytest.mark.django_db


def python_caseload(viewer: Any) -> list[CaseRow]:
    """The caseload as it was built before it was sorted in SQL: every person, every open
    alert, then sorted in Python by `CaseRow.sort_key`. What the SQL order must equal."""
    people = list(access.people_visible_to(viewer))
    rows = []
    for person in people:
        scopes = access.scopes_for(viewer, person)
        alerts = Alert.objects.filter(
            person=person, acknowledged_at__isnull=True, resolved_at__isnull=True
        ).order_by("-rank", "-evidence_on", "-pk")
        days = CheckIn.objects.filter(owner=person).order_by("-day").values_list("day", flat=True)
        rows.append(
            CaseRow(
                person=person,
                scopes=scopes,
                alerts=visible(list(alerts), scopes),
                last_checkin=days.first() if "checkins" in scopes else None,
            )
        )
    return sorted(rows, key=CaseRow.sort_key)


def summary(rows: list[CaseRow]) -> list[tuple[Any, ...]]:
    return [(r.alias, sorted(r.scopes), [a.pk for a in r.alerts], r.last_checkin) for r in rows]


# Aliases whose order differs between code points and a language's collation ("Zoë" before
# "anna" by code point), and people who tie on alerts and silence (the alias decides).
ALIASES = ["anna", "Zoë", "bruno", "Bea", "émile", "Émile-2", "zed", "_under", "9lives", "ñandú"]
SCOPE_SETS = [
    ("checkups", "plan", "checkins", "notes"),
    ("checkins",),
    ("checkups",),
    ("plan", "notes"),
    ("checkups", "checkins"),
]


def seeded_caseload(seed: int = 14) -> tuple[Any, Any, list[User]]:
    """Several programs; a clinician in one and a lead of two; people sharing some scopes
    (some with two consents whose scopes add up, some revoked, expired or not yet started, some
    naming only a colleague); alerts of every rule and priority, open, acknowledged and
    resolved; check-ins long ago, recent, in ties, and none."""
    chance = random.Random(seed)
    north, south, west = make_program("North"), make_program("South"), make_program("West")
    clinician = make_staff(Role.CLINICIAN, program=north)
    lead = make_staff(Role.LEAD, program=north)
    from waymark.accounts.models import Membership

    lead_south = Membership.objects.create(user=lead.user, organization=south, role=Role.LEAD)
    colleague = make_staff(Role.CLINICIAN, program=west)
    today = timezone.localdate()
    people = []
    for number in range(48):
        alias = ALIASES[number] if number < len(ALIASES) else f"person-{number:02d}"
        person = make_person(alias)
        people.append(person)
        scopes = SCOPE_SETS[number % len(SCOPE_SETS)]
        kind = number % 9
        if kind == 0:
            make_consent(person, [clinician.membership, lead.membership], scopes=scopes)
        elif kind == 1:
            make_consent(person, clinician.membership, scopes=("checkups",))
            make_consent(person, lead_south, scopes=("checkins",))
        elif kind == 2:
            make_consent(person, clinician.membership, scopes=scopes, revoked=True)
            make_consent(person, lead.membership, scopes=scopes)
        elif kind == 3:
            make_consent(person, colleague.membership, scopes=scopes)
        elif kind == 4:
            make_consent(
                person, clinician.membership, scopes=scopes,
                starts_at=timezone.now() + timedelta(days=2),
            )  # fmt: skip
        else:
            make_consent(person, [clinician.membership, lead.membership], scopes=scopes)
        if number % 4 != 3:
            # A tie every few people: the same day for several of them.
            days_ago = 2 if number % 5 == 0 else chance.randrange(0, 60)
            CheckIn.objects.create(owner=person, day=today - timedelta(days=days_ago), used=False)
            CheckIn.objects.create(owner=person, day=today - timedelta(days=90), used=False)
        for rule in chance.sample(RULES, chance.randrange(0, 4)):
            priority = chance.choice(list(PRIORITY_RANK))
            state = chance.choice(["open", "open", "acknowledged", "resolved"])
            Alert.objects.create(
                person=person,
                rule=rule.id,
                priority=priority,
                rank=PRIORITY_RANK[priority],
                evidence_on=today - timedelta(days=chance.randrange(0, 20)),
                dedupe_key=f"{rule.id}:{number}",
                acknowledged_at=timezone.now() if state == "acknowledged" else None,
                resolved_at=timezone.now() if state == "resolved" else None,
            )
    Alert.objects.create(  # a rule that no longer exists is never shown
        person=people[5], rule="retired-rule", priority="urgent", rank=3,
        evidence_on=today, dedupe_key="retired",
    )  # fmt: skip
    return as_verified(clinician.user), as_verified(lead.user), people


def test_the_sql_order_is_the_python_sort_for_a_varied_caseload() -> None:
    clinician, lead, _people = seeded_caseload()
    for viewer in (clinician, lead):
        expected = summary(python_caseload(viewer))
        assert len(expected) > 20
        assert summary(Caseload(viewer)[:]) == expected
        found = Caseload(viewer)
        pages = [found[start : start + 7] for start in range(0, len(expected), 7)]
        assert summary([row for page in pages for row in page]) == expected
        assert found.count() == len(expected)
    # The data really is varied: every priority open somewhere, ties on the silence, people
    # never checked in (or not sharing check-ins), and someone whose alerts are hidden.
    rows = python_caseload(lead)
    assert {a.rank for r in rows for a in r.alerts} == {1, 2, 3}
    assert any(r.last_checkin is None for r in rows)
    silences = [r.days_since_checkin for r in rows if r.last_checkin is not None]
    assert len(silences) > len(set(silences))
    hidden = Alert.objects.filter(person__in=[r.person for r in rows], resolved_at=None,
                                  acknowledged_at=None).count()  # fmt: skip
    assert hidden > sum(len(r.alerts) for r in rows)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_order_holds_for_other_seeds(seed: int) -> None:
    _clinician, lead, _people = seeded_caseload(seed)
    assert summary(Caseload(lead)[:]) == summary(python_caseload(lead))


def test_search_finds_an_alias_or_a_short_id_and_filters_find_open_visible_alerts() -> None:
    _clinician, lead, _people = seeded_caseload()
    every = python_caseload(lead)

    def found(**query: str) -> list[str]:
        return [r.alias for r in Caseload(lead, CaseloadQuery(**query))[:]]

    assert found(search="BRU") == [r.alias for r in every if "bru" in r.alias.lower()]
    target = every[3]
    assert found(search=target.short_id[:5]) == [
        r.alias for r in every if r.short_id.startswith(target.short_id[:5])
        or target.short_id[:5] in r.alias.lower()
    ]  # fmt: skip
    assert target.alias in found(search=str(target.person.public_id))
    assert found(search="no-such-person") == []
    assert found(alert="any") == [r.alias for r in every if r.alerts]
    assert found(alert="urgent") == [r.alias for r in every if r.urgent]
    assert found(alert="high") == [r.alias for r in every if r.high]
    for rule in RULES:
        assert found(alert=rule.id) == [
            r.alias for r in every if any(a.rule == rule.id for a in r.alerts)
        ]
    with pytest.raises(ValueError):
        CaseloadQuery(alert="retired-rule")


def test_the_ranking_prepared_once_is_each_viewers_own_at_the_time_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ranking is written once per connection (`waymark.rows.prepared`) and run with the
    viewer and the time: whoever comes first, each viewer gets their own caseload, checked
    as it is when it runs."""
    clinician, lead, people = seeded_caseload()
    for viewer in (clinician, lead, clinician, lead):
        assert summary(Caseload(viewer)[:10]) == summary(python_caseload(viewer))[:10]
    # Not verified in this session (a fresh object): nobody, though the query is prepared.
    unverified = User.objects.get(pk=lead.pk)
    assert Caseload(unverified)[:10] == []
    assert Caseload(unverified).count() == 0
    # Three days on, the consents that start in two days count, and the ranking shows them.
    later = timezone.now() + timedelta(days=3)
    starting = [p for number, p in enumerate(people) if number % 9 == 4]
    assert not {p.pk for p in starting} & {r.person.pk for r in Caseload(clinician)[:]}
    monkeypatch.setattr(timezone, "now", lambda: later)
    shown = {r.person.pk for r in Caseload(clinician)[:]}
    assert {p.pk for p in starting} <= shown
    assert Caseload(clinician).count() == len(shown)


@pytest.mark.parametrize(
    "query", ["q=nobody&page=0", "alert=urgent&q=nobody&page=0", "q=nobody&page=2",
              "q=nobody&page=99", "page=0", "page=99", "page=-1", "page=x"],
)  # fmt: skip
def test_a_page_of_nobody_or_past_the_end_is_a_page_not_an_error(query: str) -> None:
    """An empty slice is no query at all (Django's paginator asks for one when nobody
    matches and the page asked for is not the first)."""
    clinician = clinician_with(3)
    _count, response = queries(clinician.client, f"/clinic/?{query}")
    text = response.content.decode()
    if "nobody" in query:
        assert "Nobody on your caseload matches this search." in text
    else:
        assert text.count('class="case-row') == 3
    viewer = as_verified(clinician.user)
    assert Caseload(viewer)[2:2] == [] and Caseload(viewer)[5:3] == []
    assert len(Caseload(viewer)[0:50]) == 3


# Query counts ---------------------------------------------------------------------------------


def clinician_with(count: int) -> Any:
    """A clinician with `count` people sharing everything, each with check-ins and alerts."""
    program = make_program()
    clinician = make_staff(Role.CLINICIAN, program=program)
    today = timezone.localdate()
    for number in range(count):
        person = make_person()
        make_consent(person, clinician.membership)
        CheckIn.objects.create(owner=person, day=today - timedelta(days=number % 7), used=False)
        rule = RULES[number % len(RULES)]
        Alert.objects.create(
            person=person, rule=rule.id, priority=rule.priority.id, rank=int(rule.priority),
            evidence_on=today, dedupe_key=f"{rule.id}",
        )  # fmt: skip
    return clinician


def queries(client: Any, url: str) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


@pytest.mark.parametrize(
    "url", ["/clinic/", "/clinic/?alert=any&q=person", "/api/v1/clinic/caseload?limit=50"]
)
def test_the_caseload_costs_the_same_for_3_30_or_120_people(url: str) -> None:
    counts = []
    for size in (3, 30, 120):
        client = clinician_with(size).client
        client.get(url)  # the same state for each: the rate limit's counter already exists
        count, _ = queries(client, url)
        counts.append(count)
    assert counts[0] == counts[1] == counts[2], counts


# Pages, search and filters, on the page and in the API ---------------------------------------


def caseload_entries() -> list[AuditEntry]:
    """The `view.caseload` entries in order, reads still waiting sealed into the chain first."""
    seal()
    return list(AuditEntry.objects.filter(action="view.caseload").order_by("seq"))


def rows_on(html: str) -> list[str]:
    return re.findall(
        r'<tr class="case-row[^"]*">\s*<th scope="row"><a href="[^"]+">([^<]+)</a>', html
    )


def test_the_page_shows_one_page_of_fifty_and_audits_exactly_those() -> None:
    clinician = clinician_with(PAGE_SIZE + 12)
    viewer = as_verified(clinician.user)
    expected = [r.alias for r in python_caseload(viewer)]
    before = len(caseload_entries())
    first = clinician.client.get("/clinic/").content.decode()
    assert rows_on(first) == expected[:PAGE_SIZE]
    assert f"{PAGE_SIZE + 12} people, most urgent first" in first
    assert "Page 1 of 2" in first
    shown = caseload_entries()[before:]
    by_ref = {str(p.public_id): p.username for p in User.objects.all()}
    assert [by_ref[e.subject_ref] for e in shown] == expected[:PAGE_SIZE]

    before = len(caseload_entries())
    second = clinician.client.get("/clinic/?page=2").content.decode()
    assert rows_on(second) == expected[PAGE_SIZE:]
    assert 'aria-current="page"' in second
    assert re.search(r'<nav aria-label="Pages of the caseload"', second)
    shown = caseload_entries()[before:]
    assert [by_ref[e.subject_ref] for e in shown] == expected[PAGE_SIZE:]
    # A page past the end shows the last one, as Django's paginator does.
    assert rows_on(clinician.client.get("/clinic/?page=99").content.decode()) == rows_on(second)


def test_an_empty_search_still_leaves_one_entry_and_says_nobody_matches() -> None:
    clinician = clinician_with(3)
    before = len(caseload_entries())
    page = clinician.client.get("/clinic/?q=nobody-by-this-name").content.decode()
    assert rows_on(page) == []
    assert "Nobody on your caseload matches" in page
    entries = caseload_entries()[before:]
    assert [(e.subject_ref, e.detail) for e in entries] == [("", "caseload list")]


def test_the_page_searches_and_filters_and_its_pages_keep_the_search() -> None:
    clinician = clinician_with(PAGE_SIZE + 12)
    person = User.objects.filter(username__startswith="person").order_by("pk")[3]
    page = clinician.client.get(f"/clinic/?q={short_id(person)}").content.decode()
    assert rows_on(page) == [person.username]
    assert "1 person, most urgent first" in page
    urgent = clinician.client.get("/clinic/?alert=urgent").content.decode()
    viewer = as_verified(clinician.user)
    assert rows_on(urgent) == [r.alias for r in python_caseload(viewer) if r.urgent]
    everyone = clinician.client.get("/clinic/?q=person&alert=").content.decode()
    assert 'href="?q=person&amp;alert=&amp;page=2"' in everyone
    # An unknown filter is said, not guessed at: everyone is listed under the form's error.
    wrong = clinician.client.get("/clinic/?alert=made-up")
    assert wrong.status_code == 200
    assert "Select a valid choice" in wrong.content.decode()


def test_the_api_pages_searches_filters_and_audits_the_rows_it_returns() -> None:
    clinician = clinician_with(30)
    viewer = as_verified(clinician.user)
    expected = [r.alias for r in python_caseload(viewer)]
    before = len(caseload_entries())
    body = clinician.client.get("/api/v1/clinic/caseload?limit=10&offset=10").json()
    assert body["count"] == 30
    assert [r["alias"] for r in body["items"]] == expected[10:20]
    assert set(body["items"][0]) == {
        "id", "alias", "short_id", "scopes", "alerts", "last_checkin", "days_since_checkin"
    }  # fmt: skip
    shown = caseload_entries()[before:]
    assert [e.subject_ref for e in shown] == [r["id"] for r in body["items"]]
    assert all(e.via == "api" for e in shown)

    urgent = clinician.client.get("/api/v1/clinic/caseload?alert=urgent").json()
    assert [r["alias"] for r in urgent["items"]] == [
        r.alias for r in python_caseload(viewer) if r.urgent
    ]
    assert urgent["count"] == len(urgent["items"])
    one = expected[4]
    found = clinician.client.get(f"/api/v1/clinic/caseload?q={one}").json()
    assert one in [r["alias"] for r in found["items"]]

    before = len(caseload_entries())
    empty = clinician.client.get("/api/v1/clinic/caseload?offset=500").json()
    assert empty == {"items": [], "count": 30}
    entries = caseload_entries()[before:]
    assert [e.subject_ref for e in entries] == [""]


def test_the_api_refuses_an_unknown_filter_in_the_one_error_shape() -> None:
    clinician = clinician_with(1)
    response = clinician.client.get("/api/v1/clinic/caseload?alert=made-up")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid-request"
    assert "query.alert" in error["fields"]
    response = clinician.client.get("/api/v1/clinic/caseload?q=a%00b")
    assert response.status_code == 400
    assert "query.q" in response.json()["error"]["fields"]
    response = clinician.client.get(f"/api/v1/clinic/caseload?q={'x' * 101}")
    assert response.status_code == 400
    # The page says so on its form, and lists everyone.
    page = clinician.client.get("/clinic/?q=a%00b")
    assert page.status_code == 200
    assert "Null characters are not allowed" in page.content.decode()


def test_a_person_sharing_through_two_programs_is_one_row() -> None:
    _clinician, lead, _people = seeded_caseload()
    aliases = [r.alias for r in Caseload(lead)[:]]
    assert len(aliases) == len(set(aliases))
    assert "bruno" in aliases  # number 1 shares with both of the lead's programs


# The rows as the page writes them ------------------------------------------------------------

# The rows as the template once wrote them, a tag or filter for each link, date and plural: the
# page now says the same in words worked out before the template (`shown_rows`).
TAGGED_ROWS = """{% load i18n %}
    {% for row in rows %}
    <tr class="case-row{% if row.top_priority %} priority-{{ row.top_priority }}{% endif %}">
      <th scope="row"><a href="{% url 'clinic:chart' public_id=row.person.public_id %}">{{ row.alias }}</a> <span class="meta">{{ row.short_id }}</span></th>
      <td>
        {% if row.alerts %}
        <ul class="alert-list">
          {% for alert in row.alerts %}
          <li><strong>{{ alert.get_priority_display }}</strong>: {{ alert.title }} <span class="meta">({{ alert.evidence_on|date:"DATE_FORMAT" }})</span></li>
          {% endfor %}
        </ul>
        {% else %}{% translate "None" %}{% endif %}
      </td>
      <td>
        {% if "checkins" not in row.scopes %}<span class="meta">{% translate "Check-ins not shared" %}</span>
        {% elif row.last_checkin %}{{ row.last_checkin|date:"DATE_FORMAT" }}
          <span class="meta">{% if row.days_since_checkin == 0 %}{% translate "today" %}{% else %}{% blocktranslate trimmed count days=row.days_since_checkin %}{{ days }} day ago{% plural %}{{ days }} days ago{% endblocktranslate %}{% endif %}</span>
        {% else %}{% translate "No check-in yet" %}{% endif %}
      </td>
    </tr>
    {% endfor %}
"""  # noqa: E501 (the template's lines as they were)


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_row_reads_as_the_tags_in_the_template_wrote_it(language: str) -> None:
    from django.template import Context, Template
    from django.test import Client
    from django.utils import translation
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.programs import verify_session

    _clinician, lead, _people = seeded_caseload()
    client = Client()
    client.force_login(lead)
    verify_session(client, TOTPDevice.objects.create(user=lead, name="t", confirmed=True))
    html = client.get("/clinic/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    shown = html[html.index("<tbody>") + len("<tbody>") : html.index("  </tbody>")]
    expected = python_caseload(lead)
    with translation.override(language):
        tagged = Template(TAGGED_ROWS).render(Context({"rows": expected}))
    assert shown == tagged
    assert len(expected) > 20 and shown.count('class="case-row') == len(expected)
    if language == "en":  # every kind of cell: alerts and none; not shared, never, days ago
        for words in ("alert-list", "None", "Check-ins not shared", "No check-in yet", "ago"):
            assert words in shown
