from mamori.audit.checks.ad_admin_exposure import run
from mamori.audit.findings import Outcome, Severity

from builders import account, context

SAFE = {
    "service_principal_names": [],
    "trusted_for_delegation": False,
    "trusted_to_auth_for_delegation": False,
    "not_delegated": True,
    "preauth_not_required": False,
    "protected_users": True,
}


def ad_admin(name: str, enabled: bool = True, **attributes):
    return account(
        name, source="ad", is_admin=True, enabled=enabled, attributes={**SAFE, **attributes}
    )


def test_a_kerberoastable_admin_is_critical() -> None:
    outcome = run(context([ad_admin("svc-sql", service_principal_names=["MSSQLSvc/db01:1433"])]))
    (finding,) = outcome.findings
    assert finding.severity is Severity.critical
    assert finding.details["exposures"] == ["kerberoastable"]
    assert "Kerberoast" in finding.message.en and "Kerberoasting" in finding.message.ja


def test_all_exposures_of_an_account_are_one_finding() -> None:
    admin = ad_admin(
        "adm",
        preauth_not_required=True,
        trusted_for_delegation=True,
        trusted_to_auth_for_delegation=True,
        protected_users=False,
        not_delegated=False,
    )
    (finding,) = run(context([admin])).findings
    assert finding.details["exposures"] == [
        "asrep_roastable",
        "unconstrained_delegation",
        "protocol_transition",
        "not_protected_users",
        "delegable",
    ]
    assert finding.severity is Severity.critical


def test_protected_users_already_blocks_delegation() -> None:
    outcome = run(context([ad_admin("adm", not_delegated=False)]))
    assert outcome.outcome is Outcome.passed


def test_missing_keys_are_unknown_not_exposures() -> None:
    admin = account("adm", source="ad", is_admin=True, attributes={"protected_users": False})
    (finding,) = run(context([admin])).findings
    assert finding.details["exposures"] == ["not_protected_users"]
    assert finding.severity is Severity.medium


def test_hardened_admins_pass_and_disabled_krbtgt_is_ignored() -> None:
    accounts = [
        ad_admin("adm"),
        ad_admin("krbtgt", service_principal_names=["kadmin/changepw"], enabled=False),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_the_ad_attributes() -> None:
    outcome = run(context([account("adm", source="ad", is_admin=True)]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
