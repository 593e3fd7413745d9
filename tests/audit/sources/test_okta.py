"""Okta exports → accounts, groups, policies and sign-ins, read through `read_identity`.

The fixtures under data/okta are Management API answers of one small Japanese company: an
employee super admin with a security key, a contractor org admin (through the Okta管理者
group) whose only factor is e-mail and whose group a sign-on policy exempts from MFA, a vendor
without factors, and suspended, provisioned-but-never-signed-in, staged and deactivated users.
"""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.audit.model import IdentityData
from mamori.audit.sources import Export, gws, okta, read_identity
from mamori.audit.sources.files import Records, parse_file
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parents[1] / "data"
OKTA = DATA / "okta"

SATO = "kenji.sato@mamori-shoji.co.jp"
TANAKA = "m.tanaka@bluesystem.example.jp"
SUZUKI = "h.suzuki@logi-partner.example.jp"
ADMINS = "00g1oktaAdmins00g4"
VENDORS = "00g2vendorVPN000g4"


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


def user(uid: str, login: str, status: str = "ACTIVE", **extra: Any) -> dict[str, Any]:
    return {
        "id": uid,
        "status": status,
        "created": "2024-04-01T00:00:00.000Z",
        "lastLogin": "2025-10-01T09:00:00.000Z",
        "profile": {"login": login, "email": login, "firstName": "一郎", "lastName": "山田"},
        "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}},
        **extra,
    }


# --- the fixture company, end to end -----------------------------------------------------------


def test_fixture_folder_reads_without_problems_but_the_password_policy() -> None:
    data, problems = read(OKTA)
    assert [(Path(p.source).name, p.position) for p in problems] == [("policies.json", "file")]
    assert "PASSWORD" in problems[0].message
    assert data.coverage.kinds["okta"] == {
        "users",
        "registration",
        "groups",
        "role_assignments",
        "policies",
        "signins",
    }
    assert {account.source for account in data.accounts} == {"okta"}
    assert len(data.accounts) == 8


def test_contractor_admin_through_a_group_with_only_email_is_not_mfa_registered() -> None:
    tanaka = by_name(read(OKTA)[0])[TANAKA]
    assert tanaka.employee_type == "Contractor"
    assert tanaka.company == "株式会社ブルーシステム"
    assert tanaka.manager == SATO
    assert tanaka.enabled is True
    assert tanaka.mfa.registered is False
    assert tanaka.mfa.methods == ("email",)  # the TOTP is still PENDING_ACTIVATION
    assert tanaka.mfa.phishing_resistant is False
    [role] = tanaka.roles
    assert (role.role, role.role_id, role.assignment_type) == (
        "Organizational Administrator",
        "ORG_ADMIN",
        "GROUP",
    )
    assert role.via_group == ADMINS
    assert role.privileged and tanaka.privileged
    assert sorted(tanaka.groups) == [ADMINS, VENDORS]
    places = {(Path(e.file).name, e.position) for e in tanaka.evidence}
    assert places == {
        ("users.json", "value[1]"),
        ("factors.jsonl", "line 2"),
        ("roles.jsonl", "line 2"),
    }


def test_vendor_without_any_factor_is_not_registered() -> None:
    suzuki = by_name(read(OKTA)[0])[SUZUKI]
    assert suzuki.employee_type == "Vendor"
    assert suzuki.mfa.registered is False
    assert suzuki.mfa.methods == ()
    assert not suzuki.privileged


def test_employee_super_admin_with_a_security_key() -> None:
    sato = by_name(read(OKTA)[0])[SATO]
    assert sato.id == "00u1sato0KENJI0g4"
    assert sato.tenant == "mamori-demo.okta.com"
    assert sato.display_name == "佐藤 健二"
    assert sato.department == "情報システム部"
    assert sato.mfa.registered is True
    assert sato.mfa.phishing_resistant is True
    assert sato.mfa.methods == ("push", "webauthn")
    assert [(r.role_id, r.privileged, r.assignment_type) for r in sato.roles] == [
        ("SUPER_ADMIN", True, "USER")
    ]
    assert sato.created == datetime(2019, 4, 1, 0, 12, 3, tzinfo=UTC)
    assert sato.last_sign_in == datetime(2025, 10, 14, 23, 58, 10, tzinfo=UTC)
    assert sato.password_last_set == datetime(2025, 6, 2, 4, 20, tzinfo=UTC)
    assert sato.password_enabled is True
    assert sato.synced_from_on_premises is False


