from mamori.audit.checks import all_checks
from mamori.audit.frameworks import framework_view, frameworks, requirement_ids


def test_every_framework_id_a_check_names_is_defined() -> None:
    defined = requirement_ids()
    for check in all_checks():
        assert set(check.frameworks) <= defined, (check.id, set(check.frameworks) - defined)
    assert all(f.name.ja and f.name.en and f.source for f in frameworks())


def _check(check_id: str, outcome: str, open_findings: int, *frameworks: str) -> dict:
    return {
        "id": check_id,
        "outcome": outcome,
        "open_findings": open_findings,
        "frameworks": list(frameworks),
    }


def test_requirement_status_follows_its_checks() -> None:
    access = "SCS-3:access-control"
    cases = {
        "met": [_check("A", "pass", 0, access), _check("B", "fail", 0, access)],
        "not_met": [_check("A", "pass", 0, access), _check("B", "fail", 2, access)],
        "partially_assessed": [
            _check("A", "pass", 0, access),
            _check("B", "not_applicable", 0, access),
        ],
        "not_assessed": [_check("A", "not_applicable", 0, access)],
    }
    for expected, checks in cases.items():
        view = {f["id"]: f for f in framework_view(checks)}
        (requirement,) = [r for r in view["SCS-3"]["requirements"] if r["id"] == access]
        assert requirement["status"] == expected, checks
    errored = framework_view([_check("A", "error", 0, access)])
    assert errored[0]["requirements"][0]["status"] == "not_met"
