"""collect_entra against a real HTTP server on 127.0.0.1 answering like Graph, then the reader.

The server pages the fixture exports (tests/audit/data/entra) a few records at a time, so what
the collector writes must read back into the same accounts, roles, groups, policies and
sign-ins as the fixture files themselves: collect → audit, end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from mamori.audit.collect.entra import USER_FIELDS, EntraSettings, collect_entra
from mamori.audit.collect.http import Retry
from mamori.audit.collect.output import Collected, CollectError
from mamori.audit.model import IdentityData
from mamori.audit.sources import read_identity

from fake_apis import (
    DATA,
    SECRET,
    TENANT,
    TOKEN,
    Answer,
    FakeApi,
    Seen,
    graph_api,
    graph_error,
    serve,
)

SINCE = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
FAST = Retry(attempts=3, backoff=0.01)
FILES = [
    "users.json",
    "users-manager.json",
    "registration.json",
    "policies.json",
    "role-definitions.json",
    "role-assignments.json",
    "role-eligibilities.json",
    "groups.json",
    "organization.json",
    "signins.json",
]
FIXTURES = [
    "users.json",
    "userRegistrationDetails.json",
    "conditionalAccessPolicies.json",
    "roleDefinitions.json",
    "roleAssignmentScheduleInstances.json",
    "roleEligibilityScheduleInstances.json",
    "groups.json",
    "organization.json",
    "signIns.json",
]
PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def settings(api: FakeApi, secret: str = SECRET) -> EntraSettings:
    return EntraSettings(
        tenant=TENANT,
        client_id="11111111-2222-3333-4444-555555555555",
        client_secret=secret,
        since=SINCE,
        graph_url=f"{api.url}/v1.0",
        login_url=api.url,
        retry=FAST,
    )


def read(paths: list[Path]) -> tuple[IdentityData, list[str]]:
    problems: list[Any] = []
    return read_identity(paths, problems.append), [str(p) for p in problems]


def fixtures() -> IdentityData:
    return read([DATA / "entra" / name for name in FIXTURES])[0]


def account_names(data: IdentityData) -> set[str]:
    return {account.name for account in data.accounts}


def summary(data: IdentityData) -> dict[str, Any]:
    """What the audit uses of each account, group, policy and sign-in, without evidence."""
    return {
        "accounts": {
            a.name: (
                a.id,
                a.enabled,
                a.user_type,
                a.employee_type,
                a.tenant,
                a.last_sign_in,
                a.end_date,
                a.guest_state,
                a.sponsors,
                a.manager,
                (a.mfa.registered, a.mfa.methods, a.mfa.phishing_resistant),
                sorted(
                    (r.role, r.assignment_type, r.permanent, r.via_group or "") for r in a.roles
                ),
                sorted(a.groups),
            )
            for a in data.accounts
        },
        "groups": {g.name: sorted(g.members) for g in data.groups},
        "policies": sorted((p.name, p.state, p.exclude_users) for p in data.policies),
        "signins": sorted((s.time, s.account_name, s.success) for s in data.signins),
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeApi, Path, Collected]]:
    api = graph_api(page_size=3)
    with serve(api):
        out = tmp_path_factory.mktemp("collect")
        yield api, out, collect_entra(settings(api), out)


def test_every_collection_reads_back_like_the_fixture_exports(clean) -> None:
    _, out, collected = clean
    folder = out / "entra"
    assert collected.problems == []
    assert collected.written == [folder / name for name in FILES]
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)  # no temporary files left
    got, got_problems = read([folder])
    expected, expected_problems = read([DATA / "entra" / name for name in FIXTURES])
    assert len(expected.accounts) > 8 and len(expected.signins) > 3
    assert summary(got) == summary(expected)
    assert got.accounts and got.policies and got.signins
    assert got_problems == []
    assert expected_problems == []


def test_files_are_arrays_of_pages_as_received_and_owner_only(clean) -> None:
    api, out, _ = clean
    pages = orjson.loads((out / "entra" / "users.json").read_bytes())
    assert len(pages) == 3  # 8 fixture users, 3 a page
    assert pages[0]["@odata.context"] == f"{api.url}/v1.0/$metadata#users(id,userPrincipalName)"
    assert "@odata.nextLink" in pages[0] and "@odata.nextLink" not in pages[-1]
    assert ((out / "entra" / "users.json").stat().st_mode & 0o777) == 0o600
    assert ((out / "entra").stat().st_mode & 0o777) == 0o700


def test_requests_ask_for_what_the_reader_reads(clean) -> None:
    api, _, _ = clean
    token = [seen for seen in api.seen if seen.method == "POST"]
    assert len(token) == 1
    assert token[0].path == f"/{TENANT}/oauth2/v2.0/token"
    assert token[0].form == {
        "grant_type": "client_credentials",
        "client_id": "11111111-2222-3333-4444-555555555555",
        "client_secret": SECRET,
        "scope": "https://graph.microsoft.com/.default",
    }
    gets = [seen for seen in api.seen if seen.method == "GET"]
    assert all(seen.headers["Authorization"] == f"Bearer {TOKEN}" for seen in gets)
    assert not any(SECRET in seen.raw_url or TOKEN in seen.raw_url for seen in api.seen)
    users = [s for s in gets if s.path == "/v1.0/users" and s.query.get("$expand") == "sponsors"]
    assert len(users) == 3  # paged through @odata.nextLink
    assert users[0].query["$select"].split(",") == list(USER_FIELDS)
    managers = [s for s in gets if s.path == "/v1.0/users" and s.query.get("$expand") == "manager"]
    assert managers[0].query["$select"] == "id,userPrincipalName"
    signins = [s for s in gets if s.path == "/v1.0/auditLogs/signIns"]
    assert signins[0].query["$filter"] == "createdDateTime ge 2025-06-01T09:30:00Z"
    groups = [s for s in gets if s.path == "/v1.0/groups"]
    assert groups[0].query == {"$expand": "members"}


def test_429_5xx_and_a_refused_collection(tmp_path: Path) -> None:
    api = graph_api(page_size=3)
    api.fault("/v1.0/users", graph_error(429, "TooManyRequests", "slow down"))
    api.faults["/v1.0/users"][0].headers["Retry-After"] = "1"
    api.fault("/v1.0/reports/authenticationMethods/userRegistrationDetails", Answer(503, None))
    api.fault(
        "/v1.0/identity/conditionalAccess/policies",
        graph_error(
            403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."
        ),
    )
    old = tmp_path / "entra" / "policies.json"
    old.parent.mkdir()
    old.write_text("[]")
    with serve(api):
        collected = collect_entra(settings(api), tmp_path)
    assert [p.name for p in collected.written] == [
        name for name in FILES if name != "policies.json"
    ]
    assert collected.problems == [
        f"Entra policies.json: not collected: GET {api.url}/v1.0/identity/conditionalAccess/policies "
        "answered 403 Forbidden (Authorization_RequestDenied: Insufficient privileges to complete "
        "the operation.); the credentials lack a permission, role or licence this call needs; "
        f"this call needs the application permission Policy.Read.All; {old} is from an earlier "
        "collection"
    ]
    registration = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
    first_pages = [s for s in api.seen if s.path == registration and "$skiptoken" not in s.query]
    assert len(first_pages) == 2  # the 503, then the answer
    data, problems = read([tmp_path / "entra" / name for name in FILES if name != "policies.json"])
    assert problems == []
    assert data.policies == [] and account_names(data) == account_names(fixtures())


def test_without_a_premium_licence_users_come_without_sign_in_activity(tmp_path: Path) -> None:
    api = graph_api()
    users = api.routes[("GET", "/v1.0/users")]

    def premium_only(seen: Seen) -> Answer:
        if "signInActivity" in seen.query.get("$select", ""):
            return graph_error(
                403, PREMIUM, "Neither tenant is B2C or tenant doesn't have premium license"
            )
        return users(seen)

    api.routes[("GET", "/v1.0/users")] = premium_only
    api.fault("/v1.0/auditLogs/signIns", graph_error(403, PREMIUM, "Neither tenant is B2C or …"))
    with serve(api):
        collected = collect_entra(settings(api), tmp_path)
    names = [p.name for p in collected.written]
    assert "users.json" in names and "signins.json" not in names
    users_problem, signins_problem = collected.problems
    assert users_problem.startswith("Entra users.json: written without signInActivity: GET ")
    assert "(the tenant has no Microsoft Entra ID P1 or P2 licence)" in users_problem
    assert signins_problem.startswith("Entra signins.json: not collected: GET ")
    asked = [s.query["$select"] for s in api.seen if s.query.get("$expand") == "sponsors"]
    assert "signInActivity" in asked[0] and "employeeLeaveDateTime" not in asked[1]
    assert "signInActivity" not in asked[2] and "employeeLeaveDateTime" in asked[2]
    data, _ = read([tmp_path / "entra"])
    assert account_names(data) == account_names(fixtures())
    assert all(account.last_sign_in is None for account in data.accounts)


def test_refused_pim_falls_back_to_plain_role_assignments(tmp_path: Path) -> None:
    api = graph_api()
    api.fault(
        "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances",
        graph_error(403, "AadPremiumLicenseRequired", "Entra ID P2 is required"),
    )
    with serve(api):
        collected = collect_entra(settings(api), tmp_path)
    assert collected.problems[0].startswith(
        "Entra role-assignments.json: written without PIM schedules (every assignment reads as "
        "permanent): GET "
    )
    pages = orjson.loads((tmp_path / "entra" / "role-assignments.json").read_bytes())
    assert pages[0]["@odata.context"].endswith("#roleManagement/directory/roleAssignments")
    data, _ = read([tmp_path / "entra"])
    admins = {
        a.name for a in data.accounts if any(r.role == "Global Administrator" for r in a.roles)
    }
    assert admins


def test_groups_cut_short_by_expand_are_read_in_full(tmp_path: Path) -> None:
    api = graph_api()
    members = [
        {
            "@odata.type": "#microsoft.graph.user",
            "id": f"00000000-0000-0000-0000-{n:012d}",
            "userPrincipalName": f"u{n}@example.jp",
        }
        for n in range(25)
    ]
    big = {
        "id": "big-group",
        "displayName": "委託先 全員",
        "groupTypes": [],
        "securityEnabled": True,
        "mailEnabled": False,
    }
    api.routes[("GET", "/v1.0/groups")] = lambda seen: Answer(
        200,
        {
            "@odata.context": f"{api.url}/v1.0/$metadata#groups(members())",
            "value": [big | {"members": members[:20]}],
        },
    )

    def all_members(seen: Seen) -> Answer:
        start = int(seen.query.get("$skiptoken", "0"))
        page: dict[str, Any] = {"value": members[start : start + 15]}
        if start == 0:
            page["@odata.nextLink"] = f"{api.url}/v1.0/groups/big-group/members?$skiptoken=15"
        return Answer(200, page)

    api.routes[("GET", "/v1.0/groups/big-group/members")] = all_members
    with serve(api):
        collected = collect_entra(settings(api), tmp_path)
    assert tmp_path / "entra" / "groups-members.json" in collected.written
    data, problems = read([tmp_path / "entra"])
    (group,) = data.groups
    assert len(group.members) == 25
    assert not [p for p in problems if "big-group" in p or "groups-members" in p]


def test_a_failure_part_way_writes_nothing_for_that_collection(tmp_path: Path) -> None:
    api = graph_api(page_size=3)
    users = api.routes[("GET", "/v1.0/users")]
    api.routes[("GET", "/v1.0/users")] = lambda seen: (
        graph_error(500, "InternalServerError", "boom")
        if seen.query.get("$skiptoken") == "6"
        else users(seen)
    )
    with serve(api):
        collected = collect_entra(settings(api), tmp_path)
    names = {p.name for p in collected.written}
    assert "users.json" not in names and "users-manager.json" not in names
    assert collected.problems[0].startswith("Entra users.json: not collected: GET ")
    assert "still failing after 3 tries" in collected.problems[0]
    assert not [p for p in (tmp_path / "entra").iterdir() if p.name.startswith(".")]


def test_a_wrong_secret_stops_the_run_naming_the_token_endpoint(tmp_path: Path) -> None:
    api = graph_api()
    with serve(api), pytest.raises(CollectError) as caught:
        collect_entra(settings(api, secret="wrong-secret-value"), tmp_path)
    text = str(caught.value)
    assert f"POST {api.url}/{TENANT}/oauth2/v2.0/token answered 401" in text
    assert "invalid_client: AADSTS7000215: Invalid client secret provided." in text
    assert "wrong-secret-value" not in text and "Trace ID" not in text
    assert not (tmp_path / "entra").exists()
    assert api.paths() == [f"/{TENANT}/oauth2/v2.0/token"]


def test_a_tenant_that_is_not_an_id_or_domain_is_refused(tmp_path: Path) -> None:
    bad = EntraSettings("../../evil", "app", SECRET, SINCE, retry=FAST)
    with pytest.raises(CollectError, match="not a tenant id or domain"):
        collect_entra(bad, tmp_path)
