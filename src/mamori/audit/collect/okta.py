"""Okta, collected live from the Management API into the files `mamori audit` reads.

Signs in with an API token (`Authorization: SSWS <token>`) of an administrator; a Read-Only
Administrator's token reads everything below. Written under `DIR/okta/`, in the shapes
`sources/okta.py` documents:

- `users.json`: GET /api/v1/users, its pages one after another (an array of arrays). Okta
  lists every user but DEPROVISIONED ones, who cannot sign in.
- `groups.json`: GET /api/v1/groups.
- `group-members.jsonl`: `{"groupId", "profile": {"name"}, "users": [user objects]}` per group,
  from GET /api/v1/groups/{id}/users. The built-in Everyone group is left out: the reader reads
  it as "everyone", and its members are the users file.
- `factors.jsonl`: `{"userId", "factors": [...]}` per user from GET /api/v1/users/{id}/factors,
  users without factors included: that line is how the reader knows they have no MFA.
- `roles.jsonl`: `{"userId", "roles": [...]}` per user holding a role, from GET
  /api/v1/users/{id}/roles, which lists group-assigned roles too.
- `policies.json`: GET /api/v1/policies?type=OKTA_SIGN_ON and ?type=ACCESS_POLICY, each policy
  with the answer of GET /api/v1/policies/{id}/rules added as `rules`. Classic Engine orgs have
  no ACCESS_POLICY; that refusal is reported and the sign-on policies still written.
- `logs.json`: GET /api/v1/logs?since=…&until=… (until = the start of the run, a bounded query),
  its pages one after another.

Paging follows the `Link: <…>; rel="next"` header; rate limits (429 with X-Rate-Limit-Reset,
slowing down as X-Rate-Limit-Remaining runs low) are `http.Client`'s. A collection with no
records writes no file, since the reader cannot recognise an empty array. A per-user
collection stops at the first refusal (403) instead of asking once per user; a user deleted
while the run goes on (404) is left out and counted. A failure part-way writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from mamori.audit.collect.http import (
    Client,
    HttpError,
    NotFound,
    Retry,
    Unauthorized,
    Unavailable,
    Waiting,
    check_base_url,
    link_pages,
)
from mamori.audit.collect.output import Collected, CollectError
from mamori.audit.collect.stream import write_json_array, write_json_lines

FOLDER = "okta"
PAGE_SIZE = "200"
"""Okta's largest page for users, groups and members."""
LOG_PAGE_SIZE = "1000"
"""The System Log's largest page."""
POLICY_TYPES = ("OKTA_SIGN_ON", "ACCESS_POLICY")
READ = "an API token of an administrator (Read-Only Administrator is enough)"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class OktaSettings:
    """The org (https://<org>.okta.com or its custom domain) and the token to read it with."""

    org_url: str
    token: str = field(repr=False)
    since: datetime
    """System Log events from this time on."""
    ca_bundle: str | None = None
    retry: Retry = field(default_factory=Retry)


def collect_okta(
    settings: OktaSettings,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    on_wait: Waiting | None = None,
) -> Collected:
    """Collect every file listed above into `out_dir/okta/`.

    Raises CollectError when the org URL is unusable or the token is refused outright.
    """
    client = Client(
        _org_url(settings.org_url),
        auth=lambda: f"SSWS {settings.token}",
        secrets=[settings.token],
        ca_bundle=settings.ca_bundle,
        retry=settings.retry,
        on_wait=on_wait,
    )
    run = _Run(client, out_dir / FOLDER, Collected(), progress or (lambda _: None))
    users = run.users()
    groups = run.collect(
        "groups.json", run.pages("/api/v1/groups", {"limit": PAGE_SIZE}), keep=True
    )
    run.collect_lines("group-members.jsonl", run.members(groups))
    run.collect_lines("factors.jsonl", run.per_user(users, "factors"))
    run.collect_lines("roles.jsonl", run.per_user(users, "roles"))
    run.collect("policies.json", run.policies())
    run.collect("logs.json", run.pages("/api/v1/logs", _log_window(settings.since)))
    return run.collected


def _org_url(url: str) -> str:
    try:
        checked = check_base_url(url)
    except ValueError as exc:
        raise CollectError(f"Okta org URL: {exc}") from None
    host = urlsplit(checked).hostname or ""
    if "-admin." in host:
        raise CollectError(
            f"{host} is the Admin Console; give the org URL ({host.replace('-admin.', '.', 1)})"
        )
    return checked


def _log_window(since: datetime) -> dict[str, str]:
    """A bounded query: with `until`, Okta stops at the run's start instead of polling on."""
    now = datetime.now(UTC)
    return {"since": _okta_time(since), "until": _okta_time(now), "limit": LOG_PAGE_SIZE}


