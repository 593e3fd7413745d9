"""Active Directory: Get-ADUser and group membership exports, as PowerShell writes them to CSV.

Export kinds (CSV only, recognised by the header):

- `users`: `Get-ADUser -Filter * -Properties * | Export-Csv users.csv -Encoding UTF8`.
  Windows PowerShell 5 writes collections (MemberOf, ServicePrincipalNames) as their type name,
  `Microsoft.ActiveDirectory.Management.ADPropertyValueCollection`; such a column is unknown
  (reported once per file) and memberships then come from a `group_members` export. Joined
  values are read too, separated by `;` or new lines:
  `Select-Object *,@{n='MemberOf';e={$_.MemberOf -join ';'}},@{n='ServicePrincipalNames';
  e={$_.ServicePrincipalNames -join ';'}} -ExcludeProperty MemberOf,ServicePrincipalNames`.
- `group_members`, in either of two shapes:
  - flattened `Get-ADGroupMember`, one row per (group, member): a group column named `Group`,
    `GroupName`, `GroupSamAccountName`, `GroupDN` or `GroupDistinguishedName` (a name or a
    DN), optionally `GroupSID`, and the member's `SamAccountName`, `distinguishedName`, `SID`,
    `objectClass` (as Get-ADGroupMember returns them);
  - `Get-ADGroup -Properties Members` with `Members` (or `member`) holding the member DNs
    joined by `;` or new lines, beside `Name`, `SID`, `DistinguishedName`, `GroupScope`.

Dates. FILETIME columns (lastLogonTimestamp, pwdLastSet, accountExpires) are exact UTC and
preferred. The other dates are text in the exporting machine's locale and local time, with
no zone written: `2025/06/05 9:03:12` (ja-JP), `6/5/2025 9:03:12 AM` (en-US) or ISO 8601.
They are taken to be in Japan time (`mamori.timefmt.DEFAULT_TZ`), the zone of the domain
controllers mamori is written for; an ISO date with an offset keeps its offset. Day-first
dates (`05/06/2025 09:03:12`, en-GB) are ambiguous and reported, not guessed.

Privilege. An account is privileged when it is, directly or through nested groups, a member
of Domain Admins (RID 512), Schema Admins (518), Enterprise Admins (519), Group Policy
Creator Owners (520), Administrators (S-1-5-32-544), Account Operators (-548), Server
Operators (-549), Print Operators (-550), Backup Operators (-551) or DnsAdmins (no
well-known RID), or when its primary group is one of the domain groups. A group whose SID is
known is judged by its SID (Japanese domains may localise names), otherwise by its name.
`is_admin` is True for adminCount=1 or such a membership, False when memberships are known
and none is privileged, else None. Groups are keyed by name: one domain per audit is assumed.

`Account.id` is the objectGUID (else the SID, else the DN), `name` the sAMAccountName,
`tenant` the DNS domain from the DN's DC= parts. `Account.groups` holds the names of the
groups the account is directly in (nested ones show as roles, with `via_group`);
`Group.members` holds account ids, nested group ids and, for members not in the users
export, their SID, DN or sAMAccountName.

`Account.attributes` keys set here: `service_principal_names` (list[str] | None),
`trusted_for_delegation`, `trusted_to_auth_for_delegation`, `not_delegated`,
`preauth_not_required`, `password_not_required`, `protected_users` (bool | None),
`admin_count` (int | None), `account_expires_never` (bool, when the export says),
`must_change_password` (True when pwdLastSet is 0), `never_logged_on` (bool, when the export
says), `user_principal_name`, `distinguished_name`, `sid`, `description`, `title` (str, when
present) and `encoding` (the CSV encoding detected, so a garbled name can be traced to it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from mamori.audit.model import Account, Evidence, Group, IdentityData, RoleAssignment, SourceKind
from mamori.audit.sources.files import Problem, Records
from mamori.events import InputProblem
from mamori.timefmt import DEFAULT_TZ, zone

if TYPE_CHECKING:
    from mamori.audit.sources import Export

SOURCE = SourceKind.ad.value

USERS = "users"
GROUP_MEMBERS = "group_members"

GROUP_COLUMNS = ("group", "groupname", "groupsamaccountname", "groupdn", "groupdistinguishedname")
MEMBER_COLUMNS = frozenset({"samaccountname", "distinguishedname", "sid"})
MEMBERS_COLUMNS = ("members", "member")
GROUP_SHAPE_COLUMNS = frozenset({"groupscope", "groupcategory"})
USER_COLUMNS = frozenset({"userprincipalname", "enabled", "useraccountcontrol"})
COMPUTER_COLUMNS = frozenset({"dnshostname", "operatingsystem"})
USER_CLASSES = frozenset({"user", "inetorgperson"})

UNRENDERED_PREFIXES = ("Microsoft.ActiveDirectory.Management.", "System.Collections.")
UNRENDERED = frozenset({"System.Object[]", "System.String[]"})
SEPARATOR = re.compile(r"(?<!\\)[;\r\n]+")
DN_SEPARATOR = re.compile(r"(?<!\\),")

LOCAL_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%m/%d/%Y %I:%M:%S %p")
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
FILETIME_NEVER = 0x7FFFFFFFFFFFFFFF
FILETIME_NONE = frozenset({0, FILETIME_NEVER})
"""No date: never set (lastLogonTimestamp, pwdLastSet) or never expires (accountExpires)."""

UAC_DISABLED = 0x2
UAC_FLAGS = {
    # attribute: (userAccountControl bit, the Get-ADUser column saying the same)
    "password_not_required": (0x20, "PasswordNotRequired"),
    "password_never_expires": (0x10000, "PasswordNeverExpires"),
    "trusted_for_delegation": (0x80000, "TrustedForDelegation"),
    "not_delegated": (0x100000, "AccountNotDelegated"),
    "preauth_not_required": (0x400000, "DoesNotRequirePreAuth"),
    "trusted_to_auth_for_delegation": (0x1000000, "TrustedToAuthForDelegation"),
}

PRIVILEGED_RIDS = {
    512: "Domain Admins",
    518: "Schema Admins",
    519: "Enterprise Admins",
    520: "Group Policy Creator Owners",
}
PRIVILEGED_BUILTIN = {
    "S-1-5-32-544": "Administrators",
    "S-1-5-32-548": "Account Operators",
    "S-1-5-32-549": "Server Operators",
    "S-1-5-32-550": "Print Operators",
    "S-1-5-32-551": "Backup Operators",
}
NAME_ONLY_PRIVILEGED = frozenset({"dnsadmins"})
PRIVILEGED_NAMES = NAME_ONLY_PRIVILEGED | {
    name.lower() for name in (*PRIVILEGED_RIDS.values(), *PRIVILEGED_BUILTIN.values())
}
PROTECTED_USERS_RID = 525
PROTECTED_USERS = "protected users"
DOMAIN_SID_PREFIX = "S-1-5-21-"


def sniff(records: Records) -> str | None:
    """`group_members` or `users` from a PowerShell CSV header; None for anything else."""
    if records.format != "csv":
        return None
    header = {name.strip().lower() for name in records.header if isinstance(name, str)}
    if any(column in header for column in GROUP_COLUMNS) and header & MEMBER_COLUMNS:
        return GROUP_MEMBERS
    if any(column in header for column in MEMBERS_COLUMNS) and header & GROUP_SHAPE_COLUMNS:
        return GROUP_MEMBERS
    if {"samaccountname", "distinguishedname"} <= header and header & USER_COLUMNS:
        return None if header & COMPUTER_COLUMNS else USERS
    return None


def build(exports: list[Export], on_problem: Problem) -> IdentityData:
    """Accounts from the user exports, their groups and privileges from every membership."""
    directory = _Directory(on_problem)
    for export in exports:
        if export.kind == GROUP_MEMBERS:
            directory.read_groups(export.records)
    for export in exports:
        if export.kind == USERS:
            directory.read_users(export.records)
    data = IdentityData(accounts=directory.finish(), groups=directory.groups())
    data.coverage.kinds[SOURCE] = {export.kind for export in exports}
    return data


# -- values --------------------------------------------------------------------------------


def split_values(value: str) -> list[str]:
    """A joined multi-valued attribute: `;` or new lines, a DN's escaped `\\;` kept."""
    return [part.strip() for part in SEPARATOR.split(value) if part.strip()]


