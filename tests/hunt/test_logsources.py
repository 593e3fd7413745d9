"""The Sigma logsource -> Windows event mapping (`mamori/hunt/logsources.yaml`)."""

from __future__ import annotations

import json
import warnings
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yaml

from mamori.hunt import logsources
from mamori.hunt.logsources import LogsourceMapError, load_mapping, parse_mapping, variants_for

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SIGMA = SHARED / "sigma"
EVTX = SHARED / "evtx"
RULE_SETS = ("rules", "rules-threat-hunting", "rules-emerging-threats")
SYSMON = "Microsoft-Windows-Sysmon/Operational"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _all_channels() -> set[str]:
    return {
        v.channel
        for product in load_mapping().products.values()
        for table in (product.services, product.categories)
        for variants in table.values()
        for v in variants
        if v.channel is not None
    }


@cache
def _sigma_windows_logsources() -> Counter[tuple[str | None, str | None, str | None]]:
    if not SIGMA.is_dir():
        pytest.skip(f"SigmaHQ rules not found at {SIGMA}")
    found: Counter[tuple[str | None, str | None, str | None]] = Counter()
    for rule_set in RULE_SETS:
        for path in sorted((SIGMA / rule_set).rglob("*.yml")):
            for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_LOADER):
                logsource = (doc or {}).get("logsource") or {}
                if str(logsource.get("product", "")).lower() != "windows":
                    continue
                key = (
                    logsource.get("product"),
                    logsource.get("category"),
                    logsource.get("service"),
                )
                found[key] += 1
    assert found, "no Windows rules found"
    return found


@cache
def _evtx_channels() -> frozenset[str]:
    evtx = pytest.importorskip("evtx")
    files = sorted(EVTX.rglob("*.evtx")) if EVTX.is_dir() else []
    if not files:
        pytest.skip(f"sample EVTX files not found under {EVTX}")
    channels: set[str] = set()
    for path in files:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for record in evtx.PyEvtxParser(str(path), skip_errors=True).records_json():
                system = json.loads(record["data"]).get("Event", {}).get("System", {})
                if isinstance(system.get("Channel"), str):
                    channels.add(system["Channel"])
    return frozenset(channels)


# ---------------------------------------------------------------------------------------------
# Coverage of the SigmaHQ rule set
# ---------------------------------------------------------------------------------------------


def test_every_sigmahq_windows_logsource_is_mapped_or_explicitly_unmapped() -> None:
    windows = load_mapping().products["windows"]
    missing = []
    for (product, category, service), count in _sigma_windows_logsources().items():
        variants = variants_for(product, category, service)
        if variants is not None:
            assert variants, "variants_for must never return []"
            continue
        listed = (category or "").lower() in windows.unmapped_categories or (
            service or ""
        ).lower() in windows.unmapped_services
        if not listed:
            missing.append(f"{count:5} rules: category={category} service={service}")
    assert not missing, "logsources neither mapped nor listed under `unmapped`:\n" + "\n".join(
        missing
    )


def test_the_unmapped_list_stays_short_and_says_why() -> None:
    windows = load_mapping().products["windows"]
    unmapped = {**windows.unmapped_categories, **windows.unmapped_services}
    assert set(unmapped) == {"file_access", "file_rename"}
    for name, reason in unmapped.items():
        assert len(reason) > 30, name
        assert logsources.unmapped_reason("windows", name, None) is not None
    reason = logsources.unmapped_reason("windows", "file_access", None)
    assert reason is not None
    assert "Kernel-File" in reason


def test_only_the_kernel_file_etw_categories_are_unmapped() -> None:
    # Measured at the pinned SigmaHQ commit: 66 distinct Windows logsources over 2,858 rules;
    # 64 map, file_access (13 rules) and file_rename (2) do not.
    unmapped = {k for k in _sigma_windows_logsources() if variants_for(*k) is None}
    assert {category for _, category, _ in unmapped} <= {"file_access", "file_rename"}
    assert all(service is None for _, _, service in unmapped)


