"""What the vendor checks and the vendor scorecard share: which accounts each vendor of the
registry holds, and how its contract's obligations and the SCS ★4 questions are answered.

An account belongs to a vendor when tagging matched one of the vendor's account patterns
(`vendor:<id>` tag). The checks and the scorecard use the same functions, so a report never
shows an obligation as met that a check reports as broken.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from mamori.audit.checks._accounts import enabled, linked_to_person, shared_signs
from mamori.audit.checks._common import has_mfa, signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, Evidence, SignIn
from mamori.audit.vendors import Vendor, VendorRegistry

STAR4 = 4
"""SCS ★4: third-party evaluated, includes supplier management, detection and response."""


def vendor_tags(account: Account) -> list[str]:
    """Ids of the vendors whose patterns matched the account."""
    return sorted(tag[len("vendor:") :] for tag in account.tags if tag.startswith("vendor:"))


def vendors_of(account: Account, registry: VendorRegistry) -> list[Vendor]:
    wanted = set(vendor_tags(account))
    return [vendor for vendor in registry.vendors if vendor.id in wanted]


def accounts_by_vendor(context: AuditContext) -> dict[str, list[Account]]:
    """Vendor id → its accounts (every vendor of the registry present, maybe with none)."""
    grouped: dict[str, list[Account]] = defaultdict(list)
    for vendor in context.vendors.vendors:
        grouped[vendor.id] = []
    for account in context.data.accounts:
        for vendor_id in vendor_tags(account):
            grouped[vendor_id].append(account)
    return grouped


def contract_ended(vendor: Vendor, today: date) -> bool:
    """The contract's last day is before today (its end date itself is still covered)."""
    return vendor.contract.end is not None and vendor.contract.end < today


def vendor_finding(
    context: AuditContext,
    check_id: str,
    severity: Severity,
    vendor: Vendor,
    message: Text,
    proof: Iterable[Account] = (),
    **details: Any,
) -> Finding:
    """A finding about a vendor; its evidence is the registry entry (what the contract says)
    followed by the records of the accounts in `proof` (what the directories say)."""
    subject = f"vendor:{vendor.id}"
    entry = Evidence(
        context.vendors.source or "",
        f"vendors[{context.vendors.vendors.index(vendor)}]",
        vendor.model_dump(mode="json", exclude_none=True),
    )
    return Finding(
        check_id=check_id,
        severity=severity,
        subject=subject,
        subject_kind="vendor",
        message=message,
        evidence=[entry, *(e for account in proof for e in account.evidence)],
        tags=("vendor", subject),
        details={"vendor": vendor.id, "vendor_name": vendor.name, **details},
        aliases=(subject.lower(), vendor.id.lower(), vendor.name.lower()),
    )


def no_registry(context: AuditContext, check_id: str) -> CheckResult | None:
    """The not-applicable result when no registry was given, else None."""
    if context.vendors.source is not None:
        return None
    return not_applicable(
        check_id,
        Text(
            "委託先台帳が指定されていません(--vendors)。",
            "No vendor registry was given (--vendors).",
        ),
    )


def names(accounts: list[Account]) -> str:
    return ", ".join(sorted(a.key for a in accounts))


def mfa_split(accounts: list[Account]) -> tuple[list[Account], list[Account], list[Account]]:
    """Enabled accounts that sign in interactively: (with MFA, without, unknown)."""
    live = [a for a in enabled(accounts) if signs_in_interactively(a)]
    return (
        [a for a in live if has_mfa(a) is True],
        [a for a in live if has_mfa(a) is False],
        [a for a in live if has_mfa(a) is None],
    )


def mfa_obligation(vendor: Vendor, accounts: list[Account]) -> str | None:
    """met | unmet | unknown; None when the contract does not oblige MFA. Met only when every
    enabled account that signs in is known to have MFA (a vendor with none meets it)."""
    if not vendor.obligations.mfa_all_accounts:
        return None
    _, without, unknown = mfa_split(accounts)
    if without:
        return "unmet"
    return "unknown" if unknown else "met"


def unnamed_accounts(
    accounts: list[Account], signins: dict[str, list[SignIn]]
) -> dict[str, dict[str, Any]]:
    """Enabled accounts that break a named-accounts-only clause → why: a shared-looking name,
    a day crowded with addresses, or no link to any person (`no_person`)."""
    found = {}
    for account in enabled(accounts):
        signs = shared_signs(account, signins.get(account.key, []))
        if not linked_to_person(account):
            signs["no_person"] = True
        if signs:
            found[account.key] = signs
    return found


def named_obligation(
    vendor: Vendor, accounts: list[Account], signins: dict[str, list[SignIn]]
) -> str | None:
    """met | unmet; None when the contract does not require named accounts."""
    if not vendor.obligations.named_accounts_only:
        return None
    return "unmet" if unnamed_accounts(accounts, signins) else "met"


def scs_obligation(vendor: Vendor) -> str | None:
    """met | unmet | unknown (no level claimed); None when the contract requires none."""
    required = vendor.obligations.scs_level_required
    if required is None:
        return None
    if vendor.scs_level_claimed is None:
        return "unknown"
    return "met" if vendor.scs_level_claimed >= required else "unmet"


def scs_answers(vendor: Vendor, accounts: list[Account]) -> dict[str, dict[str, Any]]:
    """The three SCS ★4 necessity questions, each {answer, basis, strong}.

    Reaching internal systems is answered from the data first: an enabled account in our
    directories *is* a way in (strongly so when privileged), whatever the registry declares.
    No account in the audited exports proves nothing (VPNs and on-site PCs are not in them),
    so then the declaration answers, or nothing does.
    """
    live = enabled(accounts)
    privileged = [a for a in live if a.privileged]
    declared = vendor.reaches_internal_systems
    if live:
        basis = f"data: {len(live)} enabled account(s), {len(privileged)} privileged"
        if declared is False:
            basis += " (the registry declares no)"
        reach = {"answer": True, "basis": basis, "strong": bool(privileged)}
    elif declared is not None:
        reach = {"answer": declared, "basis": "declared", "strong": False}
    else:
        basis = "no enabled account in the exports, not declared"
        reach = {"answer": None, "basis": basis, "strong": False}
    return {
        "important_data": _declared(vendor.handles_important_data),
        "outage_unacceptable": _declared(vendor.outage_unacceptable),
        "reaches_internal_systems": reach,
    }


def _declared(answer: bool | None) -> dict[str, Any]:
    return {
        "answer": answer,
        "basis": "declared" if answer is not None else "not declared",
        "strong": False,
    }


def star4_needed(answers: dict[str, dict[str, Any]]) -> bool | None:
    """Yes if any question is answered yes, no if all are answered no, else unknown."""
    values = [a["answer"] for a in answers.values()]
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def evidence_state(expires: date | None, context: AuditContext) -> str:
    """valid | expiring | expired | no_expiry. Expiring: within
    `thresholds.vendor_evidence_expiring_days`, time enough to ask for the renewed one."""
    if expires is None:
        return "no_expiry"
    today = context.today
    if expires < today:
        return "expired"
    soon = context.thresholds.vendor_evidence_expiring_days
    return "expiring" if (expires - today).days <= soon else "valid"
