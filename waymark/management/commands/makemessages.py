"""Django's makemessages, also collecting N_() — the marker the clinical core uses, since it
cannot import Django's gettext (see waymark/clinical/text.py)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]  # noqa: RUF012
