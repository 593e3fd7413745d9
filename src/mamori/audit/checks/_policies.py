"""What Entra Conditional Access policies cover, and whose sign-ins a log line is.

The policy checks (CA-*, BREAKGLASS-HYGIENE, SIGNIN-RISK-ON-EXCEPTION) must agree on who a
policy includes and excludes — a user directly, a member of a (nested) group, a holder of a
directory role, a guest of a given type, or everybody — or one check would call covered what
another calls exempt. The sign-in checks must agree on which account a log line belongs to:
Entra logs a guest under their *home* UPN, not the `#EXT#` name of the guest account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mamori.audit.context import AuditContext
from mamori.audit.exceptions import ExceptionEntry
from mamori.audit.findings import Finding, Severity, Text
from mamori.audit.linking import addresses
from mamori.audit.model import ENTRA_GUEST_TYPES, AccessPolicy, Account, SignIn
from mamori.audit.tagging import names_of

ENTRA = "entra"
ENABLED = "enabled"
REPORT_ONLY = "enabledforreportingbutnotenforced"
DISABLED = "disabled"

GUEST_TYPES = ENTRA_GUEST_TYPES

ALL = "all"
NONE = "none"
GUESTS = "guestsorexternalusers"
USER_KEYWORDS = frozenset({ALL, NONE, GUESTS})
"""includeUsers / excludeUsers values that are keywords, not object ids."""

EXAMPLES = 5
"""Sign-ins whose evidence a finding carries: enough to show the pattern, not the whole log."""

POLICIES_MISSING = Text(
    "Entra の条件付きアクセスポリシーのエクスポートがありません"
    "(GET /identity/conditionalAccess/policies)。",
    "No Entra Conditional Access policy export was supplied "
    "(GET /identity/conditionalAccess/policies).",
)

SIGNINS_MISSING = Text(
    "サインインログのエクスポートがありません(Entra の signIns、Okta の System Log 等)。",
    "No sign-in log export was supplied (Entra signIns, Okta System Log, …).",
)

USERS_MISSING = Text(
    "ユーザーのエクスポートがないため、サインインがどのアカウントのものか判断できません。",
    "No user export was supplied, so sign-ins cannot be tied to accounts.",
)


def state(policy: AccessPolicy) -> str:
    """Policy state lower-cased, so `enabledForReportingButNotEnforced` compares reliably."""
    return policy.state.lower()


def policies_known(context: AuditContext) -> bool:
    """Was the Conditional Access export supplied? (An empty export is known: no policies.)"""
    return context.data.coverage.has(ENTRA, "policies") or bool(context.policies(ENTRA))


def mfa_policies(context: AuditContext, *states: str) -> list[AccessPolicy]:
    """Entra policies that require MFA (or an authentication strength) in one of `states`."""
    return [p for p in context.policies(ENTRA) if p.requires_mfa and state(p) in states]


def guest_type(account: Account) -> str | None:
    """The Conditional Access guest type an account falls under, or None for an insider.

    A `#EXT#` account comes from another tenant: a B2B guest, or a B2B member when its userType
    was set to member. A guest-type account without `#EXT#` is a local (internal) guest. A
    contractor holding an ordinary member account is *not* a CA guest: only user, group or role
    assignments reach it.
    """
    external = "#ext#" in account.name.lower()
    if external and account.user_type == "member":
        return "b2bCollaborationMember"
    if external:
        return "b2bCollaborationGuest"
    if account.user_type == "guest":
        return "internalGuest"
    return None


def covers_all_guests(policy: AccessPolicy) -> bool:
    """Does the policy include every guest and external user, excluding none of them?"""
    users = {u.lower() for u in policy.include_users}
    included = (
        ALL in users
        or GUESTS in users
        or {t.lower() for t in GUEST_TYPES} <= {t.lower() for t in policy.include_guest_types}
    )
    excluded = bool(policy.exclude_guest_types) or GUESTS in {
        u.lower() for u in policy.exclude_users
    }
    return included and not excluded


@dataclass(slots=True)
class Principal:
    """One entry of a policy's include or exclude lists, with the accounts it reaches."""

    subject: str
    """How findings name it: an account key, or entra:user|group|role|guests:<id>."""
    label: str
    """What a person recognises: UPN, group or role name, guest type."""
    aliases: tuple[str, ...]
    """Lower-cased names an exception register entry may use for it."""
    accounts: list[Account] = field(default_factory=list)
    kind: str = "account"
    """account | user (an id that resolves to no account) | group | role | guests | all."""


