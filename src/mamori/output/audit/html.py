"""The audit as one self-contained HTML file: what an IT manager opens, prints and files.

Rendered from the JSON document like every other format, so it cannot disagree with them. It
must open offline (it is read on audited machines and attached to tickets), so the CSS is
inline and the charts are SVG drawn here: nothing is fetched, nothing runs. The document holds
attacker-influenced strings (display names, policy names, raw records), so the template
autoescapes and every text the SVG carries is escaped here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from functools import cache
from importlib.resources import files
from operator import itemgetter
from typing import IO, Any

import jinja2
import orjson
from markupsafe import Markup

from mamori.audit.findings import Severity
from mamori.output.audit.document import evidence_key
from mamori.timefmt import show

SEVERITIES = tuple(s.value for s in sorted(Severity, key=lambda s: -s.rank))
SEVERITY_COLOURS = {
    "critical": "#a4001d",
    "high": "#d9480f",
    "medium": "#c98a00",
    "low": "#2b6cb0",
    "info": "#6b7280",
}
EXTERNAL_TAGS = frozenset({"external", "contractor", "guest", "vendor"})

LABELS: dict[str, dict[str, Any]] = {
    "ja": {
        "title": "ID 監査レポート",
        "as_of": "基準日時",
        "time_zone": "表示タイムゾーン",
        "contents": "目次",
        "generated": "mamori audit が生成(形式 v{version})。外部への通信なしで表示できます。",
        "none": "なし",
        "summary": "概要",
        "inputs": "入力",
        "source": "入力元",
        "kinds": "読み込んだ種類",
        "accounts": "アカウント",
        "people": "人物",
        "external_accounts": "外部アカウント",
        "privileged_accounts": "管理者アカウント",
        "excepted_findings": "例外適用の指摘",
        "input_problems": "読めなかった入力",
        "open_by_severity": "未対応の指摘(重要度別)",
        "check_outcomes": "チェック結果",
        "file": "ファイル",
        "position": "位置",
        "charts": "チェック別・入力元別の指摘",
        "by_check": "チェック別の未対応の指摘",
        "by_source": "入力元別の未対応の指摘",
        "external": "委託先・外部アカウント",
        "external_intro": (
            "external / contractor / guest / vendor のタグを持つアカウントの未対応の指摘を、"
            "人物ごとにまとめています。"
        ),
        "findings_count": "{n} 件",
        "vendors": "委託先スコアカード",
        "contact": "連絡先",
        "period": "契約期間",
        "reference": "契約番号",
        "contract_ended": "契約終了済み",
        "total": "合計",
        "enabled": "有効",
        "privileged": "管理者",
        "mfa": "MFA(あり / なし / 不明)",
        "account_keys": "アカウント一覧",
        "obligations": "契約上の義務",
        "obligation": {
            "mfa_all_accounts": "全アカウントで MFA",
            "named_accounts_only": "個人別アカウントのみ(共用禁止)",
            "scs_level_required": "SCS 評価レベルの要求",
            "log_retention_days": "ログの保管日数",
            "incident_notice_hours": "インシデントの通知期限",
        },
        "obligation_state": {"met": "充足", "unmet": "未充足", "unknown": "未確認"},
        "scs": "SCS 評価制度",
        "scs_required": "要求レベル",
        "scs_claimed": "申告レベル",
        "star4_needed": "★4 の必要性",
        "scs_question": {
            "important_data": "重要なデータを扱う",
            "outage_unacceptable": "停止が許容できない",
            "reaches_internal_systems": "社内システムに到達できる",
        },
        "answer": {"true": "はい", "false": "いいえ", "none": "不明"},
        "basis": "根拠",
        "basis_value": {"declared": "台帳の申告", "not declared": "未申告"},
        "evidence_items": "証憑",
        "evidence_state": {
            "valid": "有効",
            "expiring": "期限間近",
            "expired": "期限切れ",
            "no_expiry": "期限なし",
        },
        "open_findings": "未対応の指摘",
        "excepted": "例外適用",
        "exceptions": "例外の有効期限",
        "exceptions_intro": (
            "例外台帳の登録を有効期限の月ごとに並べています。期限切れ・無効の登録は"
            "指摘を例外扱いにしません。"
        ),
        "no_expiry": "期限なし",
        "expires": "期限",
        "owner": "責任者",
        "covered": "適用件数",
        "state": "状態",
        "problems": "問題点",
        "exception_state": {"valid": "有効", "expired": "期限切れ", "void": "無効"},
        "findings": "全指摘一覧",
        "severity": "重要度",
        "status": "状態",
        "check": "チェック",
        "subject": "対象",
        "person": "人物",
        "message": "内容",
        "evidence": "証跡",
        "severity_name": {
            "critical": "緊急",
            "high": "高",
            "medium": "中",
            "low": "低",
            "info": "情報",
        },
        "status_name": {"open": "未対応", "excepted": "例外適用"},
        "checks": "チェック一覧",
        "outcome": "結果",
        "outcome_name": {
            "pass": "合格",
            "fail": "不合格",
            "not_applicable": "対象外",
            "error": "エラー",
        },
        "examined": "確認数",
        "findings_open_total": "指摘(未対応 / 全件)",
        "reason": "理由",
        "remediation": "対処方法",
        "records": "付録: 証跡レコード",
        "records_intro": (
            "指摘が引用したレコードを読み込んだままの内容で一度ずつ掲載しています"
            "(指摘一覧の証跡リンクから参照)。印刷には含まれません。"
        ),
    },
    "en": {
        "title": "Identity audit report",
        "as_of": "As of",
        "time_zone": "Time zone",
        "contents": "Contents",
        "generated": "Generated by mamori audit (format v{version}). Opens without any network.",
        "none": "none",
        "summary": "Summary",
        "inputs": "Inputs",
        "source": "Source",
        "kinds": "Kinds read",
        "accounts": "Accounts",
        "people": "People",
        "external_accounts": "External accounts",
        "privileged_accounts": "Privileged accounts",
        "excepted_findings": "Excepted findings",
        "input_problems": "Input problems",
        "open_by_severity": "Open findings by severity",
        "check_outcomes": "Check outcomes",
        "file": "File",
        "position": "Position",
        "charts": "Findings by check and by source",
        "by_check": "Open findings by check",
        "by_source": "Open findings by source",
        "external": "Contractors and external accounts",
        "external_intro": (
            "Open findings on accounts tagged external, contractor, guest or vendor, "
            "grouped by person."
        ),
        "findings_count": "{n} findings",
        "vendors": "Vendor scorecards",
        "contact": "Contact",
        "period": "Period",
        "reference": "Reference",
        "contract_ended": "Contract ended",
        "total": "Total",
        "enabled": "Enabled",
        "privileged": "Privileged",
        "mfa": "MFA (with / without / unknown)",
        "account_keys": "Accounts",
        "obligations": "Contractual obligations",
        "obligation": {
            "mfa_all_accounts": "MFA on every account",
            "named_accounts_only": "Named accounts only (no sharing)",
            "scs_level_required": "Required SCS level",
            "log_retention_days": "Log retention days",
            "incident_notice_hours": "Incident notice hours",
        },
        "obligation_state": {"met": "met", "unmet": "unmet", "unknown": "unknown"},
        "scs": "SCS rating",
        "scs_required": "Required level",
        "scs_claimed": "Claimed level",
        "star4_needed": "★4 needed",
        "scs_question": {
            "important_data": "Handles important data",
            "outage_unacceptable": "Outage unacceptable",
            "reaches_internal_systems": "Reaches internal systems",
        },
        "answer": {"true": "yes", "false": "no", "none": "unknown"},
        "basis": "Basis",
        "basis_value": {"declared": "declared in the registry", "not declared": "not declared"},
        "evidence_items": "Evidence",
        "evidence_state": {
            "valid": "valid",
            "expiring": "expiring",
            "expired": "expired",
            "no_expiry": "no expiry",
        },
        "open_findings": "Open findings",
        "excepted": "excepted",
        "exceptions": "Exception expiry calendar",
        "exceptions_intro": (
            "Exception register entries by month of expiry. Expired and void entries except "
            "nothing."
        ),
        "no_expiry": "No expiry",
        "expires": "Expires",
        "owner": "Owner",
        "covered": "Covered",
        "state": "State",
        "problems": "Problems",
        "exception_state": {"valid": "valid", "expired": "expired", "void": "void"},
        "findings": "All findings",
        "severity": "Severity",
        "status": "Status",
        "check": "Check",
        "subject": "Subject",
        "person": "Person",
        "message": "Message",
        "evidence": "Evidence",
        "severity_name": {
            "critical": "critical",
            "high": "high",
            "medium": "medium",
            "low": "low",
            "info": "info",
        },
        "status_name": {"open": "open", "excepted": "excepted"},
        "checks": "Checks",
        "outcome": "Outcome",
        "outcome_name": {
            "pass": "pass",
            "fail": "fail",
            "not_applicable": "n/a",
            "error": "error",
        },
        "examined": "Examined",
        "findings_open_total": "Findings (open / all)",
        "reason": "Reason",
        "remediation": "Remediation",
        "records": "Appendix: evidence records",
        "records_intro": (
            "Each record a finding cites, once, as read (linked from the findings' evidence). "
            "Not printed."
        ),
    },
}

CHART_WIDTH = 720
LABEL_WIDTH = 240
VALUE_ROOM = 56
ROW_HEIGHT = 22
BAR_HEIGHT = 14
LABEL_CHARS = 34
SEVERITY_CHART_WIDTH = 440
SEVERITY_LABEL_WIDTH = 72


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    colour: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    segments: tuple[Segment, ...]

    @property
    def total(self) -> int:
        return sum(s.value for s in self.segments)


@dataclass(frozen=True)
class PersonGroup:
    person: str
    tags: list[str]
    findings: list[dict[str, Any]]


@dataclass(frozen=True)
class Expiry:
    entry: dict[str, Any]
    state: str
    """valid | expired | void: what the calendar highlights."""


@dataclass(frozen=True)
class EvidenceLink:
    key: str
    anchor: str
    name: str
    """The file's name and the position: full paths made the findings table unreadable;
    the full key is the link's title and the record's heading."""


def render_html(document: dict[str, Any], lang: str, tz: tzinfo) -> str:
    """The whole report as one HTML string, in `lang` (ja | en), times in `tz`."""
    return _template().render(_context(document, lang, tz))


def write_html(document: dict[str, Any], out: IO[bytes], lang: str, tz: tzinfo) -> None:
    out.write(render_html(document, lang, tz).encode("utf-8"))


@cache
def _template() -> jinja2.Template:
    """Loaded through importlib.resources so it is found in an installed wheel too. Undefined
    names fail loudly: a mistyped key must not silently print an empty cell."""
    source = files(__package__).joinpath("templates").joinpath("audit.html.j2")
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    return env.from_string(source.read_text(encoding="utf-8"))


def _context(document: dict[str, Any], lang: str, tz: tzinfo) -> dict[str, Any]:
    labels = LABELS[lang]
    as_of = datetime.fromisoformat(document["as_of"])
    open_findings = [f for f in document["findings"] if f["status"] == "open"]
    anchors = {key: f"ev-{i}" for i, key in enumerate(document["records"])}
    return {
        "lang": lang,
        "L": labels,
        "doc": document,
        "as_of": show(as_of, tz),
        "time_zone": str(tz),
        "severities": SEVERITIES,
        "colours": SEVERITY_COLOURS,
        "severity_chart": _severity_chart(document["summary"]["open_findings"], labels),
        "check_chart": _chart(
            _breakdown(open_findings, itemgetter("check_id"), labels), labels["by_check"]
        ),
        "source_chart": _chart(_breakdown(open_findings, _source_of, labels), labels["by_source"]),
        "external": _external_people(open_findings),
        "calendar": _calendar(document["exceptions"], as_of.date()),
        "rows": [(f, _evidence_links(f, anchors)) for f in document["findings"]],
        "records": [(anchors[key], key, _pretty(r)) for key, r in document["records"].items()],
    }


def _severity_chart(open_counts: dict[str, int], labels: dict[str, Any]) -> Markup:
    names = labels["severity_name"]
    rows = [
        ChartRow(names[s], (Segment(names[s], open_counts.get(s, 0), SEVERITY_COLOURS[s]),))
        for s in SEVERITIES
    ]
    return _chart(rows, labels["open_by_severity"], SEVERITY_CHART_WIDTH, SEVERITY_LABEL_WIDTH)


def _source_of(finding: dict[str, Any]) -> str:
    """The identity system a finding is about: its `source` detail, else the subject's
    `source:` prefix (policies, groups and register entries carry no source detail)."""
    return finding["details"].get("source") or finding["subject"].partition(":")[0]


def _breakdown(
    findings: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], str],
    labels: dict[str, Any],
) -> list[ChartRow]:
    """Findings counted per key, each bar split by severity so the worst stand out; biggest
    first, as the reader's first question is where most of the work is."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        counts[key(finding)][finding["severity"]] += 1
    names = labels["severity_name"]
    rows = [
        ChartRow(name, tuple(Segment(names[s], c[s], SEVERITY_COLOURS[s]) for s in SEVERITIES))
        for name, c in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row.total, row.label))


