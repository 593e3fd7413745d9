"""External accounts that belong to no vendor of the registry: the registry is incomplete.

サイバーセキュリティ経営ガイドライン 指示9 starts with knowing which outside parties have access.
A contractor or guest account no registered vendor holds is access nobody has a contract for:
no obligations, no contact, no contract end to stop it.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled
from mamori.audit.checks._vendors import no_registry
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.linking import guest_home_address
from mamori.audit.model import Account

ID = "VENDOR-UNREGISTERED-ACCOUNTS"


def _severity(account: Account) -> Severity:
    """Admin rights first; a contractor account almost always works for a vendor, while a
    plain guest is often a customer sharing a Teams channel."""
    if account.privileged:
        return Severity.high
    if account.tags & {"contractor", "declared_external"}:
        return Severity.medium
    return Severity.low


def _domain(account: Account) -> str | None:
    """The outside organisation's mail domain, to help find the vendor it belongs to."""
    for value in (guest_home_address(account.name), account.email, account.name):
        if value and "@" in value:
            return value.rsplit("@", 1)[1].lower()
    return None


def _finding(context: AuditContext, account: Account) -> Finding:
    domain = _domain(account)
    org = account.company or domain
    return context.account_finding(
        ID,
        _severity(account),
        account,
        Text(
            "外部アカウント {name}({source}{org})は委託先台帳のどの委託先にも属していません。",
            "External account {name} ({source}{org_en}) belongs to no vendor of the registry.",
        ).format(
            name=account.name,
            source=account.source,
            org=f"、{org}" if org else "",
            org_en=f", {org}" if org else "",
        ),
        company=account.company,
        domain=domain,
    )


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    judged = [a for a in enabled(context.data.accounts) if "external" in a.tags]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "エクスポートに外部アカウント(ゲスト・委託先)がありません。",
                "The exports hold no external (guest or contractor) accounts.",
            ),
        )
    findings = [_finding(context, a) for a in judged if "vendor" not in a.tags]
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("委託先台帳にない外部アカウント", "External accounts no registered vendor holds"),
    remediation=Text(
        "アカウントの持ち主の委託先を台帳に登録し(accounts にパターンを追加)、契約・連絡先・"
        "義務を記入してください。委託先でないゲストは、不要なら削除します。",
        "Register the vendor the account belongs to (add a pattern to its accounts) with its "
        "contract, contact and obligations; delete guests that are no vendor's and no "
        "longer needed.",
    ),
    frameworks=("SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "ASKUL の侵入口は委託先のアカウントでした。把握していない外部アカウントは管理も"
        "監視もされません。",
        "ASKUL was entered through a contractor's account; outside accounts nobody has "
        "registered are neither managed nor watched.",
    ),
    run=run,
)
