from mamori.audit.checks import all_checks, module_id
from mamori.audit.findings import FindingStatus, Outcome, Severity
from mamori.audit.run import run_checks

from builders import account, context


def test_every_check_has_bilingual_metadata_and_a_matching_file_name() -> None:
    checks = all_checks()
    assert len({c.id for c in checks}) == len(checks)
    for check in checks:
        assert check.title.ja and check.title.en, check.id
        assert check.remediation.ja and check.remediation.en, check.id
        assert check.id == module_id(check.run.__module__.rsplit(".", 1)[1])
        assert isinstance(check.severity, Severity)


def test_every_check_ends_in_an_outcome_even_with_no_data() -> None:
    results = run_checks(context([]))
    assert {r.check_id for r in results} == {c.id for c in all_checks()}
    for outcome in results:
        assert outcome.outcome in (Outcome.passed, Outcome.not_applicable), outcome
        if outcome.outcome is Outcome.not_applicable:
            assert outcome.reason is not None and outcome.reason.ja and outcome.reason.en


def test_a_broken_check_is_an_error_result_not_a_crash() -> None:
    from dataclasses import replace

    broken = replace(all_checks()[0], run=lambda _: 1 / 0)
    (outcome,) = run_checks(context([account("a@x")]), [broken])
    assert outcome.outcome is Outcome.error
    assert "ZeroDivisionError" in outcome.reason.en


def test_findings_carry_evidence_tags_and_person() -> None:
    ctx = context([account("k.sato@partner.example", employee_type="Contractor", mfa=False)])
    results = {r.check_id: r for r in run_checks(ctx)}
    (finding,) = results["MFA-CONTRACTOR-MISSING"].findings
    assert finding.status is FindingStatus.open
    assert finding.evidence and finding.evidence[0].file == "entra.json"
    assert "contractor" in finding.tags and "external" in finding.tags
    assert finding.person == "k.sato@partner.example"
