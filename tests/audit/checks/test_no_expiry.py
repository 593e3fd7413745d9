from datetime import date, timedelta

from mamori.audit.checks.no_expiry import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Contract, Vendor, VendorRegistry

from builders import AS_OF, account, context


def with_leave_field(made):
    """As the Entra reader keeps it: the raw record has employeeLeaveDateTime (null)."""
    made.evidence[0].record["employeeLeaveDateTime"] = made.end_date
    return made


def vendor(end: date) -> VendorRegistry:
    return VendorRegistry(
        [Vendor(id="acme", name="Acme", contract=Contract(end=end), accounts=["*@acme.example"])],
        source="vendors.yaml",
    )


def test_an_external_account_without_an_end_date_is_a_finding() -> None:
    outcome = run(context([with_leave_field(account("c@p.jp", employee_type="Contractor"))]))
    (finding,) = outcome.findings
    assert finding.severity is Severity.medium
    assert "no end date" in finding.message.en and "終了日" in finding.message.ja


def test_external_accounts_with_a_future_end_pass_and_members_are_not_judged() -> None:
    accounts = [
        with_leave_field(
            account("c@p.jp", employee_type="Contractor", end_date=AS_OF + timedelta(days=30))
        ),
        with_leave_field(account("emp@x")),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_an_end_date_passed_while_enabled_is_a_finding_except_in_ad_which_enforces_it() -> None:
    past = AS_OF - timedelta(days=1)
    accounts = [
        account("c@p.jp", employee_type="Contractor", end_date=past),
        account("ksato", source="ad", employee_type="Contractor", end_date=past),
    ]
    outcome = run(context(accounts))
    (finding,) = outcome.findings
    assert finding.subject == "entra:c@p.jp"
    assert finding.severity is Severity.high
    assert "still enabled after its end date" in finding.message.en


def test_ad_never_expiring_contractors_are_findings() -> None:
    outcome = run(context([account("ksato", source="ad", employee_type="業務委託")]))
    assert [f.subject for f in outcome.findings] == ["ad:ksato"]


def test_a_vendor_contract_ended_yesterday_makes_its_enabled_admin_critical() -> None:
    accounts = [
        account("adm@acme.example", roles=["Global Administrator"]),
        account("op@acme.example"),
        account("gone@acme.example", enabled=False),
    ]
    outcome = run(context(accounts, vendors=vendor(AS_OF.date() - timedelta(days=1))))
    severities = {f.subject: f.severity for f in outcome.findings}
    assert severities == {
        "entra:adm@acme.example": Severity.critical,
        "entra:op@acme.example": Severity.high,
    }
    assert "ended on 2025-09-30" in outcome.findings[0].message.en


def test_the_contract_end_day_itself_is_still_covered() -> None:
    outcome = run(context([account("op@acme.example")], vendors=vendor(AS_OF.date())))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_end_dates_or_contracts() -> None:
    outcome = run(context([account("c@p.jp", employee_type="Contractor")]))
    assert outcome.outcome is Outcome.not_applicable
    assert "employeeLeaveDateTime" in outcome.reason.en and outcome.reason.ja
