from datetime import UTC, datetime, timedelta

from mamori.audit.checks.signin_singlefactor_success import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import Evidence, SignIn

from builders import account, context

START = datetime(2025, 9, 1, 9, tzinfo=UTC)


def signin(name: str, n: int = 0, **values: object) -> SignIn:
    values.setdefault("success", True)
    values.setdefault("single_factor", True)
    values.setdefault("interactive", True)
    return SignIn(
        "entra",
        START + timedelta(hours=n),
        name,
        evidence=[Evidence("signins.json", f"value[{n}]", {"userPrincipalName": name})],
        **values,
    )


def test_password_only_admin_sign_ins_make_one_finding_with_count_and_times() -> None:
    admin = account("admin@contoso.example", roles=["Global Administrator"])
    ctx = context(
        [admin], signins=[signin("ADMIN@contoso.example", 2), signin("admin@contoso.example", 0)]
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed and outcome.examined == 1
    (finding,) = outcome.findings
    assert finding.subject == "entra:admin@contoso.example" and finding.severity is Severity.high
    assert finding.details["count"] == 2
    assert finding.details["first"] == START.isoformat()
    assert finding.details["last"] == (START + timedelta(hours=2)).isoformat()
    assert [e.file for e in finding.evidence] == ["entra.json", "signins.json", "signins.json"]
    assert "2" in finding.message.en and "admin@contoso.example" in finding.message.ja


def test_mfa_failed_non_interactive_and_ordinary_member_sign_ins_pass() -> None:
    admin = account("admin@contoso.example", roles=["Global Administrator"])
    member = account("user@contoso.example")
    signins = [
        signin("admin@contoso.example", single_factor=False),
        signin("admin@contoso.example", success=False),
        signin("admin@contoso.example", interactive=False),
        signin("user@contoso.example"),
    ]
    outcome = CHECK.run(context([admin, member], signins=signins))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_without_sign_in_logs_or_accounts_it_is_not_applicable() -> None:
    outcome = CHECK.run(context([account("admin@contoso.example", roles=["Global Administrator"])]))
    assert outcome.outcome is Outcome.not_applicable and "sign-in log" in outcome.reason.en
    outcome = CHECK.run(context([], signins=[signin("a@x")]))
    assert outcome.outcome is Outcome.not_applicable and "user export" in outcome.reason.en


def test_guest_logged_under_home_upn_is_found_and_examples_are_capped() -> None:
    guest = account(
        "k.sato_partner.example#EXT#@contoso.onmicrosoft.com",
        id="U-G",
        user_type="guest",
        roles=["Global Administrator"],
    )
    signins = [signin("K.Sato@partner.example", n) for n in range(7)]
    (finding,) = CHECK.run(context([guest], signins=signins)).findings
    assert finding.subject == "entra:k.sato_partner.example#EXT#@contoso.onmicrosoft.com"
    assert finding.severity is Severity.critical
    assert finding.details["count"] == 7
    assert len([e for e in finding.evidence if e.file == "signins.json"]) == 5


def test_sign_in_resolved_by_object_id() -> None:
    vendor = account("v@contoso.example", id="6F1C-AB", employee_type="Vendor")
    (finding,) = CHECK.run(
        context([vendor], signins=[signin("renamed@contoso.example", account_id="6f1c-ab")])
    ).findings
    assert finding.subject == "entra:v@contoso.example"
