"""Outsiders who signed in to admin portals and admin tools.

A B2B guest, a B2B direct-connect user or a service provider (a partner managing the tenant
through GDAP) reaching the Azure portal, the Entra or Microsoft 365 admin centers or an admin
PowerShell is the outside-admin path of the ASKUL case. It may be legitimate — an IT vendor
under contract — and then belongs in the exception register with an owner and an end date.
"""

from __future__ import annotations

from mamori.audit.checks import Check
from mamori.audit.checks._policies import (
    SIGNINS_MISSING,
    signin_accounts,
    signin_finding,
    signins_known,
)
from mamori.audit.context import AuditContext, not_applicable, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account, SignIn

ID = "SIGNIN-CROSSTENANT-ADMIN"

ADMIN_APPLICATIONS = (
    "Azure Portal",
    "Microsoft Azure Management",
    "Windows Azure Service Management API",
    "Microsoft Entra admin center",
    "Microsoft 365 admin center",
    "Microsoft 365 Security and Compliance Center",
    "Exchange Admin Center",
    "Azure Active Directory PowerShell",
    "Azure AD PowerShell",
    "Microsoft Graph PowerShell",
    "Microsoft Graph Command Line Tools",
    "Microsoft Azure PowerShell",
    "Microsoft Azure CLI",
    "Microsoft Exchange REST API Based Powershell",
)
"""appDisplayName / resourceDisplayName values of Microsoft's admin portals and admin shells
(case-insensitive). Graph PowerShell signs in as "Microsoft Graph Command Line Tools"."""
ADMIN = frozenset(a.lower() for a in ADMIN_APPLICATIONS)

CROSS_TENANT = frozenset({"b2bcollaboration", "serviceprovider", "b2bdirectconnect"})
"""crossTenantAccessType values meaning the user's home is another tenant."""


def _outsider(signin: SignIn) -> bool:
    access = (signin.cross_tenant_access_type or "").lower()
    return access in CROSS_TENANT or (signin.user_type or "").lower() == "guest"


def _admin_app(signin: SignIn) -> str | None:
    for name in (signin.application, signin.resource):
        if name and name.lower() in ADMIN:
            return name
    return None


def run(context: AuditContext) -> CheckResult:
    if not signins_known(context):
        return not_applicable(ID, SIGNINS_MISSING)
    outsiders = [s for s in context.data.signins if s.success and _outsider(s)]
    resolver = signin_accounts(context)
    grouped: dict[str, tuple[Account | None, list[SignIn]]] = {}
    for signin in sorted(outsiders, key=lambda s: s.time):
        if _admin_app(signin) is None:
            continue
        account = resolver.resolve(signin)
        key = account.key if account else f"{signin.source}:{signin.account_name.lower()}"
        grouped.setdefault(key, (account, []))[1].append(signin)
    findings = [_finding(context, account, signins) for account, signins in grouped.values()]
    return result(ID, findings, len(outsiders))


def _finding(context: AuditContext, account: Account | None, signins: list[SignIn]) -> Finding:
    """Critical when any of the sign-ins was password-only: an outsider on the admin plane
    without MFA is the ASKUL pattern itself."""
    apps = sorted({app for s in signins if (app := _admin_app(s))})
    kinds = sorted({s.cross_tenant_access_type or s.user_type or "guest" for s in signins})
    single = any(s.single_factor for s in signins)
    name = account.name if account else signins[0].account_name
    return signin_finding(
        context,
        ID,
        Severity.critical if single else Severity.high,
        account,
        signins,
        Text(
            "外部ユーザー {name}({kinds})が管理用アプリ {apps} に {count} 回サインインしました"
            "({first} 〜 {last}){note}。",
            "Outside user {name} ({kinds}) signed in to admin applications {apps} {count} "
            "time(s) ({first} to {last}){note_en}.",
        ).format(
            name=name,
            kinds=", ".join(kinds),
            apps=", ".join(apps),
            count=len(signins),
            first=signins[0].time.isoformat(),
            last=signins[-1].time.isoformat(),
            note="。パスワードのみのサインインを含みます" if single else "",
            note_en=", some with a password only" if single else "",
        ),
        applications=apps,
        access_types=kinds,
    )


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "外部テナントのユーザーによる管理ポータルへのサインイン",
        "Sign-ins from other tenants to admin portals and tools",
    ),
    remediation=Text(
        "該当ユーザーが契約中の委託先の担当者か確認し、不要なら招待・GDAP 関係を削除して"
        "ください。必要な場合は管理ロールを期限付き(PIM)にし、テナント間アクセス設定で"
        "相手先テナントの MFA を信頼するか自テナントで MFA を要求したうえで、例外登録簿に"
        "所有者と期限を記録します。",
        "Confirm the user works for a contracted vendor; if not, remove the invitation or the "
        "GDAP relationship. If needed, make the admin role time-limited (PIM), require MFA "
        "(or trust the partner tenant's MFA in cross-tenant access settings), and record the "
        "access in the exception register with an owner and an expiry.",
    ),
    frameworks=("SCS-3:access-control", "SCS-3:logging", "CSMG-3:5", "CSMG-3:9"),
    why=Text(
        "ASKUL では委託先の管理者アカウントから管理機能に入られました。外部からの管理アクセスは"
        "最も厳しく監視すべき経路です。",
        "ASKUL's attackers reached the admin plane through a contractor's account: outside "
        "admin access is the path to watch hardest.",
    ),
    run=run,
)