def test_read_only_admin_is_not_privileged_and_fastpass_is_phishing_resistant() -> None:
    yamamoto = by_name(read(OKTA)[0])["ren.yamamoto@mamori-shoji.co.jp"]
    assert [(r.role_id, r.privileged) for r in yamamoto.roles] == [("READ_ONLY_ADMIN", False)]
    assert not yamamoto.privileged
    assert yamamoto.mfa.registered is True
    assert yamamoto.mfa.phishing_resistant is True
    assert yamamoto.mfa.methods == ("signed_nonce", "question")
    assert yamamoto.synced_from_on_premises is True
    assert yamamoto.attributes["credential_provider"] == "ACTIVE_DIRECTORY"
    assert yamamoto.display_name == "蓮 山本"  # no displayName: first and last name


def test_lifecycle_statuses() -> None:
    accounts = by_name(read(OKTA)[0])
    enabled = {name.split("@")[0]: a.enabled for name, a in accounts.items()}
    assert enabled == {
        "kenji.sato": True,
        "m.tanaka": True,
        "h.suzuki": True,
        "yui.takahashi": False,  # SUSPENDED
        "daiki.ito": True,  # PROVISIONED: the activation link still opens the account
        "sho.watanabe": False,  # STAGED
        "aoi.kobayashi": False,  # DEPROVISIONED
        "ren.yamamoto": True,
    }
    assert accounts["yui.takahashi@mamori-shoji.co.jp"].attributes["okta_status"] == "SUSPENDED"


def test_never_signed_in_user_is_told_apart_from_unknown() -> None:
    accounts = by_name(read(OKTA)[0])
    ito = accounts["daiki.ito@mamori-shoji.co.jp"]
    assert ito.last_sign_in is None
    assert ito.attributes["never_signed_in"] is True
    assert ito.password_enabled is False
    assert ito.mfa.registered is None  # not in the factor export: cannot tell
    assert "never_signed_in" not in accounts[SATO].attributes


def test_groups_and_memberships() -> None:
    data = read(OKTA)[0]
    groups = {group.name: group for group in data.groups}
    assert set(groups) == {"Everyone", "Okta管理者", "委託先VPN", "経理部"}
    assert groups["委託先VPN"].members == ["00u2tanaka0MAKOTO0g4", "00u3suzuki0HANAKO0g4"]
    assert groups["Okta管理者"].id == ADMINS
    assert len(groups["Okta管理者"].evidence) == 2  # the group and its members export


def test_policies_one_per_rule_with_the_vendor_exemption_visible() -> None:
    policies = {policy.name: policy for policy in read(OKTA)[0].policies}
    assert list(policies) == [
        "Okta Admin Console / 委託先 (1 要素)",
        "Okta Admin Console / Catch-all Rule",
        "委託先ポリシー / VPN から (MFA なし)",
        "Default Policy / 全員 MFA",
        "Default Policy / Default Rule",
    ]
    vendor = policies["委託先ポリシー / VPN から (MFA なし)"]
    assert vendor.include_groups == (VENDORS,)
    assert not vendor.requires_mfa
    assert vendor.include_applications == ("All",)
    everyone = policies["Default Policy / 全員 MFA"]
    assert everyone.state == "ACTIVE"
    assert everyone.include_users == ("All",)  # the built-in Everyone group
    assert everyone.include_groups == ()
    assert everyone.exclude_groups == (VENDORS,)  # the earlier 1FA rule lets them in first
    assert everyone.requires_mfa
    assert policies["Default Policy / Default Rule"].state == "INACTIVE"
    catch_all = policies["Okta Admin Console / Catch-all Rule"]
    assert catch_all.requires_mfa
    assert catch_all.exclude_groups == (VENDORS,)
    assert catch_all.include_applications == ()
    assert [Path(e.file).name + " " + e.position for e in vendor.evidence] == [
        "policies.json value[0]",
        "policies.json value[0] _embedded.rules[0]",
    ]


