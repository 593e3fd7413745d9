"""The exception register: the only way a finding stops counting as open — and never silently.

Lesson of ASKUL: one account exempted from MFA, with nobody owning the exemption and no end date,
stayed exempt until the attackers used it. Here every exception names its subject, the checks it
covers, an owner, an approver, the reason, compensating controls and an **expiry**. A valid
exception marks matching findings "excepted" (still listed and counted); an expired, ownerless,
incomplete or unmatched exception is a finding itself and covers nothing.

The register is YAML (`exceptions: [...]`). Each entry is read on its own, so one bad entry is
reported without losing the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.audit.config import load_entries
from mamori.audit.findings import Text


class ExceptionEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    subject: str = Field(description="Account key/name/glob, policy id or name it covers.")
    checks: list[str] = Field(min_length=1, description="Check ids it covers.")
    owner: str | None = None
    approver: str | None = None
    reason: str | None = None
    compensating_controls: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    created: date | None = None
    expires: date | None = None
    """Mandatory: an entry without one is invalid (and reported), not permanent."""

    @field_validator("checks")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [v.strip().upper() for v in value]

    def covers(self, check_id: str, subject_names: list[str]) -> bool:
        if check_id not in self.checks:
            return False
        wanted = self.subject.strip().lower()
        return any(fnmatchcase(name, wanted) for name in subject_names)


@dataclass(slots=True)
class Register:
    entries: list[ExceptionEntry] = field(default_factory=list)
    invalid: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """(position, why, raw entry) for entries that could not be read at all."""
    source: str | None = None


def load_register(path: Path | None) -> Register:
    if path is None:
        return Register()
    entries, invalid = load_entries(path, "exceptions", ExceptionEntry, "exception register")
    return Register(entries, invalid, str(path))


def problems_of(entry: ExceptionEntry, as_of: date, max_days: int) -> tuple[list[Text], list[Text]]:
    """(why it cannot except anything, what is wrong but does not void it).

    Everything the register promises — expiry, owner, approver, reason, compensating control —
    is required: an exception missing one is exactly the unmanaged exemption of the ASKUL case.
    """
    void = []
    if entry.expires is None:
        void.append(Text("期限がない", "no expiry"))
    elif entry.expires < as_of:
        day = entry.expires.isoformat()
        void.append(Text(f"{day} に期限切れ", f"expired on {day}"))
    missing = (
        (entry.owner, Text("所有者がない", "no owner")),
        (entry.approver, Text("承認者がない", "no approver")),
        (entry.reason, Text("理由がない", "no reason")),
    )
    void.extend(text for value, text in missing if not (value or "").strip())
    if not entry.compensating_controls:
        void.append(Text("代替統制がない", "no compensating control"))
    warnings = []
    start = entry.created or as_of
    if entry.expires is not None and (entry.expires - start).days > max_days:
        warnings.append(
            Text(f"有効期間が {max_days} 日を超える", f"valid for more than {max_days} days")
        )
    return void, warnings
