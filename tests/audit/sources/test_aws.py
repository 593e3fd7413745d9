"""AWS IAM exports read end to end: credential report, authorization details, MFA devices."""

from __future__ import annotations

import base64
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.audit.model import Account, IdentityData
from mamori.audit.sources import Export, aws, read_identity
from mamori.audit.sources.files import Records, parse_file
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parents[1] / "data"
AWS = DATA / "aws"
REPORT = AWS / "credential_report.csv"
AUDIT_TIME = datetime(2025, 6, 10, tzinfo=UTC)
ACCOUNT = "111122223333"


def read(*paths: Path) -> tuple[IdentityData, list[InputProblem]]:
    problems: list[InputProblem] = []
    return read_identity(paths, problems.append), problems


def by_name(data: IdentityData) -> dict[str, Account]:
    return {account.name: account for account in data.accounts}


@pytest.fixture(scope="module")
def fixture_data() -> IdentityData:
    data, problems = read(AWS)
    assert problems == []
    return data


@pytest.fixture(scope="module")
def accounts(fixture_data: IdentityData) -> dict[str, Account]:
    return by_name(fixture_data)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_every_user_of_the_report_is_read_with_its_account_id(accounts: dict[str, Account]):
    assert set(accounts) == {
        "<root_account>",
        "alice",
        "vendor-admin",
        "ci-deploy",
        "backup-bot",
        "sato",
    }
    assert {a.source for a in accounts.values()} == {"aws"}
    assert {a.tenant for a in accounts.values()} == {ACCOUNT}
    assert accounts["vendor-admin"].id == f"arn:aws:iam::{ACCOUNT}:user/vendors/vendor-admin"


def test_root_without_mfa_is_a_privileged_account(accounts: dict[str, Account]):
    root = accounts["<root_account>"]
    assert root.attributes["is_root"] is True
    assert root.mfa.registered is False
    assert root.mfa.phishing_resistant is False
    assert root.password_enabled is None  # not_supported
    assert root.password_last_set is None
    assert root.privileged
    assert [(r.role, r.privileged, r.permanent) for r in root.roles] == [("root", True, True)]
    assert root.last_sign_in == datetime(2025, 5, 20, 2, 11, 9, tzinfo=UTC)
    assert [(e.file, e.position) for e in root.evidence] == [(str(REPORT), "row 2")]


def test_console_user_without_mfa(accounts: dict[str, Account]):
    alice = accounts["alice"]
    assert alice.password_enabled is True
    assert alice.mfa.registered is False
    assert alice.last_sign_in == datetime(2025, 6, 4, 23, 40, 12, tzinfo=UTC)
    assert alice.password_last_set == datetime(2025, 1, 10, 3, 0, tzinfo=UTC)
    assert alice.credentials == []
    assert alice.groups == ["Developers"]
    assert not alice.privileged  # ReadOnlyAccess, and an inline policy on her own user only
    assert alice.attributes["tags"] == {"Department": "情報システム部"}


def test_contractor_tagged_admin_joined_across_files(accounts: dict[str, Account]):
    vendor = accounts["vendor-admin"]
    assert vendor.employee_type == "Contractor"
    assert vendor.mfa.registered is False
    assert vendor.password_enabled is True
    assert vendor.privileged
    role = next(r for r in vendor.roles if r.privileged)
    assert (role.role, role.role_id, role.via_group, role.scope) == (
        "AdministratorAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "Admins",
        ACCOUNT,
    )
    assert [e.position for e in vendor.evidence] == ["row 4", "UserDetailList[1]"]
    assert vendor.last_activity == datetime(2025, 6, 2, 8, 0, tzinfo=UTC)  # key used after login


