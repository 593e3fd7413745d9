"""Active Directory exports read end to end: Get-ADUser and group membership CSVs."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mamori.audit.model import Account, IdentityData
from mamori.audit.sources import Export, ad, read_identity
from mamori.audit.sources.files import Records, parse_file
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parents[1] / "data"
AD = DATA / "ad"
DOMAIN_SID = "S-1-5-21-1004336348-1177238915-682003330"
DOMAIN_DN = "DC=corp,DC=example,DC=co,DC=jp"
COLLECTION = "Microsoft.ActiveDirectory.Management.ADPropertyValueCollection"


def read(*paths: Path) -> tuple[IdentityData, list[InputProblem]]:
    problems: list[InputProblem] = []
    return read_identity(paths, problems.append), problems


def by_name(data: IdentityData) -> dict[str, Account]:
    return {account.name: account for account in data.accounts}


def ps_csv(rows: list[dict[str, str]], type_name: str | None = "ADUser") -> str:
    """CSV as Export-Csv writes it: optional #TYPE line, every field quoted, CRLF."""
    header = list(rows[0])
    lines = [f"#TYPE Microsoft.ActiveDirectory.Management.{type_name}"] if type_name else []
    lines.append(",".join(f'"{name}"' for name in header))
    lines.extend(",".join(f'"{row.get(name, "")}"' for name in header) for row in rows)
    return "\r\n".join(lines) + "\r\n"


def user_row(sam: str, rid: int, **values: str) -> dict[str, str]:
    row = {
        "SamAccountName": sam,
        "DistinguishedName": f"CN={sam},OU=Staff,{DOMAIN_DN}",
        "ObjectGUID": f"00000000-0000-0000-0000-{rid:012d}",
        "SID": f"{DOMAIN_SID}-{rid}",
        "UserPrincipalName": f"{sam}@corp.example.co.jp",
        "Enabled": "True",
    }
    row.update(values)
    return row


def write(folder: Path, name: str, content: str | bytes, encoding: str = "utf-8-sig") -> Path:
    path = folder / name
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


@pytest.fixture(scope="module")
def fixture_data() -> IdentityData:
    data, problems = read(AD)
    assert problems == []
    return data


@pytest.fixture(scope="module")
def accounts(fixture_data: IdentityData) -> dict[str, Account]:
    return by_name(fixture_data)


def test_cp932_export_with_japanese_names_and_dates(accounts: dict[str, Account]):
    tanaka = accounts["adm-tanaka"]
    assert tanaka.display_name == "田中 太郎 (管理者)"
    assert tanaka.department == "情報システム部"
    assert tanaka.attributes["encoding"] == "cp932"
    assert tanaka.tenant == "corp.example.co.jp"
    assert tanaka.id == "0c8f3d1e-2a7b-4f60-8e15-7d9c4b2a1f03"
    assert tanaka.attributes["user_principal_name"] == "adm-tanaka@corp.example.co.jp"
    # whenCreated "2019/04/01 10:40:00" is Japan time.
    assert tanaka.created == datetime(2019, 4, 1, 1, 40, tzinfo=UTC)
    # lastLogonTimestamp (FILETIME) agrees with LastLogonDate "2025/06/05 9:03:12" JST.
    assert tanaka.last_sign_in == datetime(2025, 6, 5, 0, 3, 12, tzinfo=UTC)
    assert tanaka.evidence[0].position == "row 4"  # after #TYPE, the header and Administrator
    assert tanaka.evidence[0].record["DisplayName"] == "田中 太郎 (管理者)"


def test_domain_admin_with_a_password_that_never_expires_and_an_spn(accounts: dict[str, Account]):
    tanaka = accounts["adm-tanaka"]
    assert tanaka.password_never_expires is True
    assert tanaka.attributes["service_principal_names"] == [
        "MSSQLSvc/db01.corp.example.co.jp:1433",
        "MSSQLSvc/db01.corp.example.co.jp",
    ]
    assert tanaka.is_admin is True
    assert tanaka.privileged
    roles = {(r.role, r.role_id, r.assignment_type, r.via_group) for r in tanaka.roles}
    assert roles == {
        ("Domain Admins", f"{DOMAIN_SID}-512", "group membership", None),
        ("Administrators", "S-1-5-32-544", "nested group membership", "Domain Admins"),
    }
    assert tanaka.attributes["protected_users"] is False
    assert tanaka.attributes["trusted_for_delegation"] is False


def test_disabled_user(accounts: dict[str, Account]):
    yamada = accounts["yamada"]
    assert yamada.enabled is False
    assert yamada.is_admin is False
    assert yamada.roles == []
    assert yamada.last_sign_in == datetime(2024, 3, 29, 9, 0, tzinfo=UTC)