def unrendered(value: str) -> bool:
    """PowerShell wrote a collection's type name instead of its values."""
    return value in UNRENDERED or value.startswith(UNRENDERED_PREFIXES)


def dn_parts(dn: str) -> list[tuple[str, str]]:
    """(attribute lower-cased, value unescaped) of each RDN of a distinguished name."""
    parts: list[tuple[str, str]] = []
    for rdn in DN_SEPARATOR.split(dn):
        key, sep, value = rdn.partition("=")
        if sep:
            parts.append((key.strip().lower(), re.sub(r"\\(.)", r"\1", value.strip())))
    return parts


def domain_of(dn: str) -> str | None:
    """corp.example.co.jp from ...,DC=corp,DC=example,DC=co,DC=jp."""
    labels = [value for key, value in dn_parts(dn) if key == "dc"]
    return ".".join(labels).lower() if labels else None


def name_of(dn: str) -> str | None:
    """The first RDN's value: a group's name from its DN."""
    parts = dn_parts(dn)
    return parts[0][1] if parts else None


def rid_of(sid: str) -> int | None:
    """The relative id of a domain SID (S-1-5-21-a-b-c-RID)."""
    if not sid.upper().startswith(DOMAIN_SID_PREFIX):
        return None
    last = sid.rsplit("-", 1)[-1]
    return int(last) if last.isascii() and last.isdigit() else None


