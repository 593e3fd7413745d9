"""AWS IAM: the credential report, the account authorization details and MFA device lists.

Export kinds (recognised by content, never by file name):

- `credential_report`: the IAM credential report CSV (console download, or
  `aws iam get-credential-report --query Content --output text | base64 -d`), or the raw JSON
  of `aws iam get-credential-report` whose `Content` is the base64 CSV. Rows decoded from
  `Content` are positioned "Content row N" (the header is row 1).
- `authorization_details`: `aws iam get-account-authorization-details` JSON (UserDetailList,
  GroupDetailList, RoleDetailList, Policies), one document or several pages in one array.
- `mfa_devices`: `aws iam list-mfa-devices` (`MFADevices`) or `aws iam
  list-virtual-mfa-devices` (`VirtualMFADevices`) JSON. They only add what they list: a user
  missing from them is not taken to have no device (list-mfa-devices is per user).

Accounts are IAM users and the root user, joined across files by ARN, then by (account id,
user name). IAM roles are not accounts (nobody signs in to a role with a password or a key
of its own) and are not read; nor is CloudTrail (no `SignIn`s here).

The report's special values: `N/A` (not applicable) and `not_supported` (root's password
columns) read as unknown (None); `no_information` (never used since AWS began recording)
also reads as None, but a password or key that exists with no recorded use is listed in
`attributes["never_used"]`, because "never used" is what stale-credential checks need.

Privileged, kept simple on purpose: the AWS managed policies AdministratorAccess,
IAMFullAccess and PowerUserAccess (full access to every service but IAM, enough to destroy
or encrypt an account's data), or any policy (inline, customer managed, or AWS managed
whose document is in the export) with a statement whose Effect is Allow, whose Action is
`*` or `iam:*` and whose Resource is `*`. Conditions, NotAction and permissions boundaries
are not evaluated: a conditional administrator is still reported as one. Policy documents
are read as the CLI writes them (JSON objects) or as the API returns them (URL-encoded JSON
strings, RFC 3986).

`Account.attributes` keys set here:

- `is_root` (bool): the `<root_account>` row (also given a privileged "root" role);
- `never_used` (list[str]): of "password", "access_key_1", "access_key_2", those that exist
  and have no recorded use;
- `tags` (dict[str, str]): the user's IAM tags as written;
- `permissions_boundary` (str): the ARN of the user's permissions boundary policy.

`employee_type` comes from a tag only under an unambiguous convention: a tag named
`employeeType` (any case, also `employee_type` / `employee-type`) gives its value as
written; a tag named `Contractor` with the value true / yes / 1 gives "Contractor". Other
tags stay in `attributes["tags"]` for the tagging rules.

`Account.groups` holds IAM group names (what GroupList gives); `Group.members` holds user
ARNs (the account ids).
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import orjson

from mamori.audit.model import (
    Account,
    Credential,
    Evidence,
    Group,
    IdentityData,
    RoleAssignment,
    SourceKind,
)
from mamori.audit.sources.files import Problem, Records
from mamori.events import InputProblem, parse_utc

if TYPE_CHECKING:
    from mamori.audit.sources import Export

SOURCE = SourceKind.aws.value

CREDENTIAL_REPORT = "credential_report"
AUTHORIZATION_DETAILS = "authorization_details"
MFA_DEVICES = "mfa_devices"

REPORT_COLUMNS = frozenset({"user", "arn", "mfa_active"})
"""Enough of the report's header to be sure, yet present in reports of every vintage."""
DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList")
DEVICE_LISTS = ("MFADevices", "VirtualMFADevices")
ROOT_USER = "<root_account>"
NO_VALUE = frozenset({"", "n/a", "not_supported", "no_information"})
NEVER_USED = frozenset({"n/a", "no_information"})
"""A last-used cell with one of these, for a credential that exists, means no recorded use."""
LOSSY_ENCODING = "replaced"

PRIVILEGED_MANAGED = frozenset({"AdministratorAccess", "IAMFullAccess", "PowerUserAccess"})
ADMIN_ACTIONS = frozenset({"*", "iam:*"})
EMPLOYEE_TYPE_TAGS = frozenset({"employeetype", "employee_type", "employee-type"})
CONTRACTOR_TAG = "contractor"
YES = frozenset({"true", "yes", "1"})


