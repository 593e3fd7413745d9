"""Build rules and events in tests from Sigma YAML, as users write them."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

from mamori.events import Event
from mamori.hunt.loader import compile_text, resolve_correlations
from mamori.hunt.model import RuleSet

SYSMON = "Microsoft-Windows-Sysmon/Operational"
T0 = datetime(2025, 6, 5, 1, 0, tzinfo=UTC)


def ruleset(yaml_text: str) -> RuleSet:
    rules, correlations, problems = compile_text(textwrap.dedent(yaml_text), "test.yml")
    assert not problems, problems
    result = RuleSet(rules, correlations, problems, 1)
    resolve_correlations(result)
    return result


def rule_yaml(detection: str, logsource: str = "{product: windows, category: process_creation}"):
    body = textwrap.indent(textwrap.dedent(detection).strip(), "  ")
    return f"""
title: test rule
id: 00000000-0000-4000-8000-000000000001
status: test
level: high
logsource: {logsource}
detection:
{body}
"""


def event(
    position: int = 1,
    seconds: float = 0,
    channel: str = SYSMON,
    event_id: int = 1,
    **fields: Any,
) -> Event:
    base = {"Channel": channel, "EventID": event_id, "Computer": "pc01", **fields}
    return Event(base, "test.evtx", position, T0 + timedelta(seconds=seconds))
