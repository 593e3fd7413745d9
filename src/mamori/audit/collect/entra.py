"""Microsoft Entra ID, collected live from Microsoft Graph v1.0 into the files `mamori audit` reads.

An app registration signs in with the client credentials grant (POST
`{login}/{tenant}/oauth2/v2.0/token`, scope `https://graph.microsoft.com/.default`) and needs
these application permissions, with admin consent. Each file under `DIR/entra/` is a JSON
array of the Graph pages as received, which the reader recognises by their `@odata.context`
(see `sources/entra.py`):

- `users.json`: GET /users?$select=…,signInActivity&$expand=sponsors — User.Read.All;
  signInActivity also needs AuditLog.Read.All and Microsoft Entra ID P1 or P2;
- `users-manager.json`: GET /users?$select=id,userPrincipalName&$expand=manager — User.Read.All;
- `registration.json`: GET /reports/authenticationMethods/userRegistrationDetails —
  AuditLog.Read.All;
- `policies.json`: GET /identity/conditionalAccess/policies — Policy.Read.All;
- `role-definitions.json`: GET /roleManagement/directory/roleDefinitions —
  RoleManagement.Read.Directory (as are the two below);
- `role-assignments.json`: GET …/roleAssignmentScheduleInstances, else …/roleAssignments;
- `role-eligibilities.json`: GET …/roleEligibilityScheduleInstances;
- `groups.json`: GET /groups?$expand=members — GroupMember.Read.All;
- `groups-members.json`: GET /groups/{id}/members for the groups the expansion cut short;
- `organization.json`: GET /organization — Organization.Read.All;
- `signins.json`: GET /auditLogs/signIns?$filter=createdDateTime ge {since} —
  AuditLog.Read.All and Microsoft Entra ID P1 or P2.

Decisions, from Graph's documentation:

- "Only one relationship can be expanded in a single request" (Use query parameters), so
  sponsors and manager cannot share one request: users.json expands sponsors, as the
  documented folder layout shows, and users-manager.json lists the same users with their
  manager. The reader merges the two by object id.
- `$expand` on directory objects "typically returns a maximum of 20 items … and has no
  @odata.nextLink". A group that came back with 20 members is read again in full from
  `/groups/{id}/members`, and written to groups-members.json as the group record with the
  full list (a record composed by mamori; the reader adds its members to the same group), so
  nobody past the 20th member of a Conditional Access exclusion group goes unseen.
- No `$top` on users or groups: with `$expand` (and with signInActivity) Graph pages at most
  100 and 120 users, and rejects larger pages in some versions.
- A refusal (403, or 400/404 for an API the tenant lacks) falls back to asking for less when
  there is less to ask: users without signInActivity (P1/P2 and AuditLog.Read.All) and/or
  employeeLeaveDateTime (User-LifeCycleInfo.Read.All); plain roleAssignments when the PIM
  schedule instances are refused (they need Entra ID P2). What the written file lacks is
  reported. Otherwise the collection is reported and skipped, and the others still collected.
- `/auditLogs/signIns` in v1.0 lists interactive user sign-ins; Entra keeps 30 days of them.
- A failure part-way through a collection writes nothing for it: a truncated users list would
  make the missing users look absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mamori.audit.collect.http import (
    Client,
    HttpError,
    Retry,
    Unavailable,
    Waiting,
    odata_pages,
)
from mamori.audit.collect.output import Collected, CollectError
from mamori.audit.collect.stream import write_json_array

FOLDER = "entra"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
LOGIN_URL = "https://login.microsoftonline.com"
SCOPE = "https://graph.microsoft.com/.default"

PREMIUM_REQUIRED = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
"""Graph's 403 code when the tenant lacks the Entra ID P1/P2 licence the data needs."""
EXPAND_CAP = 20
"""Members `$expand` returns at most; a group with this many may have more."""

USER_FIELDS = (
    "id",
    "userPrincipalName",
    "displayName",
    "mail",
    "userType",
    "accountEnabled",
    "createdDateTime",
    "companyName",
    "department",
    "employeeType",
    "employeeHireDate",
    "employeeLeaveDateTime",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "onPremisesSyncEnabled",
    "signInActivity",
)
"""Every user property the reader uses (see `sources/entra.py`)."""

_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
"""A tenant id (GUID) or domain name: it becomes part of the token URL's path."""

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class EntraSettings:
    """Who to sign in as and where; the base URLs change only for national clouds and tests."""

    tenant: str
    client_id: str
    client_secret: str = field(repr=False)
    since: datetime
    """Sign-ins from this time on."""
    graph_url: str = GRAPH_URL
    login_url: str = LOGIN_URL
    ca_bundle: str | None = None
    retry: Retry = field(default_factory=Retry)


