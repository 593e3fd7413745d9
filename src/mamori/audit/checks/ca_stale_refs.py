"""Policy user and group ids that point at nothing: deleted objects still listed in policies.

An orphan id hides intent: nobody can tell who an exclusion was for, and a restored or
re-created object may silently fall back under it. Only decidable when the full user and group
exports were supplied; otherwise a missing id may simply not have been exported.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import ENTRA, POLICIES_MISSING, USER_KEYWORDS, policies_known
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import AccessPolicy

ID = "CA-STALE-REFS"


def run(context: AuditContext) -> CheckResult:
    if not policies_known(context):
        return not_applicable(ID, POLICIES_MISSING)
    missing = [k for k in ("users", "groups") if not context.data.coverage.has(ENTRA, k)]
    if missing:
        return not_applicable(
            ID,
            Text(
                "Entra の {kinds} のエクスポートがないため、ポリシーが参照する ID が実在するか"
                "判断できません。",
                "No Entra {kinds} export was supplied, so policy references cannot be checked.",
            ).format(kinds=" / ".join(missing)),
        )
    policies = context.policies(ENTRA)
    findings = [f for p in policies if (f := _finding(context, p)) is not None]
    return result(ID, findings, len(policies))


def _stale(context: AuditContext, policy: AccessPolicy) -> dict[str, list[str]]:
    """Unresolvable ids per list name (includeUsers, excludeGroups, …), empty lists left out."""
    lists = {
        "includeUsers": (policy.include_users, context.account_by_id),
        "excludeUsers": (policy.exclude_users, context.account_by_id),
        "includeGroups": (policy.include_groups, context.group_by_id),
        "excludeGroups": (policy.exclude_groups, context.group_by_id),
    }
    stale = {
        name: [i for i in ids if i.lower() not in USER_KEYWORDS and (ENTRA, i.lower()) not in known]
        for name, (ids, known) in lists.items()
    }
    return {name: ids for name, ids in stale.items() if ids}


def _finding(context: AuditContext, policy: AccessPolicy) -> Finding | None:
    stale = _stale(context, policy)
    if not stale:
        return None
    listed = "; ".join(f"{name}: {', '.join(ids)}" for name, ids in stale.items())
    in_exclusions = any(name.startswith("exclude") for name in stale)
    return context.policy_finding(
        ID,
        Severity.medium if in_exclusions else Severity.low,
        policy,
        Text(
            "ポリシー「{name}」が存在しないユーザー・グループを参照しています({listed})。",
            "Policy '{name}' refers to users or groups that do not exist ({listed}).",
        ).format(name=policy.name, listed=listed),
        stale=stale,
    )


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text(
        "条件付きアクセスに残った削除済みユーザー・グループの参照",
        "Conditional Access references to deleted users and groups",
    ),
    remediation=Text(
        "ポリシーから存在しない ID を削除してください。除外の意図が残っている場合は、対象を"
        "特定し直して例外登録簿に記録します。",
        "Remove the ids that no longer exist from the policy. Where an exclusion is still "
        "intended, name its real subject again and record it in the exception register.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5"),
    why=Text(
        "誰のための除外か分からない設定は見直されません。ASKUL の MFA 免除も管理されない"
        "まま残っていました。",
        "Exclusions whose subject nobody can name are never reviewed; ASKUL's MFA exemption "
        "also stayed unmanaged.",
    ),
    run=run,
)
