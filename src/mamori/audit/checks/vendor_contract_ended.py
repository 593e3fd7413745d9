"""Vendors whose contract has ended while accounts they hold are still enabled.

Access has to end with the contract: after it, nobody at the vendor is bound to protect the
account, and nobody here expects it to be used.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled
from mamori.audit.checks._vendors import (
    accounts_by_vendor,
    contract_ended,
    names,
    no_registry,
    vendor_finding,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account
from mamori.audit.vendors import Vendor

ID = "VENDOR-CONTRACT-ENDED"


def _finding(context: AuditContext, vendor: Vendor, accounts: list[Account]) -> Finding | None:
    live = enabled(accounts)
    if not live or not contract_ended(vendor, context.today):
        return None
    end = vendor.contract.end.isoformat() if vendor.contract.end else ""
    return vendor_finding(
        context,
        ID,
        Severity.critical if any(a.privileged for a in live) else Severity.high,
        vendor,
        Text(
            "委託先 {vendor}({id})の契約は {end} に終了しましたが、アカウントが"
            "有効なままです: {names}。",
            "Vendor {vendor} ({id}): the contract ended on {end}, but accounts it holds are "
            "still enabled: {names}.",
        ).format(vendor=vendor.name, id=vendor.id, end=end, names=names(live)),
        proof=live,
        contract_end=end,
        enabled_accounts=sorted(a.key for a in live),
        privileged_accounts=sorted(a.key for a in live if a.privileged),
    )


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    judged = [v for v in context.vendors.vendors if v.contract.end is not None]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "委託先台帳に契約終了日(contract.end)のある委託先がありません。",
                "No vendor of the registry has a contract end date (contract.end).",
            ),
        )
    held = accounts_by_vendor(context)
    findings = [f for v in judged if (f := _finding(context, v, held[v.id])) is not None]
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "契約終了後も有効な委託先アカウント",
        "Vendor accounts still enabled after the contract ended",
    ),
    remediation=Text(
        "契約が終了した委託先のアカウントを直ちに無効化し、アクセスキーや VPN 等の"
        "認証情報も失効させてください。契約の更新が遅れているだけなら、台帳の契約期間を"
        "更新します。",
        "Disable the ended vendor's accounts at once and revoke its access keys, VPN and "
        "other credentials; if the renewal is only late, update the contract dates in the "
        "registry.",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "契約より長く残った委託先のアクセスは、ASKUL のように誰にも見られない侵入口になります。",
        "Vendor access that outlives the contract is, as at ASKUL, an entry point nobody watches.",
    ),
    run=run,
)
