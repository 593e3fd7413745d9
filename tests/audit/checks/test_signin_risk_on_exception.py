from datetime import UTC, date, datetime

from mamori.audit.checks.signin_risk_on_exception import CHECK
from mamori.audit.exceptions import ExceptionEntry, Register
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy, Evidence, Group, SignIn

from builders import account, context

WHEN = datetime(2025, 9, 20, tzinfo=UTC)


def signin(name: str, **values: object) -> SignIn:
    return SignIn(
        "entra", WHEN, name, evidence=[Evidence("signins.json", "value[0]", {})], **values
    )


def mfa_policy(**values: object) -> AccessPolicy:
    return AccessPolicy(
        "entra",
        "p1",
        "MFA all",
        "enabled",
        include_users=("All",),
        grant_controls=("mfa",),
        **values,
    )


def test_leaked_credentials_on_an_mfa_excluded_account_is_a_finding() -> None:
    user = account("ops@contoso.example", id="U-O")
    ctx = context(
        [user],
        policies=[mfa_policy(exclude_users=("U-O",))],
        signins=[signin("ops@contoso.example", success=False, risk_events=("leakedCredentials",))],
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed and outcome.examined == 1
    (finding,) = outcome.findings
    assert finding.severity is Severity.high
    assert finding.details["exceptions"] == ["excluded: MFA all"]
    assert finding.details["leaked_credentials"] is True
    assert (
        "leaked credentials" in finding.message.en and "ops@contoso.example" in finding.message.ja
    )


def test_risky_sign_ins_off_exception_and_quiet_exceptions_pass() -> None:
    excepted = account("ops@contoso.example", id="U-O")
    ordinary = account("user@contoso.example", id="U-U")
    ctx = context(
        [excepted, ordinary],
        policies=[mfa_policy(exclude_users=("U-O",))],
        signins=[
            signin("user@contoso.example", risk_level="high"),
            signin("ops@contoso.example", risk_level="low"),
        ],
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_no_logs_or_no_risk_information_is_not_applicable() -> None:
    assert CHECK.run(context([account("a@x")])).outcome is Outcome.not_applicable
    outcome = CHECK.run(context([account("a@x")], signins=[signin("a@x", risk_level="hidden")]))
    assert outcome.outcome is Outcome.not_applicable and "P2" in outcome.reason.en


def test_register_entry_for_any_check_puts_an_external_admin_on_exception() -> None:
    vendor = account(
        "v@partner.example", id="U-V", employee_type="Vendor", roles=["Global Administrator"]
    )
    entry = ExceptionEntry(
        id="EX-9",
        subject="v@partner.example",
        checks=["MFA-CONTRACTOR-MISSING"],
        expires=date(2026, 1, 1),
    )
    ctx = context(
        [vendor],
        signins=[signin("v@partner.example", risk_level="medium")],
        register=Register([entry], source="exceptions.yaml"),
    )
    (finding,) = CHECK.run(ctx).findings
    assert finding.severity is Severity.critical
    assert finding.details["exceptions"] == ["register: EX-9"]


def test_exclusion_through_a_group_counts() -> None:
    user = account("ops@contoso.example", id="U-O")
    ctx = context(
        [user],
        groups=[Group("entra", "G-X", "CA-Exclude", members=["U-O"])],
        policies=[mfa_policy(exclude_groups=("G-X",))],
        signins=[signin("ops@contoso.example", risk_level="High")],
    )
    assert CHECK.run(ctx).outcome is Outcome.failed
