from mamori.audit.checks.vendor_mfa_obligation import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import Obligations, Vendor, VendorRegistry

from builders import account, context


def acme(**values) -> Vendor:
    values.setdefault("obligations", Obligations(mfa_all_accounts=True))
    return Vendor(id="acme", name="Acme", accounts=["*@acme.example"], **values)


def registry(*vendors: Vendor) -> VendorRegistry:
    return VendorRegistry(list(vendors), source="vendors.yaml")


def test_contract_says_mfa_but_two_of_three_accounts_have_none() -> None:
    accounts = [
        account("a@acme.example", mfa=True),
        account("b@acme.example", mfa=False),
        account("c@acme.example", mfa=False),
    ]
    outcome = run(context(accounts, vendors=registry(acme())))
    (finding,) = outcome.findings
    assert finding.subject == "vendor:acme" and finding.subject_kind == "vendor"
    assert finding.severity is Severity.high
    assert "2 of its 3 accounts" in finding.message.en
    assert "3 件中 2 件" in finding.message.ja
    assert finding.details["without_mfa"] == ["entra:b@acme.example", "entra:c@acme.example"]
    registry_entry, *records = finding.evidence
    assert (registry_entry.file, registry_entry.position) == ("vendors.yaml", "vendors[0]")
    assert registry_entry.record["obligations"] == {"mfa_all_accounts": True}
    assert [r.position for r in records] == ["value[b@acme.example]", "value[c@acme.example]"]


def test_a_privileged_account_without_mfa_makes_it_critical() -> None:
    accounts = [account("adm@acme.example", mfa=False, roles=["Global Administrator"])]
    (finding,) = run(context(accounts, vendors=registry(acme()))).findings
    assert finding.severity is Severity.critical


def test_all_accounts_with_mfa_pass_and_disabled_ones_do_not_count() -> None:
    accounts = [
        account("a@acme.example", mfa=True),
        account("old@acme.example", mfa=False, enabled=False),
    ]
    outcome = run(context(accounts, vendors=registry(acme())))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_an_account_matched_by_two_vendors_counts_for_both() -> None:
    beta = Vendor(
        id="beta",
        name="Beta",
        accounts=["shared@acme.example"],
        obligations=Obligations(mfa_all_accounts=True),
    )
    outcome = run(
        context([account("shared@acme.example", mfa=False)], vendors=registry(acme(), beta))
    )
    assert sorted(f.subject for f in outcome.findings) == ["vendor:acme", "vendor:beta"]


def test_vendors_with_unknown_mfa_are_not_counted() -> None:
    accounts = [account("a@acme.example", mfa=True), account("b@acme.example")]
    outcome = run(context(accounts, vendors=registry(acme())))
    assert outcome.outcome is Outcome.not_applicable


def test_not_applicable_without_registry_or_obligation() -> None:
    accounts = [account("b@acme.example", mfa=False)]
    no_registry = run(context(accounts))
    assert no_registry.outcome is Outcome.not_applicable
    assert "--vendors" in no_registry.reason.en and no_registry.reason.ja
    silent = run(context(accounts, vendors=registry(acme(obligations=Obligations()))))
    assert silent.outcome is Outcome.not_applicable
    assert "mfa_all_accounts" in silent.reason.en