def test_vendor_account_that_never_expires_is_admin_through_a_nested_group(
    accounts: dict[str, Account],
):
    vendor = accounts["vendor-maint"]
    assert vendor.end_date is None
    assert vendor.attributes["account_expires_never"] is True
    assert vendor.employee_type == "Vendor"
    assert vendor.company == "株式会社サンプル保守"
    assert vendor.attributes["description"] == "保守業者用アカウント (VPN 経由)"
    assert vendor.groups == ["IT-Admins"]
    domain_admins = next(r for r in vendor.roles if r.role == "Domain Admins")
    assert (domain_admins.assignment_type, domain_admins.via_group) == (
        "nested group membership",
        "IT-Admins",
    )
    assert vendor.is_admin is True


def test_account_expiry_password_and_logon_states(accounts: dict[str, Account]):
    kato = accounts["haken-kato"]
    assert kato.end_date == datetime(2025, 9, 30, 15, 0, tzinfo=UTC)  # 2025/10/01 0:00 JST
    assert "account_expires_never" not in kato.attributes
    ito = accounts["ito"]
    assert ito.attributes["must_change_password"] is True
    assert ito.password_last_set is None
    assert ito.attributes["never_logged_on"] is True
    assert ito.last_sign_in is None
    assert accounts["suzuki"].attributes["never_logged_on"] is False
    assert accounts["suzuki"].manager == f"CN=田中 太郎 (管理者),OU=Admins,{DOMAIN_DN}"


def test_builtin_groups_by_sid_and_protected_users(accounts: dict[str, Account]):
    backup = accounts["svc-backup"]
    assert [(r.role, r.role_id) for r in backup.roles] == [("Backup Operators", "S-1-5-32-551")]
    assert backup.attributes["preauth_not_required"] is True
    assert accounts["Administrator"].attributes["protected_users"] is True
    assert accounts["suzuki"].is_admin is False
    assert accounts["suzuki"].groups == ["営業部"]


def test_groups_and_coverage(fixture_data: IdentityData, accounts: dict[str, Account]):
    groups = {group.name: group for group in fixture_data.groups}
    assert groups["Domain Admins"].id == f"{DOMAIN_SID}-512"
    assert groups["Domain Admins"].members == [
        accounts["Administrator"].id,
        accounts["adm-tanaka"].id,
        f"{DOMAIN_SID}-1105",  # IT-Admins, a nested group
    ]
    assert [e.position for e in groups["Domain Admins"].evidence] == ["row 2", "row 3", "row 4"]
    # Enterprise Admins has no rows of its own, but its SID was learnt from a member row.
    assert f"{DOMAIN_SID}-519" in groups["Administrators"].members
    assert "Schema Admins" not in groups  # only named in MemberOf: a role, not a Group
    assert fixture_data.coverage.kinds == {"ad": {"users", "group_members"}}


def test_naive_export_relies_on_the_group_export(tmp_path: Path):
    rows = [
        user_row(
            "adm-ono", 1201, MemberOf=COLLECTION, ServicePrincipalNames=COLLECTION, adminCount=""
        ),
        user_row(
            "kimura", 1202, MemberOf=COLLECTION, ServicePrincipalNames=COLLECTION, adminCount=""
        ),
    ]
    folder = tmp_path / "exports"
    folder.mkdir()
    users = write(folder, "users.csv", ps_csv(rows), "utf-16")
    alone, problems = read(users)
    assert sorted((p.position, p.message.split(" ")[0]) for p in problems) == [
        ("row 3", "MemberOf"),
        ("row 3", "ServicePrincipalNames"),
    ]
    assert {a.name: a.is_admin for a in alone.accounts} == {"adm-ono": None, "kimura": None}
    assert alone.accounts[0].attributes["service_principal_names"] is None
    assert alone.accounts[0].attributes["encoding"] == "utf-16"

    members = [
        {
            "Group": "ドメイン管理者",  # a localised name: the SID decides
            "GroupSID": f"{DOMAIN_SID}-512",
            "SamAccountName": "adm-ono",
            "objectClass": "user",
            "distinguishedName": f"CN=adm-ono,OU=Staff,{DOMAIN_DN}",
            "SID": f"{DOMAIN_SID}-1201",
        },
        {
            "Group": "Domain Admins",  # the name of a privileged group, but not its SID
            "GroupSID": f"{DOMAIN_SID}-1300",
            "SamAccountName": "kimura",
            "objectClass": "user",
            "distinguishedName": f"CN=kimura,OU=Staff,{DOMAIN_DN}",
            "SID": f"{DOMAIN_SID}-1202",
        },
    ]
    write(folder, "members.csv", ps_csv(members, None))
    data, _ = read(folder)
    accounts = by_name(data)
    assert accounts["adm-ono"].is_admin is True
    assert [r.role for r in accounts["adm-ono"].roles] == ["ドメイン管理者"]
    assert accounts["kimura"].is_admin is False
    assert accounts["kimura"].groups == ["Domain Admins"]