def from_filetime(ticks: int) -> datetime:
    """100-ns intervals since 1601-01-01 UTC; raises OverflowError beyond year 9999."""
    return FILETIME_EPOCH + timedelta(microseconds=ticks // 10)


def parse_local_time(text: str, local: tzinfo) -> datetime | None:
    """A PowerShell date in ja-JP, en-US or ISO form; naive times are in `local`."""
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        for layout in LOCAL_FORMATS:
            try:
                moment = datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=local)).astimezone(UTC)
    except OverflowError:
        return None


@dataclass(slots=True)
class _Cells:
    """One CSV row, read case-insensitively (PowerShell mixes ObjectGUID and objectSid)."""

    file: str
    position: str
    row: dict[str, Any]
    on_problem: Problem
    local: tzinfo
    values: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.row.items():
            if isinstance(key, str) and value is not None:
                text = value if isinstance(value, str) else str(value)
                self.values[key.strip().lower()] = text.strip()

    def report(self, message: str) -> None:
        self.on_problem(InputProblem(self.file, self.position, message))

    def has(self, column: str) -> bool:
        return column.lower() in self.values

    def get(self, column: str) -> str | None:
        """The cell's text, or None when the column is absent or the cell empty."""
        return self.values.get(column.lower()) or None

    def flag(self, column: str) -> bool | None:
        value = self.get(column)
        if value is None:
            return None
        if value.lower() == "true":
            return True
        if value.lower() == "false":
            return False
        self.report(f"{column}: unknown value {value!r} (expected True or False); read as unknown")
        return None

    def integer(self, column: str) -> int | None:
        value = self.get(column)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            self.report(f"{column}: {value!r} is not a number; ignored")
            return None

    def filetime(self, column: str, ticks: int | None) -> datetime | None:
        """A FILETIME value; None when absent, 0 or 2^63-1 (never), or unreadable (reported)."""
        if ticks is None or ticks in FILETIME_NONE:
            return None
        moment = None
        if 0 < ticks < FILETIME_NEVER:
            with suppress(OverflowError):
                moment = from_filetime(ticks)
        if moment is None:
            self.report(f"{column}: {ticks} is not a FILETIME date; ignored")
        return moment

    def time(self, column: str) -> datetime | None:
        value = self.get(column)
        if value is None:
            return None
        moment = parse_local_time(value, self.local)
        if moment is None:
            self.report(
                f"{column}: cannot read date {value!r} (expected 2025/06/05 9:03:12, "
                "6/5/2025 9:03:12 AM or ISO 8601); ignored"
            )
        return moment


# -- the directory -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ref:
    """A group member as an export names it."""

    sam: str | None = None
    dn: str | None = None
    sid: str | None = None
    object_class: str | None = None

    @property
    def label(self) -> str:
        return self.sid or self.dn or self.sam or "?"


@dataclass(slots=True)
class _Node:
    """A group as far as any export knows it; only exported groups become `Group`s."""

    name: str
    dn: str | None = None
    sid: str | None = None
    refs: list[_Ref] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.sid or self.dn or self.name

    @property
    def privileged(self) -> bool:
        if self.sid is None:
            return self.name.lower() in PRIVILEGED_NAMES
        return (
            self.sid.upper() in PRIVILEGED_BUILTIN
            or rid_of(self.sid) in PRIVILEGED_RIDS
            or self.name.lower() in NAME_ONLY_PRIVILEGED
        )

    @property
    def protected_users(self) -> bool:
        if self.sid is None:
            return self.name.lower() == PROTECTED_USERS
        return rid_of(self.sid) == PROTECTED_USERS_RID