# ---------------------------------------------------------------------------------------------
# What the main logsources resolve to
# ---------------------------------------------------------------------------------------------


def test_process_creation_is_sysmon_1_and_security_4688_with_renames() -> None:
    variants = variants_for("windows", "process_creation", None)
    assert variants is not None
    by_channel = {v.channel: v for v in variants}
    assert set(by_channel) == {SYSMON, "Security"}

    sysmon = by_channel[SYSMON]
    assert sysmon.event_ids == frozenset({1})
    assert dict(sysmon.fields) == {}
    assert not sysmon.absent

    security = by_channel["Security"]
    assert security.event_ids == frozenset({4688})
    assert dict(security.fields) == {
        "Image": "NewProcessName",
        "ParentImage": "ParentProcessName",
        "LogonId": "SubjectLogonId",
        "ProcessId": "NewProcessId",
        "ParentProcessId": "ProcessId",
        "IntegrityLevel": "MandatoryLabel",
    }
    assert security.event_value("IntegrityLevel", "System") == "S-1-16-16384"
    assert security.event_value("IntegrityLevel", "high") == "S-1-16-12288"
    assert security.event_value("IntegrityLevel", "S-1-16-8192") == "S-1-16-8192"
    assert security.event_value("CommandLine", "High") == "High"
    assert {"OriginalFileName", "ParentCommandLine", "Hashes", "User"} <= security.absent
    assert "CommandLine" not in security.fields
    assert "CommandLine" not in security.absent


def test_security_variants_of_registry_and_network() -> None:
    registry = {v.channel: v for v in variants_for("windows", "registry_set", None) or []}
    assert registry[SYSMON].event_ids == frozenset({13})
    audit = registry["Security"]
    assert audit.event_ids == frozenset({4657})
    assert audit.fields["TargetObject"] == "ObjectName"
    assert audit.fields["Image"] == "ProcessName"
    assert "%%1905" in audit.conditions["OperationType"]
    assert {"EventType", "NewName", "User"} <= audit.absent

    network = {v.channel: v for v in variants_for("windows", "network_connection", None) or []}
    assert network[SYSMON].event_ids == frozenset({3})
    wfp = network["Security"]
    assert wfp.event_ids == frozenset({5156})
    assert wfp.fields["DestinationIp"] == "DestAddress"
    assert wfp.event_value("Initiated", "true") == "%%14593"
    assert "DestinationHostname" in wfp.absent


@pytest.mark.parametrize(
    ("category", "channels", "event_ids"),
    [
        ("image_load", {SYSMON}, {7}),
        ("file_event", {SYSMON}, {11}),
        ("registry_event", {SYSMON, "Security"}, {12, 13, 14, 4657}),
        ("pipe_created", {SYSMON}, {17, 18}),
        ("wmi_event", {SYSMON}, {19, 20, 21}),
        ("dns_query", {SYSMON}, {22}),
        ("sysmon_status", {SYSMON}, {4, 16}),
        (
            "ps_script",
            {"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"},
            {4104},
        ),
        (
            "ps_module",
            {"Microsoft-Windows-PowerShell/Operational", "PowerShellCore/Operational"},
            {4103},
        ),
        ("ps_classic_start", {"Windows PowerShell"}, {400}),
        ("ps_classic_provider_start", {"Windows PowerShell"}, {600}),
    ],
)
def test_categories(category: str, channels: set[str], event_ids: set[int]) -> None:
    variants = variants_for("windows", category, None)
    assert variants is not None
    assert {v.channel for v in variants} == channels
    assert set().union(*(v.event_ids or () for v in variants)) == event_ids


def test_services_select_whole_channels() -> None:
    assert [(v.channel, v.event_ids) for v in variants_for("windows", None, "security") or []] == [
        ("Security", None)
    ]
    applocker = variants_for("windows", None, "applocker") or []
    assert len(applocker) == 4
    assert all(v.event_ids is None and not v.fields for v in applocker)
    # Aliases name the same logs.
    assert variants_for("windows", None, "ldap") == variants_for("windows", None, "ldap_debug")
    assert variants_for("windows", None, "servicebus-client") == variants_for(
        "windows", None, "microsoft-servicebus-client"
    )


