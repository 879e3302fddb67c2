"""A client generated from the OpenAPI document, unedited, records a check-in.

openapi-python-client (from PyPI) turns /api/v1/openapi.json into a Python package; the test
imports it as generated and sends a check-in through a live server with a personal API token.
The Idempotency-Key header is declared as a string with a UUID pattern, so the generated code
takes and sends text (a `format: uuid` header became a UUID object it could not send).
"""

from __future__ import annotations

import datetime
import importlib
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pytest_django.live_server_helper import LiveServer

from tests.interop.test_tokens import make
from waymark.accounts.models import User
from waymark.tracking.models import CheckIn

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.django_db(transaction=True)


def generate(tmp_path: Path) -> Any:
    spec = tmp_path / "openapi.json"
    spec.write_bytes(Client().get("/api/v1/openapi.json").content)
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(BIN / "openapi-python-client"), "generate", "--path", str(spec),
         "--output-path", str(tmp_path / "waymark_client"), "--meta", "none"],
        env=environment, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module("waymark_client")
    finally:
        sys.path.remove(str(tmp_path))


def test_a_generated_client_records_a_check_in_once(
    live_server: LiveServer, tmp_path: Path
) -> None:
    person = User.objects.create_user("river", password="a-long-password-1")
    browser = Client()
    browser.force_login(person)
    secret = make(browser, scope="read-write")
    package = generate(tmp_path)
    record = importlib.import_module("waymark_client.api.tracking.record_checkin")
    models = importlib.import_module("waymark_client.models")
    day = datetime.date.today() - datetime.timedelta(days=1)
    body = models.NewCheckInIn(used=False, day=day, cravings=3)
    key = str(uuid.uuid4())
    # Closed at the end: a kept-alive connection holds the live server's thread, and with it a
    # database connection that would stop the test database from being dropped afterwards.
    with package.AuthenticatedClient(base_url=live_server.url, token=secret) as client:
        first = record.sync_detailed(client=client, body=body, idempotency_key=key)
        assert first.status_code in (200, 201), first.content
        again = record.sync_detailed(client=client, body=body, idempotency_key=key)
        assert again.status_code in (200, 201)
        assert CheckIn.objects.filter(owner=person).count() == 1
        refused = record.sync_detailed(client=client, body=body, idempotency_key="not-a-uuid")
        assert refused.status_code == 400  # the one error shape, naming the header
