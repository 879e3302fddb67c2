"""Export, CSV and import: the round trip loses nothing; a bad file changes nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client

from tests.interop.people import rich_person
from waymark.accounts.models import User
from waymark.audit.models import AuditEntry
from waymark.checkup.models import CheckUp
from waymark.interop import csvzip
from waymark.interop.actions import do_delete_account
from waymark.interop.export import document, export, to_json
from waymark.interop.importer import ImportFileError, do_import
from waymark.plans.models import Plan, PlanVersion
from waymark.tracking.models import CheckIn

pytestmark = pytest.mark.django_db


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "exported_at"}


def without_ids(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k not in ("id", "checkup")}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def test_the_export_has_everything(client: Client) -> None:
    user = rich_person(client)
    data = document(user)
    assert data["format"] == "waymark-export" and data["version"] == 1
    assert data["account"]["nickname"] == "robin"
    assert data["account"]["email"] == "robin@example.org"
    assert [c["status"] for c in data["checkups"]] == ["complete"] * 3 + ["in-progress"]
    assert all(c["answers"] for c in data["checkups"][:3])
    assert [a["item"] for a in data["checkups"][2]["answers"]] == ["concern", "frequency", "injury"]
    assert (
        data["checkups"][0]["result"]
        == CheckUp.objects.get(public_id=data["checkups"][0]["id"]).result
    )
    (plan,) = data["plans"]
    assert [v["number"] for v in plan["versions"]] == [1, 2, 3]
    assert plan["versions"][2]["content"]["notes"] == "Call Alex before payday — ñ, 日本"
    assert len(data["checkins"]) == 40
    notes = [c["note"] for c in data["checkins"] if c["note"]]
    assert notes and "a second line" in notes[0]  # decrypted: it is the person's own copy
    assert {a["substance"] for c in data["checkins"] for a in c["amounts"]} == {
        "alcohol", "cannabis"}  # fmt: skip
    # The same numbers as the progress page's JSON twin.
    progress = client.get("/api/v1/progress").json()
    assert data["outcomes"]["windows"] == progress["windows"]
    assert data["outcomes"]["summary"] == progress["summary"]


def test_export_import_export_is_identical(client: Client) -> None:
    user = rich_person(client)
    first = to_json(document(user))
    do_delete_account(user)  # moving servers: the ids are free again
    assert not CheckIn.objects.exists()
    moved = User.objects.create_user("robin")
    counts = do_import(moved, first, actor=None, new_account=True)
    assert counts == {"checkups": 4, "plans": 1, "checkins": 40, "reminders": 1,
                      "typical_spend": 1, "measures": 0, "measure_emails_off": 0}  # fmt: skip
    second = document(moved)
    assert without_time(json.loads(first)) == without_time(second)


def test_an_import_beside_the_original_gets_new_ids_and_the_same_data(client: Client) -> None:
    user = rich_person(client)
    first = document(user)
    other = User.objects.create_user("robin-2")
    do_import(other, to_json(first), actor=None, new_account=True)
    second = document(other)
    assert {c["id"] for c in second["checkups"]}.isdisjoint({c["id"] for c in first["checkups"]})
    first_rest, second_rest = without_time(first), without_time(second)
    first_rest.pop("account"), second_rest.pop("account")
    assert without_ids(first_rest) == without_ids(second_rest)
    # The plan still hangs off its own check-up, not the original's.
    plan = Plan.objects.get(checkup__owner=other)
    assert plan.checkup.public_id == next(
        c.public_id for c in CheckUp.objects.filter(owner=other).order_by("created_at")
    )


def bad(text: str, message: str) -> None:
    target, _ = User.objects.get_or_create(username="fresh")
    with pytest.raises(ImportFileError, match=message):
        do_import(target, text, actor=None, new_account=True)
    assert not CheckUp.objects.filter(owner=target).exists()
    assert not CheckIn.objects.filter(owner=target).exists()


def test_a_bad_or_foreign_file_is_refused_and_nothing_is_half_imported(client: Client) -> None:
    data = document(rich_person(client))
    bad("not json", "not a JSON file")
    bad("[]", "not a Waymark export")
    bad(json.dumps({"resourceType": "Bundle"}), "not a Waymark export")
    bad(to_json(data | {"version": 2}), "version 2")
    bad(to_json(data | {"extra": 1}), "unknown part 'extra'")
    broken = json.loads(to_json(data))
    broken["checkins"][5]["mood"] = 9
    bad(to_json(broken), r"checkins\[5\]\.mood")
    broken = json.loads(to_json(data))
    broken["checkins"][7]["day"] = broken["checkins"][6]["day"]
    bad(to_json(broken), "same day")
    broken = json.loads(to_json(data))
    broken["plans"][0]["checkup"] = "00000000-0000-4000-8000-000000000000"
    # The check-ups come first and are written before the plan fails: all of it rolls back.
    bad(to_json(broken), r"plans\[0\]: the check-up .* is not in the file")
    for change, message in (("option", 9), ("item", "q99"), ("instrument", "mystery")):
        broken = json.loads(to_json(data))
        audit = next(a for a in broken["checkups"][0]["answers"] if a["instrument"] == "audit")
        audit[change] = message
        bad(to_json(broken), r"checkups\[0\]: .*(no option 9|no question 'q99'|unknown)")
    broken = json.loads(to_json(data))
    broken["plans"][0]["versions"][1]["content"]["goals"] = "not a list"
    bad(to_json(broken), r"plans\[0\]\.versions\[1\]\.content: .*goals must be a list")
    broken = json.loads(to_json(data))
    del broken["checkups"][0]["answers"][0]["item"]
    bad(to_json(broken), r"checkups\[0\]\.answers\[0\]\.item")


def test_an_account_with_records_takes_no_import(client: Client) -> None:
    user = rich_person(client)
    with pytest.raises(ImportFileError, match="already has records"):
        do_import(user, to_json(document(user)), actor=None)
    assert PlanVersion.objects.count() == 3


def test_the_csv_zip_has_a_file_per_table_and_a_readme(client: Client) -> None:
    user = rich_person(client)
    archive = zipfile.ZipFile(io.BytesIO(csvzip.build(document(user))))
    names = set(archive.namelist())
    tables = ["account", "checkups", "answers", "plans", "plan_versions", "checkins", "amounts",
              "reminders", "typical_spend", "measures", "measure_schedules",
              "measure_emails_off"]  # fmt: skip
    assert names == {"README.txt", "outcomes.csv", *(f"{name}.csv" for name in tables)}
    readme = archive.read("README.txt").decode()
    for name in names - {"README.txt"}:
        rows = list(csv.reader(io.StringIO(archive.read(name).decode())))
        assert name in readme
        for column in rows[0]:
            assert f"  {column}: " in readme, (name, column)
    checkins = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
    assert len(checkins) == 40
    assert any("\n" in row["note"] for row in checkins)
    versions = list(csv.DictReader(io.StringIO(archive.read("plan_versions.csv").decode())))
    assert [v["number"] for v in versions] == ["1", "2", "3"]


def test_every_export_is_audited(client: Client) -> None:
    user = rich_person(client)
    for kind in ("json", "csv", "fhir"):
        export(user, kind, actor=user)
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", "subject_ref"))
    assert actions[-3:] == [(f"export.{k}", str(user.public_id)) for k in ("json", "csv", "fhir")]


def test_the_csv_makes_formulas_inert(client: Client) -> None:
    user = rich_person(client)
    check_in = CheckIn.objects.filter(owner=user).order_by("day").first()
    assert check_in is not None
    check_in.note = '=HYPERLINK("http://example.com","click")'
    check_in.save()
    archive = zipfile.ZipFile(io.BytesIO(csvzip.build(document(user))))
    rows = list(csv.DictReader(io.StringIO(archive.read("checkins.csv").decode())))
    assert '\'=HYPERLINK("http://example.com","click")' in [row["note"] for row in rows]
    assert check_in.note in [c["note"] for c in document(user)["checkins"]]  # JSON: exact


def test_the_export_s_queries_do_not_grow_with_the_records(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    user = rich_person(client)
    with django_assert_max_num_queries(20):
        document(user)