def test_product_only_applies_to_every_windows_event() -> None:
    variants = variants_for("windows", None, None)
    assert variants is not None
    assert len(variants) == 1
    assert variants[0].channel is None
    assert variants[0].event_ids is None


def test_category_and_service_together_intersect() -> None:
    sysmon_only = variants_for("windows", "process_creation", "sysmon")
    assert sysmon_only is not None
    assert [(v.channel, v.event_ids) for v in sysmon_only] == [(SYSMON, frozenset({1}))]
    security_only = variants_for("windows", "process_creation", "security")
    assert security_only is not None
    assert [v.event_ids for v in security_only] == [frozenset({4688})]
    assert security_only[0].fields["Image"] == "NewProcessName"
    classic = variants_for("windows", "ps_script", "powershell")
    assert classic is not None
    assert len(classic) == 2
    assert variants_for("windows", "process_creation", "powershell") is None
    reason = logsources.unmapped_reason("windows", "process_creation", "powershell")
    assert reason is not None
    assert "no event in the channels" in reason


def test_matching_is_case_insensitive() -> None:
    assert variants_for("Windows", "Process_Creation", None) == variants_for(
        "windows", "process_creation", None
    )
    assert variants_for("WINDOWS", None, "Security") == variants_for("windows", None, "security")


@pytest.mark.parametrize(
    ("product", "category", "service", "says"),
    [
        ("windows", "no_such_category", None, "category 'no_such_category' is not mapped"),
        ("windows", None, "no-such-service", "service 'no-such-service' is not mapped"),
        ("linux", "process_creation", None, "product 'linux' is not mapped"),
        (None, "process_creation", None, "without product category 'process_creation'"),
        ("windows", "file_rename", None, "Kernel-File"),
    ],
)
def test_unmapped_logsources_return_none_and_a_reason(
    product: str | None, category: str | None, service: str | None, says: str
) -> None:
    assert variants_for(product, category, service) is None
    reason = logsources.unmapped_reason(product, category, service)
    assert reason is not None
    assert says in reason


def test_mapped_logsources_have_no_reason() -> None:
    assert logsources.unmapped_reason("windows", "process_creation", None) is None


# ---------------------------------------------------------------------------------------------
# Channels and consistency
# ---------------------------------------------------------------------------------------------


def test_channels_are_spelled_as_in_real_logs() -> None:
    seen = _evtx_channels()
    by_fold = {c.casefold(): c for c in seen}
    # Same channel, other spelling (case or otherwise) would be a silent miss for exact lookups.
    for channel in _all_channels():
        if channel.casefold() in by_fold:
            assert channel == by_fold[channel.casefold()]
    # The channels the sample logs hold, and the service each is mapped from.
    expected = {
        "security": "Security",
        "system": "System",
        "application": "Application",
        "sysmon": SYSMON,
        "powershell": "Microsoft-Windows-PowerShell/Operational",
        "powershell-classic": "Windows PowerShell",
        "windefend": "Microsoft-Windows-Windows Defender/Operational",
        "bitlocker": "Microsoft-Windows-BitLocker/BitLocker Management",
        "openssh": "OpenSSH/Operational",
        "bits-client": "Microsoft-Windows-Bits-Client/Operational",
        "printservice-admin": "Microsoft-Windows-PrintService/Admin",
        "printservice-operational": "Microsoft-Windows-PrintService/Operational",
        "dns-server": "DNS Server",
        "dns-server-audit": "Microsoft-Windows-DNSServer/Audit",
        "firewall-as": "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",
        "msexchange-management": "MSExchange Management",
        "capi2": "Microsoft-Windows-CAPI2/Operational",
    }
    for service, channel in expected.items():
        assert channel in seen, f"{channel!r} not in the sample logs"
        assert channel in {v.channel for v in variants_for("windows", None, service) or []}