def sniff(records: Records) -> str | None:
    """The AWS export kind of a file, from its CSV header or its first JSON object's keys."""
    if records.format == "csv":
        header = {name.strip().lower() for name in records.header if isinstance(name, str)}
        return CREDENTIAL_REPORT if header >= REPORT_COLUMNS else None
    if not records.rows or not isinstance(records.rows[0][1], dict):
        return None
    first = records.rows[0][1]
    if isinstance(first.get("Content"), str) and "ReportFormat" in first:
        return CREDENTIAL_REPORT
    if any(isinstance(first.get(name), list) for name in DETAIL_LISTS):
        return AUTHORIZATION_DETAILS
    if any(isinstance(first.get(name), list) for name in DEVICE_LISTS):
        return MFA_DEVICES
    return None


def build(exports: list[Export], on_problem: Problem) -> IdentityData:
    """Users and root from the credential report, joined with their policies, groups, MFA."""
    reader = _Reader(on_problem)
    by_kind: dict[str, list[Export]] = {}
    for export in exports:
        by_kind.setdefault(export.kind, []).append(export)
        _check_encoding(export.records, on_problem)
    for export in by_kind.get(CREDENTIAL_REPORT, []):
        reader.read_credential_report(export.records)
    details = by_kind.get(AUTHORIZATION_DETAILS, [])
    # Policies and groups first: a paginated export may list them on other pages than users.
    for export in details:
        reader.read_policies_and_groups(export.records)
    for export in details:
        reader.read_users(export.records)
    for export in by_kind.get(MFA_DEVICES, []):
        reader.read_mfa_devices(export.records)
    data = IdentityData(accounts=reader.finish(), groups=list(reader.groups.values()))
    data.coverage.kinds[SOURCE] = {export.kind for export in exports}
    return data


def _check_encoding(records: Records, on_problem: Problem) -> None:
    """Say so when bytes had to be replaced: user names read from such a file may be wrong."""
    if records.encoding and LOSSY_ENCODING in records.encoding:
        on_problem(
            InputProblem(
                str(records.path),
                "file",
                "not valid UTF-8, UTF-16 or CP932: undecodable bytes were replaced, so names "
                "may be garbled",
            )
        )


@dataclass(slots=True)
class _Cells:
    """One record's values, read with the file and position every problem must name."""

    file: str
    position: str
    row: dict[str, Any]
    on_problem: Problem

    def report(self, message: str) -> None:
        self.on_problem(InputProblem(self.file, self.position, message))

    def raw(self, column: str) -> str | None:
        value = self.row.get(column)
        if value is None:
            return None
        return value.strip() if isinstance(value, str) else str(value)

    def text(self, column: str) -> str | None:
        """The cell, or None when empty or one of the report's no-value words."""
        value = self.raw(column)
        return None if value is None or value.lower() in NO_VALUE else value

    def flag(self, column: str) -> bool | None:
        value = self.text(column)
        if value is None:
            return None
        if value.lower() == "true":
            return True
        if value.lower() == "false":
            return False
        self.report(f"{column}: unknown value {value!r} (expected true or false); read as unknown")
        return None

    def time(self, column: str) -> datetime | None:
        value = self.text(column)
        if value is None:
            return None
        moment = parse_utc(value)
        if moment is None:
            self.report(f"{column}: cannot read date {value!r} (expected ISO 8601); ignored")
        return moment

    def never_used(self, column: str) -> bool:
        value = self.raw(column)
        return value is not None and value.lower() in NEVER_USED


def account_id_of(arn: str) -> str | None:
    """The 12-digit account id of an IAM ARN (arn:partition:iam::ACCOUNT:resource)."""
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" else ""
    if account.isascii() and account.isdigit():
        return account
    return None


@dataclass(slots=True)
class _GroupDetail:
    group: Group
    account_id: str | None
    roles: list[RoleAssignment] = field(default_factory=list)


