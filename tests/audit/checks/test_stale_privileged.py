from datetime import timedelta

from mamori.audit.checks.stale_privileged import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import Credential

from builders import AS_OF, account, context

ADMIN = ["Global Administrator"]


def ago(days: int):
    return AS_OF - timedelta(days=days)


def test_an_idle_admin_is_judged_by_the_stricter_limit() -> None:
    outcome = run(context([account("adm@x", roles=ADMIN, last_sign_in=ago(46))]))
    (finding,) = outcome.findings
    assert finding.severity is Severity.high
    assert "46 days" in finding.message.en


def test_the_boundary_day_and_recent_admins_pass() -> None:
    accounts = [
        account("a@x", roles=ADMIN, last_sign_in=ago(45)),
        account("b@x", is_admin=True, last_sign_in=ago(1)),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 2


def test_only_privileged_accounts_are_examined() -> None:
    accounts = [
        account("user@x", last_sign_in=ago(80)),
        account("adm@x", roles=ADMIN, last_sign_in=ago(2)),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_an_admin_key_unused_past_the_stricter_limit_is_a_finding() -> None:
    key = Credential("access_key", "AKIA1", active=True, last_rotated=ago(60), last_used=ago(50))
    ops = account("ops", source="aws", is_admin=True, password_enabled=False, credentials=[key])
    outcome = run(context([ops]))
    (finding,) = outcome.findings
    assert finding.subject == "aws:ops/access_key/AKIA1"
    assert "not been used for 50 days" in finding.message.en
    assert "rotated" not in finding.message.en


def test_not_applicable_without_activity_data() -> None:
    outcome = run(context([account("adm@x", roles=ADMIN)]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
