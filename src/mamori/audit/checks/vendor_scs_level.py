"""Vendors below the SCS ★ level their contract requires, with expired or expiring evidence, or
that need ★4 by the scheme's own questions while neither required nor claimed.

The SCS evaluation scheme (サプライチェーン強化に向けたセキュリティ対策評価制度) says a buyer
should require ★4 when the supplier handles its important data, when a supplier outage is
unacceptable, or when **the supplier's environment can reach the buyer's internal systems** —
the ASKUL situation. The third question is answered from the audited directories where they
show it (`_vendors.scs_answers`), so a registry that says "no access" cannot hide an account
that is there.
"""

from __future__ import annotations

from typing import Any

from mamori.audit.checks import Check
from mamori.audit.checks._vendors import (
    STAR4,
    accounts_by_vendor,
    evidence_state,
    no_registry,
    scs_answers,
    star4_needed,
    vendor_finding,
)
from mamori.audit.context import AuditContext, result
from mamori.audit.findings import CheckResult, Finding, Severity, Text
from mamori.audit.model import Account
from mamori.audit.vendors import Vendor

ID = "VENDOR-SCS-LEVEL"

_QUESTIONS = {
    "important_data": Text("重要情報を扱う", "handles our important data"),
    "outage_unacceptable": Text("停止の影響が許容できない", "an outage is unacceptable"),
    "reaches_internal_systems": Text("社内システムに到達できる", "can reach internal systems"),
}


def _level_problems(vendor: Vendor) -> list[tuple[Severity, Text]]:
    required, claimed = vendor.obligations.scs_level_required, vendor.scs_level_claimed
    if required is None:
        return []
    if claimed is None:
        return [
            (
                Severity.medium,
                Text(
                    f"契約は ★{required} を求めていますが、★ の申告がありません",
                    f"the contract requires ★{required} but no level is claimed",
                ),
            )
        ]
    if claimed < required:
        return [
            (
                Severity.high,
                Text(
                    f"契約は ★{required} を求めていますが、申告は ★{claimed} です",
                    f"the contract requires ★{required} but only ★{claimed} is claimed",
                ),
            )
        ]
    return []


def _evidence_problems(vendor: Vendor, context: AuditContext) -> list[tuple[Severity, Text]]:
    problems = []
    for item in vendor.evidence:
        state = evidence_state(item.expires, context)
        day = item.expires.isoformat() if item.expires else ""
        if state == "expired":
            problems.append(
                (
                    Severity.medium,
                    Text(
                        f"証跡「{item.name}」は {day} に期限切れです",
                        f"evidence '{item.name}' expired on {day}",
                    ),
                )
            )
        elif state == "expiring":
            problems.append(
                (
                    Severity.low,
                    Text(
                        f"証跡「{item.name}」は {day} に期限切れになります",
                        f"evidence '{item.name}' expires on {day}",
                    ),
                )
            )
    return problems


def _necessity_problems(
    vendor: Vendor, answers: dict[str, dict[str, Any]]
) -> list[tuple[Severity, Text]]:
    """★4 needed by the scheme's questions but not in the contract."""
    if not star4_needed(answers) or (vendor.obligations.scs_level_required or 0) >= STAR4:
        return []
    yes = [key for key, answer in answers.items() if answer["answer"]]
    reasons = Text(
        "・".join(_QUESTIONS[k].ja for k in yes), ", ".join(_QUESTIONS[k].en for k in yes)
    )
    if (vendor.scs_level_claimed or 0) >= STAR4:
        return [
            (
                Severity.low,
                Text(
                    f"★4 が必要な取引先({reasons.ja})で ★4 を申告していますが、契約で"
                    "求めていません",
                    f"★4 is needed ({reasons.en}) and claimed, but the contract does not "
                    "require it",
                ),
            )
        ]
    strong = answers["reaches_internal_systems"]["strong"]
    return [
        (
            Severity.high if strong else Severity.medium,
            Text(
                f"★4 が必要な取引先です({reasons.ja})が、契約は ★4 を求めておらず申告もありません",
                f"★4 is needed ({reasons.en}) but neither required by the contract nor claimed",
            ),
        )
    ]


def _finding(context: AuditContext, vendor: Vendor, accounts: list[Account]) -> Finding | None:
    answers = scs_answers(vendor, accounts)
    problems = [
        *_level_problems(vendor),
        *_evidence_problems(vendor, context),
        *_necessity_problems(vendor, answers),
    ]
    if not problems:
        return None
    return vendor_finding(
        context,
        ID,
        max((severity for severity, _ in problems), key=lambda s: s.rank),
        vendor,
        Text("委託先 {vendor}({id}): {ja}。", "Vendor {vendor} ({id}): {en}.").format(
            vendor=vendor.name,
            id=vendor.id,
            ja="。".join(text.ja for _, text in problems),
            en="; ".join(text.en for _, text in problems),
        ),
        scs_level_required=vendor.obligations.scs_level_required,
        scs_level_claimed=vendor.scs_level_claimed,
        star4_questions=answers,
        star4_needed=star4_needed(answers),
    )


def run(context: AuditContext) -> CheckResult:
    missing = no_registry(context, ID)
    if missing:
        return missing
    held = accounts_by_vendor(context)
    vendors = context.vendors.vendors
    findings = [f for v in vendors if (f := _finding(context, v, held[v.id])) is not None]
    return result(ID, findings, len(vendors))


CHECK = Check(
    id=ID,
    severity=Severity.high,
    title=Text(
        "委託先の SCS 評価レベル(★)と証跡",
        "Vendors' SCS evaluation level (★) and evidence",
    ),
    remediation=Text(
        "社内システムに接続できる・重要情報を扱う・停止が許容できない委託先には契約で ★4 を"
        "求め、★ の申告と証跡(評価結果、有効期限)を台帳に記録して期限前に更新させて"
        "ください。",
        "Require ★4 by contract from vendors that can reach internal systems, handle "
        "important data or whose outage is unacceptable; record their claimed level and "
        "evidence (assessment, expiry) in the registry and have it renewed before it expires.",
    ),
    frameworks=("SCS-4:supplier-management", "CSMG-3:9"),
    why=Text(
        "ASKUL の侵入は、社内システムに接続できる委託先の環境から始まりました。",
        "ASKUL's intrusion started from a contractor whose environment could reach internal "
        "systems.",
    ),
    run=run,
)
