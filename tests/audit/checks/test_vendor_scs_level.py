from datetime import timedelta

from mamori.audit.checks.vendor_scs_level import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.vendors import EvidenceItem, Obligations, Vendor, VendorRegistry

from builders import AS_OF, account, context

TODAY = AS_OF.date()


def registry(**values) -> VendorRegistry:
    values.setdefault("accounts", ["*@acme.example"])
    return VendorRegistry([Vendor(id="acme", name="Acme", **values)], source="vendors.yaml")


def test_a_claimed_level_below_the_required_one_is_high() -> None:
    vendors = registry(obligations=Obligations(scs_level_required=4), scs_level_claimed=3)
    (finding,) = run(context([], vendors=vendors)).findings
    assert finding.subject == "vendor:acme"
    assert finding.severity is Severity.high
    assert "requires ★4 but only ★3" in finding.message.en and "★4" in finding.message.ja


def test_no_claim_at_all_against_a_requirement_is_medium() -> None:
    vendors = registry(obligations=Obligations(scs_level_required=3))
    (finding,) = run(context([], vendors=vendors)).findings
    assert finding.severity is Severity.medium
    assert "no level is claimed" in finding.message.en


def test_expired_and_expiring_evidence() -> None:
    evidence = [
        EvidenceItem(name="★3 自己宣言", expires=TODAY - timedelta(days=1)),
        EvidenceItem(name="ISMS", expires=TODAY + timedelta(days=30)),
        EvidenceItem(name="audit", expires=TODAY + timedelta(days=31)),
    ]
    (finding,) = run(context([], vendors=registry(evidence=evidence))).findings
    assert finding.severity is Severity.medium
    assert "'★3 自己宣言' expired on 2025-09-30" in finding.message.en
    assert "'ISMS' expires on 2025-10-31" in finding.message.en
    assert "audit" not in finding.message.en


def test_an_enabled_account_answers_reach_from_the_data_and_star4_is_needed() -> None:
    vendors = registry(
        obligations=Obligations(scs_level_required=3),
        scs_level_claimed=3,
        reaches_internal_systems=False,
    )
    accounts = [
        account("k@acme.example"),
        account("adm@acme.example", roles=["Global Administrator"]),
    ]
    (finding,) = run(context(accounts, vendors=vendors)).findings
    assert finding.severity is Severity.high
    reach = finding.details["star4_questions"]["reaches_internal_systems"]
    assert reach["answer"] is True and reach["strong"] is True
    assert reach["basis"] == "data: 2 enabled account(s), 1 privileged (the registry declares no)"
    assert finding.details["star4_needed"] is True
    assert "can reach internal systems" in finding.message.en


def test_declared_answers_are_used_when_the_data_shows_no_account() -> None:
    vendors = registry(handles_important_data=True, reaches_internal_systems=None)
    accounts = [account("old@acme.example", enabled=False)]
    (finding,) = run(context(accounts, vendors=vendors)).findings
    assert finding.severity is Severity.medium
    answers = finding.details["star4_questions"]
    assert answers["important_data"] == {"answer": True, "basis": "declared", "strong": False}
    assert answers["reaches_internal_systems"]["answer"] is None


def test_star4_claimed_but_not_in_the_contract_is_low() -> None:
    vendors = registry(outage_unacceptable=True, scs_level_claimed=4)
    (finding,) = run(context([], vendors=vendors)).findings
    assert finding.severity is Severity.low
    assert "does not require it" in finding.message.en


def test_a_vendor_meeting_everything_passes() -> None:
    vendors = registry(
        obligations=Obligations(scs_level_required=4),
        scs_level_claimed=4,
        evidence=[EvidenceItem(name="★4", expires=TODAY + timedelta(days=200))],
    )
    outcome = run(context([account("k@acme.example")], vendors=vendors))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_registry() -> None:
    outcome = run(context([]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
