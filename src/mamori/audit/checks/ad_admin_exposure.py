"""AD admin accounts exposed to well-known credential attacks once an attacker is inside.

- a service principal name makes the account Kerberoastable: any domain user can request a
  ticket encrypted with its password and crack it offline;
- no Kerberos pre-authentication makes it AS-REP roastable, the same without even a session;
- delegation (unconstrained, or protocol transition) lets a compromised server act as it;
- outside Protected Users and without "sensitive and cannot be delegated", its credentials
  can be delegated and cached on the machines it logs on to.

A key the AD export did not carry is unknown, never a pass or a fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mamori.audit.checks import Check
from mamori.audit.checks._accounts import enabled
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SourceKind

ID = "AD-ADMIN-EXPOSURE"

_KEYS = (
    "service_principal_names",
    "preauth_not_required",
    "trusted_for_delegation",
    "trusted_to_auth_for_delegation",
    "protected_users",
    "not_delegated",
)


@dataclass(frozen=True, slots=True)
class Exposure:
    id: str
    severity: Severity
    text: Text
    applies: Callable[[dict[str, Any]], bool]
    """Test on `Account.attributes`."""


_EXPOSURES = (
    Exposure(
        "kerberoastable",
        Severity.critical,
        Text("SPN があり Kerberoasting の対象です", "it has an SPN (Kerberoastable)"),
        lambda a: bool(a.get("service_principal_names")),
    ),
    Exposure(
        "asrep_roastable",
        Severity.critical,
        Text(
            "Kerberos 事前認証が不要です(AS-REP Roasting)",
            "it needs no Kerberos pre-authentication (AS-REP roastable)",
        ),
        lambda a: a.get("preauth_not_required") is True,
    ),
    Exposure(
        "unconstrained_delegation",
        Severity.high,
        Text("制約のない委任が許可されています", "it is trusted for unconstrained delegation"),
        lambda a: a.get("trusted_for_delegation") is True,
    ),
    Exposure(
        "protocol_transition",
        Severity.high,
        Text(
            "プロトコル遷移による委任が許可されています",
            "it is trusted to authenticate for delegation (protocol transition)",
        ),
        lambda a: a.get("trusted_to_auth_for_delegation") is True,
    ),
    Exposure(
        "not_protected_users",
        Severity.medium,
        Text("Protected Users グループに入っていません", "it is not in Protected Users"),
        lambda a: a.get("protected_users") is False,
    ),
    Exposure(
        "delegable",
        Severity.medium,
        Text(
            "「アカウントは重要なので委任できない」が未設定です",
            "'account is sensitive and cannot be delegated' is not set",
        ),
        lambda a: a.get("not_delegated") is False and a.get("protected_users") is not True,
    ),
)
"""Protected Users also blocks delegation, so a member without the not-delegated flag is not
'delegable'."""


def _finding(context: AuditContext, account: Account) -> Finding | None:
    found = [e for e in _EXPOSURES if e.applies(account.attributes)]
    if not found:
        return None
    return context.account_finding(
        ID,
        max((e.severity for e in found), key=lambda s: s.rank),
        account,
        Text("AD 管理者アカウント {name}: {ja}。", "AD admin account {name}: {en}.").format(
            name=account.name,
            ja="、".join(e.text.ja for e in found),
            en="; ".join(e.text.en for e in found),
        ),
        exposures=[e.id for e in found],
        service_principal_names=account.attributes.get("service_principal_names"),
    )


def run(context: AuditContext) -> CheckResult:
    judged = [
        a
        for a in enabled(context.data.accounts)
        if a.source == SourceKind.ad and a.privileged and any(k in a.attributes for k in _KEYS)
    ]
    if not judged:
        return not_applicable(
            ID,
            Text(
                "AD 管理者アカウントの SPN・委任・Protected Users・事前認証の設定を示す AD の"
                "エクスポートがありません。",
                "No AD export gives admin accounts' SPNs, delegation, Protected Users "
                "membership or pre-authentication settings.",
            ),
        )
    findings = [f for a in judged if (f := _finding(context, a)) is not None]
    return result(ID, findings, len(judged))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "攻撃に晒された AD 管理者アカウント",
        "AD admin accounts exposed to credential attacks",
    ),
    remediation=Text(
        "管理者アカウントから SPN を外し(サービスは gMSA へ)、Kerberos 事前認証を必須にし、"
        "委任の許可を外してください。管理者は Protected Users グループに入れ、"
        "「アカウントは重要なので委任できない」を設定します。",
        "Remove SPNs from admin accounts (move services to gMSA), require Kerberos "
        "pre-authentication, remove delegation rights, put admins in Protected Users and set "
        "'account is sensitive and cannot be delegated'.",
    ),
    frameworks=("SCS-3:access-control", "CSMG-3:5"),
    why=Text(
        "ASKUL では侵入後に権限を広げられ、ランサムウェアの展開に至りました。こうした設定は"
        "その足掛かりになります。",
        "At ASKUL the attackers widened their rights after getting in, up to deploying "
        "ransomware; these settings are the footholds for that.",
    ),
    run=run,
)
