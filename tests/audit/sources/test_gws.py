"""Google Workspace exports → accounts and sign-ins, read through `read_identity`.

The fixtures under data/gws are Admin SDK answers for the same company as the Okta ones: a
super admin without 2-step verification, a contractor (Type of employee "Contractor") without
it, a suspended, an archived and a never-signed-in user, and a delegated admin with a security
key; `users.json` is one users.list page, `users-pages.jsonl` the next two pages as JSON lines, and
`login-activities.json` one activities.list page of the login application.
"""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.audit.model import IdentityData
from mamori.audit.sources import Export, gws, okta, read_identity
from mamori.audit.sources.files import Records, parse_file
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parents[1] / "data"
GWS = DATA / "gws"
DOMAIN = "mamori-shoji.co.jp"
SATO = f"kenji.sato@{DOMAIN}"
TANAKA = f"m.tanaka.ext@{DOMAIN}"
YAMAMOTO = f"ren.yamamoto@{DOMAIN}"


def read(*paths: Path) -> tuple[IdentityData, list[InputProblem]]:
    problems: list[InputProblem] = []
    return read_identity(list(paths), problems.append), problems


def by_name(data: IdentityData) -> dict[str, Any]:
    return {account.name: account for account in data.accounts}


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def records(path: Path) -> Records:
    parsed = parse_file(path, lambda problem: None)
    assert parsed is not None
    return parsed


def user(uid: str, local: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "admin#directory#user",
        "id": uid,
        "primaryEmail": f"{local}@{DOMAIN}",
        "name": {"givenName": "一郎", "familyName": "山田", "fullName": "山田 一郎"},
        "isAdmin": False,
        "isDelegatedAdmin": False,
        "lastLoginTime": "2025-10-01T09:00:00.000Z",
        "creationTime": "2024-04-01T00:00:00.000Z",
        "suspended": False,
        "archived": False,
        "customerId": "C03m4m0r1",
        "orgUnitPath": "/",
        "isEnrolledIn2Sv": True,
        "isEnforcedIn2Sv": True,
        **extra,
    }


def login(time: str, email: str, name: str, methods: Any, **extra: Any) -> dict[str, Any]:
    parameters = [{"name": "login_type", "value": extra.pop("login_type", "google_password")}]
    if methods is not None:
        parameters.append({"name": "login_challenge_method", "multiValue": methods})
    return {
        "kind": "admin#reports#activity",
        "id": {"time": time, "uniqueQualifier": "-1", "applicationName": "login"},
        "actor": {"callerType": "USER", "email": email, "profileId": "1047"},
        "ipAddress": "203.0.113.9",
        "events": [{"type": "login", "name": name, "parameters": parameters}],
        **extra,
    }


# --- the fixture company, end to end -----------------------------------------------------------


def test_fixture_folder_reads_without_problems() -> None:
    data, problems = read(GWS)
    assert problems == []
    assert data.coverage.kinds["gws"] == {"users", "signins"}
    assert len(data.accounts) == 6
    assert {account.tenant for account in data.accounts} == {"C03m4m0r1"}


def test_super_admin_without_2sv() -> None:
    sato = by_name(read(GWS)[0])[SATO]
    assert sato.is_admin is True
    assert [(r.role, r.privileged) for r in sato.roles] == [("Super Admin", True)]
    assert sato.privileged
    assert (sato.mfa.registered, sato.mfa.enforced) == (False, False)
    assert sato.mfa.methods == () and sato.mfa.phishing_resistant is None
    assert sato.display_name == "佐藤 健二"
    assert sato.employee_type == "正社員"
    assert sato.last_sign_in == datetime(2025, 10, 15, 0, 12, 40, tzinfo=UTC)
    assert sato.created == datetime(2019, 4, 1, 0, 10, tzinfo=UTC)
    assert [(Path(e.file).name, e.position) for e in sato.evidence] == [
        ("users.json", "document users[0]")
    ]


