"""The audit on a terminal: what failed, what matters most, in the reader's language."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, tzinfo
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mamori.timefmt import show

SEVERITY_STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}
OUTCOME_LABELS = {
    "ja": {"pass": "合格", "fail": "不合格", "not_applicable": "対象外", "error": "エラー"},
    "en": {"pass": "pass", "fail": "FAIL", "not_applicable": "n/a", "error": "ERROR"},
}
OUTCOME_STYLES = {"pass": "green", "fail": "bold red", "not_applicable": "dim", "error": "magenta"}
LABELS = {
    "ja": {
        "title": "ID 監査 {as_of}",
        "check": "チェック",
        "severity": "重要度",
        "outcome": "結果",
        "findings": "指摘",
        "subject": "対象",
        "message": "内容",
        "top": "未対応の指摘(重要度順、上位 {n} 件)",
        "summary": (
            "アカウント {accounts} 件(外部 {external}、管理者 {privileged})、人物 {people} 名 / "
            "未対応の指摘: 緊急 {critical}、高 {high}、中 {medium}、低 {low} / "
            "例外適用 {excepted} / 読めなかった入力 {problems}"
        ),
        "sources": "入力: {sources}",
        "reasons": "補足: 判定できなかったもの・判定の範囲",
        "frameworks": "フレームワーク別",
        "requirement": "要求事項",
        "status": "状況",
        "statuses": {
            "met": "充足",
            "not_met": "未充足",
            "partially_assessed": "一部のみ評価",
            "not_assessed": "評価不能",
        },
    },
    "en": {
        "title": "Identity audit {as_of}",
        "check": "check",
        "severity": "severity",
        "outcome": "outcome",
        "findings": "findings",
        "subject": "subject",
        "message": "message",
        "top": "Open findings (most severe first, top {n})",
        "summary": (
            "{accounts} accounts ({external} external, {privileged} privileged), {people} people"
            " / open findings: critical {critical}, high {high}, medium {medium}, low {low}"
            " / excepted {excepted} / input problems {problems}"
        ),
        "sources": "inputs: {sources}",
        "reasons": "Notes: what could not be judged, and the scope judged",
        "frameworks": "By framework",
        "requirement": "requirement",
        "status": "status",
        "statuses": {
            "met": "met",
            "not_met": "NOT MET",
            "partially_assessed": "partially assessed",
            "not_assessed": "not assessed",
        },
    },
}


def render(
    document: dict[str, Any], console: Console, lang: str, tz: tzinfo, top: int = 30
) -> None:
    labels = LABELS[lang]
    as_of = show(datetime.fromisoformat(document["as_of"]), tz)
    checks = Table(
        title=labels["title"].format(as_of=as_of), box=box.SIMPLE_HEAD, header_style="bold"
    )
    checks.add_column(labels["outcome"], no_wrap=True)
    checks.add_column(labels["severity"], no_wrap=True)
    checks.add_column("ID", no_wrap=True)
    checks.add_column(labels["check"], overflow="fold")
    checks.add_column(labels["findings"], justify="right")
    for check in document["checks"]:
        outcome = check["outcome"]
        detail = check["title"][lang]
        checks.add_row(
            Text(OUTCOME_LABELS[lang][outcome], style=OUTCOME_STYLES[outcome]),
            Text(check["severity"], style=SEVERITY_STYLES[check["severity"]]),
            check["id"],
            detail,
            f"{check['open_findings']}/{check['findings']}" if check["findings"] else "",
        )
    console.print(checks)
    unexamined = [c for c in document["checks"] if c["reason"]]
    if unexamined:
        console.print(labels["reasons"], style="bold")
        for check in unexamined:
            label = OUTCOME_LABELS[lang][check["outcome"]]
            console.print(f"  {check['id']} ({label}): {check['reason'][lang]}", highlight=False)
    open_findings = [f for f in document["findings"] if f["status"] == "open"]
    if open_findings:
        table = Table(
            title=labels["top"].format(n=min(top, len(open_findings))),
            box=box.SIMPLE_HEAD,
            header_style="bold",
        )
        table.add_column(labels["severity"], no_wrap=True)
        table.add_column("ID", no_wrap=True)
        table.add_column(labels["subject"], overflow="fold", max_width=40)
        table.add_column(labels["message"], overflow="fold")
        for finding in open_findings[:top]:
            table.add_row(
                Text(finding["severity"], style=SEVERITY_STYLES[finding["severity"]]),
                finding["check_id"],
                finding["subject"],
                finding["message"][lang],
            )
        console.print(table)
    summary = document["summary"]
    console.print(
        labels["summary"].format(
            accounts=summary["accounts"],
            external=summary["external_accounts"],
            privileged=summary["privileged_accounts"],
            people=summary["people"],
            excepted=summary["excepted_findings"],
            problems=summary["input_problems"],
            **summary["open_findings"],
        )
    )
    sources = ", ".join(
        f"{name} ({', '.join(info['kinds'])}; {info['accounts']})"
        for name, info in document["sources"].items()
    )
    console.print(labels["sources"].format(sources=sources or "-"))
    render_frameworks(document, console, lang)


STATUS_STYLES = {
    "met": "green",
    "not_met": "bold red",
    "partially_assessed": "yellow",
    "not_assessed": "dim",
}


def render_frameworks(
    document: dict[str, Any], console: Console, lang: str, only: str | None = None
) -> None:
    """One line per framework, or every requirement of `only` (a framework id)."""
    labels = LABELS[lang]
    statuses = labels["statuses"]
    if only is None:
        console.print(labels["frameworks"], style="bold")
        for framework in document["frameworks"]:
            counts = Counter(r["status"] for r in framework["requirements"])
            parts = ", ".join(f"{statuses[s]} {counts[s]}" for s in statuses if counts[s])
            console.print(f"  {framework['name'][lang]}: {parts}", highlight=False)
        return
    for framework in document["frameworks"]:
        if framework["id"] != only:
            continue
        table = Table(title=framework["name"][lang], box=box.SIMPLE_HEAD, header_style="bold")
        table.add_column(labels["status"], no_wrap=True)
        table.add_column("ID", no_wrap=True)
        table.add_column(labels["requirement"], overflow="fold")
        table.add_column(labels["check"], overflow="fold")
        for requirement in framework["requirements"]:
            status = requirement["status"]
            table.add_row(
                Text(statuses[status], style=STATUS_STYLES[status]),
                requirement["id"],
                requirement["title"][lang],
                _requirement_checks(requirement["checks"], lang),
            )
        console.print(table)
        note = f" — {framework['note']}" if framework["note"] else ""
        console.print(f"{framework['source']}{note}", highlight=False)


def _requirement_checks(checks: list[dict[str, Any]], lang: str) -> str:
    """Outcome counts, then the checks with open findings: the ones to act on."""
    counts = Counter(c["outcome"] for c in checks)
    summary = ", ".join(f"{OUTCOME_LABELS[lang][o]} {n}" for o, n in sorted(counts.items()))
    failing = [f"{c['id']} ({c['open_findings']})" for c in checks if c["open_findings"]]
    return summary + ("\n" + ", ".join(failing) if failing else "")
