from datetime import date

from mamori.audit.checks.vendor_registry_validity import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Contract, Vendor, VendorRegistry

from builders import account, context


def vendor(vendor_id: str, patterns: list[str], **values) -> Vendor:
    values.setdefault("contact", f"contact@{vendor_id}.example")
    values.setdefault("contract", Contract(end=date(2026, 3, 31)))
    return Vendor(id=vendor_id, name=vendor_id.title(), accounts=patterns, **values)


def registry(*vendors: Vendor, invalid=()) -> VendorRegistry:
    return VendorRegistry(list(vendors), list(invalid), source="vendors.yaml")


def test_an_unreadable_entry_is_high() -> None:
    bad = ("vendors[1]", "name: Field required", {"id": "beta"})
    outcome = run(context([], vendors=registry(invalid=[bad])))
    (finding,) = outcome.findings
    assert finding.subject == "vendor:beta" and finding.severity is Severity.high
    assert "vendors[1]" in finding.message.en and "Field required" in finding.message.ja


def test_patterns_matching_nothing_are_a_finding() -> None:
    outcome = run(
        context([account("k@acme.example")], vendors=registry(vendor("acme", ["*@acme.co.jp"])))
    )
    (finding,) = outcome.findings
    assert finding.severity is Severity.medium
    assert "match no account" in finding.message.en


def test_an_account_matched_by_two_vendors_is_reported_on_both() -> None:
    vendors = registry(vendor("acme", ["*@acme.example"]), vendor("beta", ["ops@acme.example"]))
    outcome = run(context([account("ops@acme.example")], vendors=vendors))
    messages = {f.subject: f.message.en for f in outcome.findings}
    assert "entra:ops@acme.example also matches vendor beta" in messages["vendor:acme"]
    assert "entra:ops@acme.example also matches vendor acme" in messages["vendor:beta"]


def test_duplicate_ids_and_missing_contact_or_contract_end_in_one_finding() -> None:
    first = vendor("acme", ["*@acme.example"], contact=None, contract=Contract())
    outcome = run(context([account("k@acme.example")], vendors=registry(first, first)))
    (finding,) = outcome.findings
    assert finding.severity is Severity.medium
    assert finding.details["problems"] == [
        "its id is used 2 times",
        "it has no contact",
        "it has no contract end",
    ]


def test_a_complete_registry_passes() -> None:
    outcome = run(
        context([account("k@acme.example")], vendors=registry(vendor("acme", ["*@acme.example"])))
    )
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_registry() -> None:
    outcome = run(context([account("k@acme.example")]))
    assert outcome.outcome is Outcome.not_applicable
    assert "--vendors" in outcome.reason.en
