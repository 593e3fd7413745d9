from mamori.audit.checks.hybrid_privileged import run
from mamori.audit.findings import Outcome, Severity

from builders import account, context

GA = ["Global Administrator"]


def test_a_synced_cloud_admin_is_a_finding() -> None:
    outcome = run(context([account("adm@x", roles=GA, synced_from_on_premises=True)]))
    (finding,) = outcome.findings
    assert finding.severity is Severity.high
    assert "synchronised from on-premises AD" in finding.message.en
    assert "オンプレミス AD" in finding.message.ja


def test_cloud_only_admins_and_synced_users_pass() -> None:
    accounts = [
        account("adm@x", roles=GA, synced_from_on_premises=False),
        account("user@x", synced_from_on_premises=True),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_ad_accounts_and_disabled_admins_are_not_cloud_admins() -> None:
    accounts = [
        account("adm", source="ad", is_admin=True, synced_from_on_premises=True),
        account("old@x", roles=GA, synced_from_on_premises=True, enabled=False),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.not_applicable


def test_not_applicable_without_sync_state() -> None:
    outcome = run(context([account("adm@x", roles=GA)]))
    assert outcome.outcome is Outcome.not_applicable
    assert "onPremisesSyncEnabled" in outcome.reason.en and outcome.reason.ja
