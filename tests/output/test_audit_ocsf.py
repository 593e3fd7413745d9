"""OCSF 1.5.0 Compliance Findings from a real audit document: one event per finding, with the
values GRC importers read (class 2003, severities, Suppressed for excepted findings)."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori import __version__
from mamori.output.audit.ocsf import ocsf_findings, write_ocsf

from audit_sample import AS_OF, EXCEPTED_CHECKS, EXCEPTED_SUBJECT, audit_document

# OCSF 1.5.0, compliance_finding and the classes and objects it inherits: what `required` means
# for every event (base_event, finding, compliance_finding) and the objects mamori writes.
REQUIRED = (
    "activity_id",
    "category_uid",
    "class_uid",
    "compliance",
    "finding_info",
    "metadata",
    "severity_id",
    "time",
    "type_uid",
)
SEVERITY_CAPTIONS = {1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
STATUS_CAPTIONS = {1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved", 5: "Archived"}
EVIDENCE_ANY_OF = {"actor", "api", "connection_info", "data", "database", "databucket", "device"}
EVIDENCE_ANY_OF |= {"dst_endpoint", "email", "file", "process", "query", "resources"}
EVIDENCE_ANY_OF |= {"src_endpoint", "url", "user", "job", "script"}
EXPECTED_TIME = 1759330799999  # 2025-10-01T14:59:59.999Z in epoch milliseconds


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return audit_document(tmp_path_factory.mktemp("register"))


@pytest.fixture(scope="module")
def events(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {event["finding_info"]["uid"]: event for event in ocsf_findings(document, "ja")}


def assert_valid_event(event: dict[str, Any]) -> None:
    """Everything the class requires, enum ids with their captions, and the object rules."""
    assert set(REQUIRED) <= set(event)
    assert (event["class_uid"], event["category_uid"], event["activity_id"]) == (2003, 2, 1)
    assert event["type_uid"] == event["class_uid"] * 100 + event["activity_id"] == 200301
    assert SEVERITY_CAPTIONS[event["severity_id"]] == event["severity"]
    assert STATUS_CAPTIONS[event["status_id"]] == event["status"]
    assert isinstance(event["time"], int)
    assert event["metadata"]["version"] == "1.5.0"
    assert event["metadata"]["product"]["name"] == "mamori"
    assert event["finding_info"]["uid"]
    compliance = event["compliance"]
    assert (compliance["status_id"], compliance["status"]) == (3, "Fail")
    assert compliance["standards"] and compliance["requirements"]
    if "remediation" in event:
        assert event["remediation"]["desc"]
    for resource in event["resources"]:
        assert resource.get("uid") or resource.get("name")
    for evidence in event.get("evidences", []):
        assert EVIDENCE_ANY_OF & set(evidence)
        assert evidence["file"]["name"] and evidence["file"]["type_id"] == 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_finding_yields_exactly_one_complete_event(
    document: dict[str, Any], lang: str
) -> None:
    events = ocsf_findings(document, lang)
    assert len(events) == len(document["findings"]) > 50
    assert [e["finding_info"]["uid"] for e in events] == [f["key"] for f in document["findings"]]
    for event in events:
        assert_valid_event(event)


@pytest.mark.parametrize(
    ("severity", "severity_id", "caption"),
    [("critical", 5, "Critical"), ("high", 4, "High"), ("medium", 3, "Medium"), ("low", 2, "Low")],
)
def test_severity_ids_follow_the_finding_severity(
    document: dict[str, Any],
    events: dict[str, dict[str, Any]],
    severity: str,
    severity_id: int,
    caption: str,
) -> None:
    keys = [f["key"] for f in document["findings"] if f["severity"] == severity]
    assert keys  # the fixtures hold every one of these severities
    assert {(events[k]["severity_id"], events[k]["severity"]) for k in keys} == {
        (severity_id, caption)
    }


def test_informational_severity(document: dict[str, Any]) -> None:
    informational = copy.deepcopy(document)
    informational["findings"] = informational["findings"][:1]
    informational["findings"][0]["severity"] = "info"
    (event,) = ocsf_findings(informational, "en")
    assert (event["severity_id"], event["severity"]) == (1, "Informational")


def test_excepted_findings_are_suppressed_with_the_exception_id(
    document: dict[str, Any], events: dict[str, dict[str, Any]]
) -> None:
    excepted = [f["key"] for f in document["findings"] if f["status"] == "excepted"]
    assert sorted(excepted) == sorted(f"{c}|{EXCEPTED_SUBJECT}" for c in EXCEPTED_CHECKS)
    for key in excepted:
        event = events[key]
        assert (event["status_id"], event["status"], event["status_detail"]) == (
            3,
            "Suppressed",
            "EXC-001",
        )
        assert event["compliance"]["status_id"] == 3  # still failing: excepted is not fixed
    for key, event in events.items():
        if key not in excepted:
            assert (event["status_id"], event["status"]) == (1, "New")
            assert "status_detail" not in event


def test_compliance_carries_the_check_and_its_framework_requirements(
    document: dict[str, Any], events: dict[str, dict[str, Any]]
) -> None:
    event = events[f"CA-EXCLUSION-GAP|{EXCEPTED_SUBJECT}"]
    check = next(c for c in document["checks"] if c["id"] == "CA-EXCLUSION-GAP")
    assert event["compliance"]["control"] == "CA-EXCLUSION-GAP"
    assert event["compliance"]["requirements"] == check["frameworks"]
    assert event["compliance"]["requirements"] == [
        "SCS-3:access-control",
        "CSMG-3:5",
        "CIS-M365:5.2.2.2",
    ]
    assert event["compliance"]["standards"] == [
        "サプライチェーン強化に向けたセキュリティ対策評価制度 ★3",
        "サイバーセキュリティ経営ガイドライン Ver3.0",
        "CIS Microsoft 365 Foundations Benchmark",
    ]
    (ocsf_check,) = event["compliance"]["checks"]
    assert ocsf_check["uid"] == "CA-EXCLUSION-GAP"
    assert ocsf_check["name"] == check["title"]["ja"]
    assert event["remediation"] == {"desc": check["remediation"]["ja"]}
    assert event["finding_info"]["title"] == check["title"]["ja"]
    assert event["resources"] == [
        {
            "uid": EXCEPTED_SUBJECT,
            "type": "account",
            "labels": ["contractor", "external", "privileged"],
        }
    ]
    assert event["unmapped"]["person"] == "i.suzuki@abc-system.co.jp"


def test_messages_follow_the_language(document: dict[str, Any]) -> None:
    finding = document["findings"][0]
    check = next(c for c in document["checks"] if c["id"] == finding["check_id"])
    for lang in ("ja", "en"):
        event = ocsf_findings(document, lang)[0]
        assert event["message"] == event["finding_info"]["desc"] == finding["message"][lang]
        assert event["finding_info"]["title"] == check["title"][lang]
        assert event["compliance"]["checks"][0]["name"] == check["title"][lang]
        assert event["remediation"]["desc"] == check["remediation"][lang]
        assert event["metadata"]["product"] == {
            "name": "mamori",
            "vendor_name": "mamori",
            "version": __version__,
            "lang": lang,
        }
    english = ocsf_findings(document, "en")[0]["compliance"]["standards"]
    assert "Cybersecurity Management Guidelines Ver 3.0 (METI / IPA)" in english


def test_times_are_the_audit_time_in_epoch_milliseconds(
    events: dict[str, dict[str, Any]],
) -> None:
    assert int(AS_OF.timestamp() * 1000) == EXPECTED_TIME
    for event in events.values():
        assert event["time"] == event["finding_info"]["created_time"] == EXPECTED_TIME
        assert event["timezone_offset"] == 0


def test_evidence_references_name_the_document_records(
    document: dict[str, Any], events: dict[str, dict[str, Any]]
) -> None:
    for finding in document["findings"]:
        event = events[finding["key"]]
        if not finding["evidence"]:
            assert "evidences" not in event  # no empty list against the at_least_one rule
            continue
        assert [e["uid"] for e in event["evidences"]] == [
            f"{e['file']}#{e['position']}" for e in finding["evidence"]
        ]
        for evidence, item in zip(event["evidences"], finding["evidence"], strict=True):
            assert evidence["uid"] in document["records"]
            assert evidence["file"]["path"] == item["file"]
            assert evidence["file"]["name"] == Path(item["file"]).name
            assert evidence["data"] == {"position": item["position"]}
    assert any("evidences" not in e for e in events.values())  # LOG-COVERAGE findings


def test_write_ocsf_is_a_utf8_json_array(document: dict[str, Any]) -> None:
    out = io.BytesIO()
    write_ocsf(document, out, "ja")
    raw = out.getvalue()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "認証".encode() in raw  # Japanese text as UTF-8, not \u escapes
    parsed = json.loads(raw.decode("utf-8"))
    assert parsed == ocsf_findings(document, "ja")


_paths = st.sampled_from(["exports/users.csv", r"C:\exports\ad\users.csv", "ユーザー.json"])
_findings = st.fixed_dictionaries(
    {
        "subject": st.text(min_size=1, max_size=20),
        "severity": st.sampled_from(["critical", "high", "medium", "low", "info"]),
        "excepted": st.booleans(),
        "tags": st.lists(st.sampled_from(["external", "privileged", "vendor:x"]), unique=True),
        "evidence": st.lists(
            st.fixed_dictionaries({"file": _paths, "position": st.text(max_size=10)}), max_size=3
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(drawn=st.lists(_findings, max_size=12), check_index=st.integers(min_value=0))
def test_any_findings_yield_one_valid_event_each(
    document: dict[str, Any], drawn: list[dict[str, Any]], check_index: int
) -> None:
    """Subjects, paths (Windows ones too), tags and statuses the fixtures do not hold."""
    check = document["checks"][check_index % len(document["checks"])]
    variant = {**document, "findings": [_finding(check, i, d) for i, d in enumerate(drawn)]}
    events = ocsf_findings(variant, "en")
    assert [e["finding_info"]["uid"] for e in events] == [f["key"] for f in variant["findings"]]
    for event, finding in zip(events, variant["findings"], strict=True):
        assert_valid_event(event)
        assert event.get("status_detail") == finding["exception_id"]
        names = [e["file"].replace("\\", "/").rsplit("/", 1)[-1] for e in finding["evidence"]]
        assert [e["file"]["name"] for e in event.get("evidences", [])] == names


def _finding(check: dict[str, Any], index: int, drawn: dict[str, Any]) -> dict[str, Any]:
    subject = f"{drawn['subject']}#{index}"
    return {
        "key": f"{check['id']}|{subject}",
        "check_id": check["id"],
        "severity": drawn["severity"],
        "status": "excepted" if drawn["excepted"] else "open",
        "subject": subject,
        "subject_kind": "account",
        "person": None,
        "tags": drawn["tags"],
        "message": {"ja": "指摘", "en": "finding"},
        "exception_id": "EXC-9" if drawn["excepted"] else None,
        "details": {},
        "evidence": drawn["evidence"],
    }
