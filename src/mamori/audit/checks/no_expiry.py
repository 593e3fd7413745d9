"""External accounts with no end date, past their end date, or past their vendor's contract.

Contractor access must end when the work ends. An account without an end date outlives the
contract by default; Entra does not disable an account at its employeeLeaveDateTime by itself
(AD does stop an account at accountExpires); and an account of a vendor whose contract is over
should not be enabled at all.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled, sources_with
from mamori.audit.checks._vendors import contract_ended, vendors_of
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SourceKind

ID = "NO-EXPIRY"

_END_FIELDS = frozenset({"employeeleavedatetime", "accountexpires", "accountexpirationdate"})
"""Raw fields that carry an end date: present but empty means "no end", absent means the
export did not include it (Entra returns employeeLeaveDateTime only when selected)."""


def _carries_end_date(account: Account) -> bool:
    """Does the export this account came from say when accounts end? AD always does (an
    accountExpires of "never" is read as no end date)."""
    return (
        account.source == SourceKind.ad
        or account.end_date is not None
        or any(key.lower() in _END_FIELDS for e in account.evidence for key in e.record)
    )


def _problems(
    context: AuditContext, account: Account, end_data: set[str]
) -> list[tuple[Severity, Text]]:
    """What is wrong with this account's end; [] also when it cannot be judged."""
    problems = []
    admin = Severity.high if account.privileged else Severity.medium
    if "external" in account.tags and account.source in end_data:
        if account.end_date is None:
            problems.append((admin, Text("終了日が設定されていません", "it has no end date")))
        elif account.end_date < context.as_of and account.source != SourceKind.ad:
            day = account.end_date.date().isoformat()
            problems.append(
                (
                    Severity.high,
                    Text(
                        f"終了日 {day} を過ぎても有効です",
                        f"it is still enabled after its end date {day}",
                    ),
                )
            )
    for vendor in vendors_of(account, context.vendors):
        if contract_ended(vendor, context.today):
            end = vendor.contract.end.isoformat() if vendor.contract.end else ""
            problems.append(
                (
                    Severity.critical if account.privileged else Severity.high,
                    Text(
                        f"委託先 {vendor.name}({vendor.id})の契約は {end} に終了していますが"
                        "有効なままです",
                        f"the contract of its vendor {vendor.name} ({vendor.id}) ended on {end} "
                        "but it is still enabled",
                    ),
                )
            )
    return problems


def _judged(context: AuditContext, account: Account, end_data: set[str]) -> bool:
    if "external" in account.tags and account.source in end_data:
        return True
    return any(v.contract.end is not None for v in vendors_of(account, context.vendors))


def _finding(
    context: AuditContext, account: Account, problems: list[tuple[Severity, Text]]
) -> Finding:
    return context.account_finding(
        ID,
        max((severity for severity, _ in problems), key=lambda s: s.rank),
        account,
        Text(
            "外部アカウント {name}({source}): {ja}。",
            "External account {name} ({source}): {en}.",
        ).format(
            name=account.name,
            source=account.source,
            ja="、".join(text.ja for _, text in problems),
            en="; ".join(text.en for _, text in problems),
        ),
        end_date=account.end_date.isoformat() if account.end_date else None,
    )


def run(context: AuditContext) -> CheckResult:
    end_data = sources_with(context.data.accounts, _carries_end_date)
    judged = [a for a in enabled(context.data.accounts) if _judged(context, a, end_data)]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "外部アカウントの終了日を示すエクスポート(Entra の employeeLeaveDateTime、AD の "
                "accountExpires)も、契約終了日のある委託先台帳もありません。",
                "No export gives external accounts' end dates (Entra employeeLeaveDateTime, "
                "AD accountExpires) and no vendor registry gives a contract end.",
            ),
        )
    findings = []
    for account in judged:
        problems = _problems(context, account, end_data)
        if problems:
            findings.append(_finding(context, account, problems))
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text("期限のない外部アカウント", "External accounts without an end"),
    remediation=Text(
        "委託先・ゲストのアカウントには契約期間に合わせた終了日を必ず設定し、終了日や契約"
        "終了日を過ぎたアカウントは直ちに無効化してください(Entra ではライフサイクル"
        "ワークフロー等で自動化できます)。",
        "Give every contractor and guest account an end date matching the contract, and "
        "disable accounts past their end or their vendor's contract end at once (Entra "
        "lifecycle workflows can automate it).",
    ),
    frameworks=("SCS-3:access-control", "SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "委託先のアクセスが契約より長く残れば、ASKUL のように誰も使っていないはずの"
        "アカウントが侵入口になります。",
        "Contractor access that outlives the contract becomes, as at ASKUL, an entry point "
        "nobody is supposed to be using.",
    ),
    run=run,
)
