"""The one identity model every source is normalised into, and every check reads.

Each value keeps where it came from (`Evidence`: file, position, the original record), so a
finding can show the record that proves it. The model is plain slotted dataclasses, not
pydantic: readers validate at the boundary, and an audit of 100,000 accounts must not pay
validation twice. User-written files (exception register, vendor registry, configuration)
are pydantic models in their own modules.

Unknown is not false: a value the export did not carry is `None`, and checks treat `None` as
"cannot tell" (a not-applicable reason), never as a pass or a fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """Identity systems mamori reads. `csv` is the generic, mapping-driven reader."""

    entra = "entra"
    okta = "okta"
    aws = "aws"
    gws = "gws"
    ad = "ad"
    csv = "csv"


ENTRA_GUEST_TYPES = (
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
)
"""Graph's conditionalAccessGuestOrExternalUserTypes without `none` and `unknownFutureValue`:
the kinds of outsider a Conditional Access policy can name (all six cover every outsider)."""


@dataclass(slots=True)
class Evidence:
    """Where a value was read: enough for a person to open the file and find the record."""

    file: str
    position: str
    """Human-readable place: 'value[12]', 'line 40', 'row 3'."""
    record: dict[str, Any]
    """The record as read (after decoding), so reports can show it unchanged."""


@dataclass(slots=True)
class Mfa:
    """What is known about an account's second factors; None = the export does not say."""

    registered: bool | None = None
    """A second factor is registered (Graph isMfaRegistered, AWS mfa_active, GWS 2SV enrolled)."""
    capable: bool | None = None
    """Registered *and* allowed by policy (Graph isMfaCapable)."""
    enforced: bool | None = None
    """The system itself enforces it for this account (GWS isEnforcedIn2Sv, Okta policy)."""
    methods: tuple[str, ...] = ()
    """Registered method names as the source spells them (fido2, microsoftAuthenticatorPush…)."""
    phishing_resistant: bool | None = None
    """A FIDO2 / passkey / Windows Hello / certificate method is registered."""


@dataclass(slots=True)
class RoleAssignment:
    role: str
    """Display name of the role (Global Administrator, AdministratorAccess, Super Admin…)."""
    role_id: str | None = None
    scope: str | None = None
    privileged: bool = True
    permanent: bool | None = None
    """True when the assignment has no end (Entra: Assigned with endDateTime null)."""
    assignment_type: str | None = None
    """Source wording, e.g. Entra Assigned | Activated, eligible."""
    start: datetime | None = None
    end: datetime | None = None
    via_group: str | None = None


@dataclass(slots=True)
class Credential:
    """A non-interactive credential of an account (AWS access key, certificate, API token)."""

    kind: str
    """access_key | certificate | api_token | app_password."""
    id: str
    active: bool | None = None
    created: datetime | None = None
    last_rotated: datetime | None = None
    last_used: datetime | None = None


_TENANT_SCOPED = frozenset({SourceKind.aws, SourceKind.ad})


@dataclass(slots=True)
class Account:
    """One account in one identity system."""

    source: str
    """A `SourceKind` value, or the name a generic CSV mapping gives."""
    id: str
    """The source's own id (Graph object id, Okta id, AWS ARN, GWS id, AD objectGUID/SID)."""
    name: str
    """The sign-in name: UPN, Okta login, AWS user name, primaryEmail, sAMAccountName."""
    tenant: str | None = None
    """Tenant id / AWS account id / GWS customer or domain / AD domain."""
    email: str | None = None
    display_name: str | None = None
    user_type: str | None = None
    """member | guest (lower case), when the source says."""
    employee_type: str | None = None
    """As the source spells it (Employee, Contractor, Vendor, Consultant…)."""
    company: str | None = None
    department: str | None = None
    enabled: bool | None = None
    created: datetime | None = None
    last_sign_in: datetime | None = None
    """Last successful interactive sign-in (or the best the source has)."""
    last_activity: datetime | None = None
    """Last use of any kind (non-interactive sign-ins, access keys) when known."""
    password_enabled: bool | None = None
    """Can sign in with a password (AWS console password, local account)."""
    password_last_set: datetime | None = None
    password_never_expires: bool | None = None
    mfa: Mfa = field(default_factory=Mfa)
    roles: list[RoleAssignment] = field(default_factory=list)
    is_admin: bool | None = None
    """The source's own admin flag (Graph isAdmin, GWS isAdmin, AD adminCount)."""
    groups: list[str] = field(default_factory=list)
    """Group ids or names the account belongs to."""
    sponsors: tuple[str, ...] = ()
    manager: str | None = None
    end_date: datetime | None = None
    """When the account should end (Entra employeeLeaveDateTime, AD accountExpires)."""
    synced_from_on_premises: bool | None = None
    guest_state: str | None = None
    """Entra externalUserState (PendingAcceptance | Accepted)."""
    credentials: list[Credential] = field(default_factory=list)
    attributes: dict[str, Any] = field(default_factory=dict)
    """Source-specific facts checks may use (AD: service_principal_names, trusted_for_delegation,
    protected_users, not_delegated, preauth_not_required; AWS: is_root …)."""
    evidence: list[Evidence] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    """Set by `tagging`: external, guest, contractor, vendor:<name>, break_glass, service…"""
    person: str | None = None
    """Key of the `Person` this account was linked to."""

    @property
    def key(self) -> str:
        """Unique across sources: what findings and exceptions name.

        UPNs and e-mail addresses are unique on their own; AWS user names and AD
        sAMAccountNames only within their account or domain (every AWS account has a
        `<root_account>`), so those keys carry the tenant.
        """
        if self.source in _TENANT_SCOPED and self.tenant:
            return f"{self.source}:{self.tenant}/{self.name}"
        return f"{self.source}:{self.name}"

    @property
    def privileged(self) -> bool:
        return bool(self.is_admin) or any(r.privileged for r in self.roles)


