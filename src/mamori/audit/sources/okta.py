"""Okta Management API exports → accounts, groups, sign-on policies and sign-ins.

Okta is read from what its Management API returns, saved as JSON: an array per call, several
arrays' records in one array, or one record per line (JSON lines). The export kinds use the
names every source shares, so checks can ask `coverage.has("okta", "signins")` as for Entra:

- `users` — `GET /api/v1/users` → `Account`.
- `registration` — `GET /api/v1/users/{id}/factors`. That call's answer does not name the user,
  so it is read as `{"userId": ..., "factors": [...]}` per user, or as factor objects that carry
  `userId` or `_links.user.href` → `Account.mfa`.
- `groups` — `GET /api/v1/groups`, and memberships saved as `{"groupId"|"id", "profile",
  "users": [user objects or ids]}` → `Group`, `Account.groups` (group ids, as policies name them).
- `role_assignments` — `GET /api/v1/users/{id}/roles` saved as `{"userId": ..., "roles": [...]}`
  → `RoleAssignment`. Okta lists group-assigned roles there too (`assignmentType` GROUP, the
  group in `_links.assignee.href`), so no group-role export is needed.
- `policies` — `GET /api/v1/policies?type=OKTA_SIGN_ON|ACCESS_POLICY&expand=rules`, rules in
  `_embedded.rules` or `rules` → one `AccessPolicy` per rule (see below).
- `signins` — `GET /api/v1/logs` → `SignIn` per `user.session.start`.

Decisions, each from Okta's documentation:

- `enabled`: STAGED (never activated), SUSPENDED and DEPROVISIONED users cannot sign in; ACTIVE,
  PROVISIONED (activation link outstanding), RECOVERY, LOCKED_OUT (temporary) and
  PASSWORD_EXPIRED users are live accounts an attacker can use, so they count as enabled.
- `mfa.registered`: an ACTIVE factor other than `email` and `question`. Email goes to a mailbox
  that often falls with the same password and a security question is a second *knowledge*
  secret, so neither is a second factor in the sense the checks mean; both still appear in
  `mfa.methods`. A user absent from the factor export stays `None` (cannot tell): a flat factor
  list has no line for a user without factors. `phishing_resistant`: an ACTIVE `webauthn`,
  `u2f` or `signed_nonce` (Okta FastPass). `capable`/`enforced` depend on policies and stay None.
- `employee_type` is `profile.userType`, Okta's standard attribute for Employee/Contractor.
- Roles READ_ONLY_ADMIN and REPORT_ADMIN cannot change anything and are not `privileged`;
  every other role, custom and unknown ones included, is. INACTIVE role assignments are left out.

Policies. Okta applies the *first* matching rule (by priority) of the first matching policy,
while `AccessPolicy` follows Entra, where every matching policy applies. One `AccessPolicy` is
made per rule, named "policy / rule", state ACTIVE only when policy and rule both are, with
`grant_controls` "mfa" when a sign-on rule has `requireFactor` true or an authentication rule
has `verificationMethod.factorMode` "2FA", and "block" for `access` DENY. So that "covered by an
MFA rule" stays true under first-match, a rule's exclusions also list the people of every earlier
active ALLOW rule without MFA (within the policy for ACCESS_POLICY, which is per application;
across all OKTA_SIGN_ON policies, which are org-wide): those people can get in with one factor
under that earlier rule's conditions. When that earlier rule covers everyone, the later rule
excludes "All". A rule's people are its own users/groups, else its policy's groups, else "All".
Left out: network zones, device, risk and platform conditions (a rule is treated as matching
whatever they say), knowledge/possession constraints and authentication method chains
(reported, and such a rule is not counted as requiring MFA), the applications an ACCESS_POLICY
is assigned to (not in the export: `include_applications` stays empty; sign-on policies govern
every Okta sign-in and get "All"). Policies of other types (PASSWORD, MFA_ENROLL…) and policies
exported without rules are reported, not read.

Sign-ins. A successful `user.session.start` is `single_factor` unless a successful
`user.authentication.auth_via_mfa` shares its `authenticationContext.externalSessionId`; with no
session id it is None. Failed sign-ins leave it None. Other events (factor deactivation,
privilege grants, API token creation…) have no place in the model and are not read. The sign-in
window is the span of every event in the logs given, since that is the period they cover.

`Account.attributes` keys: `okta_status` (status as written), `credential_provider`
(`credentials.provider.type`), `never_signed_in` (True when `lastLogin` is present and null,
Okta's way of saying the user never signed in).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import ParseResult, urlparse

from mamori.audit.model import (
    AccessPolicy,
    Account,
    Group,
    IdentityData,
    Mfa,
    RoleAssignment,
    SignIn,
    SourceKind,
)
from mamori.audit.sources.files import Problem, Records
from mamori.audit.sources.json_records import Reader, Where, as_dict, first_kind
from mamori.events import InputProblem

if TYPE_CHECKING:
    from mamori.audit.sources import Export

SOURCE = SourceKind.okta.value

KIND_ORDER = ("users", "groups", "registration", "role_assignments", "policies", "signins")
"""Users first: every other kind is joined onto them."""


USER_ENABLED = {
    "ACTIVE": True,
    "PROVISIONED": True,
    "RECOVERY": True,
    "LOCKED_OUT": True,
    "PASSWORD_EXPIRED": True,
    "STAGED": False,
    "SUSPENDED": False,
    "DEPROVISIONED": False,
}
FACTOR_TYPES = frozenset(
    {
        "call",
        "email",
        "hotp",
        "push",
        "question",
        "signed_nonce",
        "sms",
        "token",
        "token:hardware",
        "token:hotp",
        "token:software:totp",
        "u2f",
        "web",
        "webauthn",
    }
)
NOT_SECOND_FACTOR = frozenset({"email", "question"})
PHISHING_RESISTANT = frozenset({"webauthn", "u2f", "signed_nonce"})
FACTOR_STATUSES = frozenset(
    {"ACTIVE", "PENDING_ACTIVATION", "INACTIVE", "NOT_SETUP", "ENROLLED", "DISABLED", "EXPIRED"}
)
ROLE_TYPES = frozenset(
    {
        "SUPER_ADMIN",
        "ORG_ADMIN",
        "APP_ADMIN",
        "USER_ADMIN",
        "HELP_DESK_ADMIN",
        "READ_ONLY_ADMIN",
        "MOBILE_ADMIN",
        "API_ACCESS_MANAGEMENT_ADMIN",
        "REPORT_ADMIN",
        "GROUP_MEMBERSHIP_ADMIN",
        "ACCESS_CERTIFICATIONS_ADMIN",
        "ACCESS_REQUESTS_ADMIN",
        "WORKFLOWS_ADMIN",
        "CUSTOM",
    }
)
READ_ONLY_ROLES = frozenset({"READ_ONLY_ADMIN", "REPORT_ADMIN"})
GROUP_TYPES = frozenset({"OKTA_GROUP", "APP_GROUP", "BUILT_IN"})
SIGN_IN_POLICY_TYPES = frozenset({"OKTA_SIGN_ON", "ACCESS_POLICY"})
POLICY_TYPES = SIGN_IN_POLICY_TYPES | {
    "PASSWORD",
    "MFA_ENROLL",
    "IDP_DISCOVERY",
    "PROFILE_ENROLLMENT",
    "POST_AUTH_SESSION",
    "ENTITY_RISK",
    "DEVICE_SIGNAL_COLLECTION",
}
STATUSES = frozenset({"ACTIVE", "INACTIVE"})
ACCESS = frozenset({"ALLOW", "DENY"})
FACTOR_MODES = frozenset({"1FA", "2FA"})
OUTCOMES = {
    "SUCCESS": True,
    "ALLOW": True,
    "FAILURE": False,
    "DENY": False,
    "SKIPPED": None,
    "CHALLENGE": None,
    "UNKNOWN": None,
}
SESSION_START = "user.session.start"
MFA_EVENT = "user.authentication.auth_via_mfa"
RISK_LEVEL = re.compile(r"level=(\w+)", re.IGNORECASE)


# --- recognising files -------------------------------------------------------------------------


def sniff(records: Records) -> str | None:
    """The Okta export kind of a JSON file, judged by the keys of its first records."""
    return first_kind(records, _kind_of)


def _kind_of(record: dict[str, Any]) -> str | None:
    profile = record.get("profile")
    record_type = record.get("type") if isinstance(record.get("type"), str) else None
    if isinstance(record.get("eventType"), str) and "published" in record:
        return "signins"
    if isinstance(record.get("factors"), list) and "userId" in record:
        return "registration"
    if isinstance(record.get("factorType"), str) and "status" in record:
        return "registration"
    if isinstance(record.get("roles"), list) and "userId" in record:
        return "role_assignments"
    if record_type in POLICY_TYPES and "name" in record and "status" in record:
        return "policies"
    if isinstance(profile, dict) and "name" in profile:
        if record_type in GROUP_TYPES or "objectClass" in record:
            return "groups"
        if isinstance(record.get("users"), list):
            return "groups"
    if "groupId" in record and isinstance(record.get("users"), list):
        return "groups"
    if isinstance(profile, dict) and "login" in profile and "status" in record:
        return "users"
    return None


def _path(record: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(record, dict):
            return None
        record = record.get(key)
    return record


def _url(href: Any) -> ParseResult | None:
    """A parsed link; None for anything that is not one (urlparse rejects broken IPv6 hosts)."""
    if not isinstance(href, str):
        return None
    try:
        return urlparse(href)
    except ValueError:
        return None


def _id_from_href(href: Any, collection: str) -> str | None:
    """The id after /api/v1/<collection>/ in an Okta HAL link."""
    url = _url(href)
    if url is None:
        return None
    parts = url.path.rstrip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part == collection and parts[index + 1]:
            return parts[index + 1]
    return None


def _rows(export: Export) -> Iterator[Where]:
    file = str(export.records.path)
    for position, record in export.records.rows:
        yield Where(file, position, record)


# --- building ----------------------------------------------------------------------------------


def build(exports: list[Export], on_problem: Problem) -> IdentityData:
    """All Okta files together: users joined with their factors, roles and groups by user id."""
    builder = Builder(Reader(on_problem))
    for export in sorted(exports, key=lambda e: KIND_ORDER.index(e.kind)):
        builder.data.coverage.kinds.setdefault(SOURCE, set()).add(export.kind)
        builder.read(export)
    return builder.finish()


@dataclass(slots=True)
class Builder:
    """Collects every file first: policies and log events can only be judged all together
    (first-match order, sessions spanning events), factors only once users are known."""

    reader: Reader
    data: IdentityData = field(default_factory=IdentityData)
    accounts: dict[str, Account] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    factors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """user id → [(factorType, status)] seen in the factor exports."""
    everyone: set[str] = field(default_factory=set)
    """Ids of the built-in Everyone group, whose members the export does not list."""
    policies: list[tuple[Where, dict[str, Any]]] = field(default_factory=list)
    events: list[tuple[Where, dict[str, Any]]] = field(default_factory=list)

    def read(self, export: Export) -> None:
        readers = {
            "users": self.user,
            "groups": self.group,
            "registration": self.registration,
            "role_assignments": self.roles,
            "policies": self.policy,
            "signins": self.event,
        }
        handle = readers[export.kind]
        for where in _rows(export):
            handle(where)

    def finish(self) -> IdentityData:
        for user_id, account in self.accounts.items():
            if user_id in self.factors:
                account.mfa = _mfa(self.factors[user_id])
        self.data.accounts.extend(self.accounts.values())
        self.data.groups.extend(self.groups.values())
        self.data.policies.extend(policies_from(self.reader, self.policies, self.everyone))
        signins, window = signins_from(self.reader, self.events)
        self.data.signins.extend(signins)
        if window is not None:
            self.data.coverage.signin_window[SOURCE] = window
        return self.data

    # users ---------------------------------------------------------------------------------

    def user(self, where: Where) -> None:
        account = user_account(self.reader, where)
        if account is None:
            return
        existing = self.accounts.get(account.id)
        if existing is not None:
            self.reader.problem(
                where, f"user {account.id} appears again; the first record's values are kept"
            )
            existing.evidence.append(where.evidence())
            return
        self.accounts[account.id] = account

    def account_for(self, where: Where, user_id: str | None, what: str) -> Account | None:
        if user_id is None:
            self.reader.problem(where, f"{what} names no user (userId or _links.user); not used")
            return None
        account = self.accounts.get(user_id)
        if account is None:
            self.reader.problem(
                where, f"{what} for user {user_id}, who is not in the users export; not used"
            )
        return account

    # factors -------------------------------------------------------------------------------

    def registration(self, where: Where) -> None:
        record = where.record
        if isinstance(record.get("factors"), list):
            user_id = self.reader.text(where, record, "userId")
            account = self.account_for(where, user_id, "factors")
            if account is None or user_id is None:
                return
            account.evidence.append(where.evidence())
            seen = self.factors.setdefault(user_id, [])
            for index, factor in enumerate(record["factors"]):
                inner = where.inner("factors", index, factor if isinstance(factor, dict) else {})
                seen.extend(self.factor(inner, factor))
            return
        user_id = self.reader.text(where, record, "userId") or _id_from_href(
            _path(record, "_links", "user", "href"), "users"
        )
        account = self.account_for(where, user_id, "factor")
        if account is None or user_id is None:
            return
        account.evidence.append(where.evidence())
        self.factors.setdefault(user_id, []).extend(self.factor(where, record))

    def factor(self, where: Where, factor: Any) -> list[tuple[str, str]]:
        if not isinstance(factor, dict):
            self.reader.problem(where, "factor is not a JSON object; skipped")
            return []
        factor_type = self.reader.text(where, factor, "factorType")
        status = self.reader.text(where, factor, "status")
        if factor_type is None or status is None:
            self.reader.problem(where, "factor without factorType or status; skipped")
            return []
        if factor_type not in FACTOR_TYPES:
            self.reader.problem(where, f"unknown factorType {factor_type!r}; kept as written")
        if status not in FACTOR_STATUSES:
            self.reader.problem(where, f"unknown factor status {status!r}; not counted as active")
        return [(factor_type, status)]

    # groups --------------------------------------------------------------------------------

    def group(self, where: Where) -> None:
        record = where.record
        group_id = self.reader.text(where, record, "groupId") or self.reader.text(
            where, record, "id"
        )
        if group_id is None:
            self.reader.problem(where, "group without id; skipped")
            return
        name = self.reader.text(where, as_dict(record.get("profile")), "name", "profile.name")
        group = self.groups.get(group_id)
        if group is None:
            group = self.groups[group_id] = Group(SOURCE, group_id, name or group_id)
        elif name and group.name == group_id:
            group.name = name
        group.evidence.append(where.evidence())
        if record.get("type") == "BUILT_IN" and name == "Everyone":
            self.everyone.add(group_id)
        members = record.get("users")
        if members is None:
            return
        if not isinstance(members, list):
            self.reader.problem(where, "users is not a list; group members not read")
            return
        for index, member in enumerate(members):
            self.member(where.inner("users", index, as_dict(member)), group, member)

    def member(self, where: Where, group: Group, member: Any) -> None:
        user_id = member if isinstance(member, str) else as_dict(member).get("id")
        if not isinstance(user_id, str) or not user_id:
            self.reader.problem(where, "group member is neither a user id nor a user with id")
            return
        if user_id not in group.members:
            group.members.append(user_id)
        account = self.accounts.get(user_id)
        if account is None:
            self.reader.problem(
                where, f"member {user_id} of group {group.id} is not in the users export"
            )
            return
        if group.id not in account.groups:
            account.groups.append(group.id)

    # roles ---------------------------------------------------------------------------------

    def roles(self, where: Where) -> None:
        record = where.record
        user_id = self.reader.text(where, record, "userId")
        account = self.account_for(where, user_id, "roles")
        roles = record.get("roles")
        if account is None or not isinstance(roles, list):
            return
        account.evidence.append(where.evidence())
        for index, role in enumerate(roles):
            inner = where.inner("roles", index, as_dict(role))
            assignment = role_assignment(self.reader, inner, role)
            if assignment is not None:
                account.roles.append(assignment)

    # policies and events are interpreted once all files are read ---------------------------

    def policy(self, where: Where) -> None:
        self.policies.append((where, where.record))

    def event(self, where: Where) -> None:
        self.events.append((where, where.record))


# --- users -------------------------------------------------------------------------------------


def user_account(read: Reader, where: Where) -> Account | None:
    """An Okta user → Account; None (reported) when it lacks its id or login."""
    record = where.record
    profile = record.get("profile")
    if not isinstance(profile, dict):
        read.problem(where, "user without a profile object; skipped")
        return None
    user_id = read.text(where, record, "id")
    login = read.text(where, profile, "login", "profile.login")
    if user_id is None or login is None:
        read.problem(where, "user without id or profile.login; skipped")
        return None
    status = read.text(where, record, "status")
    account = Account(
        source=SOURCE,
        id=user_id,
        name=login,
        tenant=_tenant(record),
        email=read.text(where, profile, "email", "profile.email"),
        display_name=_display_name(read, where, profile),
        employee_type=read.text(where, profile, "userType", "profile.userType"),
        company=read.text(where, profile, "organization", "profile.organization"),
        department=read.text(where, profile, "department", "profile.department"),
        enabled=_enabled(read, where, status),
        created=read.time(where, record, "created"),
        last_sign_in=read.time(where, record, "lastLogin"),
        password_last_set=read.time(where, record, "passwordChanged"),
        manager=read.text(where, profile, "manager", "profile.manager")
        or read.text(where, profile, "managerId", "profile.managerId"),
        evidence=[where.evidence()],
    )
    _credentials(read, where, record.get("credentials"), account)
    if status is not None:
        account.attributes["okta_status"] = status
    if "lastLogin" in record and record["lastLogin"] is None:
        account.attributes["never_signed_in"] = True
    return account


def _tenant(record: dict[str, Any]) -> str | None:
    """The Okta org host, from the record's own self link (the user object names no org)."""
    url = _url(_path(record, "_links", "self", "href"))
    return url.hostname if url is not None else None


