from mamori.audit.checks.permanent_priv_assignment import run
from mamori.audit.config import AuditConfig, Tagging
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import RoleAssignment

from builders import account, context


def role(name: str, permanent: bool | None) -> RoleAssignment:
    return RoleAssignment(name, permanent=permanent)


def test_a_permanent_admin_assignment_is_a_finding_high_for_externals() -> None:
    accounts = [
        account("adm@x", roles=[role("Global Administrator", True)]),
        account("c@p.jp", employee_type="Contractor", roles=[role("Exchange Administrator", True)]),
    ]
    outcome = run(context(accounts))
    severities = {f.subject: f.severity for f in outcome.findings}
    assert severities == {"entra:adm@x": Severity.medium, "entra:c@p.jp": Severity.high}
    assert "Exchange Administrator" in outcome.findings[1].message.en


def test_time_bound_and_permanently_eligible_assignments_pass() -> None:
    eligible = RoleAssignment("Global Administrator", permanent=True, assignment_type="eligible")
    accounts = [
        account("adm@x", roles=[role("Global Administrator", False)]),
        account("pim@x", roles=[eligible, role("Global Administrator", False)]),
    ]
    outcome = run(context(accounts))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 2


def test_only_the_permanent_roles_are_named() -> None:
    roles = [role("Global Administrator", False), role("Security Administrator", True)]
    (finding,) = run(context([account("adm@x", roles=roles)])).findings
    assert finding.details["roles"] == ["Security Administrator"]


def test_break_glass_accounts_keep_their_permanent_assignment() -> None:
    config = AuditConfig(tagging=Tagging(break_glass=["bg@x"]))
    accounts = [
        account("bg@x", roles=[role("Global Administrator", True)]),
        account("adm@x", roles=[role("Global Administrator", False)]),
    ]
    outcome = run(context(accounts, config=config))
    assert outcome.outcome is Outcome.passed
    assert outcome.examined == 1


def test_not_applicable_when_no_source_says_permanent_or_eligible() -> None:
    outcome = run(context([account("adm@x", roles=["Global Administrator"])]))
    assert outcome.outcome is Outcome.not_applicable
    assert outcome.reason.ja and outcome.reason.en