@dataclass(frozen=True, slots=True)
class _Ask:
    """One way to ask for a collection; `lacks` says what the file misses when a fallback."""

    path: str
    params: Mapping[str, str]
    needs: str
    lacks: str = ""


def collect_entra(
    settings: EntraSettings,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    on_wait: Waiting | None = None,
) -> Collected:
    """Collect every file of the table above into `out_dir/entra/`.

    Raises CollectError when no token can be had (wrong secret, tenant or app id; no network).
    """
    if not _TENANT.match(settings.tenant):
        raise CollectError(f"not a tenant id or domain: {settings.tenant!r}")
    token = _Token(settings, on_wait)
    try:
        token()
    except HttpError as exc:
        raise CollectError(f"Entra sign-in failed: {exc}") from None
    graph = Client(
        settings.graph_url,
        auth=token,
        secrets=[settings.client_secret],
        ca_bundle=settings.ca_bundle,
        retry=settings.retry,
        on_wait=on_wait,
    )
    run = _Run(graph, out_dir / FOLDER, Collected(), progress or (lambda _: None))
    for name, asks in _collections(settings.since):
        run.collect(name, asks)
    run.complete_groups()
    return run.collected


class _Token:
    """`Bearer …` for Graph, renewed five minutes before it expires (a month of sign-ins
    can take longer to page through than a token lives)."""

    def __init__(self, settings: EntraSettings, on_wait: Waiting | None) -> None:
        self._settings = settings
        self._login = Client(
            settings.login_url,
            secrets=[settings.client_secret],
            ca_bundle=settings.ca_bundle,
            retry=settings.retry,
            on_wait=on_wait,
        )
        self._value = ""
        self._renew_at = 0.0

    def __call__(self) -> str:
        if not self._value or datetime.now(UTC).timestamp() >= self._renew_at:
            self._fetch()
        return f"Bearer {self._value}"

    def _fetch(self) -> None:
        answer = self._login.post_form(
            f"{self._settings.tenant}/oauth2/v2.0/token",
            {
                "grant_type": "client_credentials",
                "client_id": self._settings.client_id,
                "client_secret": self._settings.client_secret,
                "scope": SCOPE,
            },
            needs="an app registration with a client secret in this tenant",
        )
        value = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(value, str) or not value:
            raise CollectError("Entra sign-in failed: the token endpoint answered no access_token")
        lifetime = answer.get("expires_in")
        seconds = int(lifetime) if str(lifetime).isdigit() else 3599
        self._value = value
        self._renew_at = datetime.now(UTC).timestamp() + max(60, seconds - 300)


def _collections(since: datetime) -> list[tuple[str, tuple[_Ask, ...]]]:
    """(file, ways to ask, best first) for every collection, in the order collected."""
    role = "roleManagement/directory"
    read_roles = "the application permission RoleManagement.Read.Directory"
    return [
        ("users.json", _user_asks()),
        (
            "users-manager.json",
            (_Ask("users", {"$select": "id,userPrincipalName", "$expand": "manager"}, _USERS),),
        ),
        (
            "registration.json",
            (
                _Ask(
                    "reports/authenticationMethods/userRegistrationDetails",
                    {},
                    "the application permission AuditLog.Read.All",
                ),
            ),
        ),
        (
            "policies.json",
            (
                _Ask(
                    "identity/conditionalAccess/policies",
                    {},
                    "the application permission Policy.Read.All",
                ),
            ),
        ),
        ("role-definitions.json", (_Ask(f"{role}/roleDefinitions", {}, read_roles),)),
        (
            "role-assignments.json",
            (
                _Ask(
                    f"{role}/roleAssignmentScheduleInstances",
                    {},
                    f"{read_roles} and Microsoft Entra ID P2 (PIM)",
                ),
                _Ask(
                    f"{role}/roleAssignments",
                    {},
                    read_roles,
                    "PIM schedules (every assignment reads as permanent)",
                ),
            ),
        ),
        (
            "role-eligibilities.json",
            (
                _Ask(
                    f"{role}/roleEligibilityScheduleInstances",
                    {},
                    f"{read_roles} and Microsoft Entra ID P2 (PIM)",
                ),
            ),
        ),
        ("groups.json", (_Ask("groups", {"$expand": "members"}, _GROUPS),)),
        (
            "organization.json",
            (_Ask("organization", {}, "the application permission Organization.Read.All"),),
        ),
        ("signins.json", (_signins_ask(since),)),
    ]