def _chart(
    rows: list[ChartRow], title: str, width: int = CHART_WIDTH, label_width: int = LABEL_WIDTH
) -> Markup:
    """Horizontal stacked bars as inline SVG, drawn here so the report needs no script or
    library. One bar per row, never per finding: 10,000 findings draw the same few shapes.
    Built with `Markup.format`, which escapes every argument: labels come from the data."""
    if not rows:
        return Markup()
    scale = (width - label_width - VALUE_ROOM) / max(max(r.total for r in rows), 1)
    height = ROW_HEIGHT * len(rows) + 4
    body = Markup().join(
        _bar(row, i * ROW_HEIGHT, scale, label_width) for i, row in enumerate(rows)
    )
    return Markup(
        '<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{title}">{body}</svg>'
    ).format(w=width, h=height, title=title, body=body)


def _bar(row: ChartRow, y: int, scale: float, label_width: int) -> Markup:
    """One row: the (clipped) label with the full one as tooltip, its segments, the total."""
    baseline = y + ROW_HEIGHT / 2 + 4
    label = row.label if len(row.label) <= LABEL_CHARS else row.label[: LABEL_CHARS - 1] + "…"
    parts = [
        Markup(
            '<text x="{x}" y="{y}" text-anchor="end"><title>{full}</title>{label}</text>'
        ).format(x=label_width - 8, y=baseline, full=row.label, label=label)
    ]
    x = float(label_width)
    for segment in (s for s in row.segments if s.value):
        width = segment.value * scale
        parts.append(
            Markup(
                '<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{h}" fill="{colour}">'
                "<title>{label}: {value}</title></rect>"
            ).format(
                x=x,
                y=y + 4,
                w=width,
                h=BAR_HEIGHT,
                colour=segment.colour,
                label=segment.label,
                value=segment.value,
            )
        )
        x += width
    parts.append(
        Markup('<text x="{x:.1f}" y="{y}">{total}</text>').format(
            x=x + 6, y=baseline, total=row.total
        )
    )
    return Markup().join(parts)


