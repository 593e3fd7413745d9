from datetime import date, timedelta

from mamori.audit.checks.vendor_contract_ended import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Contract, Vendor, VendorRegistry

from builders import AS_OF, account, context

YESTERDAY = AS_OF.date() - timedelta(days=1)


def registry(end: date | None) -> VendorRegistry:
    vendor = Vendor(id="acme", name="Acme", contract=Contract(end=end), accounts=["*@acme.example"])
    return VendorRegistry([vendor], source="vendors.yaml")


def test_an_ended_contract_with_enabled_accounts_is_a_finding() -> None:
    accounts = [account("a@acme.example"), account("b@acme.example", enabled=False)]
    outcome = run(context(accounts, vendors=registry(YESTERDAY)))
    (finding,) = outcome.findings
    assert finding.subject == "vendor:acme"
    assert finding.severity is Severity.high
    assert finding.details["enabled_accounts"] == ["entra:a@acme.example"]
    assert "2025-09-30" in finding.message.en and "2025-09-30" in finding.message.ja


def test_a_privileged_account_after_the_contract_is_critical() -> None:
    accounts = [account("adm@acme.example", roles=["Global Administrator"])]
    (finding,) = run(context(accounts, vendors=registry(YESTERDAY))).findings
    assert finding.severity is Severity.critical
    assert finding.details["privileged_accounts"] == ["entra:adm@acme.example"]


def test_the_last_contract_day_and_disabled_accounts_pass() -> None:
    on_the_day = run(context([account("a@acme.example")], vendors=registry(AS_OF.date())))
    assert on_the_day.outcome is Outcome.passed
    disabled = run(context([account("a@acme.example", enabled=False)], vendors=registry(YESTERDAY)))
    assert disabled.outcome is Outcome.passed
    assert disabled.examined == 1


def test_not_applicable_without_registry_or_contract_ends() -> None:
    assert run(context([account("a@acme.example")])).outcome is Outcome.not_applicable
    outcome = run(context([account("a@acme.example")], vendors=registry(None)))
    assert outcome.outcome is Outcome.not_applicable
    assert "contract.end" in outcome.reason.en and outcome.reason.ja