_USERS = "the application permission User.Read.All"
_GROUPS = "the application permission GroupMember.Read.All"


def _user_asks() -> tuple[_Ask, ...]:
    """Everything first; then without the properties that need more than User.Read.All."""
    extra = {
        "employeeLeaveDateTime": "User-LifeCycleInfo.Read.All",
        "signInActivity": "AuditLog.Read.All and Microsoft Entra ID P1 or P2",
    }
    asks = []
    for left_out in ((), ("employeeLeaveDateTime",), ("signInActivity",), tuple(extra)):
        kept = [name for name in extra if name not in left_out]
        asks.append(
            _Ask(
                "users",
                {
                    "$select": ",".join(f for f in USER_FIELDS if f not in left_out),
                    "$expand": "sponsors",
                },
                _USERS + "".join(f", {extra[name]} for {name}" for name in kept),
                " and ".join(left_out),
            )
        )
    return tuple(asks)


def _signins_ask(since: datetime) -> _Ask:
    moment = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return _Ask(
        "auditLogs/signIns",
        {"$filter": f"createdDateTime ge {moment}"},
        "the application permission AuditLog.Read.All and Microsoft Entra ID P1 or P2",
    )


@dataclass(slots=True)
class _Run:
    """One collection run: where files go, what was written, groups to complete."""

    graph: Client
    folder: Path
    collected: Collected
    progress: Progress
    capped: list[dict[str, Any]] = field(default_factory=list)
    """Groups whose expanded members reached EXPAND_CAP."""
    records: int = 0
    """Records of the collection being written."""

    def collect(self, name: str, asks: tuple[_Ask, ...]) -> None:
        """The first way of asking that the tenant answers, written; else a problem."""
        refusals: list[str] = []
        for ask in asks:
            try:
                write_json_array(self.folder / name, self._pages(name, ask))
            except Unavailable as exc:
                refusals.append(str(exc))
                break  # still failing after every retry: asking for less will not help
            except HttpError as exc:
                refusals.append(_why(exc))
                continue
            self._written(name, ask, refusals)
            return
        self._skipped(name, refusals)

    def complete_groups(self) -> None:
        """Re-read in full the members of groups the expansion may have cut short."""
        if not self.capped or self.folder / "groups.json" not in self.collected.written:
            return
        name = "groups-members.json"
        self.records = len(self.capped)
        try:
            write_json_array(self.folder / name, self._full_groups())
        except HttpError as exc:
            self._skipped(name, [_why(exc)])
            return
        self._written(name, None, [])

    def _full_groups(self) -> Iterator[dict[str, Any]]:
        """Each capped group as listed, with every member /groups/{id}/members has."""
        for group in self.capped:
            path = f"groups/{quote(str(group.get('id')), safe='')}/members"
            pages = odata_pages(self.graph, path, needs=_GROUPS)
            members = [member for page in pages for member in page["value"]]
            self.progress(f"entra {group.get('displayName')}: {len(members)} members")
            record = {key: value for key, value in group.items() if not key.startswith("members@")}
            yield record | {"members": members}

    def _pages(self, name: str, ask: _Ask) -> Iterator[dict[str, Any]]:
        """The pages of one ask, noting progress and (for groups) the capped expansions."""
        self.records = 0
        if name == "groups.json":
            self.capped.clear()
        for page in odata_pages(self.graph, ask.path, ask.params, needs=ask.needs):
            self.records += len(page["value"])
            if name == "groups.json":
                self.capped.extend(group for group in page["value"] if _capped(group))
            self.progress(f"entra {name}: {self.records} records")
            yield page

    def _written(self, name: str, ask: _Ask | None, refusals: list[str]) -> None:
        path = self.folder / name
        self.collected.written.append(path)
        self.progress(f"entra {name}: {self.records} records written")
        if refusals and ask is not None:
            self.collected.problems.append(
                f"Entra {name}: written without {ask.lacks}: {refusals[0]}"
            )

    def _skipped(self, name: str, refusals: list[str]) -> None:
        path = self.folder / name
        stale = f"; {path} is from an earlier collection" if path.exists() else ""
        self.collected.problems.append(f"Entra {name}: not collected: {refusals[-1]}{stale}")


def _capped(group: Any) -> bool:
    members = group.get("members") if isinstance(group, dict) else None
    return isinstance(members, list) and len(members) >= EXPAND_CAP


def _why(exc: HttpError) -> str:
    if exc.code == PREMIUM_REQUIRED:
        return f"{exc} (the tenant has no Microsoft Entra ID P1 or P2 licence)"
    return str(exc)
