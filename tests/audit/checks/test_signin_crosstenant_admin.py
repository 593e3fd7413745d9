from datetime import UTC, datetime, timedelta

from mamori.audit.checks.signin_crosstenant_admin import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import Evidence, SignIn

from builders import account, context

START = datetime(2025, 9, 1, 9, tzinfo=UTC)


def signin(name: str, app: str = "Azure Portal", n: int = 0, **values: object) -> SignIn:
    values.setdefault("success", True)
    values.setdefault("single_factor", False)
    return SignIn(
        "entra",
        START + timedelta(hours=n),
        name,
        application=app,
        evidence=[Evidence("signins.json", f"value[{n}]", {})],
        **values,
    )


def test_service_provider_technician_in_the_azure_portal_is_a_finding() -> None:
    signins = [
        signin("tech@msp.example", n=0, cross_tenant_access_type="serviceProvider"),
        signin(
            "TECH@msp.example",
            "Exchange Admin Center",
            1,
            cross_tenant_access_type="serviceProvider",
        ),
    ]
    outcome = CHECK.run(context([], signins=signins))
    assert outcome.outcome is Outcome.failed and outcome.examined == 2
    (finding,) = outcome.findings
    assert finding.subject == "entra:tech@msp.example" and finding.severity is Severity.high
    assert finding.details["applications"] == ["Azure Portal", "Exchange Admin Center"]
    assert finding.details["count"] == 2
    assert "serviceProvider" in finding.message.en and "tech@msp.example" in finding.message.ja


def test_guests_in_user_apps_and_members_in_admin_apps_pass() -> None:
    signins = [
        signin("k.sato@partner.example", "Microsoft Teams", user_type="guest"),
        signin("admin@contoso.example", user_type="member", cross_tenant_access_type="none"),
        signin("k.sato@partner.example", success=False, user_type="guest"),
    ]
    outcome = CHECK.run(context([], signins=signins))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_without_sign_in_logs_it_is_not_applicable() -> None:
    assert CHECK.run(context([account("a@x")])).outcome is Outcome.not_applicable


def test_guest_account_resolved_via_home_upn_and_password_only_is_critical() -> None:
    guest = account("k.sato_partner.example#EXT#@contoso.onmicrosoft.com", user_type="guest")
    signins = [
        signin(
            "k.sato@partner.example",
            app="",
            resource="microsoft graph command line tools",
            cross_tenant_access_type="b2bCollaboration",
            single_factor=True,
        )
    ]
    (finding,) = CHECK.run(context([guest], signins=signins)).findings
    assert finding.subject == "entra:k.sato_partner.example#EXT#@contoso.onmicrosoft.com"
    assert finding.severity is Severity.critical
    assert "guest" in finding.tags