def _display_name(read: Reader, where: Where, profile: dict[str, Any]) -> str | None:
    shown = read.text(where, profile, "displayName", "profile.displayName")
    if shown:
        return shown
    parts = [
        read.text(where, profile, "firstName", "profile.firstName"),
        read.text(where, profile, "lastName", "profile.lastName"),
    ]
    return " ".join(part for part in parts if part) or None


def _enabled(read: Reader, where: Where, status: str | None) -> bool | None:
    if status is None:
        read.problem(where, "user without status; enabled unknown")
        return None
    if status not in USER_ENABLED:
        read.problem(where, f"unknown user status {status!r}; kept as written, enabled unknown")
        return None
    return USER_ENABLED[status]


def _credentials(read: Reader, where: Where, credentials: Any, account: Account) -> None:
    """Password and provider: a federated or social user has no Okta password to guess."""
    if credentials is None:
        return
    if not isinstance(credentials, dict):
        read.problem(where, "credentials is not an object; ignored")
        return
    account.password_enabled = "password" in credentials
    provider = read.text(where, as_dict(credentials.get("provider")), "type", "provider.type")
    if provider is None:
        return
    account.attributes["credential_provider"] = provider
    if provider in ("ACTIVE_DIRECTORY", "LDAP"):
        account.synced_from_on_premises = True
    elif provider == "OKTA":
        account.synced_from_on_premises = False


