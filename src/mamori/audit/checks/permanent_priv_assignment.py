"""Privileged role assignments with no end: standing admin instead of just-in-time.

A permanent assignment is admin rights that are there when the attacker arrives; an eligible
or time-bound one has to be activated (with MFA, a reason, maybe approval) and leaves a trace.
Emergency-access (break-glass) accounts are skipped: Microsoft's guidance keeps their Global
Administrator assignment permanent so they work when PIM or MFA does not; BREAKGLASS-HYGIENE
judges them.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled
from mamori.audit.context import AuditContext, break_glass_note, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, RoleAssignment

ID = "PERMANENT-PRIV-ASSIGNMENT"


def _known(account: Account) -> list[RoleAssignment]:
    """Active privileged assignments whose end is known. A PIM *eligible* assignment without
    an end is the goal, not the problem: it grants nothing until activated."""
    return [
        r
        for r in account.roles
        if r.privileged
        and r.permanent is not None
        and (r.assignment_type or "").casefold() != "eligible"
    ]


def _finding(context: AuditContext, account: Account, roles: list[str]) -> Finding:
    external = "external" in account.tags
    return context.account_finding(
        ID,
        Severity.high if external else Severity.medium,
        account,
        Text(
            "{who} {name}({source})は管理者ロール {roles} を期限なしで割り当てられています。",
            "{who_en} {name} ({source}) holds {roles} permanently, with no end.",
        ).format(
            who="外部アカウント" if external else "アカウント",
            who_en="External account" if external else "Account",
            name=account.name,
            source=account.source,
            roles=", ".join(roles),
        ),
        roles=roles,
    )


def run(context: AuditContext) -> CheckResult:
    judged = [
        a for a in enabled(context.data.accounts) if _known(a) and "break_glass" not in a.tags
    ]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "管理者ロールの割り当てが恒久か期限付きかを示すエクスポートがありません"
                "(Entra の roleAssignmentScheduleInstances 等)。",
                "No export says whether privileged role assignments are permanent or "
                "time-bound (Entra roleAssignmentScheduleInstances…).",
            ),
        )
    findings = []
    for account in judged:
        roles = sorted({r.role for r in _known(account) if r.permanent})
        if roles:
            findings.append(_finding(context, account, roles))
    note = break_glass_note(
        enabled(context.data.accounts),
        Text(
            "緊急用アカウントは恒久的な割り当てが推奨されます(Microsoft のガイダンス)。",
            "emergency access accounts are meant to hold permanent assignments (Microsoft's "
            "guidance); BREAKGLASS-HYGIENE checks them instead.",
        ),
    )
    return result(ID, findings, len(judged), note)


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("恒久的な管理者ロールの割り当て", "Permanent privileged role assignments"),
    remediation=Text(
        "管理者ロールは資格のある(eligible)割り当てか期限付きの割り当てにし、使うときだけ"
        "MFA と理由を求めて有効化させてください(Entra PIM)。委託先には恒久的な割り当てを"
        "与えないこと。",
        "Make privileged roles eligible or time-bound and require MFA and a reason to "
        "activate them (Entra PIM); never give a vendor a permanent assignment.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5"),
    why=Text(
        "ASKUL の委託先アカウントは常に管理者権限を持っていたため、侵入直後から悪用できました。",
        "ASKUL's contractor account held admin rights at all times, so they were usable "
        "the moment the attackers got in.",
    ),
    run=run,
)