class _Directory:
    """Accounts and the group graph read so far, indexed by every name a member goes by."""

    def __init__(self, on_problem: Problem) -> None:
        self.on_problem = on_problem
        self.local = zone(DEFAULT_TZ)
        self.accounts: dict[str, Account] = {}
        self.account_keys: dict[str, Account] = {}
        self.nodes: dict[str, _Node] = {}
        self.node_keys: dict[str, _Node] = {}
        self.membership_known: set[str] = set()
        self.memberships_exported = False
        self.reported: set[tuple[str, str]] = set()

    def once(self, cells: _Cells, column: str, message: str) -> None:
        """Report a file-wide problem once per file and column, not once per row."""
        if (cells.file, column) not in self.reported:
            self.reported.add((cells.file, column))
            cells.report(message)

    def cells(self, records: Records) -> Iterator[_Cells]:
        file = str(records.path)
        if records.encoding and "replaced" in records.encoding:
            self.on_problem(
                InputProblem(
                    file,
                    "file",
                    "not valid UTF-8, UTF-16 or CP932: undecodable bytes were replaced, so "
                    "names may be garbled",
                )
            )
        for position, row in records.rows:
            yield _Cells(file, position, row, self.on_problem, self.local)

    def collection(self, cells: _Cells, column: str) -> list[str] | None:
        """A multi-valued column: its values, [] when empty, None when absent or unrendered."""
        if not cells.has(column):
            return None
        value = cells.get(column)
        if value is None:
            return []
        if unrendered(value):
            self.once(
                cells,
                column,
                f"{column} holds {value!r}, a type name PowerShell wrote instead of the values: "
                f"{column} is unknown for this file (join the values with -join ';' or supply "
                "a group_members export)",
            )
            return None
        return split_values(value)

    # -- groups --------------------------------------------------------------------------

    def node(self, name: str | None, dn: str | None = None, sid: str | None = None) -> _Node:
        """The group of this SID, DN or name, made if new; what is learnt is kept."""
        found = (sid and self.node_keys.get(sid.upper())) or (dn and self.node_keys.get(dn.lower()))
        label = name or (dn and name_of(dn)) or sid or "?"
        found = found or self.nodes.get(label.lower())
        if found is None:
            found = _Node(label)
            self.nodes[label.lower()] = found
        if dn and found.dn is None:
            found.dn = dn
            self.node_keys[dn.lower()] = found
        if sid and found.sid is None:
            found.sid = sid
            self.node_keys[sid.upper()] = found
        return found

    def read_groups(self, records: Records) -> None:
        """Memberships count as known only when every row's members could be read."""
        header = {name.strip().lower() for name in records.header if isinstance(name, str)}
        group_column = next((c for c in GROUP_COLUMNS if c in header), None)
        known = True
        for cells in self.cells(records):
            if group_column is not None:
                self.read_member_row(cells, group_column)
            else:
                known = self.read_group_row(cells) and known
        self.memberships_exported = self.memberships_exported or known

    def read_member_row(self, cells: _Cells, group_column: str) -> None:
        """Flattened Get-ADGroupMember: one member of one group."""
        group = cells.get(group_column)
        ref = _Ref(
            sam=cells.get("SamAccountName"),
            dn=cells.get("distinguishedName"),
            sid=cells.get("SID"),
            object_class=cells.get("objectClass"),
        )
        if group is None or not (ref.sam or ref.dn or ref.sid):
            cells.report("a member row without its group or the member's name, DN or SID; skipped")
            return
        is_dn = "=" in group and "," in group
        node = self.node(
            name_of(group) if is_dn else group, group if is_dn else None, cells.get("GroupSID")
        )
        node.refs.append(ref)
        node.evidence.append(Evidence(cells.file, cells.position, cells.row))
        if (ref.object_class or "").lower() == "group":  # learn a nested group's SID and DN
            self.node(ref.sam or (ref.dn and name_of(ref.dn)), ref.dn, ref.sid)

    def read_group_row(self, cells: _Cells) -> bool:
        """Get-ADGroup -Properties Members: one group with its member DNs; False if unknown."""
        dn = cells.get("DistinguishedName")
        name = cells.get("Name") or cells.get("SamAccountName") or (dn and name_of(dn))
        if not name:
            cells.report("a group without Name, SamAccountName or DistinguishedName; skipped")
            return True
        node = self.node(name, dn, cells.get("SID"))
        node.evidence.append(Evidence(cells.file, cells.position, cells.row))
        column = next((c for c in MEMBERS_COLUMNS if cells.has(c)), MEMBERS_COLUMNS[0])
        members = self.collection(cells, column)
        node.refs.extend(_Ref(dn=member) for member in members or [])
        return members is not None

    # -- users ---------------------------------------------------------------------------

    def read_users(self, records: Records) -> None:
        for cells in self.cells(records):
            account = self.read_user(cells)
            if account is not None:
                account.attributes["encoding"] = records.encoding

    def read_user(self, cells: _Cells) -> Account | None:
        sam = cells.get("SamAccountName")
        if sam is None:
            cells.report("SamAccountName is empty; row skipped")
            return None
        object_class = cells.get("ObjectClass")
        if object_class is not None and object_class.lower() not in USER_CLASSES:
            cells.report(f"objectClass {object_class!r} is not a user; row skipped")
            return None
        dn, sid = cells.get("DistinguishedName"), cells.get("SID") or cells.get("objectSid")
        account_id = cells.get("ObjectGUID") or sid or dn or sam
        if account_id in self.accounts:
            cells.report(f"{sam} ({account_id}) appears again; row skipped")
            return None
        account = _account(cells, account_id, sam, dn)
        self.accounts[account_id] = account
        for key in (sid and sid.upper(), dn and dn.lower(), f"sam:{sam.lower()}"):
            if key:
                self.account_keys[key] = account
        spns = self.collection(cells, "ServicePrincipalNames")
        if spns is None and cells.has("servicePrincipalName"):
            spns = self.collection(cells, "servicePrincipalName")
        account.attributes["service_principal_names"] = spns
        member_of = self.collection(cells, "MemberOf")
        if member_of is not None:
            self.membership_known.add(account_id)
            for group_dn in member_of:
                self.node(name_of(group_dn), group_dn).refs.append(_Ref(sam=sam, dn=dn, sid=sid))
        self.primary_group(cells, account, sid)
        return account

    def primary_group(self, cells: _Cells, account: Account, sid: str | None) -> None:
        """A privileged primary group is a membership MemberOf does not list."""
        rid = cells.integer("primaryGroupID")
        if rid not in PRIVILEGED_RIDS:
            return
        group_sid = f"{sid.rsplit('-', 1)[0]}-{rid}" if sid and rid_of(sid) is not None else None
        account.groups.append(PRIVILEGED_RIDS[rid])
        account.roles.append(
            RoleAssignment(
                role=PRIVILEGED_RIDS[rid],
                role_id=group_sid,
                scope=account.tenant,
                assignment_type="primary group",
            )
        )

    # -- resolving -----------------------------------------------------------------------

    def lookup(self, ref: _Ref) -> Account | _Node | None:
        """The account or group a member reference names, if any export has it."""
        is_group = (ref.object_class or "").lower() == "group"
        keys = [ref.sid and ref.sid.upper(), ref.dn and ref.dn.lower()]
        if not is_group:
            for key in [*keys, ref.sam and f"sam:{ref.sam.lower()}"]:
                if key and key in self.account_keys:
                    return self.account_keys[key]
        for key in keys:
            if key and key in self.node_keys:
                return self.node_keys[key]
        if is_group or ref.object_class is None:
            name = ref.sam or (ref.dn and name_of(ref.dn))
            return self.nodes.get(name.lower()) if name else None
        return None

    def members(self, node: _Node) -> Iterator[Account | _Node | _Ref]:
        for ref in node.refs:
            yield self.lookup(ref) or ref

    def reach(self, start: _Node) -> dict[str, tuple[Account, str | None]]:
        """Accounts in a group directly or through nested groups, with the first nested group."""
        found: dict[str, tuple[Account, str | None]] = {}
        stack: list[tuple[_Node, str | None]] = [(start, None)]
        seen = {id(start)}
        while stack:
            node, via = stack.pop()
            for member in self.members(node):
                if isinstance(member, Account):
                    found.setdefault(member.id, (member, via))
                elif isinstance(member, _Node) and id(member) not in seen:
                    seen.add(id(member))
                    stack.append((member, via or member.name))
        return found

    def finish(self) -> list[Account]:
        for node in self.nodes.values():
            for member in self.members(node):
                if isinstance(member, Account) and node.name not in member.groups:
                    member.groups.append(node.name)
        protected: set[str] = set()
        for node in sorted(self.nodes.values(), key=lambda n: n.name.lower()):
            if node.protected_users:
                protected.update(self.reach(node))
            if node.privileged:
                self.grant(node)
        for account in self.accounts.values():
            known = self.memberships_exported or account.id in self.membership_known
            admin = account.attributes.get("admin_count") == 1 or account.privileged
            account.is_admin = True if admin else (False if known else None)
            in_protected = account.id in protected
            account.attributes["protected_users"] = in_protected or (False if known else None)
        return list(self.accounts.values())

    def grant(self, node: _Node) -> None:
        for account, via in self.reach(node).values():
            account.roles.append(
                RoleAssignment(
                    role=node.name,
                    role_id=node.sid,
                    scope=account.tenant,
                    assignment_type="nested group membership" if via else "group membership",
                    via_group=via,
                )
            )

    def groups(self) -> list[Group]:
        """Groups some export listed (not those only named in a MemberOf)."""
        found: list[Group] = []
        for node in self.nodes.values():
            if not node.evidence:
                continue
            members: list[str] = []
            for member in self.members(node):
                label = member.label if isinstance(member, _Ref) else member.id
                if label not in members:
                    members.append(label)
            found.append(Group(SOURCE, node.id, node.name, members, list(node.evidence)))
        return found