def _mfa(factors: list[tuple[str, str]]) -> Mfa:
    active = [factor_type for factor_type, status in factors if status == "ACTIVE"]
    return Mfa(
        registered=any(t not in NOT_SECOND_FACTOR for t in active),
        methods=tuple(dict.fromkeys(active)),
        phishing_resistant=any(t in PHISHING_RESISTANT for t in active),
    )


def role_assignment(read: Reader, where: Where, role: Any) -> RoleAssignment | None:
    """One assigned admin role; INACTIVE assignments grant nothing and are left out."""
    if not isinstance(role, dict):
        read.problem(where, "role is not a JSON object; skipped")
        return None
    role_type = read.text(where, role, "type")
    if role_type is None:
        read.problem(where, "role without type; skipped")
        return None
    if role_type not in ROLE_TYPES:
        read.problem(where, f"unknown role type {role_type!r}; kept and treated as privileged")
    status = read.text(where, role, "status")
    if status == "INACTIVE":
        return None
    if status is not None and status not in STATUSES:
        read.problem(where, f"unknown role status {status!r}; kept as written")
    assignment_type = read.text(where, role, "assignmentType")
    via_group = None
    if assignment_type == "GROUP":
        via_group = _id_from_href(_path(role, "_links", "assignee", "href"), "groups")
    return RoleAssignment(
        role=read.text(where, role, "label") or role_type,
        role_id=role_type,
        privileged=role_type not in READ_ONLY_ROLES,
        assignment_type=assignment_type,
        start=read.time(where, role, "created"),
        via_group=via_group,
    )


