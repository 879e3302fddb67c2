"""`waymark export` and `waymark import`: files out and back; bad input exits 2, one line."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from tests.interop.people import rich_person
from tests.programs import make_consent, make_person, make_staff
from waymark.accounts.models import User
from waymark.cli import run_clinical
from waymark.interop import fhir

pytestmark = pytest.mark.django_db


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_clinical(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def test_export_then_import_into_a_new_account(client: Client, tmp_path: Path) -> None:
    user = rich_person(client)
    status, out, err = run("export", "robin", "--format", "json")
    assert (status, err) == (0, "")
    assert json.loads(out)["account"]["nickname"] == "robin"
    target = tmp_path / "robin.json"
    assert run("export", str(user.public_id), "--format", "json", "--output", str(target))[0] == 0
    status, out, err = run("import", str(target), "--username", "robin-moved")
    assert (status, err) == (0, ""), err
    assert "40 checkins" in out and "changepassword robin-moved" in out
    moved = User.objects.get(username="robin-moved")
    assert not moved.has_usable_password()
    again = json.loads(run("export", "robin-moved", "--format", "json")[1])
    assert len(again["checkins"]) == 40


def test_csv_and_fhir_from_the_command_line(client: Client, tmp_path: Path) -> None:
    rich_person(client)
    target = tmp_path / "robin.zip"
    assert run("export", "robin", "--format", "csv", "--output", str(target))[0] == 0
    assert "README.txt" in zipfile.ZipFile(target).namelist()
    status, out, _ = run("export", "robin", "--format", "fhir")
    assert status == 0
    fhir.validate(json.loads(out))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "nobody", "--format", "json"], "no account 'nobody'"),
        (["export", "--format", "json"], "export needs PERSON or --program ID"),
        (["export", "robin", "--format", "xml"], "invalid choice"),
        (["export", "robin", "--format", "csv"], "give --output FILE.zip"),
        (["export", "--program", "nope", "--format", "fhir"], "no program 'nope'"),
        (["export", "--program", "x", "--format", "json"], "FHIR only"),
        (["import", "/no/such/file", "--username", "x"], "cannot read /no/such/file"),
    ],
)
def test_bad_input_exits_2_with_one_line(client: Client, argv: list[str], message: str) -> None:
    rich_person(client)
    status, out, err = run(*argv)
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_import_refuses_a_taken_nickname_and_a_foreign_file(client: Client, tmp_path: Path) -> None:
    rich_person(client)
    good = tmp_path / "good.json"
    run("export", "robin", "--format", "json", "--output", str(good))
    status, _, err = run("import", str(good), "--username", "robin")
    assert status == 2 and "taken" in err
    foreign = tmp_path / "bundle.json"
    foreign.write_text('{"resourceType": "Bundle"}')
    status, _, err = run("import", str(foreign), "--username", "newbie")
    assert status == 2 and "not a Waymark export" in err
    assert not User.objects.filter(username="newbie").exists()


def test_a_program_s_export_has_a_bundle_per_consenting_patient(client: Client) -> None:
    sharing = rich_person(client)
    staff = make_staff()
    make_consent(sharing, staff.membership, scopes=["checkups"])
    revoked = make_person()
    make_consent(revoked, staff.membership, revoked=True)
    other_program = make_person()
    make_consent(other_program, make_staff().membership)
    program = staff.membership.organization
    status, out, err = run("export", "--program", str(program.public_id), "--format", "fhir")
    assert (status, err) == (0, "")
    bundles = [json.loads(line) for line in out.splitlines()]
    assert len(bundles) == 1
    fhir.validate(bundles[0])
    patient = bundles[0]["entry"][0]["resource"]
    assert patient["id"] == str(sharing.public_id)
    kinds = {e["resource"]["resourceType"] for e in bundles[0]["entry"]}
    assert "CarePlan" not in kinds  # the plan was not shared
    assert "QuestionnaireResponse" in kinds