def test_category_channels_belong_to_a_service() -> None:
    windows = load_mapping().products["windows"]
    service_channels = {v.channel for vs in windows.services.values() for v in vs}
    for category, variants in windows.categories.items():
        for v in variants:
            assert v.channel in service_channels, (category, v.channel)
            assert v.event_ids, f"category {category} must name event ids"


def test_renames_never_target_a_field_the_variant_also_declares_absent() -> None:
    windows = load_mapping().products["windows"]
    for name, variants in {**windows.categories, **windows.services}.items():
        for v in variants:
            assert not (set(v.fields) & v.absent), name


def test_agrees_with_pysigma_windows_service_channels() -> None:
    common = pytest.importorskip("sigma.pipelines.common")
    for service, channels in common.windows_logsource_mapping.items():
        wanted = {channels} if isinstance(channels, str) else set(channels)
        ours = {v.channel for v in variants_for("windows", None, service) or []}
        assert wanted <= ours, service


def test_agrees_with_pysigma_sysmon_pipeline() -> None:
    sysmon = pytest.importorskip("sigma.pipelines.sysmon.sysmon")
    for category, ids in sysmon.sysmon_generic_logsource_eventid_mapping.items():
        wanted = frozenset([ids] if isinstance(ids, int) else ids)
        variants = variants_for("windows", category, None) or []
        assert any(v.channel == SYSMON and v.event_ids == wanted for v in variants), category


# ---------------------------------------------------------------------------------------------
# Shape checks at load
# ---------------------------------------------------------------------------------------------


def test_the_shipped_file_loads_once() -> None:
    assert load_mapping() is load_mapping()


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ([], "top level: expected a mapping"),
        ({"windows": {"servicez": {}}}, "unknown key(s) ['servicez']"),
        ({"windows": {"services": {"Security": [{"channel": "Security"}]}}}, "lower-case"),
        ({"windows": {"services": {"security": []}}}, "non-empty list of variants"),
        (
            {"windows": {"categories": {"x": [{"channel": "Security", "event_ids": ["4688"]}]}}},
            "windows.categories.x[0].event_ids",
        ),
        ({"windows": {"services": {"s": [{"channel": ""}]}}}, "non-empty string"),
        ({"windows": {"services": {"s": [{"chanel": "Security"}]}}}, "unknown key(s)"),
        ({"windows": {"categories": {"x": [{"event_ids": [1]}]}}}, "must name its channel"),
        (
            {"windows": {"services": {"s": [{"channel": "A", "values": {"F": {True: "x"}}}]}}},
            "non-empty string",
        ),
        (
            {
                "windows": {
                    "services": {"s": [{"channel": "A"}]},
                    "unmapped": {"services": {"s": "reason"}},
                }
            },
            "both mapped and unmapped",
        ),
    ],
)
def test_bad_shapes_are_refused_clearly(document: object, says: str) -> None:
    with pytest.raises(LogsourceMapError) as caught:
        parse_mapping(document)
    assert says in str(caught.value)
    assert str(caught.value).startswith("logsources.yaml: ")


def test_a_minimal_document_parses() -> None:
    mapping = parse_mapping(
        yaml.safe_load(
            """
            windows:
              services:
                security: [{channel: Security}]
            """
        )
    )
    assert mapping.variants_for("windows", None, "security") is not None
    assert mapping.variants_for("windows", None, None) is None
    reason = mapping.unmapped_reason("windows", None, None)
    assert reason is not None
    assert "category or service" in reason


def test_antivirus_rules_without_product_read_defender_detections() -> None:
    """SigmaHQ's `category: antivirus` names no product; on Windows logs it is Defender's."""
    (variant,) = variants_for(None, "antivirus", None)
    assert variant.channel == "Microsoft-Windows-Windows Defender/Operational"
    assert variant.event_ids is not None and {1116, 1117} & variant.event_ids == {1116}
    assert variant.fields["Signature"] == "ThreatName"
    assert variant.fields["Filename"] == "Path"