def _okta_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass(slots=True)
class _Run:
    """One run: the client, where files go, what was written, what the later calls need."""

    client: Client
    folder: Path
    collected: Collected
    progress: Progress
    records: int = 0
    """Records (or lines) of the collection being written."""

    # --- whole collections ------------------------------------------------------------------

    def users(self) -> list[str]:
        """Write users.json; the ids the per-user calls need."""
        ids: list[str] = []

        def keep_ids(page: list[Any]) -> list[Any]:
            ids.extend(
                u["id"] for u in page if isinstance(u, dict) and isinstance(u.get("id"), str)
            )
            return page

        self.collect("users.json", map(keep_ids, self.pages("/api/v1/users", {"limit": PAGE_SIZE})))
        return ids

    def collect(self, name: str, pages: Iterable[list[Any]], *, keep: bool = False) -> list[Any]:
        """Write `pages` (empty ones dropped) as one array; the records too when `keep`."""
        kept: list[Any] = []

        def counted() -> Iterator[list[Any]]:
            for page in pages:
                self.records += len(page)
                self.progress(f"okta {name}: {self.records} records")
                if keep:
                    kept.extend(page)
                if page:
                    yield page

        self.records = 0
        self._write(name, lambda path: write_json_array(path, counted(), keep_empty=False))
        return kept

    def collect_lines(self, name: str, lines: Iterator[dict[str, Any]]) -> None:
        def counted() -> Iterator[dict[str, Any]]:
            for line in lines:
                self.records += 1
                yield line

        self.records = 0
        self._write(name, lambda path: write_json_lines(path, counted(), keep_empty=False))

    def _write(self, name: str, write: Callable[[Path], int]) -> None:
        """Run one collection's writer; a refusal becomes a problem, a refused token the end."""
        path = self.folder / name
        try:
            written = write(path)
        except Unauthorized as exc:
            raise CollectError(f"Okta refused the token: {exc}") from None
        except HttpError as exc:
            self._problem(name, f"not collected: {exc}", path)
            return
        if written:
            self.collected.written.append(path)
            self.progress(f"okta {name}: {self.records} records written")
        else:
            self._problem(name, "no records; nothing written", path)

    def _problem(self, name: str, what: str, path: Path) -> None:
        stale = f"; {path} is from an earlier collection" if path.exists() else ""
        self.collected.problems.append(f"Okta {name}: {what}{stale}")

    # --- what the collections are made of ---------------------------------------------------

    def pages(self, path: str, params: dict[str, str]) -> Iterator[list[Any]]:
        return link_pages(self.client, path, params, needs=READ)

    def members(self, groups: list[Any]) -> Iterator[dict[str, Any]]:
        """One line per group (Everyone excepted) with its members as user objects."""
        for group in groups:
            if not isinstance(group, dict) or not isinstance(group.get("id"), str):
                continue
            profile = group.get("profile") if isinstance(group.get("profile"), dict) else {}
            if group.get("type") == "BUILT_IN" and profile.get("name") == "Everyone":
                continue
            path = f"/api/v1/groups/{quote(group['id'], safe='')}/users"
            users = [u for page in self.pages(path, {"limit": PAGE_SIZE}) for u in page]
            yield {"groupId": group["id"], "profile": {"name": profile.get("name")}, "users": users}

    def per_user(self, users: list[str], what: str) -> Iterator[dict[str, Any]]:
        """`{"userId", what: [...]}` per user: all of them for factors, holders for roles."""
        gone = 0
        for number, user_id in enumerate(users, 1):
            path = f"/api/v1/users/{quote(user_id, safe='')}/{what}"
            try:
                records = [r for page in self.pages(path, {}) for r in page]
            except NotFound:
                gone += 1
                continue
            self.progress(f"okta {what}: {number}/{len(users)} users")
            if records or what == "factors":
                yield {"userId": user_id, what: records}
        if gone:
            self.collected.problems.append(
                f"Okta {what}: {gone} users were deleted during the run and are left out"
            )

    def policies(self) -> Iterator[list[Any]]:
        """Each sign-in policy type's pages, every policy with its rules as `rules`.

        A type is read whole before any of it is written, so a refused ACCESS_POLICY (Classic
        Engine) is left out cleanly; a refused OKTA_SIGN_ON or a failure ends the collection.
        """
        for kind in POLICY_TYPES:
            try:
                pages = [
                    [self._with_rules(policy) for policy in page]
                    for page in self.pages("/api/v1/policies", {"type": kind})
                ]
            except HttpError as exc:
                if kind == POLICY_TYPES[0] or isinstance(exc, Unavailable | Unauthorized):
                    raise
                self.collected.problems.append(f"Okta {kind} policies: not collected: {exc}")
                continue
            yield from pages

    def _with_rules(self, policy: Any) -> Any:
        if not isinstance(policy, dict) or not isinstance(policy.get("id"), str):
            return policy
        path = f"/api/v1/policies/{quote(policy['id'], safe='')}/rules"
        rules = [rule for page in self.pages(path, {}) for rule in page]
        return policy | {"rules": rules}
