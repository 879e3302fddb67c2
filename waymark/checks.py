"""Configuration is checked, not hoped for: each problem has a stable id and a hint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from waymark import helplines, net

KEY_HINT = (
    "Set SECRET_KEY (or SECRET_KEY_FILE, a file holding it) in the environment, for example "
    "to the output of: python -c 'import secrets; print(secrets.token_urlsafe(50))'. "
    "Set DEBUG=True only on a developer's own machine."
)


@register(Tags.security, deploy=False)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
        return []
    return [Error("DEBUG is off but no SECRET_KEY was given.", hint=KEY_HINT, id="waymark.E001")]


FIELD_KEYS_HINT = (
    "Set WAYMARK_FIELD_KEYS (or WAYMARK_FIELD_KEYS_FILE, a file holding them) in the "
    "environment, for example to the output of: python -c 'import base64, secrets; "
    "print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'. Keep the keys apart "
    "from the database and its backups: what is encrypted under a lost key is lost."
)


@register(Tags.security, deploy=False)
def check_field_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or getattr(settings, "WAYMARK_FIELD_KEYS", None):
        return []
    return [
        Error(
            "DEBUG is off but no WAYMARK_FIELD_KEYS were given: notes and free text could not "
            "be encrypted.",
            hint=FIELD_KEYS_HINT,
            id="waymark.E006",
        )
    ]


@register(Tags.security, deploy=False)
def check_allowed_hosts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    if not settings.ALLOWED_HOSTS:
        return [
            Error(
                "DEBUG is off but ALLOWED_HOSTS is empty.",
                hint="Set ALLOWED_HOSTS to the host names Waymark answers to, comma-separated, "
                "for example ALLOWED_HOSTS=waymark.example.org",
                id="waymark.E002",
            )
        ]
    if "*" in settings.ALLOWED_HOSTS:
        return [
            Error(
                "ALLOWED_HOSTS contains '*', which lets any Host header through.",
                hint="List the real host names instead of '*'.",
                id="waymark.E003",
            )
        ]
    return []


def _line_problem(line: Any) -> str | None:
    if not isinstance(line, dict):
        return "is not an object"
    for key in ("name", "contact"):
        if not str(line.get(key, "")).strip():
            return f"has no {key!r}"
    unknown = set(line) - {"name", "contact", "href", "description"}
    if unknown:
        return f"has unknown keys {sorted(unknown)}"
    return None


@register(Tags.compatibility)
def check_help_lines(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for setting in ("HELP_LINES", "HARM_REDUCTION_LINES"):
        lines = getattr(settings, setting)
        if setting == "HELP_LINES" and not lines:
            errors.append(
                Error(
                    "HELP_LINES is empty: every result page must show where to get help now.",
                    hint="Set WAYMARK_HELP_LINES to a JSON list of "
                    '{"name": ..., "contact": ..., "href": ..., "description": ...} objects.',
                    id="waymark.E004",
                )
            )
        for number, line in enumerate(lines, start=1):
            problem = _line_problem(line)
            if problem:
                errors.append(
                    Error(
                        f"{setting} entry {number} {problem}.",
                        hint="Each entry needs a 'name' and a 'contact'; 'href' and "
                        "'description' are optional.",
                        id="waymark.E005",
                    )
                )
    return errors


CARE_LINK_HINT = (
    "Each entry of WAYMARK_CARE_LINKS needs a 'kind' (one of "
    + ", ".join(helplines.CARE_KINDS)
    + "), a 'name' and an 'href' starting with "
    + ", ".join(helplines.CARE_SCHEMES)
    + "; 'contact' (the text the link shows) and 'description' are optional."
)


def _care_link_problem(link: Any) -> str | None:
    if not isinstance(link, dict):
        return "is not an object"
    for key in ("kind", "name", "href"):
        if not isinstance(link.get(key), str) or not link[key].strip():
            return f"has no {key!r}"
    if link["kind"] not in helplines.CARE_KINDS:
        return f"has the unknown kind {link['kind']!r}"
    if not link["href"].startswith(helplines.CARE_SCHEMES):
        return f"has an href that is not a web, tel: or sms: link: {link['href']!r}"
    unknown = set(link) - {"kind", "name", "href", "contact", "description"}
    if unknown:
        return f"has unknown keys {sorted(unknown)}"
    return None


@register(Tags.compatibility)
def check_care_links(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An empty list is allowed: a program may list no services and rely on the help lines."""
    errors: list[CheckMessage] = []
    for number, link in enumerate(getattr(settings, "CARE_LINKS", []), start=1):
        problem = _care_link_problem(link)
        if problem:
            errors.append(
                Error(
                    f"CARE_LINKS entry {number} {problem}.", hint=CARE_LINK_HINT, id="waymark.E008"
                )
            )
    return errors


