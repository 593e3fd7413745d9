"""Accounts excluded from an enabled MFA policy that no other enabled MFA policy catches.

An exclusion is often defended with "another policy covers them". This check tests that claim:
the account must be included — directly, through a (nested) group, a role, a guest type or All
— in some other *enabled* MFA policy that does not exclude it too. Report-only and disabled
policies enforce nothing and do not count. Application scope is not compared: a policy that
covers only some applications is still counted, so a reported gap is certain, not a guess.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ENABLED,
    POLICIES_MISSING,
    Scopes,
    mfa_policies,
    policies_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import AccessPolicy, Account

ID = "CA-EXCLUSION-GAP"


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    if not context.accounts_by_source.get("entra"):
        return not_applicable(
            ID,
            Text(
                "Entra のユーザーのエクスポートがないため、除外されたアカウントを特定できません。",
                "No Entra user export was supplied, so excluded accounts cannot be resolved.",
            ),
        )
    scopes = Scopes(context)
    enforced = mfa_policies(context, ENABLED)
    findings: list[Finding] = []
    examined = 0
    for account in scopes.accounts:
        if account.enabled is False:
            continue
        excluding = [p for p in enforced if scopes.excluded_by(p, account)]
        if not excluding:
            continue
        examined += 1
        if not any(scopes.applies(p, account) for p in enforced):
            findings.append(_finding(context, account, excluding))
    return result(ID, findings, examined)


def _finding(context: AuditContext, account: Account, excluding: list[AccessPolicy]) -> Finding:
    exposed = "external" in account.tags and account.privileged
    return context.account_finding(
        ID,
        Severity.critical if exposed else Severity.high,
        account,
        Text(
            "{name} は MFA ポリシー {policies} から除外され、ほかに有効な MFA ポリシーが"
            "一つも適用されていません{note}。",
            "{name} is excluded from MFA policies {policies} and no other enabled MFA policy "
            "applies to it{note_en}.",
        ).format(
            name=account.name,
            policies=", ".join(p.name for p in excluding),
            note="(外部の管理者アカウント)" if exposed else "",
            note_en=" (an external admin account)" if exposed else "",
        ),
        excluded_from=[p.name for p in excluding],
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "MFA ポリシーの除外により MFA が一切かからないアカウント",
        "Accounts that MFA policy exclusions leave with no MFA policy at all",
    ),
    remediation=Text(
        "該当アカウントの除外をやめるか、代わりに適用される有効な MFA ポリシー(例: 固定 IP "
        "からのみ許可し MFA を要求するポリシー)を用意してください。レポート専用や無効の"
        "ポリシーは保護になりません。",
        "Remove the exclusion, or put the account under another enabled MFA policy (for "
        "example one that allows it only from a fixed IP and still requires MFA). Report-only "
        "and disabled policies protect nothing.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:5.2.2.2"),
    why=Text(
        "ASKUL の委託先アカウントは MFA の対象から外れたまま、どの統制にもかかっていませんでした。",
        "ASKUL's contractor account sat outside MFA with no other control catching it.",
    ),
    run=run,
)
