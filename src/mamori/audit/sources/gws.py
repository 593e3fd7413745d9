"""Google Workspace exports → accounts and sign-ins.

Read from what the Admin SDK returns, saved as JSON (one page, an array of pages or of records,
or JSON lines):

- `users` — Directory API `users.list` pages `{"kind": "admin#directory#users", "users":
  [...], "nextPageToken": ...}`, or bare user objects → `Account`.
- `signins` — Reports API `activities.list` for `applicationName=login`, pages
  `{"kind": "admin#reports#activities", "items": [...]}` or bare activities → `SignIn` for
  every `login_success` and `login_failure` event. Other login events (logout, 2-step
  verification changes, risky-action warnings) have no place in the model and are not read.

Decisions:

- `tenant` is `customerId`, or the domain of `primaryEmail` when the export lacks it.
- `is_admin` is `isAdmin` (super admin); `isAdmin` adds a "Super Admin" role and
  `isDelegatedAdmin` a "Delegated Admin" role, both privileged: which delegated role it is needs
  the roleAssignments export, which is not read.
- `mfa.registered` is `isEnrolledIn2Sv`, `mfa.enforced` is `isEnforcedIn2Sv`; the export names
  no methods, so `methods` stays empty and `phishing_resistant` None.
- `enabled` is false when `suspended` or `archived` is true (archived users cannot sign in);
  `archived` absent counts as not archived, `suspended` absent means unknown.
- `lastLoginTime` "1970-01-01T00:00:00.000Z" is Google's "never signed in": `last_sign_in` is
  None and `attributes["never_signed_in"]` True.
- `employee_type` is the primary organization's `description`, which the Admin console shows as
  "Type of employee" (Employee information); `department` and `company` (`name`) come from the
  same entry, `manager` from the `relations` entry of type manager. `customType` is the custom
  type of the organization entry, not of the person, and custom schemas are company-specific;
  neither is read.
- A sign-in is `single_factor` when its `login_challenge_method` values are only the password
  or Google's risk-based checks (location, phone or e-mail confirmation), not 2-step
  verification; None for SAML sign-ins (the identity provider decides) and failures. Unknown
  methods are reported and leave it None. `is_suspicious` true becomes the risk event
  "is_suspicious". The sign-in window spans every activity in the logs given.

`Account.attributes` keys: `org_unit_path` (`orgUnitPath`, how Workspace scopes policy and where
contractors are often kept), `never_signed_in`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mamori.audit.model import (
    Account,
    IdentityData,
    Mfa,
    RoleAssignment,
    SignIn,
    SourceKind,
)
from mamori.audit.sources.files import Problem, Records
from mamori.audit.sources.json_records import Reader, Where, as_dict, first_kind

if TYPE_CHECKING:
    from mamori.audit.sources import Export

SOURCE = SourceKind.gws.value

USERS_PAGE = "admin#directory#users"
USER = "admin#directory#user"
ACTIVITIES_PAGE = "admin#reports#activities"
ACTIVITY_KINDS = frozenset({"admin#reports#activity", "audit#activity"})
LOGIN_EVENTS = {"login_success": True, "login_failure": False}
NEVER = datetime(1970, 1, 1, tzinfo=UTC)

SECOND_FACTOR_METHODS = frozenset(
    {
        "backup_code",
        "google_authenticator",
        "google_prompt",
        "idv_preregistered_phone",
        "internal_two_factor",
        "offline_otp",
        "passkey",
        "security_key",
        "security_key_otp",
    }
)
"""2-step verification (and passkeys, which replace the password with a device-bound key)."""
NOT_SECOND_FACTOR_METHODS = frozenset(
    {
        "password",
        "none",
        "login_location",
        "idv_any_phone",
        "knowledge_employee_id",
        "knowledge_preregistered_email",
    }
)
"""The password, and the checks Google adds when a sign-in looks unusual: not 2SV."""
UNDECIDABLE_METHODS = frozenset({"other"})


# --- recognising files -------------------------------------------------------------------------


def sniff(records: Records) -> str | None:
    """`users` or `signins` when the first records are Directory users or login activities."""
    return first_kind(records, _kind_of)


def _kind_of(record: dict[str, Any]) -> str | None:
    kind = record.get("kind")
    users = record.get("users")
    if kind == USERS_PAGE or (isinstance(users, list) and users and _is_user(users[0])):
        return "users"
    if _is_user(record):
        return "users"
    items = record.get("items")
    if kind == ACTIVITIES_PAGE and isinstance(items, list) and items:
        return "signins" if _is_login_activity(items[0]) else None
    return "signins" if _is_login_activity(record) else None


def _is_user(record: Any) -> bool:
    if not isinstance(record, dict) or "primaryEmail" not in record:
        return False
    return record.get("kind") == USER or "isEnrolledIn2Sv" in record or "orgUnitPath" in record


def _is_login_activity(record: Any) -> bool:
    if not isinstance(record, dict) or not isinstance(record.get("events"), list):
        return False
    activity_id = record.get("id")
    return isinstance(activity_id, dict) and activity_id.get("applicationName") == "login"


def _expand(export: Export, reader: Reader, key: str) -> Iterator[Where]:
    """The records of a file: the `key` items of API pages, or the records themselves."""
    file = str(export.records.path)
    for position, record in export.records.rows:
        where = Where(file, position, record)
        if record.get("kind") not in (USERS_PAGE, ACTIVITIES_PAGE) and key not in record:
            yield where
            continue
        items = record.get(key, [])
        if not isinstance(items, list):
            reader.problem(where, f"{key} is not a list; page skipped")
            continue
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield where.inner(key, index, item)
            else:
                reader.problem(where.inner(key, index, {}), "not a JSON object; skipped")


# --- building ----------------------------------------------------------------------------------


def build(exports: list[Export], on_problem: Problem) -> IdentityData:
    """Directory users (joined by id across files) and login sign-ins."""
    reader = Reader(on_problem)
    data = IdentityData()
    accounts: dict[str, Account] = {}
    activities: list[Where] = []
    for export in exports:
        data.coverage.kinds.setdefault(SOURCE, set()).add(export.kind)
        if export.kind == "users":
            for where in _expand(export, reader, "users"):
                _add_account(reader, where, accounts)
        else:
            activities.extend(_expand(export, reader, "items"))
    data.accounts.extend(accounts.values())
    signins, window = signins_from(reader, activities)
    data.signins.extend(signins)
    if window is not None:
        data.coverage.signin_window[SOURCE] = window
    return data


def _add_account(reader: Reader, where: Where, accounts: dict[str, Account]) -> None:
    account = user_account(reader, where)
    if account is None:
        return
    existing = accounts.get(account.id)
    if existing is None:
        accounts[account.id] = account
        return
    reader.problem(where, f"user {account.id} appears again; the first record's values are kept")
    existing.evidence.append(where.evidence())


# --- users -------------------------------------------------------------------------------------


def user_account(read: Reader, where: Where) -> Account | None:
    """A Directory API user → Account; None (reported) without id or primaryEmail."""
    record = where.record
    user_id = read.text(where, record, "id")
    email = read.text(where, record, "primaryEmail")
    if user_id is None or email is None:
        read.problem(where, "user without id or primaryEmail; skipped")
        return None
    is_admin = read.flag(where, record, "isAdmin")
    organization = _primary_organization(read, where, record.get("organizations"))
    account = Account(
        source=SOURCE,
        id=user_id,
        name=email,
        tenant=read.text(where, record, "customerId") or email.rpartition("@")[2] or None,
        email=email,
        display_name=read.text(where, as_dict(record.get("name")), "fullName", "name.fullName"),
        employee_type=read.text(where, organization, "description", "organizations.description"),
        company=read.text(where, organization, "name", "organizations.name"),
        department=read.text(where, organization, "department", "organizations.department"),
        enabled=_enabled(read, where, record),
        created=read.time(where, record, "creationTime"),
        mfa=Mfa(
            registered=read.flag(where, record, "isEnrolledIn2Sv"),
            enforced=read.flag(where, record, "isEnforcedIn2Sv"),
        ),
        roles=_admin_roles(is_admin, read.flag(where, record, "isDelegatedAdmin")),
        is_admin=is_admin,
        manager=_manager(read, where, record.get("relations")),
        evidence=[where.evidence()],
    )
    _last_login(read, where, account)
    org_unit = read.text(where, record, "orgUnitPath")
    if org_unit is not None:
        account.attributes["org_unit_path"] = org_unit
    return account


def _enabled(read: Reader, where: Where, record: dict[str, Any]) -> bool | None:
    suspended = read.flag(where, record, "suspended")
    archived = read.flag(where, record, "archived")
    if suspended or archived:
        return False
    return None if suspended is None else True


def _last_login(read: Reader, where: Where, account: Account) -> None:
    last = read.time(where, where.record, "lastLoginTime")
    if last == NEVER:
        account.attributes["never_signed_in"] = True
    else:
        account.last_sign_in = last


def _admin_roles(is_admin: bool | None, delegated: bool | None) -> list[RoleAssignment]:
    roles = []
    if is_admin:
        roles.append(RoleAssignment(role="Super Admin"))
    if delegated:
        roles.append(RoleAssignment(role="Delegated Admin"))
    return roles


def _entries(read: Reader, where: Where, value: Any, label: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        read.problem(where, f"{label} is {type(value).__name__}, not a list; ignored")
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _primary_organization(read: Reader, where: Where, value: Any) -> dict[str, Any]:
    entries = _entries(read, where, value, "organizations")
    primary = [entry for entry in entries if entry.get("primary") is True]
    return (primary or entries or [{}])[0]


def _manager(read: Reader, where: Where, value: Any) -> str | None:
    for relation in _entries(read, where, value, "relations"):
        if relation.get("type") == "manager":
            return read.text(where, relation, "value", "relations.value")
    return None


# --- login activities --------------------------------------------------------------------------


def signins_from(
    read: Reader, activities: list[Where]
) -> tuple[list[SignIn], tuple[datetime, datetime] | None]:
    """login_success / login_failure events → SignIn; the window spans every activity."""
    signins: list[SignIn] = []
    times: list[datetime] = []
    for where in activities:
        when = _activity_time(read, where)
        if when is None:
            continue
        times.append(when)
        signins.extend(_activity_signins(read, where, when))
    return signins, ((min(times), max(times)) if times else None)


def _activity_time(read: Reader, where: Where) -> datetime | None:
    activity_id = where.record.get("id")
    if not isinstance(activity_id, dict) or activity_id.get("time") is None:
        read.problem(where, "activity without id.time; skipped")
        return None
    return read.time(where, activity_id, "time")


def _activity_signins(read: Reader, where: Where, when: datetime) -> list[SignIn]:
    record = where.record
    application = as_dict(record.get("id")).get("applicationName")
    if application != "login":
        read.problem(where, f"activity of application {application!r}, not login; skipped")
        return []
    actor = as_dict(record.get("actor"))
    email = read.text(where, actor, "email", "actor.email")
    if email is None:
        read.problem(where, "login activity without actor.email; skipped")
        return []
    signins = []
    for event in _entries(read, where, record.get("events"), "events"):
        success = (
            LOGIN_EVENTS.get(event.get("name")) if isinstance(event.get("name"), str) else None
        )
        if success is None:
            continue
        parameters = _parameters(event.get("parameters"))
        signins.append(
            SignIn(
                source=SOURCE,
                time=when,
                account_name=email,
                account_id=read.text(where, actor, "profileId", "actor.profileId"),
                success=success,
                single_factor=_single_factor(read, where, parameters) if success else None,
                interactive=True,
                risk_events=("is_suspicious",) if parameters.get("is_suspicious") is True else (),
                ip_address=read.text(where, record, "ipAddress"),
                evidence=[where.evidence()],
            )
        )
    return signins


def _parameters(value: Any) -> dict[str, Any]:
    """Reports API parameters: name plus one of value, multiValue, boolValue, intValue…"""
    found: dict[str, Any] = {}
    for parameter in value if isinstance(value, list) else []:
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
            continue
        for key in ("value", "multiValue", "boolValue", "intValue", "multiIntValue"):
            if key in parameter:
                found[parameter["name"]] = parameter[key]
                break
    return found


def _single_factor(read: Reader, where: Where, parameters: dict[str, Any]) -> bool | None:
    if parameters.get("login_type") == "saml":
        return None
    raw = parameters.get("login_challenge_method")
    methods = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    methods = [method for method in methods if isinstance(method, str)]
    if not methods:
        return None
    known = SECOND_FACTOR_METHODS | NOT_SECOND_FACTOR_METHODS | UNDECIDABLE_METHODS
    for method in methods:
        if method not in known:
            read.problem(where, f"unknown login_challenge_method {method!r}; second factor unknown")
    if any(method in SECOND_FACTOR_METHODS for method in methods):
        return False
    if all(method in NOT_SECOND_FACTOR_METHODS for method in methods):
        return True
    return None