def test_contractor_without_2sv() -> None:
    tanaka = by_name(read(GWS)[0])[TANAKA]
    assert tanaka.employee_type == "Contractor"
    assert tanaka.company == "株式会社ブルーシステム"
    assert tanaka.department == "保守委託"
    assert tanaka.manager == SATO
    assert tanaka.attributes["org_unit_path"] == "/委託先"
    assert tanaka.mfa.registered is False
    assert tanaka.enabled is True
    assert not tanaka.privileged


def test_suspended_archived_and_never_signed_in() -> None:
    accounts = by_name(read(GWS)[0])
    assert accounts[f"yui.takahashi@{DOMAIN}"].enabled is False
    archived = accounts[f"aoi.kobayashi@{DOMAIN}"]
    assert archived.enabled is False
    assert archived.mfa.registered is True
    ito = accounts[f"daiki.ito@{DOMAIN}"]
    assert ito.enabled is True
    assert ito.last_sign_in is None  # the 1970 epoch is Google's "never"
    assert ito.attributes["never_signed_in"] is True
    assert ito.employee_type is None  # no organizations entry
    assert [(Path(e.file).name, e.position) for e in ito.evidence] == [
        ("users-pages.jsonl", "line 1 users[0]")
    ]
    assert "never_signed_in" not in accounts[SATO].attributes


def test_delegated_admin_and_the_primary_organization() -> None:
    yamamoto = by_name(read(GWS)[0])[YAMAMOTO]
    assert yamamoto.is_admin is False
    assert [r.role for r in yamamoto.roles] == ["Delegated Admin"]
    assert yamamoto.privileged
    assert (yamamoto.department, yamamoto.company) == ("情報システム部", "守商事株式会社")
    assert (yamamoto.mfa.registered, yamamoto.mfa.enforced) == (True, True)
    assert [e.position for e in yamamoto.evidence] == ["line 2 users[0]"]  # the third page


def test_login_events_become_signins() -> None:
    data = read(GWS)[0]
    signins = [
        (s.time.isoformat(), s.account_name, s.success, s.single_factor) for s in data.signins
    ]
    assert signins == [
        ("2025-10-15T14:03:00+00:00", TANAKA, True, True),  # password only
        ("2025-10-15T00:12:40+00:00", SATO, True, True),
        ("2025-10-14T23:50:00+00:00", YAMAMOTO, True, False),  # security key
        ("2025-10-14T22:01:13+00:00", TANAKA, False, None),
        ("2025-10-14T09:30:00+00:00", YAMAMOTO, True, None),  # SAML: the IdP decides
    ]  # the logout event is not a sign-in
    first = data.signins[0]
    assert first.risk_events == ("is_suspicious",)
    assert first.ip_address == "198.51.100.77"
    assert first.account_id == "104729451083726154902"
    assert first.interactive is True
    assert [e.position for e in first.evidence] == ["document items[0]"]
    assert data.coverage.signin_window["gws"] == (
        datetime(2025, 10, 14, 8, 0, tzinfo=UTC),
        datetime(2025, 10, 15, 14, 3, tzinfo=UTC),
    )


# --- recognising files -------------------------------------------------------------------------


def test_sniff_names_every_fixture_kind() -> None:
    kinds = {path.name: gws.sniff(records(path)) for path in sorted(GWS.iterdir())}
    assert kinds == {
        "login-activities.json": "signins",
        "users-pages.jsonl": "users",
        "users.json": "users",
    }


def test_sniff_reads_bare_records_and_arrays_of_pages(tmp_path: Path) -> None:
    bare = [user("1", "a"), user("2", "b")]
    pages = [{"kind": "admin#directory#users", "users": bare}, {"users": [user("3", "c")]}]
    activities = [login("2025-10-01T00:00:00Z", f"a@{DOMAIN}", "login_success", ["password"])]
    assert gws.sniff(records(write(tmp_path, "bare.json", bare))) == "users"
    assert gws.sniff(records(write(tmp_path, "pages.json", pages))) == "users"
    assert gws.sniff(records(write(tmp_path, "act.json", activities))) == "signins"
    data, problems = read(tmp_path)
    assert [(p.position, p.message) for p in problems] == [
        ("value[0] users[0]", "user 1 appears again; the first record's values are kept"),
        ("value[0] users[1]", "user 2 appears again; the first record's values are kept"),
    ]
    places = sorted((Path(e.file).name, e.position) for a in data.accounts for e in a.evidence)
    assert places == [
        ("bare.json", "value[0]"),
        ("bare.json", "value[1]"),
        ("pages.json", "value[0] users[0]"),
        ("pages.json", "value[0] users[1]"),
        ("pages.json", "value[1] users[0]"),
    ]
    assert len(data.accounts) == 3  # users 1 and 2 are in both files: joined by id


