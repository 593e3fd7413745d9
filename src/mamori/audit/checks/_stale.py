"""Dormant accounts and credentials, judged alike by STALE-ACCOUNT and STALE-PRIVILEGED.

A dormant account is a quiet entry point: nobody notices when it starts being used again, and
an account idle between a vendor's jobs is exactly that. Three things are judged:

- an account with no sign-in or use for `idle_days` (never used: counted from `created`);
- a guest whose invitation was never accepted for `pending_guest_days` (counted from the last
  change of its state, i.e. the latest invitation, else from `created`);
- each active access key unused for `key_idle_days` or not rotated for
  `access_key_rotation_days` (AWS reports a never-rotated key's creation as its last rotation).

An account that cannot sign in with a password and holds active keys (an AWS user for a
script) is used only through its keys, so only its keys are judged: one idle key, one finding.

Activity is known per source: when no account of a source has any sign-in or use recorded,
that export does not carry activity and its accounts are counted as unknown, not as never used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mamori.audit.checks._accounts import credential_finding, enabled, sources_with
from mamori.audit.checks._common import last_seen, signs_in_interactively
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, Credential


@dataclass(frozen=True, slots=True)
class Limits:
    idle_days: int
    key_idle_days: int
    rotation_days: int
    pending_days: int


def _account_problem(
    context: AuditContext, account: Account, limits: Limits, activity: set[str]
) -> tuple[bool, Text | None]:
    """(could be judged, what is wrong if anything)."""
    values = {"name": account.name, "source": account.source}
    if (account.guest_state or "").casefold() == "pendingacceptance":
        days = context.days_since(account.attributes.get("guest_state_changed") or account.created)
        if days is None:
            return False, None
        if days <= limits.pending_days:
            return True, None
        return True, Text(
            "ゲスト {name}({source})は {days} 日前の招待をまだ承諾していません。",
            "Guest {name} ({source}) has not accepted the invitation sent {days} days ago.",
        ).format(days=days, **values)
    if account.source not in activity:
        return False, None
    seen = last_seen(account)
    if seen is not None:
        days = context.days_since(seen)
        if days is None or days <= limits.idle_days:
            return True, None
        return True, Text(
            "{name}({source})は {days} 日間サインイン・利用がありません(最終 {last})。",
            "{name} ({source}) has not signed in or been used for {days} days (last {last}).",
        ).format(days=days, last=seen.date().isoformat(), **values)
    days = context.days_since(account.created)
    if days is None:
        return False, None
    if days <= limits.idle_days:
        return True, None
    return True, Text(
        "{name}({source})は作成から {days} 日間一度も使われていません。",
        "{name} ({source}) has never been used in the {days} days since it was created.",
    ).format(days=days, **values)


def _key_problems(
    context: AuditContext, key: Credential, limits: Limits
) -> tuple[bool, list[Text]]:
    """(could be judged, what is wrong with this access key)."""
    issued = key.last_rotated or key.created
    problems = []
    if key.last_used is not None:
        idle = context.days_since(key.last_used)
        if idle is not None and idle > limits.key_idle_days:
            problems.append(
                Text(f"{idle} 日間使われていません", f"has not been used for {idle} days")
            )
    elif issued is not None:
        age = context.days_since(issued)
        if age is not None and age > limits.key_idle_days:
            problems.append(
                Text(
                    f"発行から {age} 日間一度も使われていません",
                    f"has never been used in the {age} days since it was issued",
                )
            )
    age = context.days_since(issued)
    if age is not None and age > limits.rotation_days:
        problems.append(
            Text(f"{age} 日間ローテーションされていません", f"has not been rotated for {age} days")
        )
    return (key.last_used is not None or issued is not None), problems


def _active_keys(account: Account) -> list[Credential]:
    return [c for c in account.credentials if c.kind == "access_key" and c.active is True]


def _account_findings(
    context: AuditContext,
    check_id: str,
    account: Account,
    limits: Limits,
    activity: set[str],
    severity: Severity,
) -> tuple[bool, list[Finding]]:
    """(could be judged, findings) for one account and its active keys."""
    keys = _active_keys(account)
    known, problem = False, None
    if signs_in_interactively(account) or not keys:
        known, problem = _account_problem(context, account, limits, activity)
    findings = []
    if problem is not None:
        findings.append(context.account_finding(check_id, severity, account, problem))
    for key in keys:
        key_known, problems = _key_problems(context, key, limits)
        known = known or key_known
        if problems:
            message = Text(
                "{name}({source})のアクセスキー {key} は{ja}。",
                "Access key {key} of {name} ({source}) {en}.",
            ).format(
                name=account.name,
                source=account.source,
                key=key.id,
                ja="、".join(p.ja for p in problems),
                en=" and ".join(p.en for p in problems),
            )
            findings.append(credential_finding(context, check_id, severity, account, key, message))
    return known, findings


def stale_result(
    context: AuditContext,
    check_id: str,
    accounts: list[Account],
    limits: Limits,
    severity_of: Callable[[Account], Severity],
) -> CheckResult:
    """Findings for `accounts` (disabled ones ignored); not applicable when none could be
    judged, and the reason says how many had no activity data."""
    activity = sources_with(context.data.accounts, lambda a: last_seen(a) is not None)
    findings: list[Finding] = []
    judged = 0
    live = enabled(accounts)
    for account in live:
        known, found = _account_findings(
            context, check_id, account, limits, activity, severity_of(account)
        )
        judged += 1 if known else 0
        findings.extend(found)
    if not judged:
        return not_applicable(
            check_id,
            Text(
                "対象アカウントの最終サインイン・利用日を示すエクスポートがありません"
                "(Entra の signInActivity(P1 以上が必要)、AWS 認証情報レポート、Okta の "
                "lastLogin、Google Workspace の lastLoginTime、AD の lastLogonTimestamp)。",
                "No export gives the last sign-in or use of these accounts (Entra "
                "signInActivity, which needs P1; AWS credential report; Okta lastLogin; "
                "Google Workspace lastLoginTime; AD lastLogonTimestamp).",
            ),
        )
    outcome = result(check_id, findings, judged)
    outcome.reason = Text(
        "{judged} 件を判定しました(サインイン履歴のない {unknown} 件は対象外)。",
        "{judged} accounts judged ({unknown} without any activity data not counted).",
    ).format(judged=judged, unknown=len(live) - judged)
    return outcome
