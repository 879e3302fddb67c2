"""The OpenAPI document is complete: every operation says what it takes and what it answers,
and every error it documents has the one error shape."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_there_are_operations(schema: dict[str, Any]) -> None:
    found = {(m, p) for m, p, _ in operations(schema)}
    assert ("GET", "/api/v1/export") in found and ("POST", "/api/v1/tokens") in found
    assert len(found) > 20


def test_every_operation_has_request_and_response_schemas(schema: dict[str, Any]) -> None:
    problems = []
    for method, path, operation in operations(schema):
        where = f"{method} {path}"
        if not operation.get("operationId") or not operation.get("summary"):
            problems.append(f"{where}: no operationId or summary")
        for parameter in operation.get("parameters", []):
            if "schema" not in parameter:
                problems.append(f"{where}: parameter {parameter.get('name')} has no schema")
        if "{" in path and not operation.get("parameters"):
            problems.append(f"{where}: the path parameters are not documented")
        body = operation.get("requestBody")
        if body is not None and not body.get("content", {}).get("application/json", {}).get(
            "schema"
        ):
            problems.append(f"{where}: the request body has no JSON schema")
        responses = operation.get("responses", {})
        successes = [s for s in responses if s.startswith("2")]
        if not successes:
            problems.append(f"{where}: no success response")
        for status in successes:
            if status != "204" and not responses[status].get("content"):
                problems.append(f"{where}: response {status} has no schema")
        errors = [s for s in responses if s[0] in "45"]
        if not errors:
            problems.append(f"{where}: no error response documented")
        for status in errors:
            content = responses[status].get("content", {}).get("application/json", {})
            if content.get("schema", {}).get("$ref") != ERROR_REF:
                problems.append(f"{where}: response {status} is not the one error shape")
    assert problems == []


def test_every_signed_in_operation_also_takes_a_token(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"
    for method, path, operation in operations(schema):
        if operation.get("security"):
            assert {"personalToken": []} in operation["security"], f"{method} {path}"


# Fixed catalogues, the same for everyone: short, and never growing with use.
CATALOGUES = {"GET /api/v1/instruments", "GET /api/v1/examples", "GET /api/v1/learn"}


def test_list_operations_are_paginated(schema: dict[str, Any]) -> None:
    """A list that grows with use pages with limit and offset, in the one list shape
    (`{"items": [...], "count": n}`)."""
    unpaged = []
    for method, path, operation in operations(schema):
        if method != "GET":
            continue
        ok = operation["responses"].get("200", {}).get("content", {})
        ref = ok.get("application/json", {}).get("schema", {})
        names = {p["name"] for p in operation.get("parameters", [])}
        if ref.get("type") == "array" and f"{method} {path}" not in CATALOGUES:
            unpaged.append(f"{method} {path}")
        elif "$ref" in ref and ref["$ref"].split("/")[-1].startswith("Paged"):
            assert {"limit", "offset"} <= names, path
    assert unpaged == [], "lists should be paginated"