def _is_external(tags: list[str]) -> bool:
    return any(t in EXTERNAL_TAGS or t.startswith("vendor:") for t in tags)


def _external_people(open_findings: list[dict[str, Any]]) -> list[PersonGroup]:
    """Open findings on outsiders' accounts, per person: the ASKUL question is which outside
    person can do what, across every system, not which single account is misconfigured. A
    finding linked to nobody stands under its subject. Worst-off people first."""
    by_person: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in open_findings:
        if _is_external(finding["tags"]):
            by_person[finding["person"] or finding["subject"]].append(finding)
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    groups = [
        PersonGroup(person, sorted({t for f in found for t in f["tags"]}), found)
        for person, found in by_person.items()
    ]
    return sorted(
        groups,
        key=lambda g: (min(rank[f["severity"]] for f in g.findings), -len(g.findings), g.person),
    )


def _calendar(
    exceptions: list[dict[str, Any]], today: date
) -> list[tuple[str | None, list[Expiry]]]:
    """Register entries grouped by month of expiry (`YYYY/MM`), soonest first; entries
    without expiry (void by rule) last, under None."""
    months: dict[str | None, list[Expiry]] = {}
    ordered = sorted(exceptions, key=lambda e: (e["expires"] is None, e["expires"] or "", e["id"]))
    for entry in ordered:
        month = _day(entry["expires"])[:7] if entry["expires"] else None
        months.setdefault(month, []).append(Expiry(entry, _exception_state(entry, today)))
    return list(months.items())


def _exception_state(entry: dict[str, Any], today: date) -> str:
    """Expired is told apart from void (missing owner, approver…) because it needs a
    different action: renew or remove, rather than complete the entry. `today` is the
    audit's own date (as_of's date as stored, the engine's `today`), so the calendar agrees
    with the findings about the register."""
    if entry["expires"] and date.fromisoformat(entry["expires"]) < today:
        return "expired"
    return "valid" if entry["valid"] else "void"


def _evidence_links(finding: dict[str, Any], anchors: dict[str, str]) -> list[EvidenceLink]:
    links = []
    for item in finding["evidence"]:
        key = evidence_key(item["file"], item["position"])
        name = item["file"].replace("\\", "/").rsplit("/", 1)[-1]
        links.append(EvidenceLink(key, anchors[key], f"{name} {item['position']}"))
    return links


def _pretty(record: Any) -> str:
    """The record as read, indented; non-ASCII kept so Japanese names stay readable."""
    return orjson.dumps(record, default=str, option=orjson.OPT_INDENT_2).decode("utf-8")


def _day(iso: str | None) -> str:
    """An ISO date as `YYYY/MM/DD`, the form Japanese readers expect; empty when absent."""
    return iso.replace("-", "/") if iso else ""
