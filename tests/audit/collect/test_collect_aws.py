"""collect_aws against a real HTTP server on 127.0.0.1 speaking IAM's Query API.

The server answers form-encoded POSTs (`Action=...&Version=2010-05-08`) with XML in the shapes
of the IAM API reference and botocore's iam/2010-05-08 service model: list members as
`<member>`, results wrapped in `<ActionResult>`, errors as `<ErrorResponse><Error>`. Then the
offline reader reads what was written, so collect → audit is tested end to end.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest
from botocore.retries.standard import ExponentialBackoff

from mamori.audit.collect.aws import collect_aws
from mamori.audit.collect.output import CollectError
from mamori.audit.sources import read_identity

NS = "https://iam.amazonaws.com/doc/2010-05-08/"
ACCOUNT = "111122223333"

REPORT_CSV = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-04-01T01:00:00+00:00,not_supported,"
    "2025-05-20T02:11:09+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"alice,arn:aws:iam::{ACCOUNT}:user/alice,2023-04-03T00:12:00+00:00,true,"
    "2025-06-04T23:40:12+00:00,2025-01-10T03:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,"
    "N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    f"vendor-admin,arn:aws:iam::{ACCOUNT}:user/vendors/vendor-admin,2022-09-01T05:00:00+00:00,"
    "true,no_information,2022-09-01T05:00:00+00:00,N/A,false,true,2022-09-01T05:00:00+00:00,"
    "2025-05-01T00:00:00+00:00,ap-northeast-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)

SEED = b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def _members(tag: str, items: list[str]) -> str:
    return f"<{tag}>" + "".join(f"<member>{item}</member>" for item in items) + f"</{tag}>"


def _response(action: str, result: str) -> str:
    return (
        f'<{action}Response xmlns="{NS}"><{action}Result>{result}</{action}Result>'
        "<ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId>"
        f"</ResponseMetadata></{action}Response>"
    )


def _error(code: str, message: str) -> str:
    return (
        f'<ErrorResponse xmlns="{NS}"><Error><Type>Sender</Type><Code>{code}</Code>'
        f"<Message>{message}</Message></Error>"
        "<RequestId>9f1b2c3d-0000-4fc4-9331-6e8eEXAMPLE</RequestId></ErrorResponse>"
    )


USER_ALICE = (
    "<member><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLEALICE0001</UserId>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:user/alice</Arn><CreateDate>2023-04-03T00:12:00Z</CreateDate>"
    + _members("GroupList", ["Developers"])
    + "<AttachedManagedPolicies/><UserPolicyList/>"
    "<Tags><member><Key>Department</Key><Value>情報システム部</Value></member></Tags></member>"
)
USER_VENDOR = (
    "<member><Path>/vendors/</Path><UserName>vendor-admin</UserName>"
    "<UserId>AIDAEXAMPLEVENDOR001</UserId>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:user/vendors/vendor-admin</Arn>"
    "<CreateDate>2022-09-01T05:00:00Z</CreateDate>"
    + _members("GroupList", ["Admins"])
    + "<AttachedManagedPolicies/><UserPolicyList/>"
    "<Tags><member><Key>employeeType</Key><Value>Contractor</Value></member></Tags></member>"
)
GROUPS = (
    "<member><Path>/</Path><GroupName>Admins</GroupName><GroupId>AGPAEXAMPLEADMINS001</GroupId>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:group/Admins</Arn><CreateDate>2019-04-01T01:00:00Z</CreateDate>"
    "<GroupPolicyList/><AttachedManagedPolicies><member><PolicyName>EverythingAdmin</PolicyName>"
    f"<PolicyArn>arn:aws:iam::{ACCOUNT}:policy/EverythingAdmin</PolicyArn></member>"
    "</AttachedManagedPolicies></member>"
    "<member><Path>/</Path><GroupName>Developers</GroupName><GroupId>AGPAEXAMPLEDEVS00001</GroupId>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:group/Developers</Arn>"
    "<CreateDate>2019-04-01T01:00:00Z</CreateDate><GroupPolicyList/><AttachedManagedPolicies/>"
    "</member>"
)
POLICIES = (
    "<member><PolicyName>EverythingAdmin</PolicyName><PolicyId>ANPAEXAMPLEADMIN0001</PolicyId>"
    f"<Arn>arn:aws:iam::{ACCOUNT}:policy/EverythingAdmin</Arn><Path>/</Path>"
    "<DefaultVersionId>v1</DefaultVersionId><AttachmentCount>1</AttachmentCount>"
    "<IsAttachable>true</IsAttachable><CreateDate>2019-04-01T01:00:00Z</CreateDate>"
    "<UpdateDate>2019-04-01T01:00:00Z</UpdateDate><PolicyVersionList><member>"
    # GetAccountAuthorizationDetails returns policy documents URL-encoded (RFC 3986).
    f"<Document>{quote(json.dumps(ADMIN_POLICY), safe='')}</Document><VersionId>v1</VersionId>"
    "<IsDefaultVersion>true</IsDefaultVersion><CreateDate>2019-04-01T01:00:00Z</CreateDate>"
    "</member></PolicyVersionList></member>"
)
AUTHORIZATION_PAGES = {
    # Users on the first page, their groups and policies on the second: the reader must join them.
    None: (
        "<IsTruncated>true</IsTruncated><Marker>page-2</Marker>"
        f"<UserDetailList>{USER_ALICE}{USER_VENDOR}</UserDetailList>"
        "<GroupDetailList/><RoleDetailList/><Policies/>"
    ),
    "page-2": (
        "<IsTruncated>false</IsTruncated><UserDetailList/>"
        f"<GroupDetailList>{GROUPS}</GroupDetailList><RoleDetailList/>"
        f"<Policies>{POLICIES}</Policies>"
    ),
}
MFA_PAGES = {
    None: (
        "<IsTruncated>true</IsTruncated><Marker>mfa-2</Marker><VirtualMFADevices><member>"
        f"<SerialNumber>arn:aws:iam::{ACCOUNT}:mfa/alice</SerialNumber>"
        "<User><Path>/</Path><UserName>alice</UserName><UserId>AIDAEXAMPLEALICE0001</UserId>"
        f"<Arn>arn:aws:iam::{ACCOUNT}:user/alice</Arn><CreateDate>2023-04-03T00:12:00Z</CreateDate>"
        "</User><EnableDate>2023-04-05T09:30:00Z</EnableDate></member></VirtualMFADevices>"
    ),
    "mfa-2": (
        "<IsTruncated>false</IsTruncated><VirtualMFADevices><member>"
        f"<SerialNumber>arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device</SerialNumber>"
        f"<User><Path>/</Path><UserName>{ACCOUNT}</UserName><UserId>{ACCOUNT}</UserId>"
        f"<Arn>arn:aws:iam::{ACCOUNT}:root</Arn><CreateDate>2019-04-01T01:00:00Z</CreateDate>"
        "</User><EnableDate>2019-04-01T02:00:00Z</EnableDate></member>"
        # An unassigned device belongs to nobody and has no User. Were a seed ever listed, it
        # must not be written.
        f"<member><SerialNumber>arn:aws:iam::{ACCOUNT}:mfa/spare</SerialNumber>"
        f"<Base32StringSeed>{base64.b64encode(SEED).decode()}</Base32StringSeed>"
        f"<QRCodePNG>{base64.b64encode(b'PNG').decode()}</QRCodePNG></member>"
        "</VirtualMFADevices>"
    ),
}


@dataclass
class FakeIam:
    """What the server answers, and every request it received (action and form fields)."""

    report_states: list[str] = field(default_factory=lambda: ["STARTED", "COMPLETE"])
    throttle: dict[str, int] = field(default_factory=dict)
    """`Action:Marker` → how many more times to answer Throttling."""
    denied: set[str] = field(default_factory=set)
    requests: list[dict[str, str]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def answer(self, form: dict[str, str]) -> tuple[int, str]:
        action = form["Action"]
        if action in self.denied:
            return 403, _error(
                "AccessDenied",
                f"User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: "
                f"iam:{action} on resource: *",
            )
        key = f"{action}:{form.get('Marker')}"
        if self.throttle.get(key, 0) > 0:
            self.throttle[key] -= 1
            return 400, _error("Throttling", "Rate exceeded")
        return 200, self.result(action, form.get("Marker"))

    def result(self, action: str, marker: str | None) -> str:
        if action == "GenerateCredentialReport":
            state = (
                self.report_states.pop(0) if len(self.report_states) > 1 else self.report_states[0]
            )
            return _response(action, f"<Description>report</Description><State>{state}</State>")
        if action == "GetCredentialReport":
            content = base64.b64encode(REPORT_CSV.encode()).decode()
            return _response(
                action,
                f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat>"
                "<GeneratedTime>2025-10-31T00:00:00Z</GeneratedTime>",
            )
        if action == "GetAccountAuthorizationDetails":
            return _response(action, AUTHORIZATION_PAGES[marker])
        if action == "ListVirtualMFADevices":
            return _response(action, MFA_PAGES[marker])
        raise AssertionError(f"unexpected action {action}")

    def actions(self) -> list[str]:
        return [request["Action"] for request in self.requests]


def _handler(iam: FakeIam) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {name: values[0] for name, values in parse_qs(body).items()}
            iam.requests.append(form)
            iam.headers.append(dict(self.headers))
            status, xml = iam.answer(form)
            data = xml.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials from the environment only; no config file, profile or proxy applies."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    # botocore's standard mode sleeps up to 1 s (random jitter) before retrying throttling.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


@pytest.fixture
def fake_iam(aws_env: None) -> Iterator[tuple[FakeIam, str]]:
    iam = FakeIam()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(iam))
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield iam, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _collect(out: Path, endpoint: str, **options: object):
    return collect_aws(out, endpoint_url=endpoint, region="us-east-1", poll_interval=0, **options)


def _read(folder: Path):
    problems: list[object] = []
    return read_identity([folder], problems.append), problems


def test_collects_every_page_and_the_reader_reads_it(tmp_path: Path, fake_iam) -> None:
    iam, endpoint = fake_iam
    iam.throttle = {"GetAccountAuthorizationDetails:page-2": 1}

    collected = _collect(tmp_path, endpoint)

    folder = tmp_path / "aws"
    assert collected.problems == []
    assert collected.written == [
        folder / "credential-report.csv",
        folder / "authorization-details.json",
        folder / "mfa-devices.json",
    ]
    assert (folder / "credential-report.csv").read_text() == REPORT_CSV
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in collected.written)

    data, problems = _read(tmp_path)
    assert problems == []
    accounts = {account.name: account for account in data.accounts}
    assert set(accounts) == {"<root_account>", "alice", "vendor-admin"}
    vendor = accounts["vendor-admin"]
    assert vendor.employee_type == "Contractor"
    assert vendor.groups == ["Admins"]
    # The group and its customer managed policy came on page 2, after the user on page 1.
    assert any(role.privileged and role.via_group == "Admins" for role in vendor.roles)
    assert vendor.attributes["never_used"] == ["password"]
    alice = accounts["alice"]
    assert alice.attributes["tags"] == {"Department": "情報システム部"}
    assert alice.mfa.registered is True
    assert alice.mfa.methods == ("virtual",)  # from mfa-devices.json
    assert accounts["<root_account>"].attributes["is_root"] is True


def test_requests_are_iam_query_api_calls_with_paging(tmp_path: Path, fake_iam) -> None:
    iam, endpoint = fake_iam
    iam.throttle = {"GetAccountAuthorizationDetails:page-2": 1}

    _collect(tmp_path, endpoint)

    assert iam.actions() == [
        "GenerateCredentialReport",  # STARTED
        "GenerateCredentialReport",  # COMPLETE
        "GetCredentialReport",
        "GetAccountAuthorizationDetails",
        "GetAccountAuthorizationDetails",  # Throttling, retried
        "GetAccountAuthorizationDetails",
        "ListVirtualMFADevices",
        "ListVirtualMFADevices",
    ]
    assert all(request["Version"] == "2010-05-08" for request in iam.requests)
    details = [r for r in iam.requests if r["Action"] == "GetAccountAuthorizationDetails"]
    assert [r.get("Marker") for r in details] == [None, "page-2", "page-2"]
    assert {r["MaxItems"] for r in details} == {"1000"}
    # Signed with the dummy key from the environment (SigV4), never sent in the clear.
    authorization = iam.headers[0]["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
    assert "wJalrXUtnFEMI" not in json.dumps(iam.headers)


def test_dates_are_written_as_the_aws_cli_writes_them(tmp_path: Path, fake_iam) -> None:
    _, endpoint = fake_iam

    _collect(tmp_path, endpoint)

    details = json.loads((tmp_path / "aws" / "authorization-details.json").read_text())
    assert set(details) >= {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
    assert "IsTruncated" not in details and "Marker" not in details
    assert [u["UserName"] for u in details["UserDetailList"]] == ["alice", "vendor-admin"]
    assert details["UserDetailList"][0]["CreateDate"] == "2023-04-03T00:12:00+00:00"
    document = details["Policies"][0]["PolicyVersionList"][0]["Document"]
    assert document == ADMIN_POLICY  # decoded from the URL-encoded string, as the CLI does
    devices = json.loads((tmp_path / "aws" / "mfa-devices.json").read_text())
    assert [d["SerialNumber"].rsplit("/", 1)[1] for d in devices["VirtualMFADevices"]] == [
        "alice",
        "root-account-mfa-device",
        "spare",
    ]
    assert devices["VirtualMFADevices"][0]["EnableDate"] == "2023-04-05T09:30:00+00:00"
    assert devices["VirtualMFADevices"][2] == {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/spare"}
    assert SEED.decode() not in (tmp_path / "aws" / "mfa-devices.json").read_text()


def test_access_denied_on_one_call_is_reported_and_the_rest_collected(
    tmp_path: Path, fake_iam
) -> None:
    iam, endpoint = fake_iam
    iam.denied = {"ListVirtualMFADevices"}

    collected = _collect(tmp_path, endpoint)

    assert [p.name for p in collected.written] == [
        "credential-report.csv",
        "authorization-details.json",
    ]
    assert len(collected.problems) == 1
    assert collected.problems[0].startswith("AWS ListVirtualMFADevices: AccessDenied: User: ")
    assert not (tmp_path / "aws" / "mfa-devices.json").exists()
    data, problems = _read(tmp_path)
    assert problems == []
    assert {account.name for account in data.accounts} == {
        "<root_account>",
        "alice",
        "vendor-admin",
    }


def test_a_failed_call_says_when_an_older_file_is_left_in_place(tmp_path: Path, fake_iam) -> None:
    iam, endpoint = fake_iam
    old = tmp_path / "aws" / "mfa-devices.json"
    old.parent.mkdir()
    old.write_text('{"VirtualMFADevices": []}')
    iam.denied = {"ListVirtualMFADevices"}

    collected = _collect(tmp_path, endpoint)

    assert collected.problems[0].endswith(f"; {old} is from an earlier collection")


def test_a_report_not_ready_in_time_is_reported(tmp_path: Path, fake_iam) -> None:
    iam, endpoint = fake_iam
    iam.report_states = ["INPROGRESS"]

    collected = _collect(tmp_path, endpoint, report_timeout=0)

    assert collected.problems == [
        "AWS GetCredentialReport: the credential report was not ready after 0 s"
    ]
    assert [p.name for p in collected.written] == ["authorization-details.json", "mfa-devices.json"]
    assert "GetCredentialReport" not in iam.actions()


def test_throttling_past_max_retries_on_a_later_page_writes_no_partial_file(
    tmp_path: Path, fake_iam
) -> None:
    iam, endpoint = fake_iam
    iam.throttle = {"GetAccountAuthorizationDetails:page-2": 2}

    collected = _collect(tmp_path, endpoint, max_retries=1)

    assert collected.problems == ["AWS GetAccountAuthorizationDetails: Throttling: Rate exceeded"]
    assert not (tmp_path / "aws" / "authorization-details.json").exists()


def test_an_unknown_profile_is_a_collect_error(tmp_path: Path, aws_env: None) -> None:
    with pytest.raises(CollectError, match="could not be found"):
        collect_aws(tmp_path, profile="no-such-profile")
    assert not (tmp_path / "aws").exists()


def test_no_reachable_endpoint_is_a_collect_error(tmp_path: Path, aws_env: None) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens on this port any more

    with pytest.raises(CollectError, match="Could not connect"):
        collect_aws(
            tmp_path, endpoint_url=f"http://127.0.0.1:{port}", region="us-east-1", max_retries=0
        )
