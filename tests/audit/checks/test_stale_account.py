from datetime import timedelta

from mamori.audit.checks.stale_account import run
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import Credential

from builders import AS_OF, account, context


def ago(days: int):
    return AS_OF - timedelta(days=days)


def test_an_account_idle_longer_than_stale_days_is_a_finding() -> None:
    outcome = run(context([account("k.sato@x", last_sign_in=ago(91))]))
    assert outcome.outcome is Outcome.failed
    (finding,) = outcome.findings
    assert finding.severity is Severity.medium
    assert finding.subject == "entra:k.sato@x"
    assert "91 days" in finding.message.en and "91 日間" in finding.message.ja


def test_recent_use_of_any_kind_passes() -> None:
    accounts = [
        account("a@x", last_sign_in=ago(200), last_activity=ago(3)),
        account("b@x", last_sign_in=ago(10)),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 2


def test_the_boundary_day_is_not_yet_stale() -> None:
    outcome = run(context([account("a@x", last_sign_in=ago(90))]))
    assert outcome.outcome is Outcome.passed


def test_external_accounts_are_watched_hardest() -> None:
    outcome = run(context([account("k@p", employee_type="Contractor", last_sign_in=ago(120))]))
    assert outcome.findings[0].severity is Severity.high


def test_never_used_accounts_count_from_creation_when_the_source_gives_activity() -> None:
    accounts = [
        account("used@x", last_sign_in=ago(1)),
        account("never@x", created=ago(120)),
        account("new@x", created=ago(10)),
    ]
    outcome = run(context(accounts))
    (finding,) = outcome.findings
    assert finding.subject == "entra:never@x"
    assert "never been used" in finding.message.en


def test_accounts_without_activity_data_are_not_counted_and_the_reason_says_so() -> None:
    accounts = [
        account("used@x", last_sign_in=ago(1)),
        account("u", source="gws", created=ago(500)),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1
    assert "1 without any activity data" in outcome.reason.en


def test_not_applicable_when_no_source_gives_activity() -> None:
    outcome = run(context([account("a@x", created=ago(500))]))
    assert outcome.outcome is Outcome.not_applicable
    assert "signInActivity" in outcome.reason.en and outcome.reason.ja


def test_disabled_and_privileged_accounts_are_left_out() -> None:
    accounts = [
        account("off@x", enabled=False, last_sign_in=ago(400)),
        account("adm@x", roles=["Global Administrator"], last_sign_in=ago(400)),
        account("on@x", last_sign_in=ago(1)),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_pending_guest_invitations_use_their_own_limit() -> None:
    accounts = [
        account(
            "old_p.jp#EXT#@t.example",
            user_type="guest",
            guest_state="PendingAcceptance",
            created=ago(31),
        ),
        account(
            "new_p.jp#EXT#@t.example",
            user_type="guest",
            guest_state="PendingAcceptance",
            created=ago(30),
        ),
    ]
    outcome = run(context(accounts))
    (finding,) = outcome.findings
    assert finding.subject == "entra:old_p.jp#EXT#@t.example"
    assert "31 days ago" in finding.message.en
    assert finding.severity is Severity.high


def test_a_resent_invitation_counts_from_its_last_state_change() -> None:
    guest = account(
        "p_p.jp#EXT#@t.example",
        user_type="guest",
        guest_state="PendingAcceptance",
        created=ago(200),
        attributes={"guest_state_changed": ago(5)},
    )
    assert run(context([guest])).outcome is Outcome.passed


def test_each_active_access_key_is_its_own_finding() -> None:
    keys = [
        Credential("access_key", "AKIAOLD", active=True, last_rotated=ago(200), last_used=ago(1)),
        Credential("access_key", "AKIANEVER", active=True, last_rotated=ago(100)),
        Credential("access_key", "AKIAOFF", active=False, last_rotated=ago(900)),
        Credential("access_key", "AKIAOK", active=True, last_rotated=ago(10), last_used=ago(2)),
    ]
    outcome = run(context([account("deploy", source="aws", credentials=keys)]))
    by_subject = {f.subject: f for f in outcome.findings}
    assert set(by_subject) == {"aws:deploy/access_key/AKIAOLD", "aws:deploy/access_key/AKIANEVER"}
    old = by_subject["aws:deploy/access_key/AKIAOLD"]
    assert "not been rotated for 200 days" in old.message.en
    assert "not been used" not in old.message.en
    never = by_subject["aws:deploy/access_key/AKIANEVER"]
    assert "never been used in the 100 days" in never.message.en
    assert "not been rotated for 100 days" in never.message.en
    assert never.subject_kind == "credential"
    assert "akianever" in never.aliases and "aws:deploy" in never.aliases


def test_a_console_user_is_judged_on_its_own_use_as_well_as_its_keys() -> None:
    key = Credential("access_key", "AKIA1", active=True, last_rotated=ago(10), last_used=ago(95))
    console = account("k.sato", source="aws", password_enabled=True, credentials=[key])
    outcome = run(context([console]))
    assert {f.subject for f in outcome.findings} == {"aws:k.sato", "aws:k.sato/access_key/AKIA1"}
