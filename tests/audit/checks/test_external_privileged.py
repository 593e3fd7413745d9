from mamori.audit.checks.external_privileged import run
from mamori.audit.config import AuditConfig, Tagging
from mamori.audit.findings import Outcome, Severity

from builders import account, context

GA = ["Global Administrator"]


def test_the_askul_pattern_a_contractor_admin_without_mfa_is_critical() -> None:
    outcome = run(
        context([account("k.sato@p.jp", employee_type="Contractor", roles=GA, mfa=False)])
    )
    (finding,) = outcome.findings
    assert finding.severity is Severity.critical
    assert "Global Administrator" in finding.message.en
    assert "without MFA" in finding.message.en and "MFA なし" in finding.message.ja


def test_an_external_admin_with_mfa_or_unknown_mfa_is_still_high() -> None:
    accounts = [
        account("a_p.jp#EXT#@t.example", user_type="guest", roles=GA, mfa=True),
        account("b@p.jp", employee_type="Vendor", is_admin=True),
    ]
    outcome = run(context(accounts))
    assert [f.severity for f in outcome.findings] == [Severity.high, Severity.high]
    assert "unknown" in outcome.findings[1].message.en


def test_a_keys_only_aws_admin_cannot_sign_in_without_mfa() -> None:
    config = AuditConfig(tagging=Tagging(external_accounts=["aws:acme-*"]))
    ops = account(
        "acme-ops", source="aws", roles=["AdministratorAccess"], mfa=False, password_enabled=False
    )
    (finding,) = run(context([ops], config=config)).findings
    assert finding.severity is Severity.high
    assert "keys only" in finding.message.en


def test_member_admins_and_external_non_admins_pass() -> None:
    accounts = [
        account("adm@x", roles=GA, mfa=False),
        account("c@p.jp", employee_type="Contractor", is_admin=False),
        account("d@p.jp", employee_type="Contractor", roles=GA, enabled=False),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_external_accounts_or_role_data() -> None:
    outcome = run(context([account("c@p.jp", employee_type="Contractor")]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