class Scopes:
    """Who each Entra policy reaches, resolved once per check run (groups expanded once)."""

    def __init__(self, context: AuditContext) -> None:
        self.context = context
        self.accounts = list(context.accounts_by_source.get(ENTRA, []))
        self._members: dict[str, set[str]] = {}
        self._principals: dict[tuple[str, str], list[Principal]] = {}
        self._reach: dict[tuple[str, str], set[int]] = {}

    def group_members(self, group_id: str) -> set[str]:
        """Account ids in a group: the groups export (nested expanded) and the users' own
        group lists, because either export may be the one that was supplied."""
        key = group_id.lower()
        if key not in self._members:
            members = self.context.group_member_ids(ENTRA, group_id)
            members |= {a.id.lower() for a in self.accounts if key in _lowered(a.groups)}
            self._members[key] = members
        return self._members[key]

    def principals(self, policy: AccessPolicy, side: str) -> list[Principal]:
        """Entries of the policy's `include` or `exclude` lists, each resolved to accounts."""
        key = (policy.id, side)
        if key not in self._principals:
            self._principals[key] = self._resolve(policy, side)
        return self._principals[key]

    def _resolve(self, policy: AccessPolicy, side: str) -> list[Principal]:
        users = policy.include_users if side == "include" else policy.exclude_users
        groups = policy.include_groups if side == "include" else policy.exclude_groups
        roles = policy.include_roles if side == "include" else policy.exclude_roles
        guest_types = (
            policy.include_guest_types if side == "include" else policy.exclude_guest_types
        )
        found = [p for u in users if (p := self._user(u)) is not None]
        found += [self._group(g) for g in groups]
        found += [self._role(r) for r in roles]
        found += [self._guests(t) for t in guest_types]
        return found

    def _user(self, value: str) -> Principal | None:
        lowered = value.lower()
        if lowered == NONE:
            return None
        if lowered == ALL:
            subject = "entra:users:All"
            return Principal(subject, "All users", _unique(subject), self.accounts, "all")
        if lowered == GUESTS:
            guests = [a for a in self.accounts if guest_type(a) is not None]
            return Principal(
                "entra:guests:GuestsOrExternalUsers",
                "GuestsOrExternalUsers",
                ("entra:guests:guestsorexternalusers", GUESTS),
                guests,
                "guests",
            )
        account = self.context.account_by_id.get((ENTRA, lowered))
        if account is None:
            subject = f"entra:user:{value}"
            return Principal(subject, value, (subject.lower(), lowered), [], "user")
        aliases = [*names_of(account), *addresses(account)]
        if account.display_name:
            aliases.append(account.display_name.lower())
        return Principal(account.key, account.name, tuple(dict.fromkeys(aliases)), [account])

    def _group(self, group_id: str) -> Principal:
        group = self.context.group_by_id.get((ENTRA, group_id.lower()))
        name = group.name if group else group_id
        subject = f"entra:group:{group_id}"
        members = self.group_members(group_id)
        return Principal(
            subject,
            name,
            _unique(subject, group_id, name),
            [a for a in self.accounts if a.id.lower() in members],
            "group",
        )

    def _role(self, role_id: str) -> Principal:
        wanted = role_id.lower()
        holders = [a for a in self.accounts if _holds_role(a, wanted)]
        names = [
            r.role for a in holders for r in a.roles if _role_matches(r.role_id, r.role, wanted)
        ]
        name = names[0] if names else role_id
        subject = f"entra:role:{role_id}"
        return Principal(subject, name, _unique(subject, role_id, name), holders, "role")

    def _guests(self, kind: str) -> Principal:
        subject = f"entra:guests:{kind}"
        reached = [a for a in self.accounts if (guest_type(a) or "").lower() == kind.lower()]
        return Principal(subject, kind, _unique(subject, kind), reached, "guests")

    def reach(self, policy: AccessPolicy, side: str) -> set[int]:
        """`id()`s of the accounts the policy's include or exclude side reaches."""
        key = (policy.id, side)
        if key not in self._reach:
            self._reach[key] = {
                id(a) for principal in self.principals(policy, side) for a in principal.accounts
            }
        return self._reach[key]

    def applies(self, policy: AccessPolicy, account: Account) -> bool:
        """Entra semantics: included by any entry and excluded by none (exclusions win)."""
        return id(account) in self.reach(policy, "include") and id(account) not in self.reach(
            policy, "exclude"
        )

    def excluded_by(self, policy: AccessPolicy, account: Account) -> list[Principal]:
        """The exclude entries through which the policy leaves this account out."""
        if id(account) not in self.reach(policy, "exclude"):
            return []
        return [
            p for p in self.principals(policy, "exclude") if any(a is account for a in p.accounts)
        ]


