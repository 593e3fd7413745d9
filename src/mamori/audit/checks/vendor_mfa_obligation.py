"""Vendors whose contract requires MFA on all their accounts, yet some accounts have none.

An obligation nobody verifies is the exemption of the ASKUL case in another form: the
contract said one thing, the directory another, and nobody compared them.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._vendors import (
    accounts_by_vendor,
    mfa_obligation,
    mfa_split,
    names,
    no_registry,
    vendor_finding,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account
from mamori.audit.vendors import Vendor

ID = "VENDOR-MFA-OBLIGATION"


def _finding(context: AuditContext, vendor: Vendor, accounts: list[Account]) -> Finding | None:
    with_mfa, without, unknown = mfa_split(accounts)
    if not without:
        return None
    total = len(with_mfa) + len(without) + len(unknown)
    return vendor_finding(
        context,
        ID,
        Severity.critical if any(a.privileged for a in without) else Severity.high,
        vendor,
        Text(
            "委託先 {vendor}({id})の契約は全アカウントの MFA を求めていますが、"
            "{total} 件中 {count} 件に MFA がありません({names})。",
            "Vendor {vendor} ({id}): the contract says MFA on all accounts, but {count} of "
            "its {total} accounts can sign in without it ({names}).",
        ).format(
            vendor=vendor.name, id=vendor.id, total=total, count=len(without), names=names(without)
        ),
        proof=without,
        without_mfa=sorted(a.key for a in without),
        mfa_unknown=sorted(a.key for a in unknown),
        accounts=total,
    )


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    held = accounts_by_vendor(context)
    states = {v.id: mfa_obligation(v, held[v.id]) for v in context.vendors.vendors}
    judged = [v for v in context.vendors.vendors if states[v.id] in ("met", "unmet")]
    unknown = sum(state == "unknown" for state in states.values())
    if not judged:
        return not_applicable(
            ID,
            Text(
                "MFA を義務付けた委託先がないか(台帳の obligations.mfa_all_accounts)、"
                "その委託先アカウントの MFA 登録状況を示すエクスポートがありません。",
                "No vendor's contract obliges MFA (registry obligations.mfa_all_accounts), or "
                "no export gives the MFA state of those vendors' accounts.",
            ),
        )
    findings = [f for v in judged if (f := _finding(context, v, held[v.id])) is not None]
    outcome = result(ID, findings, len(judged))
    outcome.reason = Text(
        "MFA を義務付けた委託先 {judged} 件を判定しました(MFA 状況が一部不明の {unknown} 件は"
        "対象外)。",
        "{judged} vendors obliged to MFA judged ({unknown} with accounts of unknown MFA state "
        "not counted).",
    ).format(judged=len(judged), unknown=unknown)
    return outcome


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text("委託先の MFA 義務違反", "Vendors breaking their contractual MFA obligation"),
    remediation=Text(
        "委託先に契約どおり全アカウントへの MFA 登録を求め、期限までに登録されないアカウントは"
        "無効化してください。MFA の例外は契約でも認めないこと。",
        "Require the vendor to register MFA on every account as the contract says, disable "
        "accounts not registered by the deadline, and allow no MFA exceptions in the "
        "contract either.",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "ASKUL では委託先の管理者アカウントだけが MFA を免除されていました。",
        "At ASKUL the contractor's admin account alone was exempted from MFA.",
    ),
    run=run,
)