def _account(cells: _Cells, account_id: str, sam: str, dn: str | None) -> Account:
    """The account's own facts from one Get-ADUser row."""
    account = Account(
        source=SOURCE,
        id=account_id,
        name=sam,
        tenant=domain_of(dn) if dn else None,
        email=cells.get("mail") or cells.get("EmailAddress"),
        display_name=cells.get("DisplayName"),
        employee_type=cells.get("employeeType"),
        company=cells.get("Company"),
        department=cells.get("Department"),
        manager=cells.get("Manager"),
        created=cells.time("whenCreated") or cells.time("Created"),
        evidence=[Evidence(cells.file, cells.position, cells.row)],
    )
    _flags(cells, account)
    _sign_in(cells, account)
    _password(cells, account)
    _expiry(cells, account)
    account.attributes["admin_count"] = cells.integer("adminCount")
    for attribute, column in (
        ("user_principal_name", "UserPrincipalName"),
        ("distinguished_name", "DistinguishedName"),
        ("sid", "SID"),
        ("description", "Description"),
        ("title", "Title"),
    ):
        value = cells.get(column)
        if value is not None:
            account.attributes[attribute] = value
    return account


def _flags(cells: _Cells, account: Account) -> None:
    """userAccountControl bits when exported, else Get-ADUser's boolean columns saying the same."""
    uac = cells.integer("userAccountControl")
    account.enabled = not uac & UAC_DISABLED if uac is not None else cells.flag("Enabled")
    flags = {
        name: bool(uac & bit) if uac is not None else cells.flag(column)
        for name, (bit, column) in UAC_FLAGS.items()
    }
    account.password_never_expires = flags.pop("password_never_expires")  # a model field
    account.attributes.update(flags)


