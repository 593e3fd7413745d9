from datetime import date

from mamori.audit.exceptions import ExceptionEntry, Register
from mamori.audit.findings import FindingStatus, Severity
from mamori.audit.run import run_checks
from mamori.audit.scorecards import scorecard
from mamori.audit.vendors import Contract, EvidenceItem, Obligations, Vendor, VendorRegistry

from builders import account, context

ACME = Vendor(
    id="acme",
    name="Acme 株式会社",
    contact="yamada@acme.example",
    contract=Contract(start=date(2025, 4, 1), end=date(2026, 3, 31), reference="委託契約 2025-17"),
    accounts=["*@acme.example"],
    obligations=Obligations(
        mfa_all_accounts=True,
        named_accounts_only=True,
        scs_level_required=3,
        incident_notice_hours=24,
    ),
    scs_level_claimed=3,
    evidence=[EvidenceItem(name="★3 自己宣言", expires=date(2025, 10, 20))],
    handles_important_data=False,
)
QUIET = Vendor(id="quiet", name="Quiet", accounts=["*@quiet.example"])


def _cards(ctx):
    """Scorecards as `run_audit` makes them: from the audit's own findings."""
    return scorecard(ctx, [f for r in run_checks(ctx) for f in r.findings])


def registry() -> VendorRegistry:
    return VendorRegistry([ACME, QUIET], source="vendors.yaml")


def accounts():
    return [
        account("k.sato@acme.example", mfa=True, roles=["Global Administrator"]),
        account("hoshu@acme.example", mfa=False),
        account("left@acme.example", mfa=False, enabled=False),
    ]


def test_a_card_per_vendor_with_accounts_obligations_and_scs_answers() -> None:
    acme, quiet = _cards(context(accounts(), vendors=registry()))
    assert acme["id"] == "acme" and quiet["id"] == "quiet"
    assert acme["contract"] == {
        "start": "2025-04-01",
        "end": "2026-03-31",
        "reference": "委託契約 2025-17",
        "ended": False,
    }
    assert acme["accounts"]["total"] == 3
    assert acme["accounts"]["enabled"] == 2
    assert acme["accounts"]["privileged"] == 1
    assert acme["accounts"]["mfa"] == {"with": 1, "without": 1, "unknown": 0}
    assert acme["obligations"] == {
        "mfa_all_accounts": "unmet",
        "named_accounts_only": "unmet",
        "scs_level_required": "met",
        "incident_notice_hours": "unknown",
    }
    assert acme["obligations_summary"] == {"met": 1, "unmet": 2, "unknown": 1}
    assert acme["scs"]["star4_needed"] is True
    assert acme["scs"]["answers"]["reaches_internal_systems"]["strong"] is True
    assert acme["evidence"] == [
        {"name": "★3 自己宣言", "expires": "2025-10-20", "state": "expiring"}
    ]


def test_a_vendor_with_no_account_and_nothing_declared_stays_unknown() -> None:
    _, quiet = _cards(context(accounts(), vendors=registry()))
    assert quiet["accounts"]["total"] == 0
    assert quiet["obligations"] == {}
    assert quiet["scs"]["star4_needed"] is None
    assert quiet["findings"]["open"]["critical"] == 0


def test_open_findings_are_counted_per_severity_and_excepted_ones_apart() -> None:
    entry = ExceptionEntry(
        id="EX-1",
        subject="vendor:acme",
        checks=["VENDOR-NAMED-ACCOUNTS"],
        owner="情シス 田中",
        approver="CISO",
        reason="移行中",
        compensating_controls=["作業ログの確認"],
        expires=date(2025, 12, 31),
    )
    ctx = context(accounts(), vendors=registry(), register=Register([entry], source="ex.yaml"))
    findings = [f for r in run_checks(ctx) for f in r.findings]
    (acme, _) = scorecard(ctx, findings)
    mine = [f for f in findings if f.subject == "vendor:acme" or "vendor:acme" in f.tags]
    open_ = [f for f in mine if f.status is FindingStatus.open]
    assert open_
    assert acme["findings"]["open"] == {
        s.value: sum(f.severity is s for f in open_) for s in Severity
    }
    assert acme["findings"]["excepted"] == 1