# --- policies ----------------------------------------------------------------------------------


@dataclass(slots=True)
class People:
    """Who a rule applies to, in `AccessPolicy` terms."""

    users: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    exclude_users: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()


@dataclass(slots=True)
class PolicyContext:
    """What every rule of one policy inherits from it."""

    where: Where
    name: str
    id: str
    kind: str
    status: str
    people: People
    everyone: set[str]


@dataclass(slots=True)
class Rule:
    policy: AccessPolicy
    scope: str
    """The shadowing scope: every sign-on policy shares one; an access policy is its own."""
    order: tuple[float, int, float, int]
    lets_in_single_factor: bool


def policies_from(
    read: Reader, records: list[tuple[Where, dict[str, Any]]], everyone: set[str]
) -> list[AccessPolicy]:
    """Every rule of the sign-in policies, with first-match shadowing turned into exclusions.

    The built-in Everyone group becomes the keyword "All": its members are never exported.
    """
    rules: list[Rule] = []
    skipped: dict[str, list[str]] = {}
    for number, (where, policy) in enumerate(records):
        kind = policy.get("type")
        if not isinstance(kind, str) or kind not in SIGN_IN_POLICY_TYPES:
            skipped.setdefault(where.file, []).append(str(kind))
            continue
        rules.extend(_policy_rules(read, where, policy, number, everyone))
    for file, kinds in skipped.items():
        read.on_problem(
            InputProblem(
                file,
                "file",
                f"{len(kinds)} policies of type {', '.join(sorted(set(kinds)))} are not sign-in "
                "policies and were not read",
            )
        )
    _shadow(rules)
    return [rule.policy for rule in sorted(rules, key=lambda r: r.order)]