def test_sniff_leaves_other_sources_alone(tmp_path: Path) -> None:
    graph = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
        "value": [{"id": "87d349ed", "userPrincipalName": "kenji.sato@contoso.co.jp"}],
    }
    aws = (
        "user,arn,user_creation_time,password_enabled,password_last_used,mfa_active\n"
        "alice,arn:aws:iam::123456789012:user/alice,2024-01-01T00:00:00+00:00,true,N/A,false\n"
    )
    drive = login("2025-10-01T00:00:00Z", f"a@{DOMAIN}", "view", None)
    drive["id"]["applicationName"] = "drive"
    assert gws.sniff(records(write(tmp_path, "graph.json", graph))) is None
    assert gws.sniff(records(write(tmp_path, "credential-report.csv", aws))) is None
    assert gws.sniff(records(write(tmp_path, "drive.json", [drive]))) is None
    for path in sorted((DATA / "okta").iterdir()):
        assert gws.sniff(records(path)) is None, path.name
    for path in sorted(GWS.iterdir()):
        assert okta.sniff(records(path)) is None, path.name


# --- bad input ---------------------------------------------------------------------------------


def test_bad_users_are_reported_with_position_and_the_rest_read(tmp_path: Path) -> None:
    page = {
        "kind": "admin#directory#users",
        "users": [
            user("1", "good"),
            {"kind": "admin#directory#user", "primaryEmail": f"noid@{DOMAIN}"},
            {"kind": "admin#directory#user", "id": "3"},
            user("4", "odd", isEnrolledIn2Sv="yes", creationTime="2025/13/45", suspended=None),
            user("5", "org", organizations={"department": "営業部"}, lastLoginTime="昨日"),
            "not a user",
            user("1", "good-again"),
        ],
    }
    write(tmp_path, "users.json", page)
    write(tmp_path, "broken.json", '{"kind": "admin#directory#users", "users": [{"id": "9"')
    data, problems = read(tmp_path)
    found: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        found.setdefault((Path(p.source).name, p.position), []).append(p.message)
    assert any("invalid JSON" in m for m in found[("broken.json", "line 1")])
    assert found[("users.json", "document users[1]")] == [
        "user without id or primaryEmail; skipped"
    ]
    assert found[("users.json", "document users[2]")] == [
        "user without id or primaryEmail; skipped"
    ]
    odd = found[("users.json", "document users[3]")]
    assert any("isEnrolledIn2Sv is 'yes'" in m for m in odd)
    assert any("creationTime '2025/13/45'" in m for m in odd)
    org = found[("users.json", "document users[4]")]
    assert any("organizations is dict" in m for m in org)
    assert any("lastLoginTime '昨日'" in m for m in org)
    assert found[("users.json", "document users[5]")] == ["not a JSON object; skipped"]
    assert any("appears again" in m for m in found[("users.json", "document users[6]")])
    accounts = by_name(data)
    assert set(accounts) == {f"good@{DOMAIN}", f"odd@{DOMAIN}", f"org@{DOMAIN}"}
    odd_account = accounts[f"odd@{DOMAIN}"]
    assert odd_account.mfa.registered is None
    assert odd_account.created is None
    assert odd_account.enabled is None  # suspended unknown
    assert accounts[f"org@{DOMAIN}"].last_sign_in is None
    assert "never_signed_in" not in accounts[f"org@{DOMAIN}"].attributes