class _Reader:
    """The accounts, groups and policies read so far, indexed for joining across files."""

    def __init__(self, on_problem: Problem) -> None:
        self.on_problem = on_problem
        self.by_arn: dict[str, Account] = {}
        self.by_name: dict[tuple[str | None, str], Account] = {}
        self.by_user_name: dict[str, list[Account]] = {}
        self.report_rows: dict[str, str] = {}
        self.policies: dict[str, dict[str, Any] | None] = {}
        """Managed policy ARN → its default version's document (None when unreadable)."""
        self.group_details: dict[tuple[str | None, str], _GroupDetail] = {}
        self.groups: dict[str, Group] = {}
        self.reported: set[str] = set()

    def account(self, arn: str, name: str, cells: _Cells) -> Account:
        """The account of this ARN (or of this user name in this AWS account), made if new."""
        tenant = account_id_of(arn)
        found = self.by_arn.get(arn) or self.by_name.get((tenant, name))
        if found is not None:
            return found
        if tenant is None:
            cells.report(f"arn: {arn!r} is not an IAM ARN; the AWS account id is unknown")
        account = Account(source=SOURCE, id=arn, name=name, tenant=tenant)
        self.by_arn[arn] = account
        self.by_name[(tenant, name)] = account
        self.by_user_name.setdefault(name, []).append(account)
        return account

    # -- credential report -------------------------------------------------------------

    def read_credential_report(self, records: Records) -> None:
        file = str(records.path)
        for position, row in _report_rows(records, self.on_problem):
            self.read_report_row(_Cells(file, position, row, self.on_problem))

    def read_report_row(self, cells: _Cells) -> None:
        user, arn = cells.raw("user"), cells.raw("arn")
        if not user or not arn:
            cells.report("user or arn is empty; row skipped")
            return
        if arn in self.report_rows:
            cells.report(f"{arn} appears again (first at {self.report_rows[arn]}); row skipped")
            return
        self.report_rows[arn] = f"{cells.file} {cells.position}"
        account = self.account(arn, user, cells)
        account.evidence.append(Evidence(cells.file, cells.position, cells.row))
        account.created = cells.time("user_creation_time") or account.created
        account.password_enabled = cells.flag("password_enabled")
        account.last_sign_in = cells.time("password_last_used")
        account.password_last_set = cells.time("password_last_changed")
        account.mfa.registered = cells.flag("mfa_active")
        account.credentials = _credentials(cells)
        uses = [account.last_sign_in, *(c.last_used for c in account.credentials)]
        account.last_activity = max((t for t in uses if t is not None), default=None)
        account.attributes["never_used"] = _never_used(cells, account)
        if user == ROOT_USER or arn.endswith(":root"):
            account.attributes["is_root"] = True
            account.roles.append(
                RoleAssignment(
                    role="root",
                    role_id=arn,
                    scope=account.tenant,
                    privileged=True,
                    permanent=True,
                    assignment_type="root user",
                )
            )

    # -- authorization details ---------------------------------------------------------

    def read_policies_and_groups(self, records: Records) -> None:
        file = str(records.path)
        for position, document in records.rows:
            for where, item in _items(document, "Policies", position):
                self.read_policy(_Cells(file, where, item, self.on_problem))
        for position, document in records.rows:
            for where, item in _items(document, "GroupDetailList", position):
                self.read_group(_Cells(file, where, item, self.on_problem))

    def read_policy(self, cells: _Cells) -> None:
        arn = cells.raw("Arn")
        if not arn:
            cells.report("a policy without Arn; skipped")
            return
        self.policies[arn] = _default_document(cells)

    def read_group(self, cells: _Cells) -> None:
        arn, name = cells.raw("Arn"), cells.raw("GroupName")
        if not arn or not name:
            cells.report("a group without Arn or GroupName; skipped")
            return
        group = Group(source=SOURCE, id=arn, name=name)
        group.evidence.append(Evidence(cells.file, cells.position, cells.row))
        detail = _GroupDetail(group, account_id_of(arn))
        detail.roles = self.policy_roles(cells, "GroupPolicyList", detail.account_id, name)
        self.group_details[(detail.account_id, name)] = detail
        self.groups[arn] = group

    def read_users(self, records: Records) -> None:
        file = str(records.path)
        for position, document in records.rows:
            for where, item in _items(document, "UserDetailList", position):
                self.read_user(_Cells(file, where, item, self.on_problem))

    def read_user(self, cells: _Cells) -> None:
        arn, name = cells.raw("Arn"), cells.raw("UserName")
        if not arn or not name:
            cells.report("a user without Arn or UserName; skipped")
            return
        account = self.account(arn, name, cells)
        account.evidence.append(Evidence(cells.file, cells.position, cells.row))
        account.created = account.created or cells.time("CreateDate")
        tags = _tags(cells)
        account.attributes["tags"] = tags
        account.employee_type = _employee_type(tags) or account.employee_type
        boundary = cells.row.get("PermissionsBoundary")
        if isinstance(boundary, dict) and isinstance(boundary.get("PermissionsBoundaryArn"), str):
            account.attributes["permissions_boundary"] = boundary["PermissionsBoundaryArn"]
        account.roles.extend(self.policy_roles(cells, "UserPolicyList", account.tenant, None))
        for group_name in _strings(cells, "GroupList"):
            self.join_group(account, group_name, cells)

    def join_group(self, account: Account, group_name: str, cells: _Cells) -> None:
        if group_name not in account.groups:
            account.groups.append(group_name)
        detail = self.group_details.get((account.tenant, group_name))
        if detail is None:
            self.once(
                cells,
                f"group:{account.tenant}:{group_name}",
                f"group {group_name!r} is not in GroupDetailList: its policies are unknown",
            )
            return
        if account.id not in detail.group.members:
            detail.group.members.append(account.id)
        account.roles.extend(replace(role) for role in detail.roles)

    def policy_roles(
        self, cells: _Cells, inline_list: str, account_id: str | None, via_group: str | None
    ) -> list[RoleAssignment]:
        """A role per attached managed policy and per inline policy of a user or group."""
        roles: list[RoleAssignment] = []
        attached = cells.row.get("AttachedManagedPolicies")
        for item in attached if isinstance(attached, list) else []:
            if isinstance(item, dict) and isinstance(item.get("PolicyArn"), str):
                arn = item["PolicyArn"]
                name = item.get("PolicyName") if isinstance(item.get("PolicyName"), str) else arn
                roles.append(self.managed_role(cells, arn, name, account_id, via_group))
            else:
                cells.report("AttachedManagedPolicies: an entry without PolicyArn; skipped")
        inline = cells.row.get(inline_list)
        for item in inline if isinstance(inline, list) else []:
            name = item.get("PolicyName") if isinstance(item, dict) else None
            if not isinstance(name, str):
                cells.report(f"{inline_list}: an entry without PolicyName; skipped")
                continue
            document = _document(item.get("PolicyDocument"))
            if document is None:
                cells.report(f"{inline_list}: policy {name!r} has no readable PolicyDocument")
            roles.append(
                RoleAssignment(
                    role=name,
                    scope=account_id,
                    privileged=document is not None and grants_admin(document),
                    permanent=True,
                    assignment_type="inline policy",
                    via_group=via_group,
                )
            )
        return roles

    def managed_role(
        self, cells: _Cells, arn: str, name: str, account_id: str | None, via_group: str | None
    ) -> RoleAssignment:
        document = self.policies.get(arn)
        aws_managed = ":iam::aws:policy/" in arn
        if aws_managed and arn.rsplit("/", 1)[-1] in PRIVILEGED_MANAGED:
            privileged = True
        elif document is not None:
            privileged = grants_admin(document)
        else:
            privileged = False
            if arn not in self.policies and not aws_managed:
                self.once(
                    cells,
                    f"policy:{arn}",
                    f"policy {arn} is attached but not in the export's Policies; its document "
                    "is unknown, so it is read as not privileged",
                )
        return RoleAssignment(
            role=name,
            role_id=arn,
            scope=account_id,
            privileged=privileged,
            permanent=True,
            assignment_type="AWS managed policy" if aws_managed else "customer managed policy",
            via_group=via_group,
        )

    def once(self, cells: _Cells, key: str, message: str) -> None:
        """Report a gap in the export once, not once per user it affects."""
        if key not in self.reported:
            self.reported.add(key)
            cells.report(message)

    # -- MFA devices -------------------------------------------------------------------

    def read_mfa_devices(self, records: Records) -> None:
        file = str(records.path)
        for position, document in records.rows:
            for where, item in _items(document, "MFADevices", position):
                cells = _Cells(file, where, item, self.on_problem)
                self.read_device(cells, None, cells.raw("UserName"))
            for where, item in _items(document, "VirtualMFADevices", position):
                cells = _Cells(file, where, item, self.on_problem)
                user = item.get("User")
                if isinstance(user, dict):  # unassigned virtual devices belong to nobody
                    self.read_device(cells, user.get("Arn"), user.get("UserName"))

    def read_device(self, cells: _Cells, arn: Any, name: Any) -> None:
        serial = cells.raw("SerialNumber")
        if not serial:
            cells.report("an MFA device without SerialNumber; skipped")
            return
        account = self.device_owner(cells, arn, name, serial)
        if account is None:
            return
        account.evidence.append(Evidence(cells.file, cells.position, cells.row))
        method = mfa_method(serial)
        account.mfa.registered = True
        if method not in account.mfa.methods:
            account.mfa.methods = (*account.mfa.methods, method)
        if method == "fido":
            account.mfa.phishing_resistant = True

    def device_owner(self, cells: _Cells, arn: Any, name: Any, serial: str) -> Account | None:
        """By ARN (virtual devices name their user's), else by user name in the serial's account."""
        if isinstance(arn, str) and arn in self.by_arn:
            return self.by_arn[arn]
        if isinstance(arn, str) and arn and isinstance(name, str) and name:
            return self.account(arn, name, cells)
        if not isinstance(name, str) or not name:
            cells.report("an MFA device without UserName; skipped")
            return None
        tenant = account_id_of(serial)
        owners = [a for a in self.by_user_name.get(name, []) if tenant in (None, a.tenant)]
        if len(owners) == 1:
            return owners[0]
        reason = "no user" if not owners else f"{len(owners)} users in different accounts"
        cells.report(f"MFA device of {name!r}: {reason} of that name in the other exports; skipped")
        return None

    def finish(self) -> list[Account]:
        for account in self.by_arn.values():
            if account.mfa.registered is False:
                account.mfa.phishing_resistant = False
        return list(self.by_arn.values())


