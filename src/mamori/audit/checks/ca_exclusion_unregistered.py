"""Exclusions from MFA policies: every one is a finding until the exception register owns it.

A Conditional Access exclusion is an exception written where nobody reviews it: no owner, no
reason, no end date. This check lists each excluded user, group, role and guest type; the
engine marks a finding excepted only when a *valid* register entry names it, so the register
becomes the one place exclusions are approved and expire.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    ENABLED,
    POLICIES_MISSING,
    REPORT_ONLY,
    Principal,
    Scopes,
    mfa_policies,
    policies_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import AccessPolicy

ID = "CA-EXCLUSION-UNREGISTERED"

WHAT = {
    "account": Text("アカウント {label}", "Account {label}"),
    "user": Text("ユーザー ID {label}(該当アカウントなし)", "User id {label} (no such account)"),
    "group": Text("グループ {label}", "Group {label}"),
    "role": Text("ロール {label} の保持者", "Holders of role {label}"),
    "guests": Text("ゲスト種別 {label}", "Guest type {label}"),
    "all": Text("全ユーザー", "All users"),
}


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    policies = mfa_policies(context, ENABLED, REPORT_ONLY)
    scopes = Scopes(context)
    excluded: dict[str, tuple[Principal, list[AccessPolicy]]] = {}
    for policy in policies:
        for principal in scopes.principals(policy, "exclude"):
            excluded.setdefault(principal.subject, (principal, []))[1].append(policy)
    findings = [_finding(principal, where) for principal, where in excluded.values()]
    return result(ID, findings, len(policies))


def _finding(principal: Principal, policies: list[AccessPolicy]) -> Finding:
    """One finding per excluded principal (all its policies listed), so the finding key stays
    unique and one register entry settles one exclusion."""
    exposed = sorted(
        a.name
        for a in principal.accounts
        if "external" in a.tags and a.privileged and a.enabled is not False
    )
    what = WHAT[principal.kind].format(label=principal.label)
    names = ", ".join(f"{p.name} [{p.state}]" for p in policies)
    message = Text(
        "{what} は MFA を要求するポリシー {policies} から除外されています。"
        "例外登録簿で所有者・理由・代替統制・期限を定めるか、除外をやめてください。{risk}",
        "{what_en} is excluded from MFA policies {policies}: register the exclusion (owner, "
        "reason, compensating controls, expiry) or remove it.{risk_en}",
    ).format(
        what=what.ja,
        what_en=what.en,
        policies=names,
        risk=f"外部の管理者アカウント {', '.join(exposed)} が該当します。" if exposed else "",
        risk_en=f" External admin accounts affected: {', '.join(exposed)}." if exposed else "",
    )
    accounts = principal.accounts if principal.kind == "account" else []
    return Finding(
        check_id=ID,
        severity=Severity.critical if exposed else Severity.high,
        subject=principal.subject,
        subject_kind=principal.kind,
        message=message,
        evidence=[e for p in policies for e in p.evidence]
        + [e for a in accounts for e in a.evidence],
        person=accounts[0].person if accounts else None,
        tags=tuple(sorted(accounts[0].tags)) if accounts else (),
        details={
            "policies": [p.name for p in policies],
            "excluded": principal.label,
            "kind": principal.kind,
            "accounts": sorted(a.name for a in principal.accounts),
            "external_privileged": exposed,
        },
        aliases=principal.aliases,
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "例外登録のない MFA ポリシーの除外",
        "MFA policy exclusions not in the exception register",
    ),
    remediation=Text(
        "条件付きアクセスの除外を一覧にし、不要なものは削除してください。残す除外は例外登録簿に"
        "所有者・承認者・理由・代替統制(例: 固定 IP からのみ許可)・期限を記入し、期限が来たら"
        "見直します。委託先・ゲストの管理者アカウントは除外しないこと。",
        "List every Conditional Access exclusion and delete those not needed. Record each one "
        "kept in the exception register with owner, approver, reason, compensating controls "
        "(e.g. sign-in only from a fixed IP) and expiry, and review it when it expires. Never "
        "exclude contractor or guest admin accounts.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CSMG-3:9", "CIS-M365:5.2.2.2"),
    why=Text(
        "ASKUL では委託先の管理者アカウントが MFA の「例外」とされ、誰も見直さないまま"
        "4 か月間使われました。",
        "At ASKUL a contractor's admin account was an MFA 'exception' nobody reviewed, and it "
        "was used for four months.",
    ),
    run=run,
)
