from datetime import date

from mamori.audit.checks.ca_exclusion_unregistered import CHECK
from mamori.audit.exceptions import ExceptionEntry, Register
from mamori.audit.findings import FindingStatus, Outcome, Severity
from mamori.audit.model import AccessPolicy, Group, RoleAssignment
from mamori.audit.run import run_checks

from builders import account, context


def policy(pid: str = "p1", state: str = "enabled", **values: object) -> AccessPolicy:
    values.setdefault("include_users", ("All",))
    values.setdefault("grant_controls", ("mfa",))
    return AccessPolicy("entra", pid, f"Require MFA {pid}", state, **values)


def entry(subject: str, expires: date = date(2026, 3, 31)) -> ExceptionEntry:
    return ExceptionEntry(
        id="EX-1",
        subject=subject,
        checks=["CA-EXCLUSION-UNREGISTERED"],
        owner="情報システム部 田中",
        approver="CISO",
        reason="vendor maintenance window",
        compensating_controls=["sign-in only from the vendor's fixed IP"],
        created=date(2025, 9, 1),
        expires=expires,
    )


def contractor_admin():
    return account(
        "k.sato@partner.example",
        id="U-1",
        display_name="佐藤 健",
        employee_type="Contractor",
        roles=["Global Administrator"],
    )


def test_excluded_external_admin_is_critical_and_named_every_way() -> None:
    ctx = context([contractor_admin()], policies=[policy(exclude_users=("u-1",))])
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed
    (finding,) = outcome.findings
    assert finding.subject == "entra:k.sato@partner.example"
    assert finding.severity is Severity.critical
    assert {"entra:k.sato@partner.example", "u-1", "k.sato@partner.example", "佐藤 健"} <= set(
        finding.aliases
    )
    assert "Require MFA p1" in finding.message.en and "k.sato@partner.example" in finding.message.ja
    assert "contractor" in finding.tags


def test_policy_without_exclusions_passes() -> None:
    outcome = CHECK.run(context([contractor_admin()], policies=[policy()]))
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_no_policy_export_is_not_applicable() -> None:
    outcome = CHECK.run(context([contractor_admin()]))
    assert outcome.outcome is Outcome.not_applicable
    assert "conditionalAccess" in outcome.reason.en


def test_nested_group_exclusion_reaching_an_external_admin_is_critical() -> None:
    groups = [
        Group("entra", "G-OUTER", "CA-Exclude", members=["G-INNER"]),
        Group("entra", "G-INNER", "Vendor admins", members=["U-1"]),
    ]
    ctx = context(
        [contractor_admin()], policies=[policy(exclude_groups=("G-OUTER",))], groups=groups
    )
    (finding,) = CHECK.run(ctx).findings
    assert finding.subject == "entra:group:G-OUTER"
    assert finding.severity is Severity.critical
    assert "ca-exclude" in finding.aliases
    assert finding.details["accounts"] == ["k.sato@partner.example"]


def test_roles_guest_types_and_unknown_ids_each_get_a_subject() -> None:
    member = account("a@x", roles=[RoleAssignment("Exchange Administrator", role_id="29232cdf")])
    ctx = context(
        [member],
        policies=[
            policy(
                exclude_users=("gone-id",),
                exclude_roles=("29232CDF",),
                exclude_guest_types=("serviceProvider",),
            )
        ],
    )
    findings = {f.subject: f for f in CHECK.run(ctx).findings}
    assert set(findings) == {
        "entra:user:gone-id",
        "entra:role:29232CDF",
        "entra:guests:serviceProvider",
    }
    assert "Exchange Administrator" in findings["entra:role:29232CDF"].message.en
    assert all(f.severity is Severity.high for f in findings.values())


def test_report_only_counts_disabled_and_non_mfa_policies_do_not() -> None:
    policies = [
        policy("p1", "enabledForReportingButNotEnforced", exclude_users=("U-1",)),
        policy("p2", exclude_users=("U-1",)),
        policy("p3", "disabled", exclude_users=("U-1",)),
        policy("p4", grant_controls=("block",), exclude_users=("U-1",)),
    ]
    (finding,) = CHECK.run(context([contractor_admin()], policies=policies)).findings
    assert finding.details["policies"] == ["Require MFA p1", "Require MFA p2"]


def test_only_a_valid_register_entry_excepts_the_exclusion() -> None:
    def status(ex: ExceptionEntry) -> FindingStatus:
        ctx = context(
            [contractor_admin()],
            policies=[policy(exclude_users=("U-1",))],
            register=Register([ex], source="exceptions.yaml"),
        )
        results = {r.check_id: r for r in run_checks(ctx, [CHECK])}
        return results[CHECK.id].findings[0].status

    assert status(entry("k.sato@partner.example")) is FindingStatus.excepted
    assert status(entry("佐藤 健")) is FindingStatus.excepted
    assert status(entry("k.sato@partner.example", expires=date(2025, 1, 1))) is FindingStatus.open