def test_bad_activities_are_reported_and_the_rest_read(tmp_path: Path) -> None:
    email = f"a@{DOMAIN}"
    no_time = login("2025-10-01T00:00:00Z", email, "login_success", ["password"])
    del no_time["id"]["time"]
    drive = login("2025-10-01T03:00:00Z", email, "login_success", ["password"])
    drive["id"]["applicationName"] = "drive"
    items = [
        login("2025-10-01T01:00:00Z", email, "login_success", ["password", "telepathy"]),
        no_time,
        login("2025-10-01T02:00:00Z", email, "login_success", ["password"], actor={}),
        drive,
        login("not a time", email, "login_success", ["password"]),
        login("2025-10-01T04:00:00Z", email, "login_success", "google_prompt"),
        login("2025-10-01T05:00:00Z", email, "login_success", ["other"]),
    ]
    write(tmp_path, "login.json", {"kind": "admin#reports#activities", "items": items})
    data, problems = read(tmp_path)
    found = {p.position: p.message for p in problems}
    assert "'telepathy'" in found["document items[0]"]
    assert "without id.time" in found["document items[1]"]
    assert "actor.email" in found["document items[2]"]
    assert "'drive'" in found["document items[3]"]
    assert "'not a time'" in found["document items[4]"]
    assert len(problems) == 5
    assert [(s.time.hour, s.single_factor) for s in data.signins] == [
        (1, None),  # an unknown method: cannot tell
        (4, False),  # a single value instead of a list
        (5, None),
    ]


# --- garbage never raises ----------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "kind",
        "id",
        "primaryEmail",
        "users",
        "items",
        "name",
        "fullName",
        "isAdmin",
        "isDelegatedAdmin",
        "isEnrolledIn2Sv",
        "isEnforcedIn2Sv",
        "lastLoginTime",
        "creationTime",
        "suspended",
        "archived",
        "customerId",
        "orgUnitPath",
        "organizations",
        "primary",
        "description",
        "relations",
        "type",
        "value",
        "time",
        "applicationName",
        "actor",
        "email",
        "events",
        "parameters",
        "multiValue",
        "boolValue",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=12),
    st.sampled_from(
        [
            "admin#directory#users",
            "admin#directory#user",
            "admin#reports#activities",
            "admin#reports#activity",
            "login",
            "login_success",
            "login_failure",
            "login_challenge_method",
            "login_type",
            "saml",
            "password",
            "security_key",
            "manager",
            "1970-01-01T00:00:00.000Z",
            "2025-10-01T00:00:00Z",
            "0001-01-01T00:00:00+09:00",
            "a@mamori-shoji.co.jp",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=15,
)
RECORDS = st.lists(st.dictionaries(KEYS, JSON, max_size=8), max_size=5)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS)
def test_garbage_never_raises_from_sniff_or_build(rows: list[dict[str, Any]]) -> None:
    found = Records(Path("garbage.json"), "json", [(f"value[{i}]", r) for i, r in enumerate(rows)])
    gws.sniff(found)
    problems: list[InputProblem] = []
    data = gws.build(
        [Export("gws", "users", found), Export("gws", "signins", found)], problems.append
    )
    assert data.coverage.kinds["gws"] == {"users", "signins"}


@cache
def fixture(path: Path) -> tuple[str, Records]:
    found = records(path)
    kind = gws.sniff(found)
    assert kind is not None
    return kind, found


@st.composite
def mutated_fixture(draw: st.DrawFn) -> tuple[str, Records]:
    """A fixture file with a few values deep inside its records replaced by garbage."""
    kind, original = fixture(draw(st.sampled_from(sorted(GWS.iterdir()))))
    rows = copy.deepcopy(original.rows)
    for _ in range(draw(st.integers(1, 4))):
        node: Any = draw(st.sampled_from(rows))[1]
        while True:
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = node[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                node = child
                continue
            node[key] = draw(JSON)
            break
    return kind, Records(original.path, original.format, rows)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_fixture(), min_size=1, max_size=3))
def test_damaged_fixtures_never_raise(files: list[tuple[str, Records]]) -> None:
    problems: list[InputProblem] = []
    for _, found in files:
        gws.sniff(found)
    gws.build([Export("gws", kind, found) for kind, found in files], problems.append)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | JSON.map(lambda value: json.dumps(value).encode()))
def test_garbage_files_never_raise(content: bytes) -> None:
    problems: list[InputProblem] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(content)
        read_identity([path], problems.append, source="gws")
