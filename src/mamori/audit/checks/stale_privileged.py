"""Dormant privileged accounts and their idle or unrotated access keys (stricter limit)."""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._stale import Limits, stale_result
from mamori.audit.context import AuditContext
from mamori.audit.findings import CheckResult, Severity, Text

ID = "STALE-PRIVILEGED"


def run(context: AuditContext) -> CheckResult:
    thresholds = context.thresholds
    limits = Limits(
        idle_days=thresholds.stale_privileged_days,
        key_idle_days=thresholds.stale_privileged_days,
        rotation_days=thresholds.access_key_rotation_days,
        pending_days=thresholds.pending_guest_days,
    )
    accounts = [a for a in context.data.accounts if a.privileged]
    return stale_result(context, ID, accounts, limits, lambda _: Severity.high)


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text("長期間使われていない管理者アカウント", "Dormant privileged accounts"),
    remediation=Text(
        "使われていない管理者アカウントは無効化し、管理者権限は必要な作業の間だけ付与して"
        "ください(Entra PIM の資格のある割り当て等)。管理者のアクセスキーは削除するか、"
        "短い間隔でローテーションします。",
        "Disable dormant admin accounts and grant admin rights only for the work that needs "
        "them (e.g. Entra PIM eligible assignments); delete admins' access keys or rotate "
        "them often.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-AWS:1.12", "CIS-AWS:1.14"),
    why=Text(
        "委託先の作業の合間に放置された管理者アカウントは、ASKUL のように気付かれずに"
        "悪用されます。",
        "An admin account left idle between a vendor's jobs is misused unnoticed, as at ASKUL.",
    ),
    run=run,
)
