"""MFA policies that exist only on paper: report-only or disabled.

A report-only policy logs what it *would* have done and lets the sign-in through; a disabled one
does nothing. Both look like MFA in the policy list, which is how a tenant believes it enforces
MFA while it does not.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    DISABLED,
    ENABLED,
    POLICIES_MISSING,
    REPORT_ONLY,
    mfa_policies,
    policies_known,
    state,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text

ID = "CA-MFA-REPORTONLY"

STATE_TEXT = {
    REPORT_ONLY: Text("レポート専用(強制されていません)", "report-only (not enforced)"),
    DISABLED: Text("無効", "disabled"),
}


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    considered = mfa_policies(context, ENABLED, REPORT_ONLY, DISABLED)
    unenforced = [p for p in considered if state(p) != ENABLED]
    none_enforced = len(unenforced) == len(considered)
    findings = [
        context.policy_finding(
            ID,
            Severity.high if none_enforced else Severity.medium,
            policy,
            Text(
                "MFA を要求するポリシー「{name}」は{state}です{note}。",
                "MFA policy '{name}' is {state_en}{note_en}.",
            ).format(
                name=policy.name,
                state=STATE_TEXT[state(policy)].ja,
                state_en=STATE_TEXT[state(policy)].en,
                note="。有効な MFA ポリシーは一つもありません" if none_enforced else "",
                note_en="; no MFA policy is enabled at all" if none_enforced else "",
            ),
            state=policy.state,
        )
        for policy in unenforced
    ]
    return result(ID, findings, len(considered))


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text(
        "レポート専用・無効のままの MFA ポリシー",
        "MFA policies left report-only or disabled",
    ),
    remediation=Text(
        "サインインログの「レポート専用」結果で影響を確認したうえで、期限を決めてポリシーを"
        "「オン」にしてください。不要になったポリシーは削除し、一覧を実態と一致させます。",
        "Check the report-only results in the sign-in logs, then switch the policy On by a set "
        "date. Delete policies no longer needed so the list matches what is enforced.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:5.2.2.2"),
    why=Text(
        "「MFA は設定済み」と思われていても強制されていなければ、ASKUL のようにパスワード"
        "だけで侵入されます。",
        "MFA that is configured but not enforced stops nobody: a password alone got in at ASKUL.",
    ),
    run=run,
)
