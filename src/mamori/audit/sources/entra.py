"""Microsoft Entra ID: Graph v1.0 exports and Log Analytics sign-in logs → `IdentityData`.

The ASKUL intrusion went through a contractor's administrator account that Conditional
Access exempted from MFA. Seeing that takes several exports joined on the user object id:
users (who is a contractor, a guest, enabled), MFA registration details (what is
registered), role assignments (who is privileged, for how long, through which group), the
Conditional Access policies (who is excluded) and the sign-in logs (single-factor successes).

Export kinds, recognised by content (the `@odata.context` Graph writes, else the keys of the
first records), never by file name:

- `users`: GET /users with $select (incl. signInActivity) and $expand=sponsors,manager;
- `registration`: GET /reports/authenticationMethods/userRegistrationDetails;
- `policies`: GET /identity/conditionalAccess/policies;
- `role_definitions`: GET /roleManagement/directory/roleDefinitions;
- `role_assignments`: GET /roleManagement/directory/roleAssignmentScheduleInstances or
  /roleAssignments (optionally $expand=roleDefinition,principal);
- `role_eligibilities`: GET /roleManagement/directory/roleEligibilityScheduleInstances (PIM
  eligible assignments, kept with assignment_type "eligible", so they are never mistaken for
  active ones);
- `groups`: GET /groups?$expand=members;
- `signins`: GET /auditLogs/signIns, and the Log Analytics tables SigninLogs and
  AADNonInteractiveUserSignInLogs as JSON, JSON lines or the portal's CSV export;
- `organization`: GET /organization, the one export that names the tenant id for certain.

Account.attributes keys set here:

- `employee_hire_date` (datetime): employeeHireDate;
- `guest_state_changed` (datetime): externalUserStateChangeDateTime;
- `passwordless_capable` (bool): isPasswordlessCapable of the registration details.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from mamori.audit.model import (
    ENTRA_GUEST_TYPES,
    AccessPolicy,
    Account,
    Evidence,
    Group,
    IdentityData,
    Mfa,
    RoleAssignment,
    SignIn,
    SourceKind,
)
from mamori.audit.sources.files import Problem, Records
from mamori.events import InputProblem, parse_utc

if TYPE_CHECKING:
    from mamori.audit.sources import Export

SOURCE = SourceKind.entra.value

# Built-in roles: template id → (display name, privileged). Names and ids from Microsoft's
# "Microsoft Entra built-in roles" page; privileged = the page's PRIVILEGED label, plus Exchange
# and SharePoint Administrator, which Microsoft does not label but which own every mailbox and
# file a ransomware crew steals before encrypting. A role definition's own isPrivileged can only
# add to this list, so exports with and without roleDefinitions give the same answer.
BUILTIN_ROLES: dict[str, tuple[str, bool]] = {
    "db506228-d27e-4b7d-95e5-295956d6615f": ("Agent ID Administrator", True),
    "adb2368d-a9be-41b5-8667-d96778e081b0": ("Agent ID Developer", False),
    "6b942400-691f-4bf0-9d12-d8a254a2baf5": ("Agent Registry Administrator", False),
    "d2562ede-74db-457e-a7b6-544e236ebb61": ("AI Administrator", False),
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": ("Application Administrator", True),
    "cf1c38e5-3621-4004-a7cb-879624dced7c": ("Application Developer", True),
    "9c6df0f2-1e7c-4dc3-b195-66dfbd24aa8f": ("Attack Payload Author", False),
    "c430b396-e693-46cc-96f3-db01bf8bb62a": ("Attack Simulation Administrator", False),
    "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d": ("Attribute Assignment Administrator", False),
    "ffd52fa5-98dc-465c-991d-fc073eb59f8f": ("Attribute Assignment Reader", False),
    "8424c6f0-a189-499e-bbd0-26c1753c96d4": ("Attribute Definition Administrator", False),
    "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c": ("Attribute Definition Reader", False),
    "5b784334-f94b-471a-a387-e7219fc49ca2": ("Attribute Log Administrator", False),
    "9c99539d-8186-4804-835f-fd51ef9e2dcd": ("Attribute Log Reader", False),
    "ecb2c6bf-0ab6-418e-bd87-7986f8d63bbe": ("Attribute Provisioning Administrator", True),
    "422218e4-db15-4ef9-bbe0-8afb41546d79": ("Attribute Provisioning Reader", True),
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": ("Authentication Administrator", True),
    "25a516ed-2fa0-40ea-a2d0-12923a21473a": ("Authentication Extensibility Administrator", True),
    "0526716b-113d-4c15-b2c8-68e3c22b9f80": ("Authentication Policy Administrator", False),
    "e3973bdf-4987-49ae-837a-ba8e231c7286": ("Azure DevOps Administrator", False),
    "7495fdc4-34c4-4d15-a289-98788ce399fd": ("Azure Information Protection Administrator", False),
    "aaf43236-0c0d-4d5f-883a-6955382ac081": ("B2C IEF Keyset Administrator", True),
    "3edaf663-341e-4475-9f94-5c398ef6c070": ("B2C IEF Policy Administrator", False),
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": ("Billing Administrator", False),
    "892c5842-a9a6-463a-8041-72aa08ca3cf6": ("Cloud App Security Administrator", False),
    "158c047a-c907-4556-b7ef-446551a6b5f7": ("Cloud Application Administrator", True),
    "7698a772-787b-4ac8-901f-60d6b08affd2": ("Cloud Device Administrator", True),
    "17315797-102d-40b4-93e0-432062caca18": ("Compliance Administrator", False),
    "e6d1a23a-da11-4be4-9570-befc86d067a7": ("Compliance Data Administrator", False),
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": ("Conditional Access Administrator", True),
    "5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91": ("Customer LockBox Access Approver", False),
    "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4": ("Desktop Analytics Administrator", False),
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": ("Directory Readers", False),
    "d29b2b05-8046-44ba-8758-1e26182fcf32": ("Directory Synchronization Accounts", False),
    "9360feb5-f418-4baa-8175-e2a00bac4301": ("Directory Writers", True),
    "8329153b-31d0-4727-b945-745eb3bc5f31": ("Domain Name Administrator", True),
    "e93e3737-fa85-474a-aee4-7d3fb86510f3": ("Dragon Administrator", False),
    "44367163-eba1-44c3-98af-f5787879f96a": ("Dynamics 365 Administrator", False),
    "963797fb-eb3b-4cde-8ce3-5878b3f32a3f": ("Dynamics 365 Business Central Administrator", False),
    "3f1acade-1e04-4fbc-9b69-f0302cd84aef": ("Edge Administrator", False),
    "29232cdf-9323-42fd-ade2-1d097af3e4de": ("Exchange Administrator", True),
    "49eb8f75-97e9-4e37-9b2b-6c3ebfcffa31": ("Exchange Backup Administrator", False),
    "31392ffb-586c-42d1-9346-e59415a2cc4e": ("Exchange Recipient Administrator", False),
    "dd13091a-6207-4fc0-82ba-3641e056ab95": ("Extended Directory User Administrator", False),
    "6e591065-9bad-43ed-90f3-e9424366d2f0": ("External ID User Flow Administrator", False),
    "0f971eea-41eb-4569-a71e-57bb8a3eff1e": (
        "External ID User Flow Attribute Administrator",
        False,
    ),
    "be2f45a1-457d-42af-a067-6ec1fa63bc45": ("External Identity Provider Administrator", True),
    "a9ea8996-122f-4c74-9520-8edcd192826c": ("Fabric Administrator", False),
    "62e90394-69f5-4237-9190-012177145e10": ("Global Administrator", True),
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": ("Global Reader", True),
    "ac434307-12b9-4fa1-a708-88bf58caabc1": ("Global Secure Access Administrator", False),
    "843318fb-79a6-4168-9e6f-aa9a07481cc4": ("Global Secure Access Log Reader", False),
    "fdd7a751-b60b-444a-984c-02652fe8fa1c": ("Groups Administrator", False),
    "95e79109-95c0-4d8e-aee3-d01accf2d47b": ("Guest Inviter", False),
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": ("Helpdesk Administrator", True),
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": ("Hybrid Identity Administrator", True),
    "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e": ("Identity Governance Administrator", False),
    "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c": ("Insights Administrator", False),
    "25df335f-86eb-4119-b717-0ff02de207e9": ("Insights Analyst", False),
    "31e939ad-9672-4796-9c2e-873181342d2d": ("Insights Business Leader", False),
    "3a2c62db-5318-420d-8d74-23affee5d9d5": ("Intune Administrator", True),
    "2ea5ce4c-b2d8-4668-bd81-3680bd2d227a": ("IoT Device Administrator", False),
    "74ef975b-6605-40af-a5d2-b9539d836353": ("Kaizala Administrator", False),
    "b5a8dcf3-09d5-43a9-a639-8e29ef291470": ("Knowledge Administrator", False),
    "744ec460-397e-42ad-a462-8b3f9747a02c": ("Knowledge Manager", False),
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": ("License Administrator", False),
    "59d46f88-662b-457b-bceb-5c3809e5908f": ("Lifecycle Workflows Administrator", True),
    "ac16e43d-7b2d-40e0-ac05-243ff356ab5b": ("Message Center Privacy Reader", False),
    "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b": ("Message Center Reader", False),
    "1707125e-0aa2-4d4d-8655-a7c786c76a25": ("Microsoft 365 Backup Administrator", False),
    "8c8b803f-96e1-4129-9349-20738d9f9652": ("Microsoft 365 Migration Administrator", False),
    "00cf5c54-4693-4f59-a0ac-ab79ef0a974d": ("Microsoft 365 Support Engineer", False),
    "9f06204d-73c1-4d4c-880a-6edb90606fd8": (
        "Microsoft Entra Joined Device Local Administrator",
        False,
    ),
    "ee67aa9c-e510-4759-b906-227085a7fd4d": ("Microsoft Graph Data Connect Administrator", False),
    "1501b917-7653-4ff9-a4b5-203eaf33784f": ("Microsoft Hardware Warranty Administrator", False),
    "281fe777-fb20-4fbb-b7a3-ccebce5b0d96": ("Microsoft Hardware Warranty Specialist", False),
    "d37c8bed-0711-4417-ba38-b4abe66ce4c2": ("Network Administrator", False),
    "2b745bdf-0803-4d80-aa65-822c4493daac": ("Office Apps Administrator", False),
    "92ed04bf-c94a-4b82-9729-b799a7a4c178": ("Organizational Branding Administrator", False),
    "9d70768a-0cbc-4b4c-aea3-2e124b2477f4": ("Organizational Data Source Administrator", False),
    "e48398e2-f4bb-4074-8f31-4586725e205b": ("Organizational Messages Approver", False),
    "507f53e4-4e52-4077-abd3-d2e1558b6ea2": ("Organizational Messages Writer", False),
    "4ba39ca4-527c-499a-b93d-d9b492c50246": ("Partner Tier1 Support", True),
    "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8": ("Partner Tier2 Support", True),
    "966707d0-3269-4727-9be2-8c3a10f19b9d": ("Password Administrator", True),
    "024906de-61e5-49c8-8572-40335f1e0e10": ("People Administrator", False),
    "af78dc32-cf4d-46f9-ba4e-4428526346b5": ("Permissions Management Administrator", False),
    "78b0ccd1-afc2-4f92-9116-b41aedd09592": ("Places Administrator", False),
    "11648597-926c-4cf3-9c36-bcebb0ba8dcc": ("Power Platform Administrator", False),
    "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f": ("Printer Administrator", False),
    "e8cef6f1-e4bd-4ea8-bc07-4b8d950f4477": ("Printer Technician", False),
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13": ("Privileged Authentication Administrator", True),
    "e8611ab8-c189-46e8-94e1-60213ab1f814": ("Privileged Role Administrator", True),
    "4a5d8f65-41da-4de4-8968-e035b65339cf": ("Reports Reader", False),
    "0964bb5e-9bdb-4d7b-ac29-58e794862a40": ("Search Administrator", False),
    "8835291a-918c-4fd7-a9ce-faa49f0cf7d9": ("Search Editor", False),
    "194ae4cb-b126-40b2-bd5b-6091b380977d": ("Security Administrator", True),
    "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f": ("Security Operator", True),
    "5d6b6bb7-de71-4623-b4af-96380a352509": ("Security Reader", True),
    "f023fd81-a637-4b56-95fd-791ac0226033": ("Service Support Administrator", False),
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": ("SharePoint Administrator", True),
    "99009c4a-3b3f-4957-82a9-9d35e12db77e": (
        "SharePoint Advanced Management Administrator",
        False,
    ),
    "9d3e04ba-3ee4-4d1b-a3a7-9aef423a09be": ("SharePoint Backup Administrator", False),
    "1a7d78b6-429f-476b-b8eb-35fb715fffd4": ("SharePoint Embedded Administrator", False),
    "75941009-915a-4869-abe7-691bff18279e": ("Skype for Business Administrator", False),
    "69091246-20e8-4a56-aa4d-066075b2a7a8": ("Teams Administrator", False),
    "baf37b3a-610e-45da-9e62-d9d1e5e8914b": ("Teams Communications Administrator", False),
    "f70938a0-fc10-4177-9e90-2178f8765737": ("Teams Communications Support Engineer", False),
    "fcf91098-03e3-41a9-b5ba-6f0ec8188a12": ("Teams Communications Support Specialist", False),
    "3d762c5a-1b6c-493f-843e-55a3b42923d4": ("Teams Devices Administrator", False),
    "1076ac91-f3d9-41a7-a339-dcdf5f480acc": ("Teams Reader", False),
    "aa38014f-0993-46e9-9b45-30501a20909d": ("Teams Telephony Administrator", False),
    "112ca1a2-15ad-4102-995e-45b0bc479a6a": ("Tenant Creator", False),
    "75934031-6c7e-415a-99d7-48dbd49e875e": ("Usage Summary Reports Reader", False),
    "fe930be7-5e62-47db-91af-98c3a49a38b1": ("User Administrator", True),
    "27460883-1df1-4691-b032-3b79643e5e63": ("User Experience Success Manager", False),
    "e300d9e7-4a2b-4295-9eff-f1c78b36cc98": ("Virtual Visits Administrator", False),
    "0ec3f692-38d6-4d14-9e69-0377ca7797ad": ("Viva Glint Tenant Administrator", False),
    "92b086b3-e367-4ef2-b869-1de128fb986e": ("Viva Goals Administrator", False),
    "87761b17-1ed2-4af3-9acd-92a150038160": ("Viva Pulse Administrator", False),
    "11451d60-acb2-45eb-a7d6-43d0f0125c13": ("Windows 365 Administrator", False),
    "32696413-001a-46ae-978c-ce0f6b3620d2": ("Windows Update Deployment Administrator", False),
    "810a2642-a034-447f-a5e8-41beaa378541": ("Yammer Administrator", False),
}
_BUILTIN_BY_NAME = {name.casefold(): privileged for name, privileged in BUILTIN_ROLES.values()}

PHISHING_RESISTANT_METHODS = frozenset(
    {
        "fido2",  # the v1.0 documentation's name for a security key
        "fido2SecurityKey",
        "passKeyDeviceBound",
        "passKeyDeviceBoundAuthenticator",
        "passKeyDeviceBoundWindowsHello",
        "passKeySynced",  # origin-bound like every passkey, so it cannot be phished
        "windowsHelloForBusiness",
        "macOsSecureEnclaveKey",  # platform credential for macOS
        "x509Certificate",  # certificate-based authentication
    }
)
"""methodsRegistered values that cannot be relayed by a phishing proxy (FIDO2, passkeys,
Windows Hello, platform credentials, certificates)."""

KNOWN_METHODS = PHISHING_RESISTANT_METHODS | {
    "email",
    "mobilePhone",
    "alternateMobilePhone",
    "officePhone",
    "securityQuestion",
    "appPassword",
    "microsoftAuthenticatorPush",
    "microsoftAuthenticatorPasswordless",
    "softwareOneTimePasscode",
    "hardwareOneTimePasscode",
    "temporaryAccessPass",
    "qrCode",
}
"""Every methodsRegistered value mamori knows; others are kept and reported once per file, since
a new method might be phishing-resistant and would then be missed."""

USER_TYPES = frozenset({"member", "guest"})
GUEST_STATES = frozenset({"PendingAcceptance", "Accepted"})
POLICY_STATES = frozenset({"enabled", "disabled", "enabledForReportingButNotEnforced"})
GRANT_OPERATORS = frozenset({"AND", "OR"})
BUILT_IN_CONTROLS = frozenset(
    {
        "block",
        "mfa",
        "compliantDevice",
        "domainJoinedDevice",
        "approvedApplication",
        "compliantApplication",
        "passwordChange",
        "unknownFutureValue",
    }
)
GUEST_OR_EXTERNAL_TYPES = frozenset({"none", *ENTRA_GUEST_TYPES, "unknownFutureValue"})
AUTHENTICATION_REQUIREMENTS = frozenset({"singleFactorAuthentication", "multiFactorAuthentication"})
CROSS_TENANT_ACCESS_TYPES = frozenset(
    {
        "none",
        "b2bCollaboration",
        "b2bDirectConnect",
        "microsoftSupport",
        "serviceProvider",
        "passthrough",
        "unknownFutureValue",
    }
)
RISK_LEVELS = frozenset({"none", "low", "medium", "high", "hidden", "unknownFutureValue"})
ASSIGNMENT_TYPES = frozenset({"Assigned", "Activated"})
MEMBER_TYPES = frozenset({"Direct", "Group", "Inherited"})

ELIGIBLE = "eligible"
"""assignment_type of a PIM eligible assignment: the role can be activated, it is not active."""

_USER_TYPE = "#microsoft.graph.user"
_GROUP_TYPE = "#microsoft.graph.group"

# Graph's @odata.context names the collection: "…/v1.0/$metadata#users(id,displayName)"; a
# path below an entity ("#users('…')/authentication/methods") is another collection.
_CONTEXT_KINDS: dict[str, str] = {
    "users": "users",
    "reports/authenticationmethods/userregistrationdetails": "registration",
    "identity/conditionalaccess/policies": "policies",
    "conditionalaccess/policies": "policies",
    "rolemanagement/directory/roledefinitions": "role_definitions",
    "rolemanagement/directory/roleassignmentscheduleinstances": "role_assignments",
    "rolemanagement/directory/roleassignments": "role_assignments",
    "rolemanagement/directory/roleeligibilityscheduleinstances": "role_eligibilities",
    "groups": "groups",
    "auditlogs/signins": "signins",
    "organization": "organization",
}
_CONTEXT_COLLECTION = re.compile(r"\$metadata#([A-Za-z/]+)(?:\(.*\))?(?:/\$entity)?$")
_CONTEXT_TENANT = re.compile(
    r"/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})/\$metadata"
)
"""Azure AD Graph (graph.windows.net) contexts carry the tenant id before $metadata."""

_AD_KEYS = frozenset({"sAMAccountName", "distinguishedName", "objectGUID", "SamAccountName"})
"""Keys of Active Directory exports, which also carry userPrincipalName."""
_USER_KEYS = frozenset(
    {
        "accountEnabled",
        "userType",
        "signInActivity",
        "externalUserState",
        "onPremisesSyncEnabled",
        "employeeType",
        "displayName",
        "mail",
    }
)
_SIGNIN_KEYS = frozenset(
    {"appDisplayName", "status", "authenticationRequirement", "conditionalAccessStatus"}
)
_SNIFF_RECORDS = 3

# Log Analytics column → Graph property, so both sign-in shapes go through one reader.
_LOG_ANALYTICS_COLUMNS = {
    "CreatedDateTime": "createdDateTime",
    "UserPrincipalName": "userPrincipalName",
    "UserId": "userId",
    "UserType": "userType",
    "AuthenticationRequirement": "authenticationRequirement",
    "ConditionalAccessStatus": "conditionalAccessStatus",
    "CrossTenantAccessType": "crossTenantAccessType",
    "RiskLevelDuringSignIn": "riskLevelDuringSignIn",
    "RiskEventTypes_V2": "riskEventTypes_v2",
    "IsInteractive": "isInteractive",
    "IPAddress": "ipAddress",
    "UserAgent": "userAgent",
    "AppDisplayName": "appDisplayName",
    "ResourceDisplayName": "resourceDisplayName",
    "HomeTenantId": "homeTenantId",
    "ResourceTenantId": "resourceTenantId",
}
_TIME_COLUMNS = ("CreatedDateTime", "TimeGenerated")
_COLUMN_ZONE = re.compile(r"^(?P<name>.+?) \[(?P<zone>[^\]]+)\]$")
"""The Log Analytics portal names time columns 'TimeGenerated [UTC]' in its CSV export."""
_PORTAL_TIME_FORMATS = ("%m/%d/%Y, %I:%M:%S.%f %p", "%m/%d/%Y, %I:%M:%S %p")
"""How that export writes times: '6/5/2025, 9:12:33.123 AM'."""


def sniff(records: Records) -> str | None:
    """The export kind of a Graph or Log Analytics file, from its context or first records."""
    kind = _kind_from_context(records.context)
    if kind is not None:
        return kind
    if records.format == "csv":
        return _kind_from_keys({_column_name(name) for name in records.header if name})
    for row in records.rows[:_SNIFF_RECORDS]:
        record = row[1] if isinstance(row, tuple) and len(row) == 2 else None
        if isinstance(record, dict):
            kind = _kind_from_keys(set(record))
            if kind is not None:
                return kind
    return None


def _kind_from_context(context: Any) -> str | None:
    if not isinstance(context, str):
        return None
    found = _CONTEXT_COLLECTION.search(context.strip())
    if found is None:
        return None
    return _CONTEXT_KINDS.get(found.group(1).lower())


def _kind_from_keys(keys: set[Any]) -> str | None:
    """The kind whose distinctive properties these are; the order settles overlaps (a
    registration record and a sign-in both carry userPrincipalName, as does a user)."""
    if keys & {"isMfaRegistered", "isMfaCapable", "methodsRegistered"}:
        return "registration"
    if {"conditions", "grantControls"} <= keys:
        return "policies"
    if "rolePermissions" in keys or {"isBuiltIn", "templateId"} <= keys:
        return "role_definitions"
    if {"principalId", "roleDefinitionId"} <= keys:
        return "role_eligibilities" if "roleEligibilityScheduleId" in keys else "role_assignments"
    if {"id", "verifiedDomains"} <= keys:
        return "organization"
    if "groupTypes" in keys or {"securityEnabled", "mailEnabled"} <= keys:
        return "groups"
    if {"createdDateTime", "userPrincipalName"} <= keys and keys & _SIGNIN_KEYS:
        return "signins"
    if {"ResultType", "UserPrincipalName"} <= keys and keys.intersection(_TIME_COLUMNS):
        return "signins"
    if {"id", "userPrincipalName"} <= keys and keys & _USER_KEYS and not keys & _AD_KEYS:
        return "users"
    return None


def _column_name(name: Any) -> str:
    """A CSV column without the portal's time-zone suffix ('TimeGenerated [UTC]')."""
    text = str(name).strip()
    found = _COLUMN_ZONE.match(text)
    return found.group("name") if found else text


