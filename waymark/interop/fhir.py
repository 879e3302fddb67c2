"""A person's record as one FHIR R4 Bundle (type "collection"); docs/data.md has the mapping.

- Patient: the nickname (HumanName use "nickname") and the email if one was given; no other
  identifier, no birth date, no sex.
- Questionnaire: one per instrument and version used, canonical
  ``urn:waymark:questionnaire:<id>`` with its version, the LOINC panel and item codes where
  FACTS.md marks them verified (the instrument data files carry only those).
- QuestionnaireResponse: one per instrument completed in a completed check-up (an instrument
  whose answers cannot be scored, because items are missing, is left out), and one per
  measure a program asked for and the person answered (waymark/measures), the same way.
- Observation: one per total score, LOINC-coded where the total's code is verified, derived
  from its QuestionnaireResponse; for an instrument with no single total (the BAM), one per
  subscale instead.
- CarePlan: one per plan, from its latest version; the newest plan "active", older ones
  "revoked" (replaced). The people and phone numbers in a plan are never included; the
  person's own notes only in their own export.

Every bundle is validated twice before it leaves — with fhir.resources' R4B models and with
fhirclient's R4 models — and then by `check_codes` for what neither library checks: status
and intent codes, LOINC check digits and that only verified LOINC codes are used, and that
every reference points into the bundle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from waymark.accounts.models import User
from waymark.clinical import labels, scoring
from waymark.plans.content import PERSONAL_LISTS

LOINC = "http://loinc.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CANONICAL = "urn:waymark:questionnaire:"
# Fixed, so the same record always makes the same resource ids.
NAMESPACE = uuid.UUID("6f1d7c8e-8d0a-5b8e-9a51-3c2f0b9a4d17")
LIST_TITLES = {
    "goals": "My goals",
    "triggers": "My triggers",
    "high_risk": "High-risk situations",
    "warning_signs": "Warning signs",
    "coping": "What I will do instead",
    "activities": "Things I enjoy",
    "meetings": "Meetings and groups",
    "after_slip": "After a slip",
    "crisis_plan": "In a crisis",
}


class FhirError(ValueError):
    """A bundle that breaks a rule the FHIR libraries do not check: a bug, never expected."""


def verified_loinc() -> frozenset[str]:
    """Every LOINC code Waymark may use: those in the instrument data files, which hold only
    codes FACTS.md marks verified (tests/interop/test_fhir.py checks FACTS.md for each)."""
    codes: set[str] = set()
    for instrument in scoring.all_instruments():
        codes |= {c for c in (instrument.loinc_panel, instrument.loinc_total) if c}
        codes |= {item.loinc for item in instrument.items if item.loinc}
    return frozenset(codes)


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod-10 check digit (the digit after the hyphen)."""
    number, _, check = code.partition("-")
    if not (number.isdigit() and check.isdigit() and len(check) == 1 and len(number) <= 7):
        return False
    total = 0
    for position, digit in enumerate(reversed(number)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10 == int(check)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _ref(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _loinc(code: str | None, display: str) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": display}
    if code:
        concept["coding"] = [{"system": LOINC, "code": code, "display": display}]
    return concept


def _option_system(instrument: scoring.Instrument) -> str:
    return f"{CANONICAL}{instrument.id}:options"


def questionnaire(instrument: scoring.Instrument, version: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": _id("questionnaire", instrument.id, version),
        "url": CANONICAL + instrument.id,
        "version": version,
        "name": instrument.short_name.replace("-", "").replace(" ", ""),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
        "copyright": instrument.licence,
        "item": [],
    }
    if instrument.loinc_panel:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    for item in instrument.items:
        entry: dict[str, Any] = {
            "linkId": item.id,
            "text": item.text,
            "type": "choice",
            "answerOption": [
                {
                    "valueCoding": {
                        "system": _option_system(instrument),
                        "code": str(index),
                        "display": option.label,
                    }
                }
                for index, option in enumerate(item.options)
            ],
        }
        if item.loinc:
            entry["code"] = [{"system": LOINC, "code": item.loinc}]
        resource["item"].append(entry)
    return resource


def _scored(checkup: dict[str, Any]) -> Iterable[tuple[scoring.Score, str, str, list[int | None]]]:
    """(score, version, context, answers) for each instrument the check-up answered fully."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    versions: dict[tuple[str, str], str] = {}
    for answer in checkup["answers"]:
        if answer["instrument"] not in scoring.INSTRUMENT_IDS:
            continue
        key = (answer["instrument"], answer["context"])
        groups.setdefault(key, {})[answer["item"]] = answer["option"]
        versions[key] = answer["version"]
    for (instrument_id, context), given in sorted(groups.items()):
        instrument = scoring.get_instrument(instrument_id)
        answers = [given.get(item.id) for item in instrument.items]
        try:
            result = scoring.score(instrument_id, answers)
        except scoring.ScoringError:
            continue  # incomplete: no total (FACTS.md §0.4), so no response either
        yield result, versions[(instrument_id, context)], context, answers


def _reported(
    instrument: scoring.Instrument, total: int | None, band: str, subscales: dict[str, int]
) -> list[tuple[tuple[str, ...], str, int, str | None, str | None]]:
    """(id key, title, value, LOINC code, band label) of each Observation: the total, or each
    subscale of an instrument with no single total (the BAM, whose subscales have no codes)."""
    if instrument.has_total and total is not None:
        title = f"{instrument.short_name} total score"
        return [(("total",), title, total, instrument.loinc_total, band or None)]
    return [
        (("subscale", part.id), f"{instrument.short_name} {part.label.lower()} score",
         subscales[part.id], None, None)
        for part in instrument.subscales
        if part.id in subscales
    ]  # fmt: skip


Answered = tuple[scoring.Score, str, str, list[int | None], str, str, str]


def _band_label(instrument: scoring.Instrument, band_id: str) -> str:
    """The words of a stored band, whichever sex's bands it came from."""
    for bands in instrument.bands.values():
        for band in bands:
            if band.id == band_id:
                return band.label
    return ""


def _measures(data: dict[str, Any]) -> Iterable[Answered]:
    """Each measure the person answered for a program (waymark/measures), with the band they
    were shown (it may depend on the sex they gave). Answers that cannot be scored (a file from
    another version) are left out, as in a check-up."""
    for response in data.get("measures", []):
        try:
            result = scoring.score(response["instrument"], response["answers"])
        except scoring.ScoringError:
            continue
        band = _band_label(result.instrument, response["band"])
        if not band and result.band_or_none is not None:
            band = result.band_or_none.label
        yield (result, response["version"], "", response["answers"], response["completed_at"],
               f"measure/{response['id']}", band)  # fmt: skip


def _answered(data: dict[str, Any]) -> Iterable[Answered]:
    """(score, version, context, answers, when, record id, band label) of every instrument
    answered: in each completed check-up, then each measure on its own."""
    for checkup in data["checkups"]:
        if checkup["status"] != "complete" or not checkup["completed_at"]:
            continue
        for result, version, context, answers in _scored(checkup):
            band = result.band_or_none.label if result.band_or_none is not None else ""
            yield result, version, context, answers, checkup["completed_at"], checkup["id"], band
    yield from _measures(data)


def _plan(plan: dict[str, Any], patient: str, active: bool, notes: bool) -> dict[str, Any]:
    latest = max(plan["versions"], key=lambda v: v["number"])
    content = latest["content"]
    approach = str(content.get("approach", ""))
    lines = []
    for key in PERSONAL_LISTS:
        entries = [str(e) for e in content.get(key, []) if str(e).strip()]
        if entries:
            lines.append({"text": f"{LIST_TITLES[key]}: " + "; ".join(entries)})
    if notes and str(content.get("notes", "")).strip():
        lines.append({"text": "Notes: " + str(content["notes"])})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": _id("careplan", plan["id"]),
        "status": "active" if active else "revoked",
        "intent": "plan",
        "title": "Recovery plan",
        "description": str(labels.APPROACH.get(approach, approach)) or "Recovery plan",
        "subject": _ref(patient),
        "created": plan["created_at"],
    }
    if lines:
        resource["note"] = lines
    return resource


def bundle(user: User, data: dict[str, Any], *, notes: bool = True) -> dict[str, Any]:
    """The person's FHIR Bundle, built from their export document and validated."""
    patient_id = str(user.public_id)
    name: dict[str, Any] = {"use": "nickname", "text": data["account"]["nickname"]}
    patient: dict[str, Any] = {"resourceType": "Patient", "id": patient_id, "name": [name]}
    if data["account"]["email"]:
        patient["telecom"] = [{"system": "email", "value": data["account"]["email"]}]
    resources: list[dict[str, Any]] = [patient]
    questionnaires: dict[tuple[str, str], dict[str, Any]] = {}
    for result, version, context, answers, authored, record, band in _answered(data):
        instrument = result.instrument
        if (instrument.id, version) not in questionnaires:
            questionnaires[(instrument.id, version)] = questionnaire(instrument, version)
        response_id = _id("response", record, instrument.id, context)
        items = []
        for item, option in zip(instrument.items, answers, strict=True):
            entry: dict[str, Any] = {"linkId": item.id, "text": item.text_for(context)}
            if option is not None:
                entry["answer"] = [
                    {
                        "valueCoding": {
                            "system": _option_system(instrument),
                            "code": str(option),
                            "display": item.options[option].label,
                        }
                    }
                ]
            items.append(entry)
        resources.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": response_id,
                "questionnaire": f"{CANONICAL}{instrument.id}|{version}",
                "status": "completed",
                "subject": _ref(patient_id),
                "authored": authored,
                "item": items,
            }
        )
        reported = _reported(instrument, result.total_or_none, band, dict(result.subscales))
        for key, title, value, code, meaning in reported:
            if context:
                title += f" ({context})"
            observation: dict[str, Any] = {
                "resourceType": "Observation",
                "id": _id(*key, record, instrument.id, context),
                "status": "final",
                "category": [{"coding": [{"system": CATEGORY, "code": "survey"}]}],
                "code": _loinc(code, title),
                "subject": _ref(patient_id),
                "effectiveDateTime": authored,
                "valueInteger": value,
                "derivedFrom": [_ref(response_id)],
            }
            if meaning:
                observation["interpretation"] = [{"text": meaning}]
            resources.append(observation)
    plans = sorted(data["plans"], key=lambda p: p["created_at"])
    for index, plan in enumerate(plans):
        resources.append(_plan(plan, patient_id, index == len(plans) - 1, notes))
    resources[1:1] = list(questionnaires.values())
    found: dict[str, Any] = {
        "resourceType": "Bundle",
        "id": _id("bundle", patient_id),
        "type": "collection",
        "timestamp": data["exported_at"],
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }
    validate(found)
    return found