def _priority(value: Any) -> float:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else math.inf


def _policy_rules(
    read: Reader, where: Where, policy: dict[str, Any], number: int, everyone: set[str]
) -> list[Rule]:
    name = read.text(where, policy, "name") or "(unnamed policy)"
    policy_id = read.text(where, policy, "id") or where.position
    raw_rules = _path(policy, "_embedded", "rules")
    key = "_embedded.rules"
    if raw_rules is None:
        raw_rules, key = policy.get("rules"), "rules"
    if not isinstance(raw_rules, list) or not raw_rules:
        read.problem(
            where,
            f"policy {name!r} has no rules in the export (export with expand=rules); "
            "what it requires is unknown, so it was not read",
        )
        return []
    kind = str(policy["type"])
    scope = "sign-on" if kind == "OKTA_SIGN_ON" else f"access {policy_id}"
    context = PolicyContext(
        where,
        name,
        policy_id,
        kind,
        _status(read, where, policy, "policy"),
        _policy_people(read, where, policy),
        everyone,
    )
    rules = []
    for index, rule in enumerate(raw_rules):
        inner = where.inner(key, index, as_dict(rule))
        if not isinstance(rule, dict):
            read.problem(inner, "rule is not a JSON object; skipped")
            continue
        order = (_priority(policy.get("priority")), number, _priority(rule.get("priority")), index)
        rules.append(_rule(read, inner, rule, context, scope, order))
    return rules