@dataclass(slots=True)
class Group:
    source: str
    id: str
    name: str
    members: list[str] = field(default_factory=list)
    """Member account ids (and nested group ids)."""
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class AccessPolicy:
    """A sign-in policy: Entra Conditional Access, Okta sign-on/authentication policy."""

    source: str
    id: str
    name: str
    state: str
    """enabled | disabled | enabledForReportingButNotEnforced (Entra); ACTIVE | INACTIVE (Okta)."""
    include_users: tuple[str, ...] = ()
    """User ids, or the keywords All / None / GuestsOrExternalUsers."""
    exclude_users: tuple[str, ...] = ()
    include_groups: tuple[str, ...] = ()
    exclude_groups: tuple[str, ...] = ()
    include_roles: tuple[str, ...] = ()
    exclude_roles: tuple[str, ...] = ()
    include_guest_types: tuple[str, ...] = ()
    """guestOrExternalUserTypes included (b2bCollaborationGuest, serviceProvider, …)."""
    exclude_guest_types: tuple[str, ...] = ()
    include_applications: tuple[str, ...] = ()
    exclude_applications: tuple[str, ...] = ()
    grant_operator: str | None = None
    grant_controls: tuple[str, ...] = ()
    """builtInControls: block, mfa, compliantDevice, …"""
    authentication_strength: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def requires_mfa(self) -> bool:
        return "mfa" in self.grant_controls or self.authentication_strength is not None

    @property
    def blocks(self) -> bool:
        return "block" in self.grant_controls


@dataclass(slots=True)
class SignIn:
    source: str
    time: datetime
    account_name: str
    """UPN / login as logged (Entra logs guests under their home UPN)."""
    account_id: str | None = None
    success: bool | None = None
    single_factor: bool | None = None
    """authenticationRequirement == singleFactorAuthentication (Entra), no MFA step (Okta)."""
    interactive: bool | None = None
    user_type: str | None = None
    cross_tenant_access_type: str | None = None
    risk_level: str | None = None
    risk_events: tuple[str, ...] = ()
    ip_address: str | None = None
    user_agent: str | None = None
    application: str | None = None
    resource: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    """Accounts of one human (or one shared identity) across sources, linked by `linking`."""

    key: str
    accounts: list[Account] = field(default_factory=list)


@dataclass(slots=True)
class Coverage:
    """Which kinds of export a source supplied: checks say 'not applicable' when one is missing."""

    kinds: dict[str, set[str]] = field(default_factory=dict)
    """source → export kinds seen (users, registration, policies, roles, signins, …)."""
    signin_window: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    """source → (earliest, latest) sign-in time in the supplied logs."""

    def has(self, source: str, kind: str) -> bool:
        return kind in self.kinds.get(source, set())

    def sources(self) -> list[str]:
        return sorted(self.kinds)


@dataclass(slots=True)
class IdentityData:
    """Everything read for one audit."""

    accounts: list[Account] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    policies: list[AccessPolicy] = field(default_factory=list)
    signins: list[SignIn] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)

    def extend(self, other: IdentityData) -> None:
        self.accounts.extend(other.accounts)
        self.groups.extend(other.groups)
        self.policies.extend(other.policies)
        self.signins.extend(other.signins)
        for source, kinds in other.coverage.kinds.items():
            self.coverage.kinds.setdefault(source, set()).update(kinds)
        for source, window in other.coverage.signin_window.items():
            old = self.coverage.signin_window.get(source)
            self.coverage.signin_window[source] = (
                window if old is None else (min(old[0], window[0]), max(old[1], window[1]))
            )
