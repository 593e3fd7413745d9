from datetime import date
from pathlib import Path

import pytest

from mamori.audit.config import ConfigError
from mamori.audit.exceptions import load_register
from mamori.audit.findings import FindingStatus, Outcome
from mamori.audit.run import run_checks

from builders import account, context

COMPLETE = """
exceptions:
  - id: EXC-001
    subject: entra:vendor-admin@contoso.co.jp
    checks: [mfa-contractor-missing, MFA-PRIV-MISSING]
    owner: 山田 太郎
    approver: 情報システム部長
    reason: 保守端末が FIDO2 に未対応のため 2025 年度末まで
    compensating_controls: [委託先 VPN からの接続のみ許可, 毎日のサインインレビュー]
    created: 2025-04-01
    expires: 2026-03-31
"""


def _register(tmp_path: Path, text: str):
    path = tmp_path / "exceptions.yaml"
    path.write_text(text, encoding="utf-8")
    return load_register(path)


def _vendor_admin():
    return account(
        "vendor-admin@contoso.co.jp",
        employee_type="Contractor",
        mfa=False,
        roles=["Global Administrator"],
    )


def _results(tmp_path: Path, text: str):
    ctx = context([_vendor_admin()], register=_register(tmp_path, text))
    return {r.check_id: r for r in run_checks(ctx)}


def test_a_complete_exception_excepts_but_still_lists(tmp_path: Path) -> None:
    results = _results(tmp_path, COMPLETE)
    for check in ("MFA-CONTRACTOR-MISSING", "MFA-PRIV-MISSING"):
        (finding,) = results[check].findings
        assert finding.status is FindingStatus.excepted
        assert finding.exception_id == "EXC-001"
        assert results[check].outcome is Outcome.failed  # counted, never hidden
    assert results["EXCEPTION-REGISTER-VALIDITY"].findings == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("    expires: 2026-03-31\n", "no expiry"),
        ("    owner: 山田 太郎\n", "no owner"),
        (
            "    compensating_controls: [委託先 VPN からの接続のみ許可, 毎日のサインインレビュー]\n",
            "no compensating control",
        ),
    ],
)
def test_an_incomplete_exception_voids_and_the_finding_reopens(
    tmp_path: Path, change: str, why: str
) -> None:
    results = _results(tmp_path, COMPLETE.replace(change, ""))
    (finding,) = results["MFA-CONTRACTOR-MISSING"].findings
    assert finding.status is FindingStatus.open
    (problem,) = [
        f for f in results["EXCEPTION-REGISTER-VALIDITY"].findings if "void" in f.message.en
    ]
    assert why in problem.message.en


def test_expired_exception_reopens(tmp_path: Path) -> None:
    results = _results(tmp_path, COMPLETE.replace("2026-03-31", "2025-09-30"))
    assert results["MFA-PRIV-MISSING"].findings[0].status is FindingStatus.open
    messages = [f.message.en for f in results["EXCEPTION-REGISTER-VALIDITY"].findings]
    assert any("expired on 2025-09-30" in m for m in messages)


def test_unmatched_and_unreadable_entries_are_findings(tmp_path: Path) -> None:
    text = (
        COMPLETE.replace("vendor-admin@", "someone-else@")
        + """
  - id: EXC-002
    subject: x
    checks: []
  - just a string
"""
    )
    results = _results(tmp_path, text)
    messages = " | ".join(f.message.en for f in results["EXCEPTION-REGISTER-VALIDITY"].findings)
    assert "matches no finding" in messages
    assert "exceptions[1] cannot be read" in messages
    assert "exceptions[2] cannot be read" in messages
    assert results["MFA-PRIV-MISSING"].findings[0].status is FindingStatus.open


def test_expiring_soon_is_a_low_finding(tmp_path: Path) -> None:
    results = _results(tmp_path, COMPLETE.replace("2026-03-31", "2025-10-15"))
    (soon,) = [
        f for f in results["EXCEPTION-REGISTER-VALIDITY"].findings if "expires on" in f.message.en
    ]
    assert soon.severity.value == "low"


def test_register_that_is_not_yaml_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="exception register"):
        _register(tmp_path, "exceptions: [unclosed")
    with pytest.raises(ConfigError, match="expected a list"):
        _register(tmp_path, "exceptions: {}")
    assert date(2026, 3, 31) == _register(tmp_path, COMPLETE).entries[0].expires


def test_register_summary_lists_every_entry_with_its_state(tmp_path: Path) -> None:
    from mamori.audit.run import register_summary

    text = (
        COMPLETE
        + """
  - id: EXC-002
    subject: entra:someone@contoso.co.jp
    checks: [NO-OWNER]
    expires: 2025-01-31
  - not a mapping
"""
    )
    ctx = context([_vendor_admin()], register=_register(tmp_path, text))
    run_checks(ctx)
    summary = {item["id"]: item for item in register_summary(ctx)}
    assert summary["EXC-001"]["valid"] and summary["EXC-001"]["findings_covered"] == 2
    assert summary["EXC-001"]["expires"] == "2026-03-31"
    assert not summary["EXC-002"]["valid"]
    assert "expired on 2025-01-31" in summary["EXC-002"]["problems"]["en"]
    assert "2025-01-31 に期限切れ" in summary["EXC-002"]["problems"]["ja"]
    assert summary["exceptions[2]"]["problems"]["en"] == ["exceptions[2]: not a mapping"]