# --- disclosure to a program ------------------------------------------------------------------

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# The HL7 security labels that say "42 CFR Part 2 applies" and "no redisclosure without the
# patient's consent" (the labels of HL7's data-segmentation work; ❓ whether a receiving EHR acts
# on them is up to it: the program's own notice prohibiting redisclosure still goes with them).
PART2_LABELS = (
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {
        "system": ACT_CODE,
        "code": "NORDSCLCD",
        "display": "no redisclosure without consent directive",
    },
)


def for_a_program(bundle_data: dict[str, Any]) -> dict[str, Any]:
    """The bundle as it leaves Waymark for a treatment program: labelled as 42 CFR Part 2
    protected, with no redisclosure without the patient's consent, and validated again."""
    labelled = {
        **bundle_data,
        "meta": {**bundle_data.get("meta", {}), "security": list(PART2_LABELS)},
    }
    validate(labelled)
    return labelled


# --- validation ------------------------------------------------------------------------------

ALLOWED = {
    ("Bundle", "type"): {"collection"},
    ("QuestionnaireResponse", "status"): {"completed"},
    ("Questionnaire", "status"): {"active"},
    ("Observation", "status"): {"final"},
    ("CarePlan", "status"): {"active", "revoked"},
    ("CarePlan", "intent"): {"plan"},
}