def test_unused_access_key_older_than_90_days(accounts: dict[str, Account]):
    deploy = accounts["ci-deploy"]
    (key,) = deploy.credentials
    assert (key.kind, key.id, key.active) == ("access_key", "access_key_1", True)
    assert key.last_used == datetime(2024, 12, 1, 9, 15, tzinfo=UTC)
    assert AUDIT_TIME - key.last_used > timedelta(days=90)
    assert AUDIT_TIME - key.last_rotated > timedelta(days=90)
    assert deploy.password_enabled is False
    assert deploy.last_sign_in is None
    assert deploy.last_activity == key.last_used
    assert deploy.attributes["never_used"] == []
    privileged = {r.role: r.privileged for r in deploy.roles}
    # iam:* on * is administrator; only the default version of S3DeployPolicy counts.
    assert privileged == {"deploy-everything": True, "S3DeployPolicy": False}


def test_access_keys_never_used(accounts: dict[str, Account]):
    bot = accounts["backup-bot"]
    assert [(c.id, c.active, c.last_used) for c in bot.credentials] == [
        ("access_key_1", True, None),
        ("access_key_2", True, None),
    ]
    assert bot.attributes["never_used"] == ["access_key_1", "access_key_2"]
    assert bot.last_activity is None
    assert bot.employee_type is None  # Contractor=false is not a contractor
    assert not bot.privileged


def test_fido_key_and_a_password_never_used(accounts: dict[str, Account]):
    sato = accounts["sato"]
    assert sato.mfa.registered is True
    assert sato.mfa.methods == ("fido",)
    assert sato.mfa.phishing_resistant is True
    assert sato.attributes["never_used"] == ["password"]
    assert sato.last_sign_in is None
    assert sato.attributes["permissions_boundary"].endswith(":policy/AdminBoundary")
    assert [e.position for e in sato.evidence] == ["row 7", "UserDetailList[4]", "MFADevices[0]"]


def test_groups_and_coverage(fixture_data: IdentityData):
    groups = {group.name: group for group in fixture_data.groups}
    assert groups["Admins"].id == f"arn:aws:iam::{ACCOUNT}:group/Admins"
    assert groups["Admins"].members == [
        f"arn:aws:iam::{ACCOUNT}:user/vendors/vendor-admin",
        f"arn:aws:iam::{ACCOUNT}:user/sato",
    ]
    assert groups["Developers"].members == [f"arn:aws:iam::{ACCOUNT}:user/alice"]
    assert fixture_data.coverage.kinds == {
        "aws": {"credential_report", "authorization_details", "mfa_devices"}
    }
    assert fixture_data.signins == []


def test_get_credential_report_json_is_decoded(tmp_path: Path):
    content = base64.b64encode(REPORT.read_bytes()).decode()
    document = {
        "Content": content,
        "ReportFormat": "text/csv",
        "GeneratedTime": "2025-06-10T00:00:00+00:00",
    }
    path = write(tmp_path, "report.json", json.dumps(document, indent=4))
    data, problems = read(path)
    assert problems == []
    accounts = by_name(data)
    assert len(accounts) == 6
    assert accounts["<root_account>"].evidence[0].position == "Content row 2"
    assert accounts["ci-deploy"].credentials[0].last_used == datetime(
        2024, 12, 1, 9, 15, tzinfo=UTC
    )


def test_url_encoded_policy_documents_are_read(tmp_path: Path):
    admin = {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
    }
    document = {
        "UserDetailList": [
            {
                "UserName": "ops",
                "Arn": f"arn:aws:iam::{ACCOUNT}:user/ops",
                "CreateDate": "2024-01-01T00:00:00Z",
                "UserPolicyList": [
                    {"PolicyName": "everything", "PolicyDocument": quote(json.dumps(admin))}
                ],
                "GroupList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": "Ops", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Ops"}
                ],
            }
        ],
        "Policies": [
            {
                "PolicyName": "Ops",
                "Arn": f"arn:aws:iam::{ACCOUNT}:policy/Ops",
                "DefaultVersionId": "v3",
                "PolicyVersionList": [
                    {
                        "Document": quote(json.dumps(admin)),
                        "VersionId": "v3",
                        "IsDefaultVersion": True,
                    }
                ],
            }
        ],
    }
    data, problems = read(write(tmp_path, "details.json", json.dumps(document)))
    assert problems == []
    (ops,) = data.accounts
    assert ops.credentials == []
    assert ops.mfa.registered is None  # no credential report: unknown, not false
    assert {r.role: r.privileged for r in ops.roles} == {"Ops": True, "everything": True}
    assert ops.created == datetime(2024, 1, 1, tzinfo=UTC)


