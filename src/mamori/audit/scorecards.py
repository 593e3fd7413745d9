"""The vendor (委託先) scorecard: one card per vendor of the registry, what a report shows to
answer サイバーセキュリティ経営ガイドライン 指示9's "do we know our contractors' measures?".

A card holds the vendor's accounts in our directories (enabled, privileged, with and without
MFA), each contractual obligation as met / unmet / unknown, the SCS ★4 necessity answers with
their basis, its evidence, and the open findings about it per severity. Obligations are judged
by the same functions as the vendor checks, so a card never calls met what a check calls broken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from mamori.audit.checks._accounts import enabled, signins_by_account
from mamori.audit.checks._vendors import (
    accounts_by_vendor,
    contract_ended,
    evidence_state,
    mfa_obligation,
    mfa_split,
    named_obligation,
    scs_answers,
    scs_obligation,
    star4_needed,
)
from mamori.audit.context import AuditContext
from mamori.audit.findings import Finding, FindingStatus, Severity
from mamori.audit.model import Account, SignIn
from mamori.audit.vendors import Vendor


def scorecard(context: AuditContext, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One card per vendor, in registry order. `findings` are the audit's, exceptions applied
    (`run_audit` passes them), so a card counts what the report shows."""
    findings = list(findings)
    held = accounts_by_vendor(context)
    signins = signins_by_account(context)
    return [
        _card(context, vendor, held[vendor.id], signins, findings)
        for vendor in context.vendors.vendors
    ]


def _card(
    context: AuditContext,
    vendor: Vendor,
    accounts: list[Account],
    signins: dict[str, list[SignIn]],
    findings: list[Finding],
) -> dict[str, Any]:
    answers = scs_answers(vendor, accounts)
    obligations = _obligations(vendor, accounts, signins)
    return {
        "id": vendor.id,
        "name": vendor.name,
        "contact": vendor.contact,
        "contract": {
            "start": vendor.contract.start.isoformat() if vendor.contract.start else None,
            "end": vendor.contract.end.isoformat() if vendor.contract.end else None,
            "reference": vendor.contract.reference,
            "ended": contract_ended(vendor, context.today),
        },
        "accounts": _accounts(accounts),
        "obligations": obligations,
        "obligations_summary": {
            state: sum(v == state for v in obligations.values())
            for state in ("met", "unmet", "unknown")
        },
        "scs": {
            "required": vendor.obligations.scs_level_required,
            "claimed": vendor.scs_level_claimed,
            "star4_needed": star4_needed(answers),
            "answers": answers,
        },
        "evidence": [
            {
                "name": item.name,
                "expires": item.expires.isoformat() if item.expires else None,
                "state": evidence_state(item.expires, context),
            }
            for item in vendor.evidence
        ],
        "findings": _finding_counts(vendor, findings),
    }


def _accounts(accounts: list[Account]) -> dict[str, Any]:
    live = enabled(accounts)
    with_mfa, without, unknown = mfa_split(accounts)
    return {
        "total": len(accounts),
        "enabled": len(live),
        "privileged": sum(a.privileged for a in live),
        "mfa": {"with": len(with_mfa), "without": len(without), "unknown": len(unknown)},
        "keys": sorted(a.key for a in accounts),
    }


def _obligations(
    vendor: Vendor, accounts: list[Account], signins: dict[str, list[SignIn]]
) -> dict[str, str]:
    """Obligation → met | unmet | unknown, for those the contract states. Log retention and
    incident notice cannot be seen in identity data: stated ones are 'unknown' until a person
    confirms them."""
    states = {
        "mfa_all_accounts": mfa_obligation(vendor, accounts),
        "named_accounts_only": named_obligation(vendor, accounts, signins),
        "scs_level_required": scs_obligation(vendor),
        "log_retention_days": _unverifiable(vendor.obligations.log_retention_days),
        "incident_notice_hours": _unverifiable(vendor.obligations.incident_notice_hours),
    }
    return {name: state for name, state in states.items() if state is not None}


def _unverifiable(value: int | None) -> str | None:
    return None if value is None else "unknown"


def _finding_counts(vendor: Vendor, findings: list[Finding]) -> dict[str, Any]:
    """Open findings about the vendor or its accounts, per severity, and how many are
    excepted (still shown: an exception never hides a finding)."""
    tag = f"vendor:{vendor.id}"
    mine = [f for f in findings if f.subject == tag or tag in f.tags]
    open_counts = Counter(f.severity for f in mine if f.status is FindingStatus.open)
    return {
        "open": {severity.value: open_counts[severity] for severity in Severity},
        "excepted": sum(f.status is FindingStatus.excepted for f in mine),
    }
