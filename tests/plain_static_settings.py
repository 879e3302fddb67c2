"""waymark.settings, with static files named as they are in the app folders (as
tests/conftest.py does in process), for tests that run Waymark with DEBUG off in a process of
its own: the production storage needs `collectstatic` first, seconds of compression that such
a test does not need."""

from waymark.settings import *  # noqa: F403
from waymark.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
