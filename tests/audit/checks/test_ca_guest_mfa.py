from mamori.audit.checks._policies import GUEST_TYPES
from mamori.audit.checks.ca_guest_mfa import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy, Group

from builders import account, context

GUEST = "k.sato_partner.example#EXT#@contoso.onmicrosoft.com"


def policy(pid: str, state: str = "enabled", **values: object) -> AccessPolicy:
    values.setdefault("grant_controls", ("mfa",))
    return AccessPolicy("entra", pid, f"P {pid}", state, **values)


def guest():
    return account(GUEST, id="U-G", user_type="guest")


def test_members_only_policy_leaves_tenant_and_guest_uncovered() -> None:
    groups = [Group("entra", "G-STAFF", "Staff", members=["U-E"])]
    accounts = [guest(), account("e@contoso.example", id="U-E")]
    outcome = CHECK.run(
        context(accounts, policies=[policy("staff", include_groups=("G-STAFF",))], groups=groups)
    )
    assert outcome.outcome is Outcome.failed and outcome.examined == 2
    findings = {f.subject: f for f in outcome.findings}
    assert set(findings) == {"entra:tenant:guests", f"entra:{GUEST}"}
    assert findings[f"entra:{GUEST}"].severity is Severity.high


def test_all_users_policy_covers_guests() -> None:
    outcome = CHECK.run(context([guest()], policies=[policy("all", include_users=("All",))]))
    assert outcome.outcome is Outcome.passed and outcome.examined == 2


def test_no_policy_export_is_not_applicable() -> None:
    assert CHECK.run(context([guest()])).outcome is Outcome.not_applicable


def test_all_six_guest_types_cover_five_do_not() -> None:
    six = policy("six", include_guest_types=GUEST_TYPES)
    assert CHECK.run(context([guest()], policies=[six])).outcome is Outcome.passed
    five = policy("five", include_guest_types=GUEST_TYPES[:-1])
    (finding,) = CHECK.run(context([guest()], policies=[five])).findings
    assert finding.subject == "entra:tenant:guests"


def test_excluding_guests_or_report_only_is_no_cover_and_contractor_admin_is_critical() -> None:
    contractor = account(
        "c@contoso.example", id="U-C", employee_type="業務委託", roles=["Global Administrator"]
    )
    policies = [
        policy("all", include_users=("All",), exclude_users=("GuestsOrExternalUsers", "U-C")),
        policy(
            "guests", "enabledForReportingButNotEnforced", include_users=("GuestsOrExternalUsers",)
        ),
    ]
    findings = {
        f.subject: f for f in CHECK.run(context([guest(), contractor], policies=policies)).findings
    }
    assert set(findings) == {"entra:tenant:guests", f"entra:{GUEST}", "entra:c@contoso.example"}
    assert findings["entra:c@contoso.example"].severity is Severity.critical


def test_disabled_external_accounts_are_ignored() -> None:
    gone = account(GUEST, id="U-G", user_type="guest", enabled=False)
    outcome = CHECK.run(
        context([gone], policies=[policy("guests", include_users=("GuestsOrExternalUsers",))])
    )
    assert outcome.outcome is Outcome.passed and outcome.examined == 1
