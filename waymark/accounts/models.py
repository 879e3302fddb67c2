"""People's accounts. A username is all that is needed: an alias is fine, email optional."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    # The id that appears in URLs and the API; the integer key never leaves the database.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        db_table = "accounts_user"
