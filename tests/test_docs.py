"""Docs that cannot drift: generated references are current, every rule is documented."""

from __future__ import annotations

import re
from pathlib import Path

from waymark.cli import reference_markdown
from waymark.clinical import safety
from waymark.data_messages import MESSAGES
from waymark.management.commands.datamessages import data_strings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def test_the_command_line_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == reference_markdown(), (
        "docs/cli.md is out of date: run `make docs`"
    )


def test_every_safety_rule_and_id_is_in_the_clinical_rules() -> None:
    rules = (DOCS / "clinical-rules.md").read_text(encoding="utf-8")
    for rule in safety.RULES:
        assert f"`{rule.id}`" in rules, f"docs/clinical-rules.md does not describe {rule.id}"
    for safety_id in safety.SAFETY_IDS:
        assert f"`{safety_id}`" in rules


def test_the_data_files_prose_is_collected_for_translation() -> None:
    assert data_strings() == MESSAGES, "waymark/data_messages.py is stale: run `make messages`"


def test_every_environment_variable_the_settings_read_is_documented() -> None:
    settings = (ROOT / "waymark" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env_\w+\("([A-Z_]+)"', settings))
    lines = (ROOT / "waymark" / "helplines.py").read_text(encoding="utf-8")
    read |= set(re.findall(r'from_environment\("([A-Z_]+)"', lines))
    assert {"WAYMARK_HELP_LINES", "WAYMARK_CARE_LINKS"} <= read
    documented = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(name for name in read if f"`{name}`" not in documented)
    assert missing == [], f"undocumented settings: {missing}"


def test_the_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:6]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)
