from datetime import timedelta

import pytest

from mamori.audit.checks._accounts import MAX_DISTINCT_PER_DAY, shared_name_words
from mamori.audit.checks.shared_account import run
from mamori.audit.config import AuditConfig, Tagging
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import SignIn

from builders import AS_OF, account, context


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("admin@x.example", ["admin"]),
        ("Administrator", ["administrator"]),
        ("CONTOSO\\maint01", ["maint"]),
        ("SupportUser@x.example", ["support"]),
        ("vendor-ops@x.example", ["ops", "vendor"]),
        ("保守用01@x.example", ["保守"]),
        ("hoshu_kyoyu@x.example", ["hoshu", "kyoyu"]),
        ("test_p.jp#EXT#@t.example", ["test"]),
        ("k.sato@x.example", []),
        ("badminton@x.example", []),
        ("testsuite@x.example", []),
    ],
)
def test_shared_names_are_whole_role_words(name: str, words: list[str]) -> None:
    assert shared_name_words(account(name)) == words


def signins(name: str, day_offset: int, count: int, **values) -> list[SignIn]:
    moment = AS_OF - timedelta(days=day_offset)
    return [
        SignIn(
            "entra",
            moment + timedelta(minutes=n),
            name,
            ip_address=f"203.0.113.{n}",
            user_agent="Mozilla/5.0",
            success=True,
            interactive=True,
            **values,
        )
        for n in range(count)
    ]


def test_a_role_name_is_a_finding_high_when_privileged() -> None:
    accounts = [
        account("ops@x.example"),
        account("admin@x.example", roles=["Global Administrator"]),
    ]
    outcome = run(context(accounts))
    severities = {f.subject: f.severity for f in outcome.findings}
    assert severities == {
        "entra:ops@x.example": Severity.medium,
        "entra:admin@x.example": Severity.high,
    }
    assert outcome.findings[0].details["name_words"] == ["ops"]
    assert "looks shared" in outcome.findings[0].message.en and outcome.findings[0].message.ja


def test_too_many_addresses_in_one_day_is_a_finding() -> None:
    logs = signins("k.sato@x.example", 3, MAX_DISTINCT_PER_DAY + 1)
    outcome = run(context([account("k.sato@x.example")], signins=logs))
    (finding,) = outcome.findings
    assert finding.details["crowded_day"] == {
        "day": "2025-09-28",
        "ip_addresses": MAX_DISTINCT_PER_DAY + 1,
        "user_agents": 1,
    }


def test_a_guest_is_matched_under_its_home_address_and_is_high() -> None:
    guest = account("k.sato_p.jp#EXT#@t.example", user_type="guest")
    logs = signins("k.sato@p.jp", 1, MAX_DISTINCT_PER_DAY + 2)
    (finding,) = run(context([guest], signins=logs)).findings
    assert finding.severity is Severity.high


def test_failed_spread_over_days_or_non_interactive_sign_ins_do_not_count() -> None:
    spraying = signins("a@x.example", 1, 8)
    for signin in spraying:
        signin.success = False
    refreshes = signins("a@x.example", 4, 10)
    for signin in refreshes:
        signin.interactive = False
    normal = signins("a@x.example", 2, MAX_DISTINCT_PER_DAY) + signins("a@x.example", 3, 4)
    outcome = run(context([account("a@x.example")], signins=spraying + refreshes + normal))
    assert outcome.outcome is Outcome.passed


def test_break_glass_and_disabled_accounts_are_not_judged() -> None:
    config = AuditConfig(tagging=Tagging(break_glass=["emergency-admin@x.example"]))
    accounts = [
        account("emergency-admin@x.example"),
        account("test@x.example", enabled=False),
        account("k.sato@x.example"),
    ]
    outcome = run(context(accounts, config=config))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_without_accounts() -> None:
    outcome = run(context([]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en


def test_break_glass_accounts_left_out_are_named_in_the_result() -> None:
    from mamori.audit.checks.shared_account import CHECK
    from mamori.audit.config import AuditConfig

    config = AuditConfig.model_validate({"tagging": {"break_glass": ["entra:bg-admin*"]}})
    ctx = context(
        [account("bg-admin@contoso.co.jp", enabled=True), account("k.sato@contoso.co.jp")],
        config=config,
    )
    outcome = CHECK.run(ctx)
    assert outcome.reason is not None
    assert "entra:bg-admin@contoso.co.jp" in outcome.reason.en
    assert "緊急用" in outcome.reason.ja
