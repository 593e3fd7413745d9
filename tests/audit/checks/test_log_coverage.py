from datetime import timedelta

from mamori.audit.checks.log_coverage import CHECK
from mamori.audit.config import AuditConfig, Thresholds
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import SignIn

from builders import AS_OF, account, context


def signins(*days_ago: int) -> list[SignIn]:
    return [SignIn("entra", AS_OF - timedelta(days=d), "a@x", success=True) for d in days_ago]


def test_thirty_days_of_sign_ins_is_too_short() -> None:
    outcome = CHECK.run(context([account("a@x")], signins=signins(31, 1)))
    assert outcome.outcome is Outcome.failed and outcome.examined == 1
    (finding,) = outcome.findings
    assert finding.subject == "entra:signin-log" and finding.severity is Severity.medium
    assert finding.details["span_days"] == 30
    assert "30" in finding.message.en and "180" in finding.message.ja


def test_long_and_current_log_passes() -> None:
    outcome = CHECK.run(context([account("a@x")], signins=signins(200, 0)))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_nothing_supplied_is_not_applicable() -> None:
    assert CHECK.run(context([])).outcome is Outcome.not_applicable


def test_stale_export_and_source_without_logs_are_low() -> None:
    accounts = [account("a@x"), account("deploy", "aws")]
    findings = {
        f.subject: f for f in CHECK.run(context(accounts, signins=signins(200, 10))).findings
    }
    assert set(findings) == {"entra:signin-log", "aws:signin-log"}
    assert findings["entra:signin-log"].severity is Severity.low
    assert "not current" in findings["entra:signin-log"].message.en
    assert findings["aws:signin-log"].severity is Severity.low
    assert "cannot be verified" in findings["aws:signin-log"].message.en


def test_reader_window_and_configured_threshold_are_used() -> None:
    config = AuditConfig(thresholds=Thresholds(signin_log_required_days=400))
    ctx = context([account("a@x")], signins=signins(1), config=config)
    ctx.data.coverage.signin_window["entra"] = (AS_OF - timedelta(days=365), AS_OF)
    (finding,) = CHECK.run(ctx).findings
    assert finding.details["span_days"] == 365 and finding.details["required_days"] == 400


def test_empty_sign_in_export_is_reported() -> None:
    ctx = context([account("a@x")], coverage={"entra": {"users", "signins"}})
    (finding,) = CHECK.run(ctx).findings
    assert finding.subject == "entra:signin-log" and "no sign-ins" in finding.message.en