@register(Tags.compatibility)
def check_reassess_days(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    days = getattr(settings, "WAYMARK_REASSESS_DAYS", 28)
    if isinstance(days, int) and not isinstance(days, bool) and days >= 1:
        return []
    return [
        Error(
            f"WAYMARK_REASSESS_DAYS is {days!r}: the screeners could never be due again.",
            hint="Set WAYMARK_REASSESS_DAYS to a whole number of days of at least 1, for "
            "example 28 (every four weeks), or leave it unset.",
            id="waymark.E007",
        )
    ]


AUDIT_KEYS_HINT = (
    "Set WAYMARK_AUDIT_KEYS (or WAYMARK_AUDIT_KEYS_FILE) to a key made with: python -c "
    '"import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
    " and keep it outside the database and its backups; see docs/operations.md."
)


@register(Tags.security, deploy=False)
def check_audit_keys(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Without an audit key, anyone who can write to the database could rewrite the audit
    trail and recompute its hashes."""
    if settings.DEBUG or getattr(settings, "WAYMARK_AUDIT_KEYS", None):
        return []
    return [
        Error(
            "DEBUG is off but no WAYMARK_AUDIT_KEYS were given: the audit trail could not be "
            "signed.",
            hint=AUDIT_KEYS_HINT,
            id="waymark.E009",
        )
    ]


TRUSTED_PROXIES_HINT = (
    "Set WAYMARK_TRUSTED_PROXIES to the number of reverse proxies in front of Waymark (for "
    "example 1), or to their addresses and networks, comma-separated (for example "
    "127.0.0.1,::1 or 10.0.0.0/8), or leave it unset when nothing stands in front; see "
    "docs/deploy.md."
)


@register(Tags.security)
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A malformed setting would trust no proxy: every client would share the proxy's address
    in rate limits, sign-in throttling and the audit trail."""
    try:
        net.parse_trusted_proxies(str(getattr(settings, "WAYMARK_TRUSTED_PROXIES", "")))
    except ValueError as error:
        return [
            Error(
                f"WAYMARK_TRUSTED_PROXIES: {error}.",
                hint=TRUSTED_PROXIES_HINT,
                id="waymark.E010",
            )
        ]
    return []


# PostgreSQL's settings that write a statement's text, or a key's value, into the server's
# log, and what keeps them out: Django sends the values inside the text (its default binding
# on the client), so a check-in that fails on a constraint or a timeout would otherwise leave
# the person's answers, or a duplicate email address, in a log nobody audits. These are set
# for Waymark's role (docs/deploy.md):
QUIET_STATEMENT_LOGGING = {
    "log_min_error_statement": "panic",  # default "error": the failing statement, whole
    "log_min_duration_statement": "-1",  # a slow statement, whole
    "log_min_duration_sample": "-1",  # a sample of the slow ones, whole
    "log_transaction_sample_rate": "0",  # a sample of whole transactions' statements
    "log_statement": "none",  # every statement (or every write), whole
    "log_error_verbosity": "terse",  # default: a DETAIL naming a duplicate key's value
}
# ... and these are off unless someone turns them on: a parse or plan tree holds the values,
# and auto_explain logs the query's text (its setting exists only where it is loaded).
QUIET_UNLESS_TURNED_ON = {
    "debug_print_parse": "off",
    "debug_print_rewritten": "off",
    "debug_print_plan": "off",
    "auto_explain.log_min_duration": "-1",
}
STATEMENT_LOGGING_HINT = (
    "As a PostgreSQL superuser, for Waymark's role only (here named waymark): "
    + "; ".join(
        f"ALTER ROLE waymark SET {name} = {value}"
        for name, value in QUIET_STATEMENT_LOGGING.items()
    )
    + "; keep debug_print_parse, debug_print_rewritten and debug_print_plan off and "
    "auto_explain.log_min_duration at -1; then restart Waymark. See docs/deploy.md."
)


def statement_logging(connection: Any) -> dict[str, str]:
    """The settings above as this connection's session has them (those it knows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
            [[*QUIET_STATEMENT_LOGGING, *QUIET_UNLESS_TURNED_ON]],
        )
        return {name: str(setting).lower() for name, setting in cursor.fetchall()}


def _loud(current: dict[str, str]) -> list[str]:
    """The settings that would let statements' values into the log."""
    loud = [name for name, quiet in QUIET_STATEMENT_LOGGING.items() if current.get(name) != quiet]
    loud += [
        name
        for name, quiet in QUIET_UNLESS_TURNED_ON.items()
        if name in current and current[name] != quiet
    ]
    return sorted(loud)


@register(Tags.database)
def check_statement_logging(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """A warning, where PostgreSQL would log a statement's values: the server's log is outside
    Waymark's encryption, access rules and audit trail. Like Django's own database checks it
    runs only when asked for a database (`waymark check --database default`, and `waymark
    serve` before it starts). A database it cannot ask is said too, never passed as fine."""
    from django.db import DatabaseError, connections

    found: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        try:
            current = statement_logging(connection)
        except DatabaseError as error:
            found.append(
                Warning(
                    f"PostgreSQL ({alias}) could not be asked how it logs statements "
                    f"({type(error).__name__}).",
                    hint="Run `waymark check --database default` again once it answers.",
                    id="waymark.W002",
                )
            )
            continue
        loud = _loud(current)
        if loud:
            found.append(
                Warning(
                    f"PostgreSQL ({alias}) may write statements' values into its log: "
                    f"{', '.join(f'{name} = {current.get(name)}' for name in loud)}.",
                    hint=STATEMENT_LOGGING_HINT,
                    id="waymark.W001",
                )
            )
    return found
