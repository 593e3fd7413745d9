from mamori.audit.checks.ca_mfa_reportonly import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy

from builders import context


def policy(pid: str, state: str, controls: tuple[str, ...] = ("mfa",)) -> AccessPolicy:
    return AccessPolicy(
        "entra", pid, f"P {pid}", state, include_users=("All",), grant_controls=controls
    )


def test_report_only_policy_beside_an_enforced_one_is_medium() -> None:
    outcome = CHECK.run(
        context(
            policies=[policy("on", "enabled"), policy("ro", "enabledForReportingButNotEnforced")]
        )
    )
    assert outcome.outcome is Outcome.failed and outcome.examined == 2
    (finding,) = outcome.findings
    assert finding.subject == "entra:policy:ro"
    assert finding.severity is Severity.medium
    assert "report-only" in finding.message.en and "レポート専用" in finding.message.ja


def test_enforced_mfa_policies_pass() -> None:
    outcome = CHECK.run(context(policies=[policy("on", "enabled")]))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_no_policy_export_is_not_applicable() -> None:
    assert CHECK.run(context()).outcome is Outcome.not_applicable


def test_without_any_enforced_mfa_policy_every_paper_policy_is_high() -> None:
    policies = [
        policy("ro", "enabledForReportingButNotEnforced"),
        policy("off", "disabled"),
        policy("block-off", "disabled", ("block",)),
        policy("block-on", "enabled", ("block",)),
    ]
    findings = CHECK.run(context(policies=policies)).findings
    assert {f.subject for f in findings} == {"entra:policy:ro", "entra:policy:off"}
    assert all(f.severity is Severity.high for f in findings)
    assert all("no MFA policy is enabled" in f.message.en for f in findings)
