"""Vendors obliged to use named (personal) accounts that hold shared-looking or unlinked ones.

With named accounts, every action points to one of the vendor's staff, and a leaver's account
can be closed without breaking everyone else's work. An account that looks shared, or that the
audit could tie to no person at all, breaks that promise.
"""

from __future__ import annotations

from typing import Any

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import describe_shared, signins_by_account
from mamori.audit.checks._vendors import (
    accounts_by_vendor,
    no_registry,
    unnamed_accounts,
    vendor_finding,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account
from mamori.audit.vendors import Vendor

ID = "VENDOR-NAMED-ACCOUNTS"


def _why(key: str, signs: dict[str, Any]) -> Text:
    """One account's breach of the clause, in both languages."""
    parts = [describe_shared(signs)] if set(signs) - {"no_person"} else []
    if signs.get("no_person"):
        parts.append(Text("どの個人にも紐付きません", "it is linked to no person"))
    return Text(
        f"{key}: " + "、".join(p.ja for p in parts), f"{key}: " + "; ".join(p.en for p in parts)
    )


def _finding(
    context: AuditContext,
    vendor: Vendor,
    accounts: list[Account],
    unnamed: dict[str, dict[str, Any]],
) -> Finding:
    offending = [a for a in accounts if a.key in unnamed]
    whys = [_why(key, signs) for key, signs in sorted(unnamed.items())]
    return vendor_finding(
        context,
        ID,
        Severity.high if any(a.privileged for a in offending) else Severity.medium,
        vendor,
        Text(
            "委託先 {vendor}({id})の契約は個人アカウントのみを求めていますが、"
            "個人のものとは言えないアカウントがあります: {ja}。",
            "Vendor {vendor} ({id}): the contract requires named accounts, but some of its "
            "accounts are not clearly personal: {en}.",
        ).format(
            vendor=vendor.name,
            id=vendor.id,
            ja=" / ".join(w.ja for w in whys),
            en=" / ".join(w.en for w in whys),
        ),
        proof=offending,
        accounts=unnamed,
    )


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    judged = [v for v in context.vendors.vendors if v.obligations.named_accounts_only]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "個人アカウントのみを義務付けた委託先がありません(台帳の "
                "obligations.named_accounts_only)。",
                "No vendor's contract requires named accounts only (registry "
                "obligations.named_accounts_only).",
            ),
        )
    held = accounts_by_vendor(context)
    signins = signins_by_account(context)
    findings = []
    for vendor in judged:
        unnamed = unnamed_accounts(held[vendor.id], signins)
        if unnamed:
            findings.append(_finding(context, vendor, held[vendor.id], unnamed))
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text(
        "委託先の個人アカウント義務違反", "Vendors breaking their named-accounts obligation"
    ),
    remediation=Text(
        "委託先に担当者ごとの個人アカウントへの切り替えを求め、共有アカウントは無効化して"
        "ください。個人に紐付かないアカウントは、設定の person_links で利用者を明示するか"
        "廃止します。",
        "Have the vendor move to one personal account per staff member and disable the "
        "shared ones; name the user of accounts linked to nobody (configuration "
        "person_links) or retire them.",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "共有された委託先アカウントは誰が使ったか分からず、ASKUL のような不正利用を"
        "正規の作業と区別できません。",
        "A shared vendor account cannot be attributed, so misuse like ASKUL's looks like "
        "normal work.",
    ),
    run=run,
)
