"""What checks produce: results per check, findings per subject, in Japanese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mamori.audit.model import Evidence


class Severity(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"
    info = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {
    Severity.critical: 4,
    Severity.high: 3,
    Severity.medium: 2,
    Severity.low: 1,
    Severity.info: 0,
}


class Outcome(StrEnum):
    """Every check ends in one of these: never silence."""

    passed = "pass"
    failed = "fail"
    not_applicable = "not_applicable"
    error = "error"


class FindingStatus(StrEnum):
    open = "open"
    excepted = "excepted"
    """Covered by a valid exception: still listed and counted, never hidden."""


@dataclass(frozen=True, slots=True)
class Text:
    """A message in both languages mamori speaks; Japanese first."""

    ja: str
    en: str

    def __call__(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en

    def format(self, **values: Any) -> Text:
        """Fill both languages; a `Text` value gives each language its own wording."""
        ja = {k: v.ja if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.ja.format(**ja), self.en.format(**en))

    @staticmethod
    def join(texts: list[Text]) -> Text:
        return Text("、".join(t.ja for t in texts), ", ".join(t.en for t in texts))


@dataclass(slots=True)
class Finding:
    check_id: str
    severity: Severity
    subject: str
    """What the finding is about: an account key (`entra:k.sato@…`), a policy, a vendor…"""
    subject_kind: str
    """account | policy | person | exception | vendor | source"""
    message: Text
    evidence: list[Evidence] = field(default_factory=list)
    person: str | None = None
    tags: tuple[str, ...] = ()
    """The subject's tags (contractor, guest, vendor:<name>…): reports group by them."""
    status: FindingStatus = FindingStatus.open
    exception_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    """Lower-cased names an exception may use for the subject (key, name, id, e-mail)."""

    @property
    def key(self) -> str:
        """Stable identity across audits (for `audit diff`)."""
        return f"{self.check_id}|{self.subject}"


@dataclass(slots=True)
class CheckResult:
    check_id: str
    outcome: Outcome
    findings: list[Finding] = field(default_factory=list)
    reason: Text | None = None
    """Why not applicable or error; for pass/fail, what was examined."""
    examined: int = 0
    """How many subjects the check looked at (so a pass over 0 accounts is visible)."""
