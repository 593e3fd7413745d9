"""Findings as OCSF Compliance Findings, so GRC tools and security data lakes can import them.

One event per finding (class 2003, activity Create) because importers such as CISO Assistant
read each event as the result of one check on one subject, keep only class 2003 and skip status
Suppressed: an excepted finding is therefore Suppressed, with the exception id that decided it,
and is still written, so the file accounts for every finding of the audit.

Pinned to OCSF 1.5.0, the first version with `compliance.checks` and `evidences.uid`; attributes
deprecated by then (`compliance.status_detail`, the singular `resource`) are not written.
Rendered from the audit document only, like every other format.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import PureWindowsPath
from typing import IO, Any

import orjson

from mamori import __version__
from mamori.output.audit.document import evidence_key

OCSF_VERSION = "1.5.0"

CLASSIFICATION = {
    "activity_id": 1,
    "activity_name": "Create",
    "category_uid": 2,
    "category_name": "Findings",
    "class_uid": 2003,
    "class_name": "Compliance Finding",
    "type_uid": 200301,  # class_uid * 100 + activity_id
    "type_name": "Compliance Finding: Create",
}
SEVERITY = {  # mamori severity → OCSF severity_id, severity
    "critical": (5, "Critical"),
    "high": (4, "High"),
    "medium": (3, "Medium"),
    "low": (2, "Low"),
    "info": (1, "Informational"),
}
FINDING_STATUS = {  # mamori finding status → OCSF finding status_id, status
    "open": (1, "New"),
    "excepted": (3, "Suppressed"),
}
COMPLIANCE_FAIL = (3, "Fail")
"""Every finding is a subject failing its check; an exception changes its status, not that."""
REGULAR_FILE = (1, "Regular File")
PRODUCT = {"name": "mamori", "vendor_name": "mamori", "version": __version__}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ocsf_findings(document: dict[str, Any], lang: str = "ja") -> list[dict[str, Any]]:
    """One Compliance Finding per finding of the document, texts in `lang` (ja | en)."""
    checks = {check["id"]: check for check in document["checks"]}
    as_of = datetime.fromisoformat(document["as_of"])
    context = {
        "time": _epoch_ms(as_of),
        "timezone_offset": _offset_minutes(as_of),
        "metadata": {"version": OCSF_VERSION, "product": {**PRODUCT, "lang": lang}},
    }
    names = _standard_names(document, lang)
    return [
        _event(finding, checks[finding["check_id"]], names, context, lang)
        for finding in document["findings"]
    ]


def write_ocsf(document: dict[str, Any], out: IO[bytes], lang: str) -> None:
    """A JSON array of events (UTF-8), the shape OCSF importers accept as a file."""
    out.write(orjson.dumps(ocsf_findings(document, lang), option=orjson.OPT_INDENT_2))
    out.write(b"\n")


def _event(
    finding: dict[str, Any],
    check: dict[str, Any],
    names: dict[str, str],
    context: dict[str, Any],
    lang: str,
) -> dict[str, Any]:
    severity_id, severity = SEVERITY[finding["severity"]]
    status_id, status = FINDING_STATUS[finding["status"]]
    event: dict[str, Any] = {
        **CLASSIFICATION,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        **context,
        "message": finding["message"][lang],
        "finding_info": {
            "uid": finding["key"],
            "title": check["title"][lang],
            "desc": finding["message"][lang],
            "types": [check["id"]],
            "created_time": context["time"],
        },
        "compliance": _compliance(check, names, lang),
        "resources": [
            {"uid": finding["subject"], "type": finding["subject_kind"], "labels": finding["tags"]}
        ],
        "unmapped": {"person": finding["person"], "details": finding["details"]},
    }
    if finding["exception_id"]:
        event["status_detail"] = finding["exception_id"]
    if check["remediation"]:
        event["remediation"] = {"desc": check["remediation"][lang]}
    if finding["evidence"]:  # absent, not empty, when a finding is about a missing export
        event["evidences"] = [_evidence(e["file"], e["position"]) for e in finding["evidence"]]
    return event


def _compliance(check: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    """The check as the control; its framework requirement ids as `requirements`, which is
    what importers match against a framework's requirement ids."""
    standards = list(dict.fromkeys(names[_framework(r)] for r in check["frameworks"]))
    status_id, status = COMPLIANCE_FAIL
    return {
        "control": check["id"],
        "standards": standards,
        "requirements": check["frameworks"],
        "status_id": status_id,
        "status": status,
        "checks": [
            {
                "uid": check["id"],
                "name": check["title"][lang],
                "standards": standards,
                "status_id": status_id,
                "status": status,
            }
        ],
    }


def _evidence(file: str, position: str) -> dict[str, Any]:
    """A reference to the record that proves the finding; `uid` is its key in the document's
    `records`, where the record itself is kept once (repeating it per finding bloats the file)."""
    type_id, type_name = REGULAR_FILE
    return {
        "uid": evidence_key(file, position),
        "file": {
            "name": PureWindowsPath(file).name,  # splits on / and \: exports come from both
            "path": file,
            "type_id": type_id,
            "type": type_name,
        },
        "data": {"position": position},  # no OCSF attribute holds a row or JSON position
    }


def _standard_names(document: dict[str, Any], lang: str) -> dict[str, str]:
    """Framework id → its name, which is what OCSF `standards` holds (e.g. "ISO/IEC 27001")."""
    return {framework["id"]: framework["name"][lang] for framework in document["frameworks"]}


def _framework(requirement_id: str) -> str:
    """`CIS-M365:1.1.1` → `CIS-M365`: requirement ids are prefixed by their framework id."""
    return requirement_id.split(":", 1)[0]


def _epoch_ms(moment: datetime) -> int:
    """OCSF timestamp_t: milliseconds since the epoch, computed exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _offset_minutes(moment: datetime) -> int:
    """OCSF timezone_offset: minutes from UTC of the audit time as recorded."""
    return (moment.utcoffset() or timedelta()) // timedelta(minutes=1)
