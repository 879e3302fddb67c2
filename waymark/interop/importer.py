"""Import Waymark's own JSON export into a new (or still empty) account (docs/data.md).

Strict: the whole file is validated before anything is written, and it is written in one
transaction, so a bad file changes nothing. Ids are kept, so a second export of the new
account is the same as the first — unless this server already holds any of them (the same file
imported twice, or beside the account it came from): then every record gets a new id.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from waymark.accounts.models import User
from waymark.checkup.models import CheckUp
from waymark.clinical import strict_json
from waymark.interop.audit import audit
from waymark.interop.export import FORMAT, HEADER, VERSION
from waymark.interop.sections import SECTIONS, Loading
from waymark.measures.models import MeasureResponse
from waymark.plans.models import Plan
from waymark.tracking.models import CheckIn

MAX_BYTES = 20 * 1024 * 1024


class ImportFileError(ValueError):
    """The file cannot be imported; the message says where and why, in one line."""


def _where(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def parse(text: str) -> dict[str, Any]:
    """The validated document, each section as its typed parts."""
    if len(text.encode()) > MAX_BYTES:
        raise ImportFileError("the file is larger than 20 MB")
    try:
        data = strict_json.loads(text)
    except strict_json.NotJSONError as error:
        raise ImportFileError(f"not a JSON file: {error}") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFileError("this is not a Waymark export (its 'format' is not waymark-export)")
    if data.get("version") != VERSION:
        raise ImportFileError(
            f"this export's version {data.get('version')!r} is not one this Waymark reads "
            f"(it reads version {VERSION})"
        )
    names = [section.name for section in SECTIONS]
    unknown = sorted(set(data) - set(HEADER) - set(names))
    if unknown:
        raise ImportFileError(f"unknown part {unknown[0]!r}: was this file changed?")
    parsed: dict[str, Any] = {}
    for section in SECTIONS:
        if section.name not in data:
            if section.optional:  # an export made before this part existed
                continue
            raise ImportFileError(f"the part {section.name!r} is missing")
        if section.part is None or section.load is None:
            continue
        shape: Any = list[section.part] if section.many else section.part  # type: ignore[name-defined]
        try:
            parsed[section.name] = TypeAdapter(shape).validate_python(data[section.name])
        except PydanticError as error:
            problem = error.errors()[0]
            where = section.name + _where(tuple(problem["loc"]))
            raise ImportFileError(f"{where}: {problem['msg']}") from error
        seen: set[Any] = set()
        for record_id in section.ids(parsed[section.name]):
            if record_id in seen:  # one record must never be written over another
                raise ImportFileError(f"{section.name}: two records have the same id {record_id}")
            seen.add(record_id)
    return parsed


def is_empty(user: User) -> bool:
    return not (
        CheckUp.objects.filter(owner=user).exists()
        or CheckIn.objects.filter(owner=user).exists()
        or Plan.objects.filter(checkup__owner=user).exists()
        or MeasureResponse.objects.filter(person=user).exists()
    )


def _ids_free(parsed: dict[str, Any]) -> bool:
    for section in SECTIONS:
        if section.name in parsed and section.models:
            ids = section.ids(parsed[section.name])
            model: Any = section.models[0]
            if ids and model._default_manager.filter(public_id__in=ids).exists():
                return False
    return True


def do_import(
    user: User,
    text: str,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
    new_account: bool = False,
) -> dict[str, int]:
    """Import into `user`, who must have no records yet; returns how many of each were made."""
    parsed = parse(text)
    with transaction.atomic():
        if not is_empty(User.objects.select_for_update().get(pk=user.pk)):
            raise ImportFileError("this account already has records; import into a new account")
        loading = Loading(user, keep_ids=_ids_free(parsed), new_account=new_account)
        for section in SECTIONS:
            if section.load is None or section.name not in parsed:
                continue
            try:
                section.load(loading, parsed[section.name])
            except ValueError as error:
                where = str(error) if str(error).startswith("[") else f": {error}"
                raise ImportFileError(f"{section.name}{where}") from error
        counts = {
            name: len(parsed[name]) for name, part in parsed.items() if isinstance(part, list)
        }
        audit(
            "import.json",
            actor=actor,
            subject=user,
            request=request,
            detail=", ".join(f"{n} {k}" for k, n in counts.items()),
        )
    return counts