def _policy_people(read: Reader, where: Where, policy: dict[str, Any]) -> People:
    groups = _path(policy, "conditions", "people", "groups")
    return People(
        groups=read.strings(where, as_dict(groups).get("include"), "policy groups include"),
        exclude_groups=read.strings(where, as_dict(groups).get("exclude"), "policy groups exclude"),
    )


def _status(read: Reader, where: Where, record: dict[str, Any], what: str) -> str:
    status = read.text(where, record, "status")
    if status is None:
        read.problem(where, f"{what} without status; state unknown")
        return "unknown"
    if status not in STATUSES:
        read.problem(where, f"unknown {what} status {status!r}; kept as written")
    return status


def _rule(
    read: Reader,
    where: Where,
    rule: dict[str, Any],
    policy: PolicyContext,
    scope: str,
    order: tuple[float, int, float, int],
) -> Rule:
    state = _state(policy.status, _status(read, where, rule, "rule"))
    people = _everyone_as_all(_rule_people(read, where, rule, policy.people), policy.everyone)
    access, mfa = _rule_actions(read, where, rule, policy.kind)
    controls = tuple(c for c, on in (("block", access == "DENY"), ("mfa", mfa)) if on)
    rule_name = read.text(where, rule, "name") or "(unnamed rule)"
    access_policy = AccessPolicy(
        source=SOURCE,
        id=read.text(where, rule, "id") or f"{policy.id}/{where.position}",
        name=f"{policy.name} / {rule_name}",
        state=state,
        include_users=people.users,
        exclude_users=people.exclude_users,
        include_groups=people.groups,
        exclude_groups=people.exclude_groups,
        include_applications=("All",) if policy.kind == "OKTA_SIGN_ON" else (),
        grant_controls=controls,
        evidence=[policy.where.evidence(), where.evidence()],
    )
    single = state == "ACTIVE" and access == "ALLOW" and not mfa
    return Rule(access_policy, scope, order, single)