def _sign_in(cells: _Cells, account: Account) -> None:
    """lastLogonTimestamp (replicated, up to ~14 days late) else LastLogonDate."""
    column = "lastLogonTimestamp"
    moment = cells.filetime(column, cells.integer(column)) or cells.time("LastLogonDate")
    account.last_sign_in = account.last_activity = moment
    if cells.has(column) or cells.has("LastLogonDate"):
        recorded = cells.get(column) not in (None, "0") or cells.get("LastLogonDate") is not None
        account.attributes["never_logged_on"] = not recorded


def _password(cells: _Cells, account: Account) -> None:
    """pwdLastSet 0 means "must change at next logon", not a date."""
    ticks = cells.integer("pwdLastSet")
    if ticks == 0:
        account.attributes["must_change_password"] = True
    elif ticks is not None:
        account.password_last_set = cells.filetime("pwdLastSet", ticks)
    else:
        account.password_last_set = cells.time("PasswordLastSet")


def _expiry(cells: _Cells, account: Account) -> None:
    """accountExpires 0 or 2^63-1, or an empty AccountExpirationDate, means never."""
    ticks = cells.integer("accountExpires")
    if ticks is not None:
        never = ticks in FILETIME_NONE
        account.end_date = None if never else cells.filetime("accountExpires", ticks)
    elif cells.has("AccountExpirationDate"):
        account.end_date = cells.time("AccountExpirationDate")
        never = cells.get("AccountExpirationDate") is None
    else:
        return
    if never:
        account.attributes["account_expires_never"] = True
