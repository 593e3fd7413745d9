"""Vendor registry entries that cannot do their job: unreadable, duplicated, matching no account,
sharing accounts with another vendor, or missing the contact or contract end other checks need.

Every vendor check stands on the registry: an entry that matches nothing makes a vendor look
clean, and one without a contract end can never be found to have outlived its contract.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from mamori.audit.checks import Check
from mamori.audit.checks._vendors import (
    accounts_by_vendor,
    no_registry,
    vendor_finding,
    vendor_tags,
)
from mamori.audit.context import AuditContext, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account
from mamori.audit.vendors import Vendor

ID = "VENDOR-REGISTRY-VALIDITY"


def _unreadable(position: str, why: str, raw: dict[str, Any]) -> Finding:
    name = str(raw.get("id") or position)
    return Finding(
        check_id=ID,
        severity=Severity.high,
        subject=f"vendor:{name}",
        subject_kind="vendor",
        message=Text(
            "委託先台帳の {position} を読めません: {why}",
            "Vendor registry entry {position} cannot be read: {why}",
        ).format(position=position, why=why),
        details={"position": position},
        aliases=(f"vendor:{name}".lower(), name.lower()),
    )


def _shared_with(vendor: Vendor, accounts: list[Account]) -> dict[str, list[str]]:
    """Account key → the other vendors whose patterns also match it."""
    shared = {a.key: [v for v in vendor_tags(a) if v != vendor.id] for a in accounts}
    return {key: others for key, others in shared.items() if others}


def _problems(vendor: Vendor, accounts: list[Account], uses: int) -> list[tuple[Severity, Text]]:
    problems = []
    if uses > 1:
        problems.append(
            (
                Severity.medium,
                Text(f"ID が {uses} 件で重複しています", f"its id is used {uses} times"),
            )
        )
    if vendor.accounts and not accounts:
        problems.append(
            (
                Severity.medium,
                Text(
                    "アカウントのパターンがどのアカウントにも一致しません(綴りの誤りか、"
                    "エクスポートの不足)",
                    "its account patterns match no account (misspelt, or that export was "
                    "not given)",
                ),
            )
        )
    for key, others in _shared_with(vendor, accounts).items():
        problems.append(
            (
                Severity.medium,
                Text(
                    f"{key} は委託先 {', '.join(others)} のパターンにも一致します",
                    f"{key} also matches vendor {', '.join(others)}",
                ),
            )
        )
    if not vendor.contact:
        problems.append((Severity.low, Text("連絡先(contact)がありません", "it has no contact")))
    if vendor.contract.end is None:
        problems.append(
            (Severity.low, Text("契約終了日(contract.end)がありません", "it has no contract end"))
        )
    return problems


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    registry = context.vendors
    findings = [_unreadable(*entry) for entry in registry.invalid]
    uses = Counter(v.id for v in registry.vendors)
    held = accounts_by_vendor(context)
    seen: set[str] = set()
    for vendor in registry.vendors:
        if vendor.id in seen:
            continue
        seen.add(vendor.id)
        problems = _problems(vendor, held[vendor.id], uses[vendor.id])
        if problems:
            findings.append(
                vendor_finding(
                    context,
                    ID,
                    max((severity for severity, _ in problems), key=lambda s: s.rank),
                    vendor,
                    Text(
                        "委託先台帳の {vendor}({id}): {ja}。",
                        "Vendor registry entry {vendor} ({id}): {en}.",
                    ).format(
                        vendor=vendor.name,
                        id=vendor.id,
                        ja="、".join(t.ja for _, t in problems),
                        en="; ".join(t.en for _, t in problems),
                    ),
                    problems=[t.en for _, t in problems],
                )
            )
    return result(ID, findings, len(registry.vendors) + len(registry.invalid))


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("委託先台帳の有効性", "Vendor registry validity"),
    remediation=Text(
        "読めない項目を直し、ID の重複をなくし、各委託先のアカウントのパターンが実在の"
        "アカウントに一致することを確認してください。連絡先と契約終了日も記入します。",
        "Fix unreadable entries, make ids unique, check that each vendor's account patterns "
        "match real accounts, and record every vendor's contact and contract end.",
    ),
    frameworks=("SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "委託先とそのアカウントを正しく把握していなければ、ASKUL のような委託先経由の"
        "侵入口を見落とします。",
        "Without an accurate list of vendors and their accounts, an entry point like "
        "ASKUL's contractor account is missed.",
    ),
    run=run,
)
