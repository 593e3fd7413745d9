from datetime import timedelta

from mamori.audit.checks.ad_admin_pwd import run
from mamori.audit.findings import Outcome, Severity

from builders import AS_OF, account, context


def ad_admin(name: str, **values):
    return account(name, source="ad", is_admin=True, **values)


def test_a_never_expiring_admin_password_is_a_finding() -> None:
    outcome = run(context([ad_admin("adm-sato", password_never_expires=True)]))
    (finding,) = outcome.findings
    assert finding.severity is Severity.high
    assert "never expires" in finding.message.en and "無期限" in finding.message.ja


def test_an_old_password_is_a_finding_from_the_day_after_the_limit() -> None:
    accounts = [
        ad_admin("old", password_last_set=AS_OF - timedelta(days=366)),
        ad_admin("edge", password_last_set=AS_OF - timedelta(days=365)),
    ]
    outcome = run(context(accounts))
    (finding,) = outcome.findings
    assert finding.subject == "ad:old"
    assert "366 days" in finding.message.en


def test_both_problems_are_one_finding() -> None:
    admin = ad_admin(
        "adm", password_never_expires=True, password_last_set=AS_OF - timedelta(days=900)
    )
    (finding,) = run(context([admin])).findings
    assert "never expires" in finding.message.en and "900 days" in finding.message.en


def test_recent_passwords_pass_and_other_sources_or_users_are_ignored() -> None:
    accounts = [
        ad_admin("adm", password_never_expires=False, password_last_set=AS_OF - timedelta(days=10)),
        account("user", source="ad", password_never_expires=True),
        account("adm@x", is_admin=True, password_never_expires=True),
        ad_admin("off", password_never_expires=True, enabled=False),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_ad_password_data() -> None:
    outcome = run(context([ad_admin("adm")]))
    assert outcome.outcome is Outcome.not_applicable
    assert "pwdLastSet" in outcome.reason.en and outcome.reason.ja