def _state(policy_status: str, rule_status: str) -> str:
    """ACTIVE only when both are; an unknown value is kept as written."""
    if "unknown" in (policy_status, rule_status):
        return "unknown"
    for status in (policy_status, rule_status):
        if status not in STATUSES:
            return status
    return "ACTIVE" if policy_status == rule_status == "ACTIVE" else "INACTIVE"


def _rule_people(read: Reader, where: Where, rule: dict[str, Any], base: People) -> People:
    people = as_dict(_path(rule, "conditions", "people"))
    users, groups = as_dict(people.get("users")), as_dict(people.get("groups"))
    include_users = read.strings(where, users.get("include"), "users include")
    include_groups = read.strings(where, groups.get("include"), "groups include")
    if not include_users and not include_groups:
        include_groups = base.groups
        include_users = () if include_groups else ("All",)
    return People(
        users=include_users,
        groups=include_groups,
        exclude_users=read.strings(where, users.get("exclude"), "users exclude"),
        exclude_groups=read.strings(where, groups.get("exclude"), "groups exclude")
        + base.exclude_groups,
    )


def _everyone_as_all(people: People, everyone: set[str]) -> People:
    def split(users: tuple[str, ...], groups: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
        if everyone.isdisjoint(groups):
            return users, groups
        return _merge(users, ["All"]), tuple(g for g in groups if g not in everyone)

    users, groups = split(people.users, people.groups)
    exclude_users, exclude_groups = split(people.exclude_users, people.exclude_groups)
    return People(users, groups, exclude_users, exclude_groups)


def _rule_actions(
    read: Reader, where: Where, rule: dict[str, Any], kind: str
) -> tuple[str | None, bool]:
    """(access, requires a second factor) of a sign-on or authentication policy rule."""
    actions = as_dict(rule.get("actions"))
    if kind == "OKTA_SIGN_ON":
        action = as_dict(actions.get("signon"))
        mfa = read.flag(where, action, "requireFactor") is True
    else:
        action = as_dict(actions.get("appSignOn"))
        mfa = _factor_mode(read, where, as_dict(action.get("verificationMethod")))
    access = read.text(where, action, "access")
    if access is None:
        read.problem(where, "rule without actions access (ALLOW/DENY); treated as not blocking")
    elif access not in ACCESS:
        read.problem(where, f"unknown rule access {access!r}; kept as written")
    return access, mfa


def _factor_mode(read: Reader, where: Where, method: dict[str, Any]) -> bool:
    mode = read.text(where, method, "factorMode", "verificationMethod.factorMode")
    if mode is None:
        method_type = method.get("type")
        read.problem(
            where,
            f"verificationMethod {method_type or '(missing)'} without factorMode is not read; "
            "this rule is not counted as requiring a second factor",
        )
        return False
    if mode not in FACTOR_MODES:
        read.problem(where, f"unknown factorMode {mode!r}; not counted as requiring MFA")
    return mode == "2FA"


def _shadow(rules: list[Rule]) -> None:
    """Exclude from each rule the people an earlier single-factor rule already lets in."""
    by_scope: dict[str, list[Rule]] = {}
    for rule in sorted(rules, key=lambda r: r.order):
        by_scope.setdefault(rule.scope, []).append(rule)
    for ordered in by_scope.values():
        users: list[str] = []
        groups: list[str] = []
        for rule in ordered:
            policy = rule.policy
            policy.exclude_users = _merge(policy.exclude_users, users)
            policy.exclude_groups = _merge(policy.exclude_groups, groups)
            if rule.lets_in_single_factor:
                users.extend(policy.include_users)
                groups.extend(policy.include_groups)


def _merge(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *more)))


