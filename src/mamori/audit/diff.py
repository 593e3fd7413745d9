"""What changed between two audits, by finding key (check id + subject).

A small team audits monthly: what they need is not the full list again but what is new, what
they fixed, what got worse, and which findings came back because an exception ran out.
"""

from __future__ import annotations

from typing import Any

from mamori.audit.findings import Severity


def _rank(record: dict[str, Any]) -> int:
    try:
        return Severity(record["severity"]).rank
    except ValueError:
        return 0


def compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`new`: open now, absent before; `fixed`: open before, gone now; `regressed`: open and
    more severe than before; `exception_expired`: excepted before, open now (its exception
    expired or was voided); `newly_excepted`: open before, excepted now."""
    before = {f["key"]: f for f in old.get("findings", [])}
    after = {f["key"]: f for f in new.get("findings", [])}
    changes: dict[str, Any] = {
        "old_as_of": old.get("as_of"),
        "new_as_of": new.get("as_of"),
        "new": [],
        "fixed": [],
        "regressed": [],
        "exception_expired": [],
        "newly_excepted": [],
    }
    for key, finding in after.items():
        previous = before.get(key)
        if previous is None:
            if finding["status"] == "open":
                changes["new"].append(finding)
            continue
        if previous["status"] == "excepted" and finding["status"] == "open":
            changes["exception_expired"].append(finding)
        elif previous["status"] == "open" and finding["status"] == "excepted":
            changes["newly_excepted"].append(finding)
        elif finding["status"] == "open" and _rank(finding) > _rank(previous):
            changes["regressed"].append({**finding, "previous_severity": previous["severity"]})
    for key, finding in before.items():
        if key not in after and finding["status"] == "open":
            changes["fixed"].append(finding)
    return changes
