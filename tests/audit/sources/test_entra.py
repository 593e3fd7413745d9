"""Entra ID exports: a small tenant read end to end, other sources left alone, bad input reported.

The tenant in tests/audit/data/entra (株式会社さくら商事) has the ASKUL pattern: a contractor's
account (ext-suzuki) with a permanent Global Administrator assignment, no MFA registered, and
excluded by user id from the MFA policy; beside it a break-glass account excluded by group, an
admin whose Global Administrator role is a PIM activation, a Helpdesk Administrator role given
to a group, guests (one never accepted), a report-only phishing-resistant-MFA policy for admins,
and sign-ins in Graph and Log Analytics shapes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.audit.model import Account, IdentityData
from mamori.audit.sources import Export, read_identity
from mamori.audit.sources.entra import SOURCE, build, parse_time, sniff
from mamori.audit.sources.files import Records, parse_file
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parents[1] / "data" / "entra"
TENANT = "3c8f9b1e-5d2a-4e7b-9a61-0f2c4d8e7b15"
WORKSPACE = "b2f0c7d4-1e3a-4c59-a8d6-5f9e2b1c7a80"
GA = "62e90394-69f5-4237-9190-012177145e10"
HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
HELPDESK_GROUP = "0b7e4c1a-2f3d-4a5b-8c6d-7e8f9a0b1c01"
MFA_EXCLUDED_GROUP = "0b7e4c1a-2f3d-4a5b-8c6d-7e8f9a0b1c04"
SUZUKI = "6a1f3c2e-8b4d-4f1a-9c3e-2d5b7a9e1f03"
V1 = "https://graph.microsoft.com/v1.0/$metadata#"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
def tenant() -> tuple[IdentityData, list[InputProblem]]:
    problems: list[InputProblem] = []
    return read_identity([DATA], problems.append), problems


def account(data: IdentityData, name: str) -> Account:
    return next(a for a in data.accounts if a.name == name)


def read(tmp_path: Path, files: dict[str, Any]) -> tuple[IdentityData, list[InputProblem]]:
    """Write each value as JSON (or text as is) into tmp_path and read the folder."""
    for name, content in files.items():
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        (tmp_path / name).write_text(text, encoding="utf-8")
    problems: list[InputProblem] = []
    return read_identity([tmp_path], problems.append), problems


def page(collection: str, *records: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.context": V1 + collection, "value": list(records)}


def messages(problems: list[InputProblem]) -> list[tuple[str, str, str]]:
    return [(Path(p.source).name, p.position, p.message) for p in problems]


# ------------------------------------------------------------------ recognition


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        ("users.json", "users"),
        ("userRegistrationDetails.json", "registration"),
        ("conditionalAccessPolicies.json", "policies"),
        ("roleDefinitions.json", "role_definitions"),
        ("roleAssignmentScheduleInstances.json", "role_assignments"),
        ("roleAssignments.json", "role_assignments"),
        ("roleEligibilityScheduleInstances.json", "role_eligibilities"),
        ("groups.json", "groups"),
        ("signIns.json", "signins"),
        ("SigninLogs.csv", "signins"),
        ("AADNonInteractiveUserSignInLogs.json", "signins"),
        ("organization.json", "organization"),
    ],
)
def test_sniff_by_context_and_by_keys(file: str, kind: str) -> None:
    records = parse_file(DATA / file, pytest.fail)
    assert records is not None
    assert sniff(records) == kind
    # The same records saved as a bare array (no @odata.context) are recognised by their keys.
    records.context = None
    assert sniff(records) == kind


def test_sniff_other_graph_collections_by_keys_only() -> None:
    methods = Records(
        Path("methods.json"),
        "json",
        rows=[
            (
                "value[0]",
                {
                    "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
                    "id": "28c10230-6103-485e-b985-444c60001490",
                    "createdDateTime": "2021-10-15T06:30:00Z",
                },
            )
        ],
        context=V1 + "users('6a1f3c2e-8b4d-4f1a-9c3e-2d5b7a9e1f03')/authentication/methods",
    )
    assert sniff(methods) is None
    methods.context = V1 + "organization/$entity"
    assert sniff(methods) == "organization"


def test_sniff_leaves_other_sources_alone(tmp_path: Path) -> None:
    okta_users = [
        {
            "id": "00ub0oNGTSWTBKOLGLNR",
            "status": "ACTIVE",
            "created": "2024-04-01T00:00:00.000Z",
            "lastLogin": "2025-06-04T23:00:00.000Z",
            "type": {"id": "otyfnjfba4ye7pgjB0g4"},
            "profile": {
                "login": "t.yamada@sakura-shoji.co.jp",
                "email": "t.yamada@sakura-shoji.co.jp",
                "firstName": "太郎",
                "lastName": "山田",
                "userType": "Employee",
            },
            "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
            "_links": {
                "self": {"href": "https://sakura.okta.com/api/v1/users/00ub0oNGTSWTBKOLGLNR"}
            },
        }
    ]
    google_users = {
        "kind": "admin#directory#users",
        "users": [
            {
                "kind": "admin#directory#user",
                "id": "104829384729384729384",
                "primaryEmail": "t.yamada@sakura-shoji.co.jp",
                "name": {"givenName": "太郎", "familyName": "山田", "fullName": "山田 太郎"},
                "isAdmin": True,
                "isEnrolledIn2Sv": True,
                "isEnforcedIn2Sv": False,
                "suspended": False,
                "lastLoginTime": "2025-06-04T23:00:00.000Z",
            }
        ],
        "nextPageToken": "Q0FFU0FCa",
    }
    aws_report = (
        "user,arn,user_creation_time,password_enabled,password_last_used,"
        "password_last_changed,password_next_rotation,mfa_active,access_key_1_active\n"
        "<root_account>,arn:aws:iam::123456789012:root,2019-04-01T00:00:00+00:00,not_supported,"
        "2025-05-01T00:00:00+00:00,not_supported,not_supported,true,false\n"
    )
    ad_users = (
        "DistinguishedName,Enabled,GivenName,Name,ObjectClass,ObjectGUID,SamAccountName,SID,"
        "Surname,UserPrincipalName,LastLogonDate\n"
        '"CN=山田 太郎,OU=Users,DC=sakura,DC=local",True,太郎,山田 太郎,user,'
        "0d5b6e2f-1c3a-4f7b-9e8d-2a4c6b8d0e1f,t.yamada,S-1-5-21-1-2-3-1105,山田,"
        "t.yamada@sakura.local,2025/06/04 9:00:00\n"
    )
    ad_json = [
        {
            "sAMAccountName": "t.yamada",
            "userPrincipalName": "t.yamada@sakura.local",
            "distinguishedName": "CN=山田 太郎,OU=Users,DC=sakura,DC=local",
            "objectGUID": "0d5b6e2f-1c3a-4f7b-9e8d-2a4c6b8d0e1f",
            "id": "0d5b6e2f-1c3a-4f7b-9e8d-2a4c6b8d0e1f",
            "displayName": "山田 太郎",
        }
    ]
    for name, content in {
        "okta_users.json": json.dumps(okta_users, ensure_ascii=False),
        "google_users.json": json.dumps(google_users, ensure_ascii=False),
        "credential_report.csv": aws_report,
        "ad_users.csv": ad_users,
        "ad_users.json": json.dumps(ad_json, ensure_ascii=False),
    }.items():
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        records = parse_file(path, pytest.fail)
        assert records is not None
        assert sniff(records) is None, name


# ------------------------------------------------------------------ the tenant end to end


def test_tenant_reads_without_problems(tenant: tuple[IdentityData, list[InputProblem]]) -> None:
    data, problems = tenant
    assert problems == []
    assert data.coverage.kinds[SOURCE] == {
        "users",
        "registration",
        "policies",
        "role_definitions",
        "role_assignments",
        "role_eligibilities",
        "groups",
        "signins",
        "organization",
    }
    assert len(data.accounts) == 9
    assert {a.tenant for a in data.accounts} == {TENANT}  # not the Log Analytics workspace id
    assert all(a.source == "entra" for a in data.accounts)


def test_contractor_admin_without_mfa_is_visible(
    tenant: tuple[IdentityData, list[InputProblem]],
) -> None:
    data, _ = tenant
    suzuki = account(data, "ext-suzuki@sakura-shoji.co.jp")
    assert suzuki.id == SUZUKI
    assert (suzuki.employee_type, suzuki.company) == ("Contractor", "ABCシステム株式会社")
    assert (suzuki.user_type, suzuki.enabled, suzuki.email) == (
        "member",
        True,
        "i.suzuki@abc-system.co.jp",
    )
    assert suzuki.sponsors == ("t.yamada@sakura-shoji.co.jp",)
    assert suzuki.mfa.registered is False and suzuki.mfa.methods == ()
    assert suzuki.mfa.phishing_resistant is False
    assert suzuki.is_admin is True and suzuki.privileged
    # The roleAssignments export repeats the schedule instance: one role, with the schedule.
    [role] = suzuki.roles
    assert (role.role, role.role_id, role.scope) == ("Global Administrator", GA, "/")
    assert (role.privileged, role.permanent, role.assignment_type) == (True, True, "Assigned")
    assert (role.start, role.end, role.via_group) == (utc(2021, 10, 15, 6, 45), None, None)
    assert suzuki.groups == ["0b7e4c1a-2f3d-4a5b-8c6d-7e8f9a0b1c03"]
    assert suzuki.last_sign_in == suzuki.last_activity == utc(2025, 6, 5, 2, 40, 55)
    # One evidence per record the account was built from; membership is the group's evidence.
    assert [(Path(e.file).name, e.position) for e in suzuki.evidence] == [
        ("users.json", "page 1 value[2]"),
        ("userRegistrationDetails.json", "value[2]"),
        ("roleAssignmentScheduleInstances.json", "value[0]"),
        ("roleAssignments.json", "value[0]"),
    ]
    mfa_policy = next(p for p in data.policies if p.name.startswith("CA001"))
    assert mfa_policy.state == "enabled" and mfa_policy.requires_mfa
    assert mfa_policy.include_users == ("All",)
    assert mfa_policy.exclude_users == (SUZUKI,)
    assert mfa_policy.exclude_groups == (MFA_EXCLUDED_GROUP,)
    single_factor = [
        s for s in data.signins if s.account_id == SUZUKI and s.success and s.single_factor
    ]
    assert {Path(s.evidence[0].file).name for s in single_factor} == {
        "signIns.json",
        "SigninLogs.csv",
        "AADNonInteractiveUserSignInLogs.json",
    }
    assert {s.ip_address for s in single_factor} == {"203.0.113.45"}


def test_break_glass_and_pim_admin(tenant: tuple[IdentityData, list[InputProblem]]) -> None:
    data, _ = tenant
    glass = account(data, "breakglass01@sakurashoji.onmicrosoft.com")
    assert glass.mfa.methods == ("passKeyDeviceBound",) and glass.mfa.phishing_resistant
    assert glass.groups == [MFA_EXCLUDED_GROUP]
    assert [(r.role, r.permanent) for r in glass.roles] == [("Global Administrator", True)]
    yamada = account(data, "t.yamada@sakura-shoji.co.jp")
    assert {(r.assignment_type, r.permanent, r.end) for r in yamada.roles} == {
        ("Activated", False, utc(2025, 6, 5, 8, 30)),
        ("eligible", False, utc(2026, 3, 31, 14, 59, 59)),
    }
    assert yamada.mfa.phishing_resistant is True
    assert yamada.attributes == {
        "employee_hire_date": utc(2015, 4, 1),
        "passwordless_capable": True,
    }
    # lastSuccessfulSignInDateTime wins; last_activity is the latest of the three times.
    assert yamada.last_sign_in == utc(2025, 6, 5, 0, 58, 3)
    assert yamada.last_activity == utc(2025, 6, 5, 0, 58, 3)


def test_group_assigned_role_reaches_its_member_once(
    tenant: tuple[IdentityData, list[InputProblem]],
) -> None:
    data, _ = tenant
    ito = account(data, "y.ito@sakura-shoji.co.jp")
    [role] = ito.roles  # the group's assignment and ito's memberType=Group instance are one
    assert (role.role, role.via_group, role.permanent, role.privileged) == (
        "Helpdesk Administrator",
        HELPDESK_GROUP,
        True,
        True,
    )
    assert set(ito.groups) == {HELPDESK_GROUP, "0b7e4c1a-2f3d-4a5b-8c6d-7e8f9a0b1c02"}
    helpdesk = next(g for g in data.groups if g.id == HELPDESK_GROUP)
    assert (helpdesk.name, helpdesk.members) == ("ヘルプデスク管理者", [ito.id])
    sato = account(data, "h.sato@sakura-shoji.co.jp")
    [custom] = sato.roles
    assert (custom.role, custom.privileged, custom.permanent) == ("請求書閲覧者", False, True)
    assert sato.manager == "t.yamada@sakura-shoji.co.jp" and not sato.privileged


def test_guests_and_leavers(tenant: tuple[IdentityData, list[InputProblem]]) -> None:
    data, _ = tenant
    partner = account(data, "k.sato_partner.co.jp#EXT#@sakurashoji.onmicrosoft.com")
    assert (partner.user_type, partner.guest_state) == ("guest", "Accepted")
    assert partner.email == "k.sato@partner.co.jp"  # linking finds the home identity by it
    assert partner.attributes == {
        "guest_state_changed": utc(2024, 2, 20, 5, 31, 10),
        "passwordless_capable": False,
    }
    assert partner.mfa.methods == ("mobilePhone",) and partner.mfa.phishing_resistant is False
    pending = account(data, "m.tanaka_gmail.com#EXT#@sakurashoji.onmicrosoft.com")
    assert (pending.guest_state, pending.last_sign_in, pending.last_activity) == (
        "PendingAcceptance",
        None,
        None,
    )
    assert pending.sponsors == ()
    leaver = account(data, "j.takahashi@sakura-shoji.co.jp")
    assert (leaver.enabled, leaver.end_date) == (False, utc(2025, 3, 31, 15))
    assert leaver.synced_from_on_premises is True
    assert leaver.mfa.registered is None  # not in the registration report: unknown, not False
    assert account(data, "h.sato@sakura-shoji.co.jp").synced_from_on_premises is False
    # Only in the registration report (created after the users export): still an account.
    newcomer = account(data, "n.kobayashi@sakura-shoji.co.jp")
    assert (newcomer.display_name, newcomer.enabled, newcomer.mfa.registered) == (
        "小林 直樹",
        None,
        False,
    )
    assert newcomer.tenant == TENANT


def test_policies(tenant: tuple[IdentityData, list[InputProblem]]) -> None:
    data, _ = tenant
    by_name = {p.name[:5]: p for p in data.policies}
    admins = by_name["CA002"]
    assert admins.state == "enabledForReportingButNotEnforced"
    assert admins.include_roles[:2] == (GA, HELPDESK)
    assert (admins.grant_operator, admins.grant_controls) == ("AND", ())
    assert admins.authentication_strength == "Phishing-resistant MFA" and admins.requires_mfa
    guests = by_name["CA003"]
    assert guests.include_guest_types == (
        "internalGuest",
        "b2bCollaborationGuest",
        "b2bCollaborationMember",
    )
    assert by_name["CA004"].blocks
    session_only = by_name["CA005"]
    assert (session_only.state, session_only.grant_operator, session_only.grant_controls) == (
        "disabled",
        None,
        (),
    )
    assert session_only.evidence[0].position == "value[4]"


def test_signins_in_both_shapes(tenant: tuple[IdentityData, list[InputProblem]]) -> None:
    data, _ = tenant
    assert len(data.signins) == 9
    assert data.coverage.signin_window[SOURCE] == (
        utc(2025, 5, 28, 5, 20),
        datetime(2025, 6, 5, 2, 40, 55, 902000, tzinfo=UTC),
    )
    spray = next(s for s in data.signins if s.account_name == "admin@sakura-shoji.co.jp")
    # The portal's CSV: 'TimeGenerated [UTC]' columns, '6/4/2025, 7:55:31.900 PM' times.
    assert spray.time == datetime(2025, 6, 4, 19, 55, 31, 900000, tzinfo=UTC)
    assert (spray.success, spray.account_id, spray.risk_level, spray.risk_events) == (
        False,
        None,
        "high",
        ("passwordSpray",),
    )
    assert spray.evidence[0].position == "row 4"
    assert spray.evidence[0].record["ResultType"] == "50126"
    guest = next(s for s in data.signins if s.user_type == "guest")
    assert (guest.account_name, guest.cross_tenant_access_type) == (
        "k.sato@partner.co.jp",
        "b2bCollaboration",
    )
    failed = next(s for s in data.signins if s.risk_events == ("unfamiliarFeatures",))
    assert (failed.success, failed.risk_level, failed.time) == (
        False,
        "medium",
        utc(2025, 6, 4, 18, 2, 51),
    )
    background = [s for s in data.signins if s.interactive is False]
    assert {s.application for s in background} == {"Microsoft Office"}


# ------------------------------------------------------------------ bad input is reported


def test_truncated_json_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    users = json.dumps(
        page(
            "users", {"id": "u1", "userPrincipalName": "a@sakura-shoji.co.jp", "userType": "Member"}
        )
    )
    data, problems = read(
        tmp_path,
        {
            "users.json": users[: len(users) // 2],
            "registration.json": page(
                "reports/authenticationMethods/userRegistrationDetails",
                {"id": "u1", "userPrincipalName": "a@sakura-shoji.co.jp", "isMfaRegistered": True},
            ),
        },
    )
    [problem] = problems
    assert Path(problem.source).name == "users.json"
    assert problem.position == "line 1" and "invalid JSON" in problem.message
    assert [(a.name, a.mfa.registered) for a in data.accounts] == [("a@sakura-shoji.co.jp", True)]
    assert data.coverage.kinds[SOURCE] == {"registration"}


def test_empty_page_user_without_id_unknown_type_and_bad_date(tmp_path: Path) -> None:
    data, problems = read(
        tmp_path,
        {
            "empty.json": page("groups"),
            "users.json": page(
                "users",
                {"id": "u1", "userPrincipalName": "a@sakura-shoji.co.jp", "userType": "Member"},
                {"userPrincipalName": "no-id@sakura-shoji.co.jp", "displayName": "ID なし"},
                {"id": "u3", "userPrincipalName": "c@sakura-shoji.co.jp", "userType": "Partner"},
                {
                    "id": "u4",
                    "userPrincipalName": "d@sakura-shoji.co.jp",
                    "displayName": "日付 不明",
                    "createdDateTime": "昨日",
                    "accountEnabled": "yes",
                    "signInActivity": {"lastSignInDateTime": "2025-06-01T09:00:00+09:00"},
                },
            ),
        },
    )
    assert messages(problems) == [
        ("empty.json", "file", "no groups records"),
        (
            "users.json",
            "value[1]",
            "user without id; skipped (exports are joined on the object id)",
        ),
        (
            "users.json",
            "value[2]",
            "unknown userType value 'Partner' (expected one of guest, member); kept as written",
        ),
        (
            "users.json",
            "value[3]",
            "accountEnabled should be true or false, not 'yes'; left unknown",
        ),
        (
            "users.json",
            "value[3]",
            "createdDateTime should be a date and time, not '昨日'; left unknown",
        ),
    ]
    assert [a.id for a in data.accounts] == ["u1", "u3", "u4"]
    assert account(data, "c@sakura-shoji.co.jp").user_type == "partner"
    dated = account(data, "d@sakura-shoji.co.jp")
    assert (dated.display_name, dated.created, dated.enabled) == ("日付 不明", None, None)
    assert dated.last_sign_in == utc(2025, 6, 1, 0)
    assert data.coverage.kinds[SOURCE] == {"users", "groups"}


def test_role_problems(tmp_path: Path) -> None:
    custom = "7d0c8e2a-1b3f-4c5d-9e6f-0a1b2c3d4e5f"
    _, problems = read(
        tmp_path,
        {
            "users.json": page("users", {"id": "u1", "userPrincipalName": "a@sakura-shoji.co.jp"}),
            "groups.json": page(
                "groups",
                {"id": "g1", "displayName": "管理者", "groupTypes": [], "securityEnabled": True},
                {
                    "id": "g2",
                    "displayName": "全社員",
                    "groupTypes": ["Unified"],
                    "members": [{"@odata.type": "#microsoft.graph.user", "id": "u1"}, {}],
                    "members@odata.nextLink": "https://graph.microsoft.com/v1.0/groups/g2/members",
                },
            ),
            "roles.json": page(
                "roleManagement/directory/roleAssignments",
                {"principalId": "g1", "roleDefinitionId": GA, "directoryScopeId": "/"},
                {"principalId": "u1", "roleDefinitionId": custom, "directoryScopeId": "/"},
                {
                    "principalId": "sp1",
                    "roleDefinitionId": HELPDESK,
                    "principal": {"@odata.type": "#microsoft.graph.servicePrincipal", "id": "sp1"},
                },
                {"principalId": "gone", "roleDefinitionId": HELPDESK},
                {"roleDefinitionId": GA},
            ),
        },
    )
    assert messages(problems) == [
        (
            "groups.json",
            "value[1]",
            "group '全社員': only the first 2 members were exported ($expand returns at most "
            "20); export /groups/{id}/members for the rest",
        ),
        ("groups.json", "value[1] members[1]", "member without id; ignored"),
        (
            "roles.json",
            "value[0]",
            "Global Administrator is assigned to group 管理者, whose members were not exported "
            "(export /groups?$expand=members); who holds it is unknown",
        ),
        (
            "roles.json",
            "value[1]",
            f"role {custom} is not a built-in role mamori knows and its definition does not say "
            "whether it is privileged; treated as privileged",
        ),
        (
            "roles.json",
            "value[2]",
            "Helpdesk Administrator is assigned to sp1 (#microsoft.graph.servicePrincipal); "
            "not attributed to any account",
        ),
        (
            "roles.json",
            "value[3]",
            "Helpdesk Administrator is assigned to gone (not among the exported users or "
            "groups); not attributed to any account",
        ),
        (
            "roles.json",
            "value[4]",
            "role assignment without principalId or roleDefinitionId; skipped",
        ),
    ]


def test_custom_role_treated_as_privileged_and_expanded_principal(tmp_path: Path) -> None:
    data, _ = read(
        tmp_path,
        {
            "roles.json": page(
                "roleManagement/directory/roleAssignmentScheduleInstances",
                {
                    "principalId": "u9",
                    "roleDefinitionId": "c1",
                    "directoryScopeId": "/administrativeUnits/au1",
                    "assignmentType": "Assigned",
                    "memberType": "Direct",
                    "startDateTime": "2025-01-01T00:00:00Z",
                    "roleDefinition": {"id": "c1", "displayName": "店舗管理者", "isBuiltIn": False},
                    "principal": {
                        "@odata.type": "#microsoft.graph.user",
                        "id": "u9",
                        "userPrincipalName": "store@sakura-shoji.co.jp",
                        "displayName": "店舗 管理",
                    },
                },
            ),
        },
    )
    [store] = data.accounts
    [role] = store.roles
    assert (store.name, store.display_name) == ("store@sakura-shoji.co.jp", "店舗 管理")
    assert (role.role, role.privileged, role.scope) == (
        "店舗管理者",
        True,
        "/administrativeUnits/au1",
    )
    assert role.permanent is None  # an instance without endDateTime: cannot tell


def test_registration_and_policy_problems(tmp_path: Path) -> None:
    data, problems = read(
        tmp_path,
        {
            "registration.json": page(
                "reports/authenticationMethods/userRegistrationDetails",
                {
                    "id": "u1",
                    "userPrincipalName": "a@sakura-shoji.co.jp",
                    "methodsRegistered": ["fido3"],
                },
                {
                    "id": "u2",
                    "userPrincipalName": "b@sakura-shoji.co.jp",
                    "methodsRegistered": ["fido3", 7],
                },
                {"userPrincipalName": "nobody@sakura-shoji.co.jp", "isMfaRegistered": False},
            ),
            "policies.json": page(
                "identity/conditionalAccess/policies",
                {
                    "id": "p1",
                    "displayName": "ゲスト",
                    "state": "enabled",
                    "conditions": {
                        "users": {
                            "includeGuestsOrExternalUsers": {
                                "guestOrExternalUserTypes": "b2bCollaborationGuest,robots"
                            }
                        },
                        "applications": None,
                    },
                    "grantControls": {"operator": "OR", "builtInControls": ["mfa", "prayer"]},
                },
                {"id": "p2", "displayName": "状態なし", "conditions": None, "grantControls": None},
            ),
        },
    )
    assert messages(problems) == [
        (
            "registration.json",
            "value[1]",
            "methodsRegistered has entries that are not text; those are ignored",
        ),
        (
            "registration.json",
            "value[2]",
            "registration details without id; skipped (exports join on it)",
        ),
        (
            "registration.json",
            "methodsRegistered",
            "authentication methods mamori does not know: fido3; kept as written, not counted "
            "as phishing-resistant",
        ),
        (
            "policies.json",
            "value[0]",
            "unknown conditions.users.includeGuestsOrExternalUsers.guestOrExternalUserTypes "
            "value 'robots'; kept as written",
        ),
        ("policies.json", "value[0]", "unknown grantControls.builtInControls value 'prayer'; kept"),
        ("policies.json", "value[1]", "Conditional Access policy without id or state; skipped"),
    ]
    [policy] = data.policies
    assert policy.include_guest_types == ("b2bCollaborationGuest", "robots")
    assert policy.grant_controls == ("mfa", "prayer")
    assert [a.mfa.methods for a in data.accounts] == [("fido3",), ("fido3",)]


def test_signin_problems_and_local_time_export(tmp_path: Path) -> None:
    local = (
        "TimeGenerated [Local Time],ResultType,UserPrincipalName,AuthenticationRequirement\n"
        '"6/5/2025, 11:13:07.442 AM",0,ext-suzuki@sakura-shoji.co.jp,singleFactorAuthentication\n'
    )
    data, problems = read(
        tmp_path,
        {
            "local.csv": local,
            "signins.json": page(
                "auditLogs/signIns",
                {"createdDateTime": "?", "userPrincipalName": "a@sakura-shoji.co.jp", "status": {}},
                {
                    "createdDateTime": "2025-06-05T02:13:07Z",
                    "userPrincipalName": "a@sakura-shoji.co.jp",
                    "authenticationRequirement": "twoFactorMaybe",
                    "status": {"errorCode": "n/a"},
                },
            ),
        },
    )
    assert messages(problems) == [
        (
            "local.csv",
            "header",
            "times are not in UTC (Local Time); sign-ins skipped — export again with the "
            "display time zone set to UTC",
        ),
        (
            "signins.json",
            "value[0]",
            "createdDateTime should be a date and time, not '?'; left unknown",
        ),
        ("signins.json", "value[0]", "sign-in without a readable time or user; skipped"),
        (
            "signins.json",
            "value[1]",
            "unknown authenticationRequirement value 'twoFactorMaybe' (expected one of "
            "multiFactorAuthentication, singleFactorAuthentication); kept as written",
        ),
        (
            "signins.json",
            "value[1]",
            "status.errorCode should be a number, not 'n/a'; left unknown",
        ),
    ]
    [signin] = data.signins
    assert (signin.success, signin.single_factor) == (None, None)


def test_several_tenants_leave_the_tenant_unknown(tmp_path: Path) -> None:
    data, problems = read(
        tmp_path,
        {
            "a.json": page("organization", {"id": TENANT, "verifiedDomains": []}),
            "b.json": page("organization", {"id": WORKSPACE, "verifiedDomains": []}),
            "users.json": page("users", {"id": "u1", "userPrincipalName": "a@sakura-shoji.co.jp"}),
        },
    )
    [problem] = problems
    assert "exports name several tenants" in problem.message
    assert [a.tenant for a in data.accounts] == [None]


def test_parse_time_formats() -> None:
    assert parse_time("2025-06-05T02:13:07.4420719Z") == datetime(
        2025, 6, 5, 2, 13, 7, 442071, tzinfo=UTC
    )
    assert parse_time("6/5/2025, 2:13:07 PM") == utc(2025, 6, 5, 14, 13, 7)
    assert parse_time("2025-06-05T11:00:00+09:00") == utc(2025, 6, 5, 2)
    assert parse_time("0001-01-01T00:00:00+01:00") is None  # out of range once in UTC
    assert parse_time("来週") is None


# ------------------------------------------------------------------ garbage never raises

_KEYS = [
    "id",
    "userPrincipalName",
    "displayName",
    "userType",
    "accountEnabled",
    "createdDateTime",
    "signInActivity",
    "lastSignInDateTime",
    "lastSuccessfulSignInDateTime",
    "sponsors",
    "manager",
    "onPremisesSyncEnabled",
    "externalUserState",
    "@odata.type",
    "methodsRegistered",
    "isMfaRegistered",
    "isAdmin",
    "conditions",
    "users",
    "includeUsers",
    "includeGuestsOrExternalUsers",
    "guestOrExternalUserTypes",
    "grantControls",
    "builtInControls",
    "authenticationStrength",
    "state",
    "principalId",
    "roleDefinitionId",
    "roleDefinition",
    "principal",
    "templateId",
    "isPrivileged",
    "startDateTime",
    "endDateTime",
    "assignmentType",
    "members",
    "members@odata.nextLink",
    "status",
    "errorCode",
    "ResultType",
    "TimeGenerated",
    "TimeGenerated [UTC]",
    "CreatedDateTime",
    "UserPrincipalName",
    "AADTenantId",
    "RiskEventTypes_V2",
    "homeTenantId",
    "resourceTenantId",
    "verifiedDomains",
    "groupTypes",
]
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        ["0", "true", "Guest", "enabled", "2025-06-05T00:00:00Z", "#microsoft.graph.user"]
    )
    | st.sampled_from(["0001-01-01T00:30:00+01:00", "6/5/2025, 2:13:07 PM", GA, "u1", "²", "--5"])
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=6,
)
_RECORDS = st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=6)
_KINDS = st.sampled_from(
    [
        "users",
        "registration",
        "policies",
        "role_definitions",
        "role_assignments",
        "role_eligibilities",
        "groups",
        "signins",
        "organization",
        "something else",
    ]
)


@st.composite
def _records(draw: st.DrawFn) -> Records:
    rows = draw(st.lists(_RECORDS, max_size=3))
    return Records(
        path=Path("garbage.json"),
        format=draw(st.sampled_from(["json", "jsonl", "csv"])),
        rows=[(f"value[{i}]", row) for i, row in enumerate(rows)],
        header=draw(st.lists(st.sampled_from(_KEYS) | st.text(max_size=20), max_size=5)),
        context=draw(
            st.none()
            | st.text(max_size=30)
            | st.sampled_from(
                [V1 + "users", V1 + "groups", "https://x/ab/$metadata#auditLogs/signIns"]
            )
        ),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_KINDS, _records()), max_size=3))
def test_garbage_never_raises(exports: list[tuple[str, Records]]) -> None:
    problems: list[InputProblem] = []
    for _, records in exports:
        sniff(records)
    data = build([Export(SOURCE, kind, records) for kind, records in exports], problems.append)
    assert data.coverage.kinds[SOURCE] == {kind for kind, _ in exports}
    assert all(p.source == "garbage.json" for p in problems)
    assert all(a.evidence and a.id for a in data.accounts)