def test_signins_single_factor_from_the_session_id() -> None:
    data = read(OKTA)[0]
    signins = {signin.account_name: signin for signin in data.signins}
    assert len(data.signins) == 3  # session starts only; the other log events are not sign-ins
    assert signins[SATO].single_factor is False
    assert signins[SATO].success is True
    tanaka = signins[TANAKA]
    assert (tanaka.success, tanaka.single_factor, tanaka.risk_level) == (True, True, "high")
    assert tanaka.ip_address == "198.51.100.77"
    assert tanaka.user_agent is not None and "Chrome/129" in tanaka.user_agent
    assert tanaka.account_id == "00u2tanaka0MAKOTO0g4"
    assert tanaka.interactive is True
    assert [e.position for e in tanaka.evidence] == ["value[2]"]
    failed = signins[SUZUKI]
    assert (failed.success, failed.single_factor) == (False, None)
    assert data.coverage.signin_window["okta"] == (
        datetime(2025, 10, 14, 23, 57, 58, 120000, tzinfo=UTC),
        datetime(2025, 10, 15, 16, 20, tzinfo=UTC),
    )


# --- recognising files -------------------------------------------------------------------------


def test_sniff_names_every_fixture_kind() -> None:
    kinds = {path.name: okta.sniff(records(path)) for path in sorted(OKTA.iterdir())}
    assert kinds == {
        "factors.jsonl": "registration",
        "group-members.jsonl": "groups",
        "groups.json": "groups",
        "logs.json": "signins",
        "policies.json": "policies",
        "roles.jsonl": "role_assignments",
        "users.json": "users",
    }


def test_sniff_leaves_other_sources_alone(tmp_path: Path) -> None:
    graph = {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
        "value": [
            {
                "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
                "userPrincipalName": "kenji.sato@contoso.co.jp",
                "displayName": "佐藤 健二",
                "accountEnabled": True,
                "employeeType": "Employee",
            }
        ],
    }
    aws = (
        "user,arn,user_creation_time,password_enabled,password_last_used,"
        "password_last_changed,password_next_rotation,mfa_active\n"
        "<root_account>,arn:aws:iam::123456789012:root,2019-04-01T00:00:00+00:00,not_supported,"
        "2025-10-01T00:00:00+00:00,not_supported,not_supported,true\n"
    )
    assert okta.sniff(records(write(tmp_path, "users.json", graph))) is None
    graph_lines = "\n".join(json.dumps(u) for u in graph["value"]) + "\n"
    assert okta.sniff(records(write(tmp_path, "g.jsonl", graph_lines))) is None
    assert okta.sniff(records(write(tmp_path, "credential-report.csv", aws))) is None
    for path in sorted((DATA / "gws").iterdir()):
        assert okta.sniff(records(path)) is None, path.name
    for path in sorted(OKTA.iterdir()):
        assert gws.sniff(records(path)) is None, path.name


# --- bad input ---------------------------------------------------------------------------------


def test_bad_users_are_reported_with_position_and_the_rest_read(tmp_path: Path) -> None:
    users = [
        user("00uGOOD", "good@mamori-shoji.co.jp"),
        {"status": "ACTIVE", "profile": {"login": "noid@mamori-shoji.co.jp"}},
        {"id": "00uNOLOGIN", "status": "ACTIVE", "profile": {"email": "x@mamori-shoji.co.jp"}},
        user("00uODD", "odd@mamori-shoji.co.jp", status="ON_LEAVE"),
        user(
            "00uDATES",
            "dates@mamori-shoji.co.jp",
            created="2025-13-45T00:00:00.000Z",
            lastLogin=1728000000,
        ),
        user("00uGOOD", "good-again@mamori-shoji.co.jp"),
    ]
    write(tmp_path, "users.json", users)
    write(tmp_path, "broken.json", '[{"id": "00uX", "status": "ACTIVE", "profile": {"lo')
    data, problems = read(tmp_path)
    found = {(Path(p.source).name, p.position): p.message for p in problems}
    assert "invalid JSON" in found[("broken.json", "line 1")]
    assert "without id or profile.login" in found[("users.json", "value[1]")]
    assert "without id or profile.login" in found[("users.json", "value[2]")]
    assert "'ON_LEAVE'" in found[("users.json", "value[3]")]
    assert "appears again" in found[("users.json", "value[5]")]
    date_problems = [p.message for p in problems if p.position == "value[4]"]
    assert any("created '2025-13-45" in m for m in date_problems)
    assert any("lastLogin 1728000000" in m for m in date_problems)
    accounts = by_name(data)
    assert set(accounts) == {
        "good@mamori-shoji.co.jp",
        "odd@mamori-shoji.co.jp",
        "dates@mamori-shoji.co.jp",
    }
    odd = accounts["odd@mamori-shoji.co.jp"]
    assert odd.enabled is None
    assert odd.attributes["okta_status"] == "ON_LEAVE"
    dates = accounts["dates@mamori-shoji.co.jp"]
    assert dates.created is None and dates.last_sign_in is None
    assert len(accounts["good@mamori-shoji.co.jp"].evidence) == 2