def test_gaps_in_authorization_details_are_reported_once(tmp_path: Path):
    users = [
        {
            "UserName": name,
            "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
            "GroupList": ["Missing"],
            "AttachedManagedPolicies": [
                {"PolicyName": "Custom", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/Custom"}
            ],
        }
        for name in ("a", "b")
    ]
    path = write(tmp_path, "details.json", json.dumps({"UserDetailList": users}))
    data, problems = read(path)
    assert len(data.accounts) == 2
    assert [p.position for p in problems] == ["UserDetailList[0]", "UserDetailList[0]"]
    assert problems[0].message.startswith(
        f"policy arn:aws:iam::{ACCOUNT}:policy/Custom is attached"
    )
    assert problems[1].message.startswith("group 'Missing' is not in GroupDetailList")
    assert all(p.source == str(path) for p in problems)
    assert all(not r.privileged for a in data.accounts for r in a.roles)


def test_bad_values_are_reported_and_the_rest_is_read(tmp_path: Path):
    lines = REPORT.read_text().splitlines()
    header = lines[0]
    alice = lines[2].replace(",false,false,N/A", ",maybe,false,N/A", 1)  # mfa_active
    vendor = lines[3].replace("2022-09-01T05:10:00+00:00", "last Tuesday")
    short = "broken,arn:aws:iam::111122223333:user/broken,true"
    path = write(tmp_path, "report.csv", "\n".join([header, alice, short, vendor, lines[4]]) + "\n")
    data, problems = read(path)
    problems.sort(key=lambda p: p.position)
    assert [(p.source, p.position) for p in problems] == [
        (str(path), "row 2"),
        (str(path), "row 3"),
        (str(path), "row 4"),
    ]
    assert "mfa_active: unknown value 'maybe'" in problems[0].message
    assert "columns where the header has 22" in problems[1].message
    assert "password_last_changed: cannot read date 'last Tuesday'" in problems[2].message
    accounts = by_name(data)
    assert set(accounts) == {"alice", "vendor-admin", "ci-deploy"}
    assert accounts["alice"].mfa.registered is None
    assert accounts["alice"].password_enabled is True
    assert accounts["vendor-admin"].password_last_set is None
    assert accounts["vendor-admin"].last_sign_in == datetime(2025, 6, 1, 12, 30, tzinfo=UTC)


def test_content_that_is_not_base64_is_reported(tmp_path: Path):
    good = base64.b64encode(REPORT.read_bytes()).decode()
    pages = [
        {"Content": "this is *not* base64!", "ReportFormat": "text/csv"},
        {"Content": good, "ReportFormat": "text/csv"},
    ]
    path = write(tmp_path, "reports.json", json.dumps(pages))
    data, problems = read(path)
    assert [(p.source, p.position) for p in problems] == [(str(path), "value[0] Content")]
    assert "not base64" in problems[0].message
    assert len(data.accounts) == 6
    assert data.accounts[0].evidence[0].position == "value[1] Content row 2"


def test_short_row_inside_base64_content_is_reported(tmp_path: Path):
    text = REPORT.read_text().splitlines()
    text[3] = "vendor-admin,arn:aws:iam::111122223333:user/vendors/vendor-admin"
    content = base64.b64encode("\n".join(text).encode()).decode()
    path = write(tmp_path, "r.json", json.dumps({"Content": content, "ReportFormat": "text/csv"}))
    data, problems = read(path)
    assert [(p.position, "2 columns" in p.message) for p in problems] == [("Content row 4", True)]
    assert "vendor-admin" not in by_name(data)
    assert len(data.accounts) == 5


GRAPH_USERS = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "value": [
        {
            "id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
            "displayName": "Adele Vance",
            "userPrincipalName": "AdeleV@contoso.com",
            "accountEnabled": True,
            "userType": "Member",
        }
    ],
}
OKTA_USERS = [
    {
        "id": "00ub0oNGTSWTBKOLGLNR",
        "status": "ACTIVE",
        "created": "2013-07-02T21:36:25.344Z",
        "lastLogin": "2013-07-02T21:36:25.344Z",
        "profile": {"login": "isaac.brock@example.com", "email": "isaac.brock@example.com"},
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}},
    }
]
LIST_POLICIES = {"Policies": [{"PolicyName": "x", "Arn": "arn:aws:iam::aws:policy/x"}]}


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("graph.json", json.dumps(GRAPH_USERS)),
        ("okta.json", json.dumps(OKTA_USERS)),
        ("list-policies.json", json.dumps(LIST_POLICIES)),
        ("users.csv", (DATA / "ad" / "users.csv").read_bytes()),
        ("group_members.csv", (DATA / "ad" / "group_members.csv").read_bytes()),
    ],
)
def test_sniff_does_not_claim_other_exports(tmp_path: Path, name: str, content: str | bytes):
    records = parse_file(write(tmp_path, name, content), pytest.fail)
    assert records is not None
    assert aws.sniff(records) is None