def test_get_adgroup_members_shape(tmp_path: Path):
    users = [user_row("sato", 1301, adminCount="1"), user_row("kondo", 1302)]
    write(tmp_path, "users.csv", ps_csv(users))
    groups = [
        {
            "DistinguishedName": f"CN=Schema Admins,CN=Users,{DOMAIN_DN}",
            "GroupCategory": "Security",
            "GroupScope": "Universal",
            "Name": "Schema Admins",
            "SID": f"{DOMAIN_SID}-518",
            "Members": f"CN=sato,OU=Staff,{DOMAIN_DN};CN=Outsider,OU=Gone,{DOMAIN_DN}",
        },
        {
            "DistinguishedName": f"CN=DnsAdmins,CN=Users,{DOMAIN_DN}",
            "GroupCategory": "Security",
            "GroupScope": "DomainLocal",
            "Name": "DnsAdmins",
            "SID": f"{DOMAIN_SID}-1101",
            "Members": f"CN=kondo,OU=Staff,{DOMAIN_DN}",
        },
    ]
    write(tmp_path, "groups.csv", ps_csv(groups, "ADGroup"))
    data, problems = read(tmp_path)
    assert problems == []
    accounts = by_name(data)
    assert [r.role for r in accounts["sato"].roles] == ["Schema Admins"]
    assert [r.role for r in accounts["kondo"].roles] == ["DnsAdmins"]
    schema = next(g for g in data.groups if g.name == "Schema Admins")
    assert schema.members == [accounts["sato"].id, f"CN=Outsider,OU=Gone,{DOMAIN_DN}"]


def test_unrendered_members_leave_memberships_unknown(tmp_path: Path):
    write(tmp_path, "users.csv", ps_csv([user_row("sato", 1301, adminCount="")]))
    group = {"Name": "Domain Admins", "GroupScope": "Global", "Members": COLLECTION}
    path = write(tmp_path, "groups.csv", ps_csv([group, dict(group, Name="DnsAdmins")], "ADGroup"))
    data, problems = read(tmp_path)
    assert [(p.source, p.position) for p in problems] == [(str(path), "row 3")]
    assert data.accounts[0].is_admin is None
    assert data.accounts[0].attributes["protected_users"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/06/05 9:03:12", datetime(2025, 6, 5, 0, 3, 12, tzinfo=UTC)),
        ("6/5/2025 9:03:12 AM", datetime(2025, 6, 5, 0, 3, 12, tzinfo=UTC)),
        ("6/5/2025 9:03:12 PM", datetime(2025, 6, 5, 12, 3, 12, tzinfo=UTC)),
        ("2025-06-05T00:03:12Z", datetime(2025, 6, 5, 0, 3, 12, tzinfo=UTC)),
        ("2025-06-05 09:03:12", datetime(2025, 6, 5, 0, 3, 12, tzinfo=UTC)),
        ("2025/10/01", datetime(2025, 9, 30, 15, 0, tzinfo=UTC)),
        ("05/06/2025 09:03:12", None),  # day-first or month-first: not guessed
        ("0001/01/01 0:00:00", None),  # before year 1 in UTC
    ],
)
def test_powershell_date_formats(text: str, expected: datetime | None):
    from mamori.timefmt import DEFAULT_TZ, zone

    assert ad.parse_local_time(text, zone(DEFAULT_TZ)) == expected


def test_bad_rows_are_reported_and_the_rest_is_read(tmp_path: Path):
    rows = [
        user_row(
            "good", 1401, whenCreated="2024/04/01 9:00:00", lastLogonTimestamp="", pwdLastSet=""
        ),
        user_row("maybe", 1402, Enabled="Maybe"),
        user_row("baddate", 1403, whenCreated="31.12.2024 10:00"),
        user_row("badtime", 1404, lastLogonTimestamp="soon", pwdLastSet="99999999999999999999"),
        user_row("", 1405),
    ]
    text = ps_csv(rows).splitlines()
    text.insert(4, '"short","row"')
    path = write(tmp_path, "users.csv", "\r\n".join(text) + "\r\n", "cp932")
    data, problems = read(path)
    found = sorted((p.position, p.message.split(":")[0]) for p in problems)
    assert found == [
        ("row 4", "Enabled"),
        ("row 5", "2 columns where the header has 9; row skipped"),
        ("row 6", "whenCreated"),
        ("row 7", "lastLogonTimestamp"),
        ("row 7", "pwdLastSet"),
        ("row 8", "SamAccountName is empty; row skipped"),
    ]
    assert all(p.source == str(path) for p in problems)
    accounts = by_name(data)
    assert set(accounts) == {"good", "maybe", "baddate", "badtime"}
    assert accounts["good"].created == datetime(2024, 4, 1, 0, 0, tzinfo=UTC)
    assert accounts["maybe"].enabled is None
    assert accounts["baddate"].created is None
    assert accounts["badtime"].last_sign_in is None


