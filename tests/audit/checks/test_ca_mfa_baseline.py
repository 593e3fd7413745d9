from mamori.audit.checks.ca_mfa_baseline import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy

from builders import context


def policy(pid: str, state: str = "enabled", apps: tuple[str, ...] = ("All",), **values: object):
    values.setdefault("grant_controls", ("mfa",))
    return AccessPolicy(
        "entra", pid, f"P {pid}", state, include_users=("All",), include_applications=apps, **values
    )


def test_tenant_without_policies_fails_once_for_the_tenant() -> None:
    outcome = CHECK.run(context(coverage={"entra": {"policies"}}))
    assert outcome.outcome is Outcome.failed
    (finding,) = outcome.findings
    assert finding.subject == "entra:tenant" and finding.severity is Severity.high
    assert finding.message.ja and finding.message.en


def test_enabled_all_users_all_apps_policy_passes_even_with_authentication_strength() -> None:
    strength = policy("base", grant_controls=(), authentication_strength="Phishing-resistant MFA")
    outcome = CHECK.run(context(policies=[strength]))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_no_policy_export_is_not_applicable() -> None:
    assert CHECK.run(context()).outcome is Outcome.not_applicable


def test_office_only_or_report_only_baselines_do_not_count() -> None:
    policies = [
        policy("office", apps=("Office365",)),
        policy("draft", "enabledForReportingButNotEnforced"),
    ]
    (finding,) = CHECK.run(context(policies=policies)).findings
    assert finding.details["report_only_candidates"] == ["P draft"]
    assert "P draft" in finding.message.en
