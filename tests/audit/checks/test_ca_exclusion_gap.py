from mamori.audit.checks.ca_exclusion_gap import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy, Group

from builders import account, context


def policy(pid: str, state: str = "enabled", **values: object) -> AccessPolicy:
    values.setdefault("grant_controls", ("mfa",))
    return AccessPolicy("entra", pid, f"MFA {pid}", state, **values)


def vendor():
    return account("v@partner.example", id="U-V", employee_type="Vendor")


def test_account_excluded_from_the_only_mfa_policy_is_a_gap() -> None:
    ctx = context(
        [vendor()], policies=[policy("all", include_users=("All",), exclude_users=("U-V",))]
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed and outcome.examined == 1
    (finding,) = outcome.findings
    assert finding.subject == "entra:v@partner.example"
    assert finding.severity is Severity.high
    assert "MFA all" in finding.message.en and "v@partner.example" in finding.message.ja


def test_exclusion_covered_by_another_policy_through_a_group_passes() -> None:
    groups = [Group("entra", "G-V", "Vendors", members=["U-V"])]
    policies = [
        policy("all", include_users=("All",), exclude_users=("U-V",)),
        policy("vendors", include_groups=("G-V",)),
    ]
    outcome = CHECK.run(context([vendor()], policies=policies, groups=groups))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_no_policy_or_user_export_is_not_applicable() -> None:
    assert CHECK.run(context([vendor()])).outcome is Outcome.not_applicable
    outcome = CHECK.run(context([], policies=[policy("all", include_users=("All",))]))
    assert outcome.outcome is Outcome.not_applicable
    assert "user export" in outcome.reason.en


def test_report_only_cover_does_not_count_and_nested_exclusion_wins() -> None:
    admin = account(
        "v@partner.example", id="U-V", employee_type="Vendor", roles=["Global Administrator"]
    )
    groups = [
        Group("entra", "G-EX", "CA-Exclude", members=["G-NESTED"]),
        Group("entra", "G-NESTED", "Vendor ops", members=["U-V"]),
    ]
    policies = [
        policy("all", include_users=("All",), exclude_groups=("G-EX",)),
        policy("admins", include_roles=("Global Administrator",), exclude_groups=("G-EX",)),
        policy("draft", "enabledForReportingButNotEnforced", include_users=("U-V",)),
    ]
    (finding,) = CHECK.run(context([admin], policies=policies, groups=groups)).findings
    assert finding.severity is Severity.critical
    assert finding.details["excluded_from"] == ["MFA all", "MFA admins"]


def test_disabled_accounts_are_ignored() -> None:
    gone = account("old@partner.example", id="U-O", enabled=False)
    ctx = context([gone], policies=[policy("all", include_users=("All",), exclude_users=("U-O",))])
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.passed and outcome.examined == 0
