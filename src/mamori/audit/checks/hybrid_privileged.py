"""Cloud admin accounts synchronised from on-premises Active Directory.

Whoever takes the AD domain (or the sync server) controls a synced account's password and so
its cloud admin rights: the on-premises foothold becomes tenant admin. Cloud admins should be
cloud-only accounts.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled, role_names
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Severity, Text
from mamori.audit.model import SourceKind

ID = "HYBRID-PRIVILEGED"


def run(context: AuditContext) -> CheckResult:
    judged = [
        a
        for a in enabled(context.data.accounts)
        if a.source != SourceKind.ad and a.privileged and a.synced_from_on_premises is not None
    ]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "クラウドの管理者アカウントがオンプレミス AD から同期されているかを示す"
                "エクスポートがありません(Entra の users の onPremisesSyncEnabled)。",
                "No export says whether cloud admin accounts are synchronised from "
                "on-premises AD (Entra users onPremisesSyncEnabled).",
            ),
        )
    findings = [
        context.account_finding(
            ID,
            Severity.high,
            account,
            Text(
                "管理者アカウント {name}({source}、{roles})はオンプレミス AD から"
                "同期されています。",
                "Privileged account {name} ({source}, {roles}) is synchronised from "
                "on-premises AD.",
            ).format(name=account.name, source=account.source, roles=role_names(account)),
        )
        for account in judged
        if account.synced_from_on_premises
    ]
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "オンプレミス AD から同期された管理者アカウント",
        "Cloud admin accounts synchronised from on-premises AD",
    ),
    remediation=Text(
        "クラウドの管理者には同期しないクラウド専用アカウントを別に用意し、同期アカウントから"
        "管理者ロールを外してください。",
        "Create separate cloud-only accounts for cloud administration and remove admin roles "
        "from synchronised accounts.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5", "CIS-M365:1.1.1"),
    why=Text(
        "ASKUL のように社内ネットワークへ侵入されると、同期された管理者アカウントを通じて"
        "クラウドの管理権限まで奪われます。",
        "Once attackers are inside the network, as at ASKUL, a synchronised admin account "
        "hands them cloud admin too.",
    ),
    run=run,
)