def build(exports: list[Export], on_problem: Problem) -> IdentityData:
    """All Entra exports of one tenant, joined on the user object id (else the UPN)."""
    tenant = _Tenant(on_problem)
    by_kind: dict[str, list[Records]] = {}
    for export in exports:
        by_kind.setdefault(export.kind, []).append(export.records)
        if not export.records.rows:
            on_problem(InputProblem(str(export.records.path), "file", f"no {export.kind} records"))
    for kind, read in _READERS:
        for records in by_kind.get(kind, []):
            tenant.note_context(records)
            read(tenant, records)
    return tenant.finish({export.kind for export in exports})


@dataclass(slots=True)
class _Record:
    """One record being read: typed getters that report a bad value with file, position and
    field, and return None (unknown) so the rest of the record is still used."""

    file: str
    position: str
    data: dict[str, Any]
    report: Problem
    prefix: str = ""
    original: dict[str, Any] | None = None
    """The record as the file had it, when `data` is a translation (Log Analytics rows)."""

    def problem(self, message: str) -> None:
        self.report(InputProblem(self.file, self.position, message))

    def evidence(self) -> Evidence:
        return Evidence(self.file, self.position, self.original or self.data)

    def child(self, key: str) -> _Record:
        value = self.data.get(key)
        if value is not None and not isinstance(value, dict):
            self._wrong(key, value, "an object")
            value = None
        return _Record(self.file, self.position, value or {}, self.report, f"{self.prefix}{key}.")

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        self._wrong(key, value, "text")
        return None

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self._wrong(key, value, "true or false")
        return None

    def time(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            if value.startswith("0001-01-01"):
                return None  # .NET's DateTimeOffset.MinValue, which exports write for "never"
            moment = parse_time(value)
            if moment is not None:
                return moment
        self._wrong(key, value, "a date and time")
        return None

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self._wrong(key, value, "a list of text")
            return ()
        items = tuple(item.strip() for item in value if isinstance(item, str) and item.strip())
        if len(items) != len(value):
            self.problem(f"{self.prefix}{key} has entries that are not text; those are ignored")
        return items

    def choice(self, key: str, allowed: frozenset[str], *, fold: bool = False) -> str | None:
        """A documented enum value; an unknown one is kept as written, and reported."""
        value = self.text(key)
        if value is None:
            return None
        if (value.lower() if fold else value) not in allowed:
            self.problem(
                f"unknown {self.prefix}{key} value {value!r} (expected one of "
                f"{', '.join(sorted(allowed))}); kept as written"
            )
        return value

    def _wrong(self, key: str, value: Any, expected: str) -> None:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        self.problem(f"{self.prefix}{key} should be {expected}, not {shown}; left unknown")


def parse_time(text: str) -> datetime | None:
    """Graph's ISO-8601 (7-digit fractions, Z) or the Log Analytics portal's CSV format, as
    aware UTC; None if neither. Times without a zone are UTC: both sources write UTC."""
    moment = parse_utc(text)
    if moment is not None:
        return moment
    for pattern in _PORTAL_TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


@dataclass(slots=True)
class _Definition:
    name: str | None
    privileged: bool | None


@dataclass(slots=True)
class _Tenant:
    """Everything read so far, indexed for the joins between exports."""

    report: Problem
    data: IdentityData = field(default_factory=IdentityData)
    by_id: dict[str, Account] = field(default_factory=dict)
    by_upn: dict[str, Account] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    groups_with_members: set[str] = field(default_factory=set)
    definitions: dict[str, _Definition] = field(default_factory=dict)
    unknown_roles: set[str] = field(default_factory=set)
    tenant_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Tenant ids revealed, with the first file and position that revealed each."""

    def rows(self, records: Records) -> Iterable[_Record]:
        for position, record in records.rows:
            if isinstance(record, dict):
                yield _Record(str(records.path), position, record, self.report)
            else:
                self.report(InputProblem(str(records.path), position, "not an object; skipped"))

    def note_context(self, records: Records) -> None:
        found = _CONTEXT_TENANT.search(records.context or "")
        if found:
            self.note_tenant(found.group(1), str(records.path), "@odata.context")

    def note_tenant(self, tenant_id: str, file: str, position: str) -> None:
        self.tenant_ids.setdefault(tenant_id.lower(), (file, position))

    def find(self, user_id: str | None, upn: str | None) -> Account | None:
        found = self.by_id.get(user_id) if user_id else None
        if found is None and upn:
            found = self.by_upn.get(upn.casefold())
        return found

    def add_account(self, account: Account) -> Account:
        """The account, merged into the one already read for the same user if any."""
        existing = self.find(account.id, account.name)
        if existing is None:
            self.data.accounts.append(account)
            existing = account
        else:
            _merge(existing, account)
        self.by_id[existing.id] = existing
        self.by_upn[existing.name.casefold()] = existing
        return existing

    def finish(self, kinds: set[str]) -> IdentityData:
        tenant_id = self._tenant_id()
        if tenant_id is not None:
            for account in self.data.accounts:
                account.tenant = tenant_id
        self.data.coverage.kinds[SOURCE] = kinds
        times = [signin.time for signin in self.data.signins]
        if times:
            self.data.coverage.signin_window[SOURCE] = (min(times), max(times))
        return self.data

    def _tenant_id(self) -> str | None:
        if len(self.tenant_ids) > 1:
            named = sorted(self.tenant_ids.items())
            seen = ", ".join(f"{tenant_id} ({file})" for tenant_id, (file, _) in named)
            file, position = next(iter(self.tenant_ids.values()))
            self.report(
                InputProblem(
                    file,
                    position,
                    f"exports name several tenants ({seen}); tenant left unknown — audit one "
                    "tenant at a time",
                )
            )
            return None
        return next(iter(self.tenant_ids), None)


_ACCOUNT_FIELDS = tuple(spec.name for spec in fields(Account))


def _merge(into: Account, extra: Account) -> None:
    """Fill what `into` does not know from `extra`: exports carry different columns of a user."""
    if into.name == into.id and extra.name != extra.id:
        into.name = extra.name
    for name in _ACCOUNT_FIELDS:
        mine, theirs = getattr(into, name), getattr(extra, name)
        if name == "evidence":
            into.evidence.extend(theirs)
        elif name == "roles":
            for role in theirs:
                _add_role(into, role)
        elif name == "groups":
            into.groups.extend(group for group in theirs if group not in into.groups)
        elif name == "attributes":
            for key, value in theirs.items():
                into.attributes.setdefault(key, value)
        elif name == "mfa":
            _merge_mfa(mine, theirs)
        elif mine is None or mine == ():
            setattr(into, name, theirs)


def _merge_mfa(into: Mfa, extra: Mfa) -> None:
    for spec in fields(Mfa):
        if getattr(into, spec.name) in (None, ()):
            setattr(into, spec.name, getattr(extra, spec.name))


def _add_role(account: Account, role: RoleAssignment) -> None:
    """Add a role unless the account holds it already, so overlapping exports (roleAssignments
    and their schedule instances, a group's role and its member's instance) count it once."""
    for index, held in enumerate(account.roles):
        if (held.role_id, held.scope) != (role.role_id, role.scope):
            continue
        if held.assignment_type is None and role.assignment_type not in (None, ELIGIBLE):
            account.roles[index] = role  # the schedule instance says more than the plain one
            role.via_group = role.via_group or held.via_group
            return
        if role.assignment_type is None and held.assignment_type != ELIGIBLE:
            return
        if (held.assignment_type, held.start, held.end) == (
            role.assignment_type,
            role.start,
            role.end,
        ):
            held.via_group = held.via_group or role.via_group
            return
    account.roles.append(role)


# ---------------------------------------------------------------- users and registration


def _read_users(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        object_type = rec.data.get("@odata.type")
        if object_type not in (None, _USER_TYPE):
            rec.problem(f"not a user ({object_type!r}); skipped")
            continue
        account = _user_account(rec)
        if account is not None:
            tenant.add_account(account)


def _user_account(rec: _Record) -> Account | None:
    """An account from a Graph user object (a users page, an expanded member or principal)."""
    user_id = rec.text("id")
    if user_id is None:
        rec.problem("user without id; skipped (exports are joined on the object id)")
        return None
    upn = rec.text("userPrincipalName")
    if upn is None:
        rec.problem("user without userPrincipalName; named by its object id")
    activity = rec.child("signInActivity")
    attempted = activity.time("lastSignInDateTime")
    background = activity.time("lastNonInteractiveSignInDateTime")
    succeeded = activity.time("lastSuccessfulSignInDateTime")
    account = Account(
        source=SOURCE,
        id=user_id,
        name=upn or user_id,
        email=rec.text("mail"),
        display_name=rec.text("displayName"),
        user_type=_lower(rec.choice("userType", USER_TYPES, fold=True)),
        employee_type=rec.text("employeeType"),
        company=rec.text("companyName"),
        department=rec.text("department"),
        enabled=rec.flag("accountEnabled"),
        created=rec.time("createdDateTime"),
        last_sign_in=succeeded or attempted,
        last_activity=_latest(attempted, background, succeeded),
        end_date=rec.time("employeeLeaveDateTime"),
        synced_from_on_premises=_synced(rec),
        guest_state=rec.choice("externalUserState", GUEST_STATES),
        sponsors=tuple(_object_names(rec, "sponsors")),
        manager=next(iter(_object_names(rec, "manager")), None),
        evidence=[rec.evidence()],
    )
    _user_attributes(rec, account)
    return account


def _user_attributes(rec: _Record, account: Account) -> None:
    hired = rec.time("employeeHireDate")
    if hired is not None:
        account.attributes["employee_hire_date"] = hired
    changed = rec.time("externalUserStateChangeDateTime")
    if changed is not None:
        account.attributes["guest_state_changed"] = changed


def _synced(rec: _Record) -> bool | None:
    """onPremisesSyncEnabled: null means never synced (cloud-only), so False; absent = unknown."""
    if "onPremisesSyncEnabled" not in rec.data:
        return None
    return bool(rec.flag("onPremisesSyncEnabled"))


def _object_names(rec: _Record, key: str) -> list[str]:
    """UPNs (else ids) of expanded directory objects: sponsors is a list, manager one object."""
    value = rec.data.get(key)
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    if value is not None and not items and not isinstance(value, list):
        rec.problem(f"{key} should be an object or a list of objects; ignored")
    names = []
    for item in items:
        name = item.get("userPrincipalName") or item.get("id") if isinstance(item, dict) else None
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
        else:
            rec.problem(f"{key} entry without userPrincipalName or id; ignored")
    return names


def _read_registration(tenant: _Tenant, records: Records) -> None:
    unknown: set[str] = set()
    for rec in tenant.rows(records):
        user_id, upn = rec.text("id"), rec.text("userPrincipalName")
        if user_id is None:
            known = tenant.find(None, upn)
            if known is None:
                rec.problem("registration details without id; skipped (exports join on it)")
                continue
            user_id = known.id
        methods = rec.texts("methodsRegistered")
        unknown.update(method for method in methods if method not in KNOWN_METHODS)
        account = Account(
            source=SOURCE,
            id=user_id,
            name=upn or user_id,
            display_name=rec.text("userDisplayName"),
            user_type=_lower(rec.choice("userType", USER_TYPES, fold=True)),
            mfa=Mfa(
                registered=rec.flag("isMfaRegistered"),
                capable=rec.flag("isMfaCapable"),
                methods=methods,
                phishing_resistant=_phishing_resistant(rec, methods),
            ),
            is_admin=rec.flag("isAdmin"),
            evidence=[rec.evidence()],
        )
        passwordless = rec.flag("isPasswordlessCapable")
        if passwordless is not None:
            account.attributes["passwordless_capable"] = passwordless
        tenant.add_account(account)
    if unknown:
        tenant.report(
            InputProblem(
                str(records.path),
                "methodsRegistered",
                f"authentication methods mamori does not know: {', '.join(sorted(unknown))}; "
                "kept as written, not counted as phishing-resistant",
            )
        )


def _phishing_resistant(rec: _Record, methods: tuple[str, ...]) -> bool | None:
    if not isinstance(rec.data.get("methodsRegistered"), list):
        return None
    return any(method in PHISHING_RESISTANT_METHODS for method in methods)


def _read_organization(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        tenant_id = rec.text("id")
        if tenant_id is None:
            rec.problem("organization without id; skipped")
        else:
            tenant.note_tenant(tenant_id, rec.file, rec.position)


# ---------------------------------------------------------------- groups and roles


def _read_groups(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        group_id = rec.text("id")
        if group_id is None:
            rec.problem("group without id; skipped")
            continue
        name = rec.text("displayName")
        if name is None:
            rec.problem("group without displayName; named by its id")
        group = tenant.groups.get(group_id)
        if group is None:
            group = Group(SOURCE, group_id, name or group_id)
            tenant.groups[group_id] = group
            tenant.data.groups.append(group)
        group.evidence.append(rec.evidence())
        if "members" in rec.data:
            _read_members(tenant, rec, group)


def _read_members(tenant: _Tenant, rec: _Record, group: Group) -> None:
    members = rec.data.get("members")
    if not isinstance(members, list):
        rec.problem("members should be a list of directory objects; membership left unknown")
        return
    tenant.groups_with_members.add(group.id)
    known = set(group.members)
    if "members@odata.nextLink" in rec.data:
        rec.problem(
            f"group {group.name!r}: only the first {len(members)} members were exported "
            "($expand returns at most 20); export /groups/{id}/members for the rest"
        )
    for index, member in enumerate(members):
        place = f"{rec.position} members[{index}]"
        member_id = member.get("id") if isinstance(member, dict) else None
        if not isinstance(member_id, str) or not member_id:
            rec.report(InputProblem(rec.file, place, "member without id; ignored"))
            continue
        if member_id not in known:
            known.add(member_id)
            group.members.append(member_id)
        account = tenant.by_id.get(member_id)
        if account is None and member.get("@odata.type") == _USER_TYPE:
            built = _user_account(_Record(rec.file, place, member, rec.report))
            account = tenant.add_account(built) if built else None
        if account is not None and group.id not in account.groups:
            account.groups.append(group.id)


def _read_role_definitions(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        role_id = rec.text("id")
        if role_id is None:
            rec.problem("role definition without id; skipped")
            continue
        tenant.definitions[role_id] = _definition(rec)


def _definition(rec: _Record) -> _Definition:
    template = rec.text("templateId") or rec.text("id")
    name = rec.text("displayName")
    builtin = BUILTIN_ROLES.get(template or "")
    if builtin is not None:
        listed: bool | None = builtin[1]
    else:
        listed = _BUILTIN_BY_NAME.get(name.casefold()) if name else None
    own = rec.flag("isPrivileged")
    privileged = None if own is None and listed is None else bool(own) or bool(listed)
    return _Definition(name or (builtin[0] if builtin else None), privileged)


def _read_role_assignments(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        _read_role_assignment(tenant, rec, eligible=False)


def _read_role_eligibilities(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        _read_role_assignment(tenant, rec, eligible=True)


def _read_role_assignment(tenant: _Tenant, rec: _Record, *, eligible: bool) -> None:
    principal, role_id = rec.text("principalId"), rec.text("roleDefinitionId")
    if principal is None or role_id is None:
        rec.problem("role assignment without principalId or roleDefinitionId; skipped")
        return
    role = _role(tenant, rec, role_id, eligible=eligible)
    rec.choice("memberType", MEMBER_TYPES)
    account = tenant.by_id.get(principal)
    expanded = rec.data.get("principal")
    expanded = expanded if isinstance(expanded, dict) else {}
    if account is None and expanded.get("@odata.type") == _USER_TYPE:
        built = _user_account(rec.child("principal"))
        account = tenant.add_account(built) if built else None
    if account is not None:
        _add_role(account, role)
        account.evidence.append(rec.evidence())
    elif principal in tenant.groups or expanded.get("@odata.type") == _GROUP_TYPE:
        _give_group_role(tenant, rec, principal, role)
    else:
        what = expanded.get("@odata.type") or "not among the exported users or groups"
        rec.problem(
            f"{role.role} is assigned to {principal} ({what}); not attributed to any account"
        )


def _role(tenant: _Tenant, rec: _Record, role_id: str, *, eligible: bool) -> RoleAssignment:
    inline = rec.data.get("roleDefinition")
    if isinstance(inline, dict):
        tenant.definitions.setdefault(role_id, _definition(rec.child("roleDefinition")))
    definition = tenant.definitions.get(role_id) or _builtin_definition(role_id)
    if definition.privileged is None and role_id not in tenant.unknown_roles:
        tenant.unknown_roles.add(role_id)
        rec.problem(
            f"role {definition.name or role_id} is not a built-in role mamori knows and its "
            "definition does not say whether it is privileged; treated as privileged"
        )
    schedule = eligible or _is_schedule_instance(rec)
    end = rec.time("endDateTime")
    return RoleAssignment(
        role=definition.name or role_id,
        role_id=role_id,
        scope=rec.text("directoryScopeId"),
        privileged=definition.privileged is not False,
        permanent=_permanent(rec, end) if schedule else True,
        assignment_type=ELIGIBLE if eligible else rec.choice("assignmentType", ASSIGNMENT_TYPES),
        start=rec.time("startDateTime"),
        end=end,
    )


def _builtin_definition(role_id: str) -> _Definition:
    name, privileged = BUILTIN_ROLES.get(role_id, (None, None))
    return _Definition(name, privileged)


def _is_schedule_instance(rec: _Record) -> bool:
    """A PIM schedule instance rather than a plain roleAssignment, which has no schedule and
    is a standing assignment (in tenants without PIM, all of them are)."""
    return not {"assignmentType", "startDateTime", "endDateTime", "memberType"}.isdisjoint(rec.data)


def _permanent(rec: _Record, end: datetime | None) -> bool | None:
    """endDateTime null = no end; absent or unreadable = cannot tell."""
    if "endDateTime" not in rec.data:
        return None
    if rec.data["endDateTime"] is None:
        return True
    return False if end is not None else None


def _give_group_role(tenant: _Tenant, rec: _Record, group_id: str, role: RoleAssignment) -> None:
    group = tenant.groups.get(group_id)
    name = group.name if group else group_id
    if group_id not in tenant.groups_with_members:
        rec.problem(
            f"{role.role} is assigned to group {name}, whose members were not exported "
            "(export /groups?$expand=members); who holds it is unknown"
        )
        return
    for member in group.members if group else []:
        account = tenant.by_id.get(member)
        if account is not None:
            _add_role(account, replace(role, via_group=group_id))
            account.evidence.append(rec.evidence())


# ---------------------------------------------------------------- Conditional Access


def _read_policies(tenant: _Tenant, records: Records) -> None:
    for rec in tenant.rows(records):
        policy = _policy(rec)
        if policy is not None:
            tenant.data.policies.append(policy)


def _policy(rec: _Record) -> AccessPolicy | None:
    policy_id = rec.text("id")
    state = rec.choice("state", POLICY_STATES)
    if policy_id is None or state is None:
        rec.problem("Conditional Access policy without id or state; skipped")
        return None
    name = rec.text("displayName")
    if name is None:
        rec.problem("Conditional Access policy without displayName; named by its id")
    conditions = rec.child("conditions")
    users, apps = conditions.child("users"), conditions.child("applications")
    grant = rec.child("grantControls")
    strength = grant.child("authenticationStrength")
    return AccessPolicy(
        source=SOURCE,
        id=policy_id,
        name=name or policy_id,
        state=state,
        include_users=users.texts("includeUsers"),
        exclude_users=users.texts("excludeUsers"),
        include_groups=users.texts("includeGroups"),
        exclude_groups=users.texts("excludeGroups"),
        include_roles=users.texts("includeRoles"),
        exclude_roles=users.texts("excludeRoles"),
        include_guest_types=_guest_types(users.child("includeGuestsOrExternalUsers")),
        exclude_guest_types=_guest_types(users.child("excludeGuestsOrExternalUsers")),
        include_applications=apps.texts("includeApplications"),
        exclude_applications=apps.texts("excludeApplications"),
        grant_operator=grant.choice("operator", GRANT_OPERATORS),
        grant_controls=_controls(grant),
        authentication_strength=strength.text("displayName") or strength.text("id"),
        evidence=[rec.evidence()],
    )


def _guest_types(rec: _Record) -> tuple[str, ...]:
    """guestOrExternalUserTypes is one comma-separated string in Graph ('a,b')."""
    raw = rec.data.get("guestOrExternalUserTypes")
    if isinstance(raw, list):
        types = rec.texts("guestOrExternalUserTypes")
    else:
        text = rec.text("guestOrExternalUserTypes") or ""
        types = tuple(part.strip() for part in text.split(",") if part.strip())
    for value in types:
        if value not in GUEST_OR_EXTERNAL_TYPES:
            rec.problem(
                f"unknown {rec.prefix}guestOrExternalUserTypes value {value!r}; kept as written"
            )
    return types


def _controls(grant: _Record) -> tuple[str, ...]:
    controls = grant.texts("builtInControls")
    for control in controls:
        if control not in BUILT_IN_CONTROLS:
            grant.problem(f"unknown grantControls.builtInControls value {control!r}; kept")
    return controls


# ---------------------------------------------------------------- sign-ins


def _read_signins(tenant: _Tenant, records: Records) -> None:
    zones = {
        found.group("zone")
        for name in records.header
        if (found := _COLUMN_ZONE.match(name)) and found.group("name") in _TIME_COLUMNS
    }
    if zones - {"UTC"}:
        tenant.report(
            InputProblem(
                str(records.path),
                "header",
                f"times are not in UTC ({', '.join(sorted(zones))}); sign-ins skipped — "
                "export again with the display time zone set to UTC",
            )
        )
        return
    # One file is one shape: decide from its first record, not per record (this is hot).
    first = next((r for _, r in records.rows if isinstance(r, dict)), {})
    log_analytics = _is_log_analytics(first)
    for rec in tenant.rows(records):
        if log_analytics:
            rec = _from_log_analytics(rec)
        signin = _signin(rec)
        if signin is None:
            continue
        tenant.data.signins.append(signin)
        _note_signin_tenant(tenant, rec)


def _is_log_analytics(record: dict[str, Any]) -> bool:
    return "ResultType" in record or any(_column_name(key) in _TIME_COLUMNS for key in record)


def _from_log_analytics(rec: _Record) -> _Record:
    """A Log Analytics row in Graph's property names and shapes (status.errorCode, lists)."""
    row = {_column_name(key): value for key, value in rec.data.items()}
    data: dict[str, Any] = {
        graph: row[column] for column, graph in _LOG_ANALYTICS_COLUMNS.items() if column in row
    }
    if data.get("createdDateTime") in (None, ""):
        data["createdDateTime"] = row.get("TimeGenerated")
    data["status"] = {"errorCode": row.get("ResultType")}
    data["riskEventTypes_v2"] = _json_list(data.get("riskEventTypes_v2"))
    return _Record(rec.file, rec.position, data, rec.report, original=rec.data)


def _json_list(value: Any) -> Any:
    """Dynamic columns arrive as JSON text in CSV and az CLI output: '["unfamiliarFeatures"]'."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _signin(rec: _Record) -> SignIn | None:
    time = rec.time("createdDateTime")
    name = rec.text("userPrincipalName") or rec.text("userId")
    if time is None or name is None:
        rec.problem("sign-in without a readable time or user; skipped")
        return None
    requirement = rec.choice("authenticationRequirement", AUTHENTICATION_REQUIREMENTS)
    return SignIn(
        source=SOURCE,
        time=time,
        account_name=name,
        account_id=rec.text("userId"),
        success=_success(rec.child("status")),
        single_factor=(
            requirement == "singleFactorAuthentication"
            if requirement in AUTHENTICATION_REQUIREMENTS
            else None
        ),
        interactive=rec.flag("isInteractive"),
        user_type=_lower(rec.choice("userType", USER_TYPES, fold=True)),
        cross_tenant_access_type=rec.choice("crossTenantAccessType", CROSS_TENANT_ACCESS_TYPES),
        risk_level=rec.choice("riskLevelDuringSignIn", RISK_LEVELS),
        risk_events=rec.texts("riskEventTypes_v2") or rec.texts("riskEventTypes"),
        ip_address=rec.text("ipAddress"),
        user_agent=rec.text("userAgent"),
        application=rec.text("appDisplayName"),
        resource=rec.text("resourceDisplayName"),
        evidence=[rec.evidence()],
    )


def _success(status: _Record) -> bool | None:
    """errorCode 0 (Graph: a number; Log Analytics ResultType: text '0') is a success."""
    code = status.data.get("errorCode")
    if code is None or code == "":
        return None
    if isinstance(code, int) and not isinstance(code, bool):
        return code == 0
    if isinstance(code, str):
        text = code.strip().lower()
        if text in ("success", "failure"):  # the wording the Log Analytics reference uses
            return text == "success"
        try:
            return int(text) == 0
        except ValueError:
            pass
    status.problem(f"{status.prefix}errorCode should be a number, not {code!r}; left unknown")
    return None


def _note_signin_tenant(tenant: _Tenant, rec: _Record) -> None:
    """The tenant the logs belong to: Log Analytics' AADTenantId, or a sign-in whose user and
    resource share a tenant (guests' sign-ins have their home tenant there)."""
    logged = (rec.original or {}).get("AADTenantId")
    home, resource = rec.data.get("homeTenantId"), rec.data.get("resourceTenantId")
    if not (isinstance(logged, str) and logged.strip()):
        logged = home if home == resource else None
    if isinstance(logged, str) and logged.strip():
        tenant.note_tenant(logged.strip(), rec.file, rec.position)


# ---------------------------------------------------------------- helpers


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


def _latest(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


_READERS = (
    ("organization", _read_organization),
    ("users", _read_users),
    ("registration", _read_registration),
    ("groups", _read_groups),
    ("role_definitions", _read_role_definitions),
    ("role_assignments", _read_role_assignments),
    ("role_eligibilities", _read_role_eligibilities),
    ("policies", _read_policies),
    ("signins", _read_signins),
)
"""Kinds in joining order: accounts before the registration, groups and roles that join them."""