def _codings(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        if "system" in value and "code" in value:
            yield value
        for inner in value.values():
            yield from _codings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _codings(inner)


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for inner in value.values():
            yield from _references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner)


def check_codes(data: dict[str, Any]) -> None:
    """What neither library checks; raises FhirError with the first problem."""
    if data.get("type") not in ALLOWED[("Bundle", "type")]:
        raise FhirError(f"Bundle.type {data.get('type')!r} is not allowed")
    verified = verified_loinc()
    full_urls = {entry["fullUrl"] for entry in data.get("entry", [])}
    canonicals = set()
    for entry in data.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        if entry["fullUrl"] != f"urn:uuid:{resource['id']}":
            raise FhirError(f"{kind}/{resource['id']}: fullUrl does not match its id")
        if kind == "Questionnaire":
            canonicals.add(f"{resource['url']}|{resource['version']}")
        for (allowed_kind, element), values in ALLOWED.items():
            if kind == allowed_kind and resource.get(element) not in values:
                raise FhirError(f"{kind}.{element} {resource.get(element)!r} is not allowed")
        if kind == "Observation":
            category = resource["category"][0]["coding"][0]
            if (category["system"], category["code"]) != (CATEGORY, "survey"):
                raise FhirError("Observation.category must be survey")
        for coding in _codings(resource):
            if coding["system"] == LOINC:
                code = coding["code"]
                if not loinc_check_digit_ok(code):
                    raise FhirError(f"{kind}: {code!r} is not a LOINC code (check digit)")
                if code not in verified:
                    raise FhirError(f"{kind}: LOINC {code} is not one FACTS.md marks verified")
        for reference in _references(resource):
            if reference not in full_urls:
                raise FhirError(f"{kind}: the reference {reference} is not in the bundle")
    for entry in data.get("entry", []):
        resource = entry["resource"]
        kind = resource["resourceType"]
        if kind == "QuestionnaireResponse" and resource["questionnaire"] not in canonicals:
            raise FhirError(f"{resource['questionnaire']} is not in the bundle")


def validate(data: dict[str, Any]) -> None:
    """fhir.resources (R4B), fhirclient (R4) and check_codes; raises on the first problem."""
    from fhir.resources.R4B.bundle import Bundle as R4BBundle
    from fhirclient.models.bundle import Bundle as R4Bundle

    R4BBundle.model_validate(data)
    R4Bundle(data, strict=True)
    check_codes(data)
