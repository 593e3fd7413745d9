"""External accounts nobody inside is responsible for: no sponsor, no manager, no vendor contact.

Someone has to be asked "is this access still needed?" — for a guest its sponsors, for a
contractor its manager. An account a registered vendor holds is owned through the contract only
when the registry names a contact for that vendor; without one, nobody is.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled, sources_with
from mamori.audit.checks._vendors import vendors_of
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account

ID = "NO-OWNER"


def _owner(account: Account, context: AuditContext, owner_data: set[str]) -> str | None:
    """Who owns the account ('' when nobody does, None when the exports cannot tell)."""
    if account.sponsors:
        return "sponsors: " + ", ".join(account.sponsors)
    if account.manager:
        return f"manager: {account.manager}"
    contacts = [v for v in vendors_of(account, context.vendors) if v.contact]
    if contacts:
        return "; ".join(f"vendor {v.id} contact: {v.contact}" for v in contacts)
    return "" if account.source in owner_data else None


def _finding(context: AuditContext, account: Account) -> Finding:
    vendors = vendors_of(account, context.vendors)
    note = Text("", "")
    if vendors:
        ids = ", ".join(v.id for v in vendors)
        note = Text(
            f"委託先 {ids} にも台帳上の連絡先(contact)がありません。",
            f" Its vendor {ids} has no contact in the registry either.",
        )
    return context.account_finding(
        ID,
        Severity.high if account.privileged else Severity.medium,
        account,
        Text(
            "外部アカウント {name}({source})にはスポンサーも上長も設定されていません。{note}",
            "External account {name} ({source}) has no sponsor and no manager.{note_en}",
        ).format(name=account.name, source=account.source, note=note.ja, note_en=note.en),
        vendors=[v.id for v in vendors],
    )


def run(context: AuditContext) -> CheckResult:
    owner_data = sources_with(context.data.accounts, lambda a: bool(a.sponsors or a.manager))
    candidates = [a for a in enabled(context.data.accounts) if "external" in a.tags]
    owners = {a.key: _owner(a, context, owner_data) for a in candidates}
    judged = [a for a in candidates if owners[a.key] is not None]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "外部アカウントのスポンサー・上長を示すエクスポートがなく、委託先台帳にも"
                "連絡先がありません(Entra の users は sponsors・manager を含めて"
                "出力してください)。",
                "No export gives the sponsors or manager of external accounts and no vendor "
                "of the registry names a contact (export Entra users with sponsors and "
                "manager expanded).",
            ),
        )
    findings = [_finding(context, a) for a in judged if owners[a.key] == ""]
    outcome = result(ID, findings, len(judged))
    outcome.reason = Text(
        "外部アカウント {judged} 件を判定しました(所有者情報のない {unknown} 件は対象外)。",
        "{judged} external accounts judged ({unknown} in exports without owner data not counted).",
    ).format(judged=len(judged), unknown=len(candidates) - len(judged))
    return outcome


CHECK = Check(
    id=ID,
    severity=Severity.medium,
    title=Text("所有者のいない外部アカウント", "External accounts without an owner"),
    remediation=Text(
        "ゲストにはスポンサーを、委託先・派遣のアカウントには社内の上長(管理責任者)を設定し、"
        "委託先台帳には各委託先の連絡先を記入してください。所有者を決められない"
        "アカウントは無効化します。",
        "Give every guest a sponsor and every contractor account an internal manager, and "
        "record a contact for every vendor in the registry; disable accounts nobody will own.",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "ASKUL では委託先の管理者アカウントの必要性を確認する人がいないまま、4 か月間"
        "悪用されました。",
        "At ASKUL nobody was checking whether the contractor's admin account was still "
        "needed, and it was misused for four months.",
    ),
    run=run,
)