def test_factor_and_role_shapes_and_their_problems(tmp_path: Path) -> None:
    write(tmp_path, "users.json", [user("00uA", "a@mamori-shoji.co.jp")])
    href = "https://mamori-demo.okta.com/api/v1/users/00uA"
    factors = [
        {"id": "f1", "factorType": "push", "status": "ACTIVE", "_links": {"user": {"href": href}}},
        {"id": "f2", "factorType": "quantum", "status": "ACTIVE", "userId": "00uA"},
        {"id": "f3", "factorType": "u2f", "status": "SLEEPING", "userId": "00uA"},
        {"id": "f4", "factorType": "sms", "status": "ACTIVE", "userId": "00uGONE"},
        {"id": "f5", "factorType": "sms", "status": "ACTIVE"},
    ]
    write(tmp_path, "factors.json", factors)
    roles = {
        "userId": "00uA",
        "roles": [
            {"type": "CHIEF_WIZARD", "label": "魔法使い", "status": "ACTIVE"},
            {"type": "SUPER_ADMIN", "label": "Super Administrator", "status": "INACTIVE"},
            "SUPER_ADMIN",
        ],
    }
    nobody = {"userId": "00uGONE", "roles": []}
    lines = [json.dumps(nobody), json.dumps(roles, ensure_ascii=False)]
    write(tmp_path, "roles.jsonl", "\n".join(lines) + "\n")
    data, problems = read(tmp_path)
    found = {(Path(p.source).name, p.position): p.message for p in problems}
    assert "unknown factorType 'quantum'" in found[("factors.json", "value[1]")]
    assert "unknown factor status 'SLEEPING'" in found[("factors.json", "value[2]")]
    assert "not in the users export" in found[("factors.json", "value[3]")]
    assert "names no user" in found[("factors.json", "value[4]")]
    assert "not in the users export" in found[("roles.jsonl", "line 1")]
    assert "unknown role type 'CHIEF_WIZARD'" in found[("roles.jsonl", "line 2 roles[0]")]
    assert "not a JSON object" in found[("roles.jsonl", "line 2 roles[2]")]
    [account] = data.accounts
    assert account.mfa.methods == ("push", "quantum")
    assert account.mfa.registered is True
    assert account.mfa.phishing_resistant is False  # the u2f key is not ACTIVE
    assert [(r.role, r.privileged) for r in account.roles] == [("魔法使い", True)]


def test_policy_problems_and_first_match_shadowing(tmp_path: Path) -> None:
    def rule(name: str, priority: int, require: bool, **conditions: Any) -> dict[str, Any]:
        return {
            "id": f"0pr{priority}",
            "name": name,
            "status": "ACTIVE",
            "priority": priority,
            "type": "SIGN_ON",
            "conditions": conditions or None,
            "actions": {"signon": {"access": "ALLOW", "requireFactor": require}},
        }

    office = {"network": {"connection": "ZONE", "include": ["nzo1office"]}}
    policies = [
        {
            "id": "00pA",
            "name": "社内",
            "status": "ACTIVE",
            "priority": 1,
            "type": "OKTA_SIGN_ON",
            "_embedded": {"rules": [rule("社内は 1 要素", 1, False, **office)]},
        },
        {
            "id": "00pB",
            "name": "既定",
            "status": "ACTIVE",
            "priority": 2,
            "type": "OKTA_SIGN_ON",
            "_embedded": {"rules": [rule("MFA", 1, True), {"name": "壊れた", "status": "ON"}]},
        },
        {"id": "00pC", "name": "規則なし", "status": "ACTIVE", "type": "OKTA_SIGN_ON"},
        {
            "id": "rstD",
            "name": "アプリ",
            "status": "ACTIVE",
            "type": "ACCESS_POLICY",
            "rules": [
                {
                    "name": "チェーン",
                    "status": "ACTIVE",
                    "actions": {
                        "appSignOn": {
                            "access": "ALLOW",
                            "verificationMethod": {"type": "AUTH_METHOD_CHAIN", "chains": []},
                        }
                    },
                }
            ],
        },
    ]
    write(tmp_path, "policies.json", policies)
    data, problems = read(tmp_path)
    found = [(p.position, p.message) for p in problems]
    assert any(pos == "value[1] _embedded.rules[1]" and "'ON'" in m for pos, m in found)
    assert any(
        pos == "value[1] _embedded.rules[1]" and "without actions access" in m for pos, m in found
    )
    assert any(pos == "value[2]" and "no rules in the export" in m for pos, m in found)
    assert any(pos == "value[3] rules[0]" and "AUTH_METHOD_CHAIN" in m for pos, m in found)
    policies_by_name = {p.name: p for p in data.policies}
    mfa = policies_by_name["既定 / MFA"]
    assert mfa.requires_mfa
    assert mfa.include_users == ("All",)
    assert mfa.exclude_users == ("All",)  # everyone gets in with one factor from the office
    assert policies_by_name["既定 / 壊れた"].state == "ON"
    chain = policies_by_name["アプリ / チェーン"]
    assert not chain.requires_mfa and chain.state == "ACTIVE"


