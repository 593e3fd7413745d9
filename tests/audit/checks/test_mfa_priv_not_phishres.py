from mamori.audit.checks.mfa_priv_not_phishres import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import Mfa

from builders import account, context

PUSH_ONLY = Mfa(
    registered=True, capable=True, methods=("microsoftAuthenticatorPush",), phishing_resistant=False
)
FIDO2 = Mfa(registered=True, capable=True, methods=("fido2",), phishing_resistant=True)


def test_admin_with_only_push_approval_is_a_finding() -> None:
    admin = account("admin@contoso.example", roles=["Global Administrator"], mfa=PUSH_ONLY)
    outcome = CHECK.run(context([admin]))
    assert outcome.outcome is Outcome.failed
    (finding,) = outcome.findings
    assert finding.subject == "entra:admin@contoso.example"
    assert finding.severity is Severity.high
    assert "microsoftAuthenticatorPush" in finding.message.en
    assert "admin@contoso.example" in finding.message.ja


def test_admin_with_fido2_passes() -> None:
    admin = account("admin@contoso.example", roles=["Global Administrator"], mfa=FIDO2)
    outcome = CHECK.run(context([admin]))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_unknown_methods_are_not_applicable_not_a_pass() -> None:
    admin = account("admin@contoso.example", roles=["Global Administrator"], mfa=True)
    outcome = CHECK.run(context([admin, account("user@contoso.example", mfa=PUSH_ONLY)]))
    assert outcome.outcome is Outcome.not_applicable
    assert "methodsRegistered" in outcome.reason.en and outcome.reason.ja


def test_disabled_admins_keys_only_users_and_non_admins_are_ignored() -> None:
    accounts = [
        account("old-admin@x", roles=["Global Administrator"], mfa=PUSH_ONLY, enabled=False),
        account(
            "deploy", "aws", roles=["AdministratorAccess"], mfa=PUSH_ONLY, password_enabled=False
        ),
        account("user@x", mfa=PUSH_ONLY),
        account("admin@x", roles=["Global Administrator"], mfa=FIDO2),
    ]
    outcome = CHECK.run(context(accounts))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1