def _lowered(values: list[str]) -> set[str]:
    return {v.lower() for v in values}


def _unique(*names: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.lower() for n in names if n))


def _role_matches(role_id: str | None, role: str, wanted: str) -> bool:
    """CA lists role template ids; built-in role definition ids equal them. Names are accepted
    too, for exports that only carry the role's display name."""
    return (role_id or "").lower() == wanted or role.lower() == wanted


def _holds_role(account: Account, wanted: str) -> bool:
    """An *active* role assignment: CA role conditions do not reach eligible (PIM) roles until
    they are activated."""
    return any(
        _role_matches(r.role_id, r.role, wanted) and (r.assignment_type or "").lower() != "eligible"
        for r in account.roles
    )


def register_entries(
    context: AuditContext, aliases: tuple[str, ...], check_id: str | None = None
) -> list[ExceptionEntry]:
    """Register entries naming one of `aliases` — for `check_id`, or for any check. Validity
    is the caller's question: an expired entry still says the subject was meant as an exception."""
    names = list(aliases)
    return [
        entry
        for entry in context.register.entries
        if any(entry.covers(c, names) for c in ([check_id] if check_id else entry.checks))
    ]


def signins_known(context: AuditContext) -> bool:
    """Was a sign-in log supplied? (An export with no rows is known: nobody signed in.)"""
    return bool(context.data.signins) or any(
        context.data.coverage.has(source, "signins") for source in context.data.coverage.sources()
    )


def signin_accounts(context: AuditContext) -> SignInAccounts:
    """The resolver shared by the sign-in checks (its name index is built once per audit)."""
    return context.shared("signin_accounts", lambda: SignInAccounts(context))


class SignInAccounts:
    """Which account a sign-in belongs to: its object id, else its logged name matched
    case-insensitively against names, e-mails and linked addresses (a guest's home UPN)."""

    def __init__(self, context: AuditContext) -> None:
        self.context = context
        self._by_name: dict[tuple[str, str], Account] = {}
        for account in context.data.accounts:
            for name in [*context.aliases(account), *addresses(account)]:
                self._by_name.setdefault((account.source, name), account)

    def resolve(self, signin: SignIn) -> Account | None:
        if signin.account_id:
            found = self.context.account_by_id.get((signin.source, signin.account_id.lower()))
            if found is not None:
                return found
        return self._by_name.get((signin.source, signin.account_name.strip().lower()))

    def by_account(self, signins: list[SignIn]) -> dict[int, tuple[Account, list[SignIn]]]:
        """Resolved sign-ins grouped per account, in time order (unresolved ones dropped)."""
        grouped: dict[int, tuple[Account, list[SignIn]]] = {}
        for signin in sorted(signins, key=lambda s: s.time):
            account = self.resolve(signin)
            if account is not None:
                grouped.setdefault(id(account), (account, []))[1].append(signin)
        return grouped


def signin_finding(
    context: AuditContext,
    check_id: str,
    severity: Severity,
    account: Account | None,
    signins: list[SignIn],
    message: Text,
    **details: object,
) -> Finding:
    """A finding about one account's sign-ins (time-ordered): count, first and last time, and
    the evidence of up to `EXAMPLES` of them, so the report shows the log lines. A sign-in
    name no exported account carries (a service provider's technician) is still a subject:
    `<source>:<logged name>`."""
    summary = {
        "count": len(signins),
        "first": signins[0].time.isoformat(),
        "last": signins[-1].time.isoformat(),
        **details,
    }
    if account is not None:
        finding = context.account_finding(check_id, severity, account, message, **summary)
    else:
        first = signins[0]
        subject = f"{first.source}:{first.account_name}"
        finding = Finding(
            check_id=check_id,
            severity=severity,
            subject=subject,
            subject_kind="account",
            message=message,
            details={"account": first.account_name, "source": first.source, **summary},
            aliases=_unique(subject, first.account_name, first.account_id or ""),
        )
    finding.evidence += [e for s in signins[:EXAMPLES] for e in s.evidence]
    return finding
