from datetime import timedelta

from mamori.audit.checks._accounts import MAX_DISTINCT_PER_DAY
from mamori.audit.checks.vendor_named_accounts import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import SignIn
from mamori.audit.vendors import Obligations, Vendor, VendorRegistry

from builders import AS_OF, account, context


def registry(named: bool | None = True) -> VendorRegistry:
    vendor = Vendor(
        id="acme",
        name="Acme",
        accounts=["*@acme.example", "aws:acme-*"],
        obligations=Obligations(named_accounts_only=named),
    )
    return VendorRegistry([vendor], source="vendors.yaml")


def test_shared_looking_and_unlinked_accounts_break_the_clause() -> None:
    accounts = [
        account("hoshu@acme.example"),
        account("acme-deploy", source="aws"),
        account("k.sato@acme.example"),
    ]
    outcome = run(context(accounts, vendors=registry()))
    (finding,) = outcome.findings
    assert finding.subject == "vendor:acme"
    assert finding.severity is Severity.medium
    assert set(finding.details["accounts"]) == {"entra:hoshu@acme.example", "aws:acme-deploy"}
    assert finding.details["accounts"]["aws:acme-deploy"] == {"no_person": True}
    assert "linked to no person" in finding.message.en
    assert "どの個人にも紐付きません" in finding.message.ja


def test_a_crowded_day_breaks_it_too_and_privilege_raises_it() -> None:
    moment = AS_OF - timedelta(days=1)
    logs = [
        SignIn("entra", moment, "k.sato@acme.example", ip_address=f"198.51.100.{n}", success=True)
        for n in range(MAX_DISTINCT_PER_DAY + 1)
    ]
    accounts = [account("k.sato@acme.example", roles=["Global Administrator"])]
    (finding,) = run(context(accounts, signins=logs, vendors=registry())).findings
    assert finding.severity is Severity.high
    assert "crowded_day" in finding.details["accounts"]["entra:k.sato@acme.example"]


def test_personal_accounts_and_an_aws_user_linked_to_its_person_pass() -> None:
    accounts = [
        account("k.sato@acme.example"),
        account("k.sato", source="aws", id="arn:aws:iam::1:user/k.sato"),
        account("acme-old", source="aws", enabled=False),
    ]
    vendors = VendorRegistry(
        [
            Vendor(
                id="acme",
                name="Acme",
                accounts=["*@acme.example", "aws:k.sato", "aws:acme-*"],
                obligations=Obligations(named_accounts_only=True),
            )
        ],
        source="vendors.yaml",
    )
    outcome = run(context(accounts, vendors=vendors))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_registry_or_clause() -> None:
    assert run(context([account("ops@acme.example")])).outcome is Outcome.not_applicable
    outcome = run(context([account("ops@acme.example")], vendors=registry(None)))
    assert outcome.outcome is Outcome.not_applicable
    assert "named_accounts_only" in outcome.reason.en and outcome.reason.ja
