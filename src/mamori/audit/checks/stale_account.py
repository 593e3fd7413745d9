"""Dormant accounts, unaccepted guest invitations and idle or unrotated access keys.

Privileged accounts are left to STALE-PRIVILEGED, which judges them by a stricter limit, so one
dormant admin is one finding, not two.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._stale import Limits, stale_result
from mamori.audit.context import AuditContext
from mamori.audit.findings import CheckResult, Severity, Text
from mamori.audit.model import Account

ID = "STALE-ACCOUNT"


def _severity(account: Account) -> Severity:
    """Outside accounts are watched hardest: nobody inside notices when they wake up."""
    return Severity.high if "external" in account.tags else Severity.medium


def run(context: AuditContext) -> CheckResult:
    thresholds = context.thresholds
    limits = Limits(
        idle_days=thresholds.stale_days,
        key_idle_days=thresholds.access_key_rotation_days,
        rotation_days=thresholds.access_key_rotation_days,
        pending_days=thresholds.pending_guest_days,
    )
    accounts = [a for a in context.data.accounts if not a.privileged]
    return stale_result(context, ID, accounts, limits, _severity)


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text(
        "長期間使われていないアカウント・アクセスキー",
        "Dormant accounts, pending guest invitations and idle access keys",
    ),
    remediation=Text(
        "使われていないアカウントは所有者に確認のうえ無効化・削除し、承諾されないゲスト招待は"
        "取り消してください。アクセスキーは不要なら削除し、必要なものは定期的にローテーション"
        "します。",
        "Confirm dormant accounts with their owners, then disable or delete them; revoke "
        "guest invitations that were never accepted; delete unneeded access keys and rotate "
        "the rest on a schedule.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-AWS:1.12", "CIS-AWS:1.14"),
    why=Text(
        "ASKUL の委託先アカウントは、使われていない間も有効なまま残り、侵入に使われました。",
        "At ASKUL a contractor account stayed enabled while nobody used it, until the "
        "attackers did.",
    ),
    run=run,
)