# --- system log --------------------------------------------------------------------------------


def signins_from(
    read: Reader, records: list[tuple[Where, dict[str, Any]]]
) -> tuple[list[SignIn], tuple[datetime, datetime] | None]:
    """Sessions started, each marked single-factor unless an MFA event shares its session."""
    times: list[datetime] = []
    starts: list[tuple[Where, dict[str, Any], datetime]] = []
    mfa_sessions: set[str] = set()
    for where, event in records:
        when = read.time(where, event, "published")
        if when is None:
            if event.get("published") is None:
                read.problem(where, "log event without a published time; skipped")
            continue
        times.append(when)
        event_type = event.get("eventType")
        if event_type == SESSION_START:
            starts.append((where, event, when))
        elif event_type == MFA_EVENT and _path(event, "outcome", "result") == "SUCCESS":
            session = _path(event, "authenticationContext", "externalSessionId")
            if isinstance(session, str) and session not in ("", "unknown"):
                mfa_sessions.add(session)
    signins = [
        signin
        for where, event, when in starts
        if (signin := _signin(read, where, event, when, mfa_sessions)) is not None
    ]
    return signins, ((min(times), max(times)) if times else None)


def _signin(
    read: Reader, where: Where, event: dict[str, Any], when: datetime, mfa_sessions: set[str]
) -> SignIn | None:
    actor = as_dict(event.get("actor"))
    name = read.text(where, actor, "alternateId", "actor.alternateId")
    if name is None:
        read.problem(where, "session start without actor.alternateId; skipped")
        return None
    success = _outcome(read, where, event)
    session = _path(event, "authenticationContext", "externalSessionId")
    single = None
    if success and isinstance(session, str) and session not in ("", "unknown"):
        single = session not in mfa_sessions
    client = as_dict(event.get("client"))
    return SignIn(
        source=SOURCE,
        time=when,
        account_name=name,
        account_id=read.text(where, actor, "id", "actor.id"),
        success=success,
        single_factor=single,
        interactive=True,
        risk_level=_risk_level(_path(event, "debugContext", "debugData", "risk")),
        ip_address=read.text(where, client, "ipAddress", "client.ipAddress"),
        user_agent=read.text(
            where, as_dict(client.get("userAgent")), "rawUserAgent", "client.userAgent.rawUserAgent"
        ),
        evidence=[where.evidence()],
    )


def _outcome(read: Reader, where: Where, event: dict[str, Any]) -> bool | None:
    result = read.text(where, as_dict(event.get("outcome")), "result", "outcome.result")
    if result is None:
        return None
    if result not in OUTCOMES:
        read.problem(where, f"unknown outcome.result {result!r}; success unknown")
        return None
    return OUTCOMES[result]


def _risk_level(risk: Any) -> str | None:
    """debugData.risk reads like "{reasons=New Device, level=MEDIUM}"."""
    match = RISK_LEVEL.search(risk) if isinstance(risk, str) else None
    return match.group(1).lower() if match else None
