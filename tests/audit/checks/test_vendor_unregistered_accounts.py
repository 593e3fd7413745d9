from mamori.audit.checks.vendor_unregistered_accounts import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Vendor, VendorRegistry

from builders import account, context

REGISTRY = VendorRegistry(
    [Vendor(id="acme", name="Acme", accounts=["*@acme.example"])], source="vendors.yaml"
)


def test_external_accounts_of_no_vendor_are_findings_by_risk() -> None:
    accounts = [
        account("c@beta.example", employee_type="Contractor", company="Beta 株式会社"),
        account("g_gamma.jp#EXT#@t.example", user_type="guest"),
        account("adm_delta.jp#EXT#@t.example", user_type="guest", roles=["Global Administrator"]),
        account("k@acme.example", employee_type="Contractor"),
    ]
    outcome = run(context(accounts, vendors=REGISTRY))
    by_subject = {f.subject: f for f in outcome.findings}
    assert {s: f.severity for s, f in by_subject.items()} == {
        "entra:c@beta.example": Severity.medium,
        "entra:g_gamma.jp#EXT#@t.example": Severity.low,
        "entra:adm_delta.jp#EXT#@t.example": Severity.high,
    }
    assert outcome.examined == 4
    guest = by_subject["entra:g_gamma.jp#EXT#@t.example"]
    assert guest.details["domain"] == "gamma.jp"
    assert "gamma.jp" in guest.message.en and "gamma.jp" in guest.message.ja
    assert "Beta 株式会社" in by_subject["entra:c@beta.example"].message.en


def test_registered_members_and_disabled_accounts_pass() -> None:
    accounts = [
        account("k@acme.example"),
        account("emp@x.example"),
        account("c@beta.example", employee_type="Contractor", enabled=False),
    ]
    outcome = run(context(accounts, vendors=REGISTRY))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_registry_or_external_accounts() -> None:
    contractor = account("c@beta.example", employee_type="Contractor")
    assert run(context([contractor])).outcome is Outcome.not_applicable
    outcome = run(context([account("emp@x.example")], vendors=REGISTRY))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
