"""collect_okta against a real HTTP server on 127.0.0.1 answering like Okta, then the reader.

The server pages the fixture exports (tests/audit/data/okta) two records at a time with Link
headers, so what the collector writes must read back into the same accounts, groups, roles,
policies and sign-ins as the fixture files themselves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mamori.audit.collect.http import Retry
from mamori.audit.collect.okta import OktaSettings, collect_okta
from mamori.audit.collect.output import Collected, CollectError
from mamori.audit.model import IdentityData
from mamori.audit.sources import read_identity

from fake_apis import DATA, OKTA_TOKEN, Answer, FakeApi, Seen, now_date, okta_api, serve

SINCE = datetime(2025, 10, 1, tzinfo=UTC)
FAST = Retry(attempts=3, backoff=0.01)
FILES = [
    "users.json",
    "groups.json",
    "group-members.jsonl",
    "factors.jsonl",
    "roles.jsonl",
    "policies.json",
    "logs.json",
]
FIRST_USER = "00u1sato0KENJI0g4"
WITH_FACTORS = {
    json.loads(line)["userId"]
    for line in (DATA / "okta" / "factors.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
}


def settings(api: FakeApi, token: str = OKTA_TOKEN) -> OktaSettings:
    return OktaSettings(org_url=api.url, token=token, since=SINCE, retry=FAST)


def read(path: Path) -> tuple[IdentityData, list[str]]:
    problems: list[Any] = []
    return read_identity([path], problems.append), [str(p) for p in problems]


def accounts(data: IdentityData) -> dict[str, tuple[Any, ...]]:
    return {
        a.id: (
            a.name,
            a.enabled,
            a.employee_type,
            a.last_sign_in,
            a.tenant,
            sorted((r.role, r.privileged, r.via_group or "") for r in a.roles),
            sorted(a.groups),
        )
        for a in data.accounts
    }


def policies(data: IdentityData) -> list[tuple[Any, ...]]:
    return sorted(
        (p.name, p.state, p.include_users, p.include_groups, p.exclude_users, p.grant_controls)
        for p in data.policies
    )


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeApi, Path, Collected]]:
    api = okta_api(page_size=2)
    with serve(api):
        out = tmp_path_factory.mktemp("collect")
        yield api, out, collect_okta(settings(api), out)


def test_every_collection_reads_back_like_the_fixture_exports(clean) -> None:
    _, out, collected = clean
    folder = out / "okta"
    assert collected.problems == []
    assert collected.written == [folder / name for name in FILES]
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    got, got_problems = read(folder)
    expected, expected_problems = read(DATA / "okta")
    assert accounts(got) == accounts(expected)
    assert {g.name: sorted(g.members) for g in got.groups} == {
        g.name: sorted(g.members) for g in expected.groups
    }
    assert policies(got) == policies(expected) and got.policies
    assert [(s.time, s.account_name, s.single_factor) for s in got.signins] == [
        (s.time, s.account_name, s.single_factor) for s in expected.signins
    ]
    assert got.coverage.signin_window == expected.coverage.signin_window
    for account in got.accounts:  # every user has a factor line, so none is left unknown
        original = next(a for a in expected.accounts if a.id == account.id)
        if account.id in WITH_FACTORS:
            assert account.mfa == original.mfa
        else:
            assert (account.mfa.registered, original.mfa.registered) == (False, None)
    assert got_problems == []
    # The fixture also holds a PASSWORD policy, which is not asked for.
    assert [p for p in expected_problems if "PASSWORD" not in p] == []


def test_requests_page_with_link_headers_and_stop_at_the_empty_log_page(clean) -> None:
    api, _, _ = clean
    assert all(seen.headers["Authorization"] == f"SSWS {OKTA_TOKEN}" for seen in api.seen)
    assert not any(OKTA_TOKEN in seen.raw_url for seen in api.seen)
    users = [seen for seen in api.seen if seen.path == "/api/v1/users"]
    assert [seen.query.get("after") for seen in users] == [None, "2", "4", "6"]
    assert users[0].query == {"limit": "200"}
    logs = [seen for seen in api.seen if seen.path == "/api/v1/logs"]
    assert len(logs) == 5  # 7 events two a page, then the empty page that ends the polling
    assert logs[0].query["since"] == "2025-10-01T00:00:00.000Z"
    assert logs[0].query["until"].endswith(".000Z") and logs[0].query["limit"] == "1000"
    policy_types = [seen.query["type"] for seen in api.seen if seen.path == "/api/v1/policies"]
    assert policy_types == ["OKTA_SIGN_ON", "ACCESS_POLICY"]
    assert "/api/v1/groups/00g0everyone0000g4/users" not in api.paths()
    assert sum(p.endswith("/factors") for p in api.paths()) == 8


def test_lines_are_what_the_reader_documents(clean) -> None:
    _, out, _ = clean
    factors = [
        json.loads(line) for line in (out / "okta" / "factors.jsonl").read_text().splitlines()
    ]
    assert {line["userId"] for line in factors} >= WITH_FACTORS
    assert all(set(line) == {"userId", "factors"} for line in factors)
    members = json.loads((out / "okta" / "group-members.jsonl").read_text().splitlines()[0])
    assert set(members) == {"groupId", "profile", "users"}
    rules = json.loads((out / "okta" / "policies.json").read_text())
    assert all("rules" in policy for page in rules for policy in page)


def test_rate_limits_refusals_and_retries(tmp_path: Path) -> None:
    api = okta_api(page_size=3)
    api.fault(
        "/api/v1/groups",
        Answer(
            429,
            {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"},
            {"X-Rate-Limit-Reset": str(int(time.time())), "Date": now_date()},
        ),
    )
    api.fault(
        f"/api/v1/users/{FIRST_USER}/roles",
        Answer(
            403,
            {
                "errorCode": "E0000006",
                "errorSummary": "You do not have permission to perform the requested action",
            },
        ),
    )
    api.fault("/api/v1/logs", Answer(502, None))
    users = api.routes[("GET", "/api/v1/users")]

    def nearly_limited(seen: Seen) -> Answer:
        answer = users(seen)
        answer.headers |= {
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "5",
            "X-Rate-Limit-Reset": str(int(time.time()) + 1),
            "Date": now_date(),
        }
        return answer

    api.routes[("GET", "/api/v1/users")] = nearly_limited
    policies_route = api.routes[("GET", "/api/v1/policies")]
    api.routes[("GET", "/api/v1/policies")] = lambda seen: (
        Answer(400, {"errorCode": "E0000001", "errorSummary": "Api validation failed: type"})
        if seen.query.get("type") == "ACCESS_POLICY"
        else policies_route(seen)
    )
    waits: list[str] = []
    with serve(api):
        collected = collect_okta(settings(api), tmp_path, on_wait=lambda s, why: waits.append(why))
    assert [p.name for p in collected.written] == [n for n in FILES if n != "roles.jsonl"]
    roles, access = collected.problems
    assert access.startswith(
        f"Okta ACCESS_POLICY policies: not collected: GET {api.url}/api/v1/policies answered 400"
    )
    assert roles == (
        f"Okta roles.jsonl: not collected: GET {api.url}/api/v1/users/{FIRST_USER}/roles answered "
        "403 Forbidden (E0000006: You do not have permission to perform the requested action); "
        "the credentials lack a permission, role or licence this call needs; this call needs an "
        "API token of an administrator (Read-Only Administrator is enough)"
    )
    assert any("/api/v1/groups: 429" in why for why in waits)
    assert any("/api/v1/logs: 502" in why for why in waits)
    assert any("5 of 600 requests left; slowing down" in why for why in waits)
    data, problems = read(tmp_path / "okta")
    assert problems == []
    assert not any(account.roles for account in data.accounts)
    assert {p.name.split(" / ")[0] for p in data.policies} == {"委託先ポリシー", "Default Policy"}


def test_a_refused_token_stops_the_run_without_showing_it(tmp_path: Path) -> None:
    api = okta_api()
    with serve(api), pytest.raises(CollectError) as caught:
        collect_okta(settings(api, token="00wrongTOKENwrongTOKEN"), tmp_path)
    text = str(caught.value)
    assert text.startswith(f"Okta refused the token: GET {api.url}/api/v1/users answered 401")
    assert "E0000011: Invalid token provided" in text and "00wrongTOKEN" not in text
    assert api.paths() == ["/api/v1/users"]


def test_users_deleted_during_the_run_are_counted_not_fatal(tmp_path: Path) -> None:
    api = okta_api()
    api.fault(
        f"/api/v1/users/{FIRST_USER}/factors",
        Answer(404, {"errorCode": "E0000007", "errorSummary": "Not found"}),
    )
    with serve(api):
        collected = collect_okta(settings(api), tmp_path)
    assert collected.problems == [
        "Okta factors: 1 users were deleted during the run and are left out"
    ]
    lines = (tmp_path / "okta" / "factors.jsonl").read_text().splitlines()
    assert len(lines) == 7


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://acme-admin.okta.com", "is the Admin Console; give the org URL (acme.okta.com)"),
        ("http://acme.okta.com", "refusing plain http to acme.okta.com"),
    ],
)
def test_unusable_org_urls_are_refused(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(
        CollectError, match=message.replace(".", r"\.").replace("(", r"\(").replace(")", r"\)")
    ):
        collect_okta(OktaSettings(org_url=url, token=OKTA_TOKEN, since=SINCE), tmp_path)