def _report_rows(records: Records, on_problem: Problem) -> Iterator[tuple[str, dict[str, Any]]]:
    """CSV rows as read, or the rows of each base64 `Content` of get-credential-report JSON."""
    if records.format == "csv":
        yield from records.rows
        return
    file = str(records.path)
    for position, document in records.rows:
        prefix = "" if position == "document" else f"{position} "
        content = document.get("Content") if isinstance(document, dict) else None
        if not isinstance(content, str):
            on_problem(InputProblem(file, position, "no base64 Content: not a credential report"))
            continue
        text = _decode_content(content)
        if text is None:
            on_problem(
                InputProblem(
                    file, f"{prefix}Content", "Content is not base64 of a UTF-8 CSV; skipped"
                )
            )
            continue
        yield from _csv_rows(text, file, prefix, on_problem)


def _decode_content(content: str) -> str | None:
    try:
        return base64.b64decode(content, validate=True).decode("utf-8-sig")
    except (binascii.Error, ValueError):
        return None


def _csv_rows(
    text: str, file: str, prefix: str, on_problem: Problem
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Rows of a decoded report, numbered like files.parse_csv numbers a CSV file's rows."""
    reader = csv.reader(io.StringIO(text))
    number = 1
    try:
        header = [name.strip() for name in next(reader, [])]
        if not set(header) >= REPORT_COLUMNS:
            on_problem(InputProblem(file, f"{prefix}Content", "Content is not a credential report"))
            return
        for row in reader:
            number += 1
            if not any(cell.strip() for cell in row):
                continue
            position = f"{prefix}Content row {number}"
            if len(row) != len(header):
                message = f"{len(row)} columns where the header has {len(header)}; row skipped"
                on_problem(InputProblem(file, position, message))
                continue
            yield position, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        on_problem(InputProblem(file, f"{prefix}Content row {number}", f"unreadable CSV: {exc}"))


def _credentials(cells: _Cells) -> list[Credential]:
    """Access keys and signing certificates that exist (active, or with a rotation date)."""
    found: list[Credential] = []
    for kind, prefix in (
        ("access_key", "access_key_1"),
        ("access_key", "access_key_2"),
        ("certificate", "cert_1"),
        ("certificate", "cert_2"),
    ):
        active = cells.flag(f"{prefix}_active")
        rotated = cells.time(f"{prefix}_last_rotated")
        if not active and rotated is None:
            continue
        last_used = cells.time(f"{prefix}_last_used_date") if kind == "access_key" else None
        found.append(Credential(kind, prefix, active, last_rotated=rotated, last_used=last_used))
    return found


def _never_used(cells: _Cells, account: Account) -> list[str]:
    never: list[str] = []
    password_unused = cells.raw("password_last_used") == "no_information"
    if password_unused and account.password_enabled is not False:
        never.append("password")
    for credential in account.credentials:
        if credential.kind == "access_key" and cells.never_used(f"{credential.id}_last_used_date"):
            never.append(credential.id)
    return never


def _items(document: Any, key: str, position: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The objects of one list of an API response, positioned 'UserDetailList[3]'."""
    values = document.get(key) if isinstance(document, dict) else None
    prefix = "" if position == "document" else f"{position} "
    for index, item in enumerate(values if isinstance(values, list) else []):
        if isinstance(item, dict):
            yield f"{prefix}{key}[{index}]", item


def _strings(cells: _Cells, key: str) -> list[str]:
    values = cells.row.get(key)
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        cells.report(f"{key}: expected a list of names; ignored")
        return []
    return values


def _tags(cells: _Cells) -> dict[str, str]:
    tags: dict[str, str] = {}
    values = cells.row.get("Tags")
    for item in values if isinstance(values, list) else []:
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            value = item.get("Value")
            tags[item["Key"]] = value if isinstance(value, str) else ""
        else:
            cells.report("Tags: an entry without Key; skipped")
    return tags


def _employee_type(tags: dict[str, str]) -> str | None:
    for key, value in tags.items():
        if key.lower() in EMPLOYEE_TYPE_TAGS and value.strip():
            return value.strip()
    for key, value in tags.items():
        if key.lower() == CONTRACTOR_TAG and value.strip().lower() in YES:
            return "Contractor"
    return None


def _default_document(cells: _Cells) -> dict[str, Any] | None:
    """The default version's document of a managed policy listed in `Policies`."""
    versions = cells.row.get("PolicyVersionList")
    default_id = cells.row.get("DefaultVersionId")
    for version in versions if isinstance(versions, list) else []:
        if not isinstance(version, dict):
            continue
        if version.get("IsDefaultVersion") is True or version.get("VersionId") == default_id:
            document = _document(version.get("Document"))
            if document is None:
                cells.report("PolicyVersionList: the default version's Document is unreadable")
            return document
    return None


def _document(value: Any) -> dict[str, Any] | None:
    """A policy document as a JSON object, whether decoded (CLI) or URL-encoded (raw API)."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.startswith("{"):
        text = unquote(text)
    try:
        document = orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError, and text that is not valid UTF-8
        return None
    return document if isinstance(document, dict) else None


def grants_admin(document: dict[str, Any]) -> bool:
    """A statement allows `*` or `iam:*` on every resource (conditions not evaluated)."""
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = {a.lower() for a in _as_list(statement.get("Action"))}
        if actions & ADMIN_ACTIONS and "*" in _as_list(statement.get("Resource")):
            return True
    return False


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def mfa_method(serial: str) -> str:
    """fido for a FIDO security key (u2f ARN), virtual for an app (mfa ARN), else hardware.

    Hardware TOTP tokens are listed by their printed serial number, not by an ARN.
    """
    parts = serial.split(":", 5)
    resource = parts[5] if len(parts) == 6 and parts[0] == "arn" else ""
    if resource.startswith("u2f/"):
        return "fido"
    if resource.startswith("mfa/"):
        return "virtual"
    return "hardware"
