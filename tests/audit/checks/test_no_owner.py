from mamori.audit.checks.no_owner import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Vendor, VendorRegistry

from builders import account, context

OWNED = account("emp@x", manager="boss@x")
"""A member with a manager: proves this Entra export carries manager/sponsors."""


def registry(*vendors: Vendor) -> VendorRegistry:
    return VendorRegistry(list(vendors), source="vendors.yaml")


def test_a_guest_with_neither_sponsor_nor_manager_is_a_finding() -> None:
    guest = account("k_p.jp#EXT#@t.example", user_type="guest")
    outcome = run(context([OWNED, guest]))
    (finding,) = outcome.findings
    assert finding.subject == "entra:k_p.jp#EXT#@t.example"
    assert finding.severity is Severity.medium
    assert "no sponsor and no manager" in finding.message.en and finding.message.ja


def test_sponsored_and_managed_external_accounts_pass() -> None:
    accounts = [
        OWNED,
        account("g_p.jp#EXT#@t.example", user_type="guest", sponsors=("boss@x",)),
        account("c@p.jp", employee_type="Contractor", manager="boss@x"),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 2


def test_a_vendor_account_is_owned_by_contract_only_when_its_vendor_has_a_contact() -> None:
    vendors = registry(
        Vendor(id="acme", name="Acme", contact="yamada@acme.example", accounts=["*@acme.example"]),
        Vendor(id="beta", name="Beta", accounts=["*@beta.example"]),
    )
    accounts = [
        OWNED,
        account("a@acme.example"),
        account("b@beta.example", roles=["User Administrator"]),
    ]
    outcome = run(context(accounts, vendors=vendors))
    (finding,) = outcome.findings
    assert finding.subject == "entra:b@beta.example"
    assert finding.severity is Severity.high
    assert "vendor beta has no contact" in finding.message.en
    assert finding.details["vendors"] == ["beta"]


def test_a_vendor_contact_owns_accounts_even_where_the_export_has_no_owner_data() -> None:
    vendors = registry(Vendor(id="acme", name="Acme", contact="y@acme", accounts=["aws:acme-*"]))
    outcome = run(context([account("acme-ops", source="aws")], vendors=vendors))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_disabled_accounts_and_unknown_sources_are_not_counted() -> None:
    accounts = [
        OWNED,
        account("old_p.jp#EXT#@t.example", user_type="guest", enabled=False),
        account("c", source="okta", employee_type="Contractor"),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.not_applicable


def test_not_applicable_when_no_export_gives_owners() -> None:
    outcome = run(context([account("k_p.jp#EXT#@t.example", user_type="guest")]))
    assert outcome.outcome is Outcome.not_applicable
    assert "sponsors" in outcome.reason.en and outcome.reason.ja