def test_sniff_names_each_kind():
    kinds = {path.name: aws.sniff(parse_file(path, pytest.fail)) for path in AWS.iterdir()}
    assert kinds == {
        "credential_report.csv": "credential_report",
        "authorization_details.json": "authorization_details",
        "mfa_devices.json": "mfa_devices",
    }


# -- property tests: garbage never raises --------------------------------------------------

REPORT_HEADER = REPORT.read_text().splitlines()[0].split(",")
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)
cell = st.one_of(
    st.sampled_from(["true", "false", "N/A", "no_information", "not_supported", "", "TRUE"]),
    st.sampled_from(["2025-06-01T00:00:00+00:00", "arn:aws:iam::111122223333:user/x"]),
    st.text(max_size=20),
)
report_rows = st.lists(
    st.fixed_dictionaries({}, optional={column: cell for column in REPORT_HEADER}), max_size=4
)
known_keys = [
    "Content",
    "ReportFormat",
    *aws.DETAIL_LISTS,
    "Policies",
    *aws.DEVICE_LISTS,
    "Arn",
    "UserName",
    "GroupList",
    "AttachedManagedPolicies",
    "UserPolicyList",
    "PolicyVersionList",
    "Tags",
    "User",
    "SerialNumber",
]
documents = st.dictionaries(st.sampled_from(known_keys), json_values, max_size=4)
nested = st.recursive(
    documents,
    lambda inner: st.dictionaries(
        st.sampled_from(known_keys), st.lists(inner, max_size=2), max_size=3
    ),
    max_leaves=4,
)


def records_of(rows: list[dict], header: list[str], fmt: str) -> Records:
    return Records(
        Path("garbage"),
        fmt,
        rows=[(f"row {i}", row) for i, row in enumerate(rows)],
        header=header,
        encoding="utf-8",
    )


@settings(max_examples=100, deadline=None)
@given(rows=report_rows, header=st.lists(st.sampled_from(REPORT_HEADER) | st.text(max_size=8)))
def test_garbage_credential_reports_never_raise(rows: list[dict], header: list[str]):
    records = records_of(rows, header, "csv")
    aws.sniff(records)
    exports = [Export("aws", kind, records) for kind in ("credential_report", "mfa_devices")]
    aws.build(exports, lambda problem: None)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(nested, max_size=2), fmt=st.sampled_from(["json", "jsonl", "csv"]))
def test_garbage_json_documents_never_raise(rows: list[dict], fmt: str):
    records = records_of(rows, list(rows[0]) if rows else [], fmt)
    aws.sniff(records)
    kinds = ("credential_report", "authorization_details", "mfa_devices")
    aws.build([Export("aws", kind, records) for kind in kinds], lambda problem: None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_garbage_files_never_raise(content: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        path.write_bytes(b"user,arn,mfa_active\n" + content)
        problems: list[InputProblem] = []
        records = parse_file(path, problems.append)
        if records is not None and aws.sniff(records) is not None:
            aws.build([Export("aws", "credential_report", records)], problems.append)
