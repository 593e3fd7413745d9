from datetime import date

from mamori.audit.checks.breakglass_hygiene import CHECK
from mamori.audit.config import AuditConfig, Tagging
from mamori.audit.exceptions import ExceptionEntry, Register
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy, Group, Mfa

from builders import account, context

FIDO2 = Mfa(registered=True, capable=True, methods=("fido2",), phishing_resistant=True)
DECLARED = AuditConfig(tagging=Tagging(break_glass=["bg-*@contoso.example"]))


def mfa_policy(**values: object) -> AccessPolicy:
    return AccessPolicy(
        "entra",
        "p1",
        "MFA all",
        "enabled",
        include_users=("All",),
        grant_controls=("mfa",),
        **values,
    )


def entry(subject: str, expires: date = date(2026, 3, 31)) -> ExceptionEntry:
    return ExceptionEntry(
        id="EX-BG",
        subject=subject,
        checks=["CA-EXCLUSION-UNREGISTERED"],
        owner="情報システム部",
        approver="CISO",
        reason="emergency access",
        compensating_controls=["FIDO2 key in the safe", "sign-in alert"],
        created=date(2025, 9, 1),
        expires=expires,
    )


def bg(**values: object):
    values.setdefault("mfa", FIDO2)
    values.setdefault("user_type", "member")
    values.setdefault("synced_from_on_premises", False)
    values.setdefault("enabled", True)
    return account("bg-1@contoso.example", id="U-BG", roles=["Global Administrator"], **values)


def test_unregistered_exclusion_weak_method_and_sync_are_listed() -> None:
    weak = Mfa(registered=True, capable=True, methods=("mobilePhone",), phishing_resistant=False)
    ctx = context(
        [bg(mfa=weak, synced_from_on_premises=True)],
        policies=[mfa_policy(exclude_users=("U-BG",))],
        config=DECLARED,
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed and outcome.examined == 1
    (finding,) = outcome.findings
    assert finding.severity is Severity.high
    assert finding.details["problems"] == ["synced", "unregistered", "weak"]
    assert "MFA all" in finding.message.en and "bg-1@contoso.example" in finding.message.ja


def test_registered_cloud_only_fido2_member_passes() -> None:
    ctx = context(
        [bg()],
        policies=[mfa_policy(exclude_users=("U-BG",))],
        config=DECLARED,
        register=Register([entry("bg-1@contoso.example")], source="exceptions.yaml"),
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_none_declared_is_not_applicable_and_recommends_declaring() -> None:
    outcome = CHECK.run(context([bg()]))
    assert outcome.outcome is Outcome.not_applicable
    assert "tagging.break_glass" in outcome.reason.en and "tagging.break_glass" in outcome.reason.ja
    misspelt = AuditConfig(tagging=Tagging(break_glass=["bg-9@contoso.example"]))
    outcome = CHECK.run(context([bg()], config=misspelt))
    assert outcome.outcome is Outcome.not_applicable and "misspelt" in outcome.reason.en


def test_group_exclusion_needs_a_valid_entry_naming_the_group() -> None:
    groups = [Group("entra", "G-BG", "CA-Exclude-BreakGlass", members=["U-BG"])]

    def problems(register: Register) -> list[str]:
        ctx = context(
            [bg()],
            policies=[mfa_policy(exclude_groups=("G-BG",))],
            groups=groups,
            config=DECLARED,
            register=register,
        )
        found = CHECK.run(ctx).findings
        return found[0].details["problems"] if found else []

    assert problems(Register([entry("entra:group:g-bg")], source="x.yaml")) == []
    assert problems(Register([entry("ca-exclude-breakglass")], source="x.yaml")) == []
    expired = entry("entra:group:g-bg", expires=date(2025, 6, 30))
    assert problems(Register([expired], source="x.yaml")) == ["unregistered"]


def test_contractor_break_glass_admin_excluded_from_mfa_is_critical() -> None:
    ctx = context(
        [bg(employee_type="Contractor")],
        policies=[mfa_policy(exclude_users=("U-BG",))],
        config=DECLARED,
    )
    (finding,) = CHECK.run(ctx).findings
    assert finding.severity is Severity.critical
    assert finding.details["problems"] == ["external", "unregistered"]


def test_disabled_break_glass_is_a_problem_unknown_methods_are_not() -> None:
    ctx = context([bg(enabled=False, mfa=True)], config=DECLARED)
    (finding,) = CHECK.run(ctx).findings
    assert finding.details["problems"] == ["disabled"]