def test_log_problems(tmp_path: Path) -> None:
    events = [
        {"uuid": "1", "eventType": "user.session.start", "published": "yesterday"},
        {"uuid": "2", "eventType": "user.session.start", "published": "2025-10-01T00:00:00Z"},
        {
            "uuid": "3",
            "eventType": "user.session.start",
            "published": "2025-10-01T01:00:00Z",
            "actor": {"id": "00uA", "alternateId": "a@mamori-shoji.co.jp"},
            "outcome": {"result": "MAYBE"},
            "authenticationContext": {"externalSessionId": "102abc"},
        },
        {"uuid": "4", "eventType": "user.session.start"},
    ]
    write(tmp_path, "logs.jsonl", "".join(json.dumps(e) + "\n" for e in events))
    data, problems = read(tmp_path)
    found = {p.position: p.message for p in problems}
    assert "'yesterday'" in found["line 1"]
    assert "actor.alternateId" in found["line 2"]
    assert "'MAYBE'" in found["line 3"]
    assert "without a published time" in found["line 4"]
    [signin] = data.signins
    assert (signin.success, signin.single_factor) == (None, None)
    assert data.coverage.signin_window["okta"] == (
        datetime(2025, 10, 1, tzinfo=UTC),
        datetime(2025, 10, 1, 1, tzinfo=UTC),
    )


# --- garbage never raises ----------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "id",
        "userId",
        "groupId",
        "status",
        "profile",
        "login",
        "name",
        "type",
        "factors",
        "factorType",
        "roles",
        "users",
        "eventType",
        "published",
        "actor",
        "alternateId",
        "_embedded",
        "rules",
        "conditions",
        "people",
        "include",
        "exclude",
        "actions",
        "signon",
        "appSignOn",
        "verificationMethod",
        "factorMode",
        "_links",
        "href",
        "created",
        "lastLogin",
        "credentials",
        "outcome",
        "result",
        "authenticationContext",
        "externalSessionId",
        "priority",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=12),
    st.sampled_from(
        [
            "ACTIVE",
            "INACTIVE",
            "SUSPENDED",
            "OKTA_SIGN_ON",
            "ACCESS_POLICY",
            "BUILT_IN",
            "Everyone",
            "user.session.start",
            "user.authentication.auth_via_mfa",
            "SUCCESS",
            "2FA",
            "ALLOW",
            "DENY",
            "webauthn",
            "GROUP",
            "2025-10-01T00:00:00Z",
            "9999-12-31T23:59:59-05:00",
            "http://[::1/api/v1/users/x",
            "https://o.okta.com/api/v1/groups/00g1",
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
    okta.sniff(found)
    problems: list[InputProblem] = []
    exports = [Export("okta", kind, found) for kind in okta.KIND_ORDER]
    data = okta.build(exports, problems.append)
    assert data.coverage.kinds["okta"] == set(okta.KIND_ORDER)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | JSON.map(lambda value: orjson.dumps(value)))
def test_garbage_files_never_raise(content: bytes) -> None:
    problems: list[InputProblem] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.json"
        path.write_bytes(content)
        read_identity([path], problems.append, source="okta")


@cache
def fixture(path: Path) -> tuple[str, Records]:
    found = records(path)
    kind = okta.sniff(found)
    assert kind is not None
    return kind, found


@st.composite
def mutated_fixture(draw: st.DrawFn) -> tuple[str, Records]:
    """A fixture file with a few values deep inside its records replaced by garbage."""
    kind, original = fixture(draw(st.sampled_from(sorted(OKTA.iterdir()))))
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
        okta.sniff(found)
    okta.build([Export("okta", kind, found) for kind, found in files], problems.append)
