"""No tenant-wide MFA policy: all users, all applications, MFA required, enforced.

"No exceptions" starts with one policy that reaches everyone and everything; the exceptions it
still has are then visible exclusions (judged by CA-EXCLUSION-*), not gaps between narrower
policies that nobody has mapped.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ALL,
    ENABLED,
    POLICIES_MISSING,
    REPORT_ONLY,
    mfa_policies,
    policies_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import AccessPolicy

ID = "CA-MFA-BASELINE"
SUBJECT = "entra:tenant"


def _is_baseline(policy: AccessPolicy) -> bool:
    """All users and all applications (exclusions allowed: other checks judge them)."""
    return ALL in {u.lower() for u in policy.include_users} and ALL in {
        a.lower() for a in policy.include_applications
    }


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    examined = len(context.policies("entra"))
    if any(_is_baseline(p) for p in mfa_policies(context, ENABLED)):
        return result(ID, [], examined)
    drafts = [p.name for p in mfa_policies(context, REPORT_ONLY) if _is_baseline(p)]
    finding = Finding(
        check_id=ID,
        severity=Severity.high,
        subject=SUBJECT,
        subject_kind="source",
        message=Text(
            "全ユーザー・全アプリに MFA を要求する有効なポリシーがありません{note}。",
            "No enabled policy requires MFA for all users and all applications{note_en}.",
        ).format(
            note=f"(レポート専用のまま: {', '.join(drafts)})" if drafts else "",
            note_en=f" (left report-only: {', '.join(drafts)})" if drafts else "",
        ),
        details={"report_only_candidates": drafts},
        aliases=(SUBJECT,),
    )
    return result(ID, [finding], examined)


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "全ユーザー・全アプリ対象の MFA ポリシーがない",
        "No tenant-wide MFA policy (all users, all applications)",
    ),
    remediation=Text(
        "対象ユーザー「すべて」、対象アプリ「すべて」、許可「多要素認証を要求」の条件付き"
        "アクセスポリシーを作成して「オン」にしてください。除外は緊急用アカウントなど最小限とし、"
        "例外登録簿に記録します。",
        "Create a Conditional Access policy for All users and All cloud apps granting access "
        "only with MFA, and turn it On. Keep exclusions to the minimum (emergency accounts) "
        "and record each in the exception register.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:5.2.2.2"),
    why=Text(
        "「例外を作らない」ための土台です。全員に MFA を課したうえでの除外だけが目に見える"
        "例外になります。ASKUL では見過ごされた MFA 免除が侵入口でした。",
        "It is the ground 'no exceptions' stands on: with MFA required of everyone, every "
        "exception is a visible exclusion. At ASKUL an unnoticed MFA exemption was the way in.",
    ),
    run=run,
)
