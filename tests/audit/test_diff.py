from mamori.audit.diff import compare


def _doc(*findings: tuple[str, str, str]) -> dict:
    return {
        "as_of": "2025-10-01T00:00:00+00:00",
        "findings": [
            {
                "key": key,
                "check_id": key.split("|")[0],
                "severity": severity,
                "status": status,
                "message": {"ja": key, "en": key},
            }
            for key, severity, status in findings
        ],
    }


def test_changes_between_two_audits() -> None:
    old = _doc(
        ("MFA-PRIV-MISSING|entra:a", "critical", "open"),  # fixed
        ("STALE-ACCOUNT|aws:b", "medium", "open"),  # regressed to high
        ("MFA-CONTRACTOR-MISSING|entra:c", "high", "excepted"),  # exception ran out
        ("NO-OWNER|entra:d", "medium", "open"),  # excepted now
        ("NO-EXPIRY|entra:e", "medium", "open"),  # unchanged
    )
    new = _doc(
        ("STALE-ACCOUNT|aws:b", "high", "open"),
        ("MFA-CONTRACTOR-MISSING|entra:c", "high", "open"),
        ("NO-OWNER|entra:d", "medium", "excepted"),
        ("NO-EXPIRY|entra:e", "medium", "open"),
        ("EXTERNAL-PRIVILEGED|entra:f", "critical", "open"),  # new
        ("SHARED-ACCOUNT|entra:g", "medium", "excepted"),  # new but excepted: not "new"
    )
    changes = compare(old, new)
    sections = ("new", "fixed", "regressed", "exception_expired", "newly_excepted")
    keys = {name: [f["key"] for f in changes[name]] for name in sections}
    assert keys["new"] == ["EXTERNAL-PRIVILEGED|entra:f"]
    assert keys["fixed"] == ["MFA-PRIV-MISSING|entra:a"]
    assert keys["regressed"] == ["STALE-ACCOUNT|aws:b"]
    assert changes["regressed"][0]["previous_severity"] == "medium"
    assert keys["exception_expired"] == ["MFA-CONTRACTOR-MISSING|entra:c"]
    assert keys["newly_excepted"] == ["NO-OWNER|entra:d"]


def test_identical_audits_have_no_changes() -> None:
    doc = _doc(("NO-EXPIRY|entra:e", "medium", "open"))
    changes = compare(doc, doc)
    assert not any(changes[k] for k in ("new", "fixed", "regressed", "exception_expired"))
