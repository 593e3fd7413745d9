from mamori.audit.checks.ca_stale_refs import CHECK
from mamori.audit.findings import Outcome, Severity
from mamori.audit.model import AccessPolicy, Group

from builders import account, context

BOTH = {"entra": {"users", "groups", "policies"}}


def policy(**values: object) -> AccessPolicy:
    return AccessPolicy("entra", "p1", "Require MFA", "enabled", grant_controls=("mfa",), **values)


def test_excluded_deleted_user_is_a_medium_finding() -> None:
    ctx = context(
        [account("a@x", id="U-A")],
        policies=[policy(include_users=("All",), exclude_users=("U-A", "deleted-1"))],
        coverage=BOTH,
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.failed
    (finding,) = outcome.findings
    assert finding.subject == "entra:policy:p1" and finding.severity is Severity.medium
    assert finding.details["stale"] == {"excludeUsers": ["deleted-1"]}
    assert "deleted-1" in finding.message.en and "deleted-1" in finding.message.ja


def test_resolving_ids_and_keywords_pass() -> None:
    ctx = context(
        [account("a@x", id="U-A")],
        groups=[Group("entra", "G-1", "Staff")],
        policies=[
            policy(
                include_users=("All", "GuestsOrExternalUsers", "u-a"),
                exclude_users=("None",),
                include_groups=("g-1",),
            )
        ],
        coverage=BOTH,
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.passed and outcome.examined == 1


def test_without_a_groups_export_it_is_not_applicable() -> None:
    ctx = context(
        [account("a@x", id="U-A")],
        policies=[policy(include_groups=("G-1",))],
        coverage={"entra": {"users", "policies"}},
    )
    outcome = CHECK.run(ctx)
    assert outcome.outcome is Outcome.not_applicable
    assert "groups" in outcome.reason.en and "groups" in outcome.reason.ja


def test_stale_group_only_in_an_include_list_is_low() -> None:
    ctx = context(
        [account("a@x", id="U-A")],
        policies=[policy(include_groups=("gone-group",))],
        coverage=BOTH,
    )
    (finding,) = CHECK.run(ctx).findings
    assert finding.severity is Severity.low
    assert finding.details["stale"] == {"includeGroups": ["gone-group"]}