def test_user_account_control_flags(tmp_path: Path):
    flags = 0x200 | 0x2 | 0x20 | 0x80000 | 0x100000 | 0x1000000
    row = user_row("svc-web", 1501, userAccountControl=str(flags), Enabled="True")
    data, problems = read(write(tmp_path, "users.csv", ps_csv([row])))
    assert problems == []
    (account,) = data.accounts
    assert account.enabled is False  # userAccountControl wins over the Enabled column
    assert account.password_never_expires is False
    assert {k: account.attributes[k] for k in ad.UAC_FLAGS if k in account.attributes} == {
        "password_not_required": True,
        "trusted_for_delegation": True,
        "not_delegated": True,
        "preauth_not_required": False,
        "trusted_to_auth_for_delegation": True,
    }


GRAPH_USERS = {
    "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",
    "value": [{"id": "87d349ed", "userPrincipalName": "AdeleV@contoso.com"}],
}
OKTA_USERS = [{"id": "00ub0oNGTSWTBKOLGLNR", "status": "ACTIVE", "profile": {"login": "a@b.c"}}]
COMPUTERS = [
    {
        "DistinguishedName": f"CN=PC01,OU=PCs,{DOMAIN_DN}",
        "DNSHostName": "pc01.corp.example.co.jp",
        "Enabled": "True",
        "SamAccountName": "PC01$",
        "UserPrincipalName": "",
    }
]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("graph.json", json.dumps(GRAPH_USERS)),
        ("okta.json", json.dumps(OKTA_USERS)),
        ("credential_report.csv", (DATA / "aws" / "credential_report.csv").read_bytes()),
        ("authorization_details.json", (DATA / "aws" / "authorization_details.json").read_bytes()),
        ("computers.csv", ps_csv(COMPUTERS, "ADComputer")),
    ],
)
def test_sniff_does_not_claim_other_exports(tmp_path: Path, name: str, content: str | bytes):
    records = parse_file(write(tmp_path, name, content), pytest.fail)
    assert records is not None
    assert ad.sniff(records) is None


def test_sniff_names_each_kind():
    kinds = {path.name: ad.sniff(parse_file(path, pytest.fail)) for path in AD.iterdir()}
    assert kinds == {"users.csv": "users", "group_members.csv": "group_members"}


# -- property tests: garbage never raises --------------------------------------------------

COLUMNS = [
    "SamAccountName",
    "DistinguishedName",
    "ObjectGUID",
    "SID",
    "Enabled",
    "userAccountControl",
    "whenCreated",
    "LastLogonDate",
    "lastLogonTimestamp",
    "pwdLastSet",
    "PasswordLastSet",
    "accountExpires",
    "AccountExpirationDate",
    "adminCount",
    "MemberOf",
    "ServicePrincipalNames",
    "primaryGroupID",
    "ObjectClass",
    "Group",
    "GroupSID",
    "objectClass",
    "Members",
    "Name",
]
cell = st.one_of(
    st.sampled_from(["True", "False", "", "0", "9223372036854775807", "-1", "512", COLLECTION]),
    st.sampled_from(["2025/06/05 9:03:12", f"CN=x,{DOMAIN_DN};CN=y,{DOMAIN_DN}", "group"]),
    st.sampled_from([f"{DOMAIN_SID}-512", "S-1-5-32-544", "S-1-5-21-²", "CN=a\\,b=c,DC="]),
    st.integers().map(str),
    st.text(max_size=16),
)
rows = st.lists(
    st.fixed_dictionaries({}, optional={column: cell for column in COLUMNS}), max_size=5
)


@settings(max_examples=80, deadline=None)
@given(rows=rows, header=st.lists(st.sampled_from(COLUMNS) | st.text(max_size=8), max_size=8))
def test_garbage_rows_never_raise(rows: list[dict[str, str]], header: list[str]):
    records = Records(
        Path("garbage.csv"),
        "csv",
        rows=[(f"row {i + 2}", row) for i, row in enumerate(rows)],
        header=header,
        encoding="cp932",
    )
    ad.sniff(records)
    exports = [Export("ad", kind, records) for kind in ("group_members", "users")]
    ad.build(exports, lambda problem: None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_garbage_files_never_raise(content: bytes):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.csv"
        path.write_bytes(b"SamAccountName,DistinguishedName,Enabled,Group,SID\n" + content)
        problems: list[InputProblem] = []
        records = parse_file(path, problems.append)
        if records is not None:
            kind = ad.sniff(records)
            ad.build([Export("ad", kind or "users", records)], problems.append)
