"""The action plan CSV from a real audit document: Excel-ready, one row per problem, suggested
deadlines, excepted findings after the open ones with the register's owner and expiry."""

from __future__ import annotations

import copy
import csv
import io
from datetime import UTC
from typing import Any

import pytest

from mamori.output.audit.action_plan import MAX_SUBJECTS_PER_CELL, write_action_plan_csv

from audit_sample import EXCEPTED_CHECKS, EXCEPTED_SUBJECT, audit_document

JA = [
    "優先度",
    "チェック",
    "対象",
    "内容",
    "対応策",
    "担当者",
    "期限",
    "判断理由/承認",
    "状況",
    "根拠",
]
EN = [
    "Priority",
    "Check",
    "Subjects",
    "Issue",
    "Remediation",
    "Owner",
    "Due",
    "Justification / approval",
    "Status",
    "Basis",
]
# --as-of 2025-10-01: critical 7 days, high 30, medium 90, low 180.
DUE = {"緊急": "2025-10-08", "高": "2025-10-31", "中": "2025-12-30", "低": "2026-03-30"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return audit_document(tmp_path_factory.mktemp("register"))


def plan_bytes(document: dict[str, Any], lang: str, **kwargs: Any) -> bytes:
    out = io.BytesIO()
    write_action_plan_csv(document, out, lang, **kwargs)
    return out.getvalue()


def plan(document: dict[str, Any], lang: str = "ja", **kwargs: Any) -> list[dict[str, str]]:
    text = plan_bytes(document, lang, **kwargs).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_utf8_with_bom_so_excel_reads_japanese(document: dict[str, Any]) -> None:
    raw = plan_bytes(document, "ja")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").startswith(",".join(JA) + "\r\n")


@pytest.mark.parametrize(("lang", "header"), [("ja", JA), ("en", EN)])
def test_headers_follow_the_language(
    document: dict[str, Any], lang: str, header: list[str]
) -> None:
    text = plan_bytes(document, lang).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == header


def test_one_row_per_check_and_severity_listing_every_subject(document: dict[str, Any]) -> None:
    rows = [r for r in plan(document) if r["状況"] == "未対応"]
    subjects: dict[tuple[str, str], list[str]] = {}
    for finding in document["findings"]:
        if finding["status"] == "open":
            key = (finding["check_id"], finding["severity"])
            subjects.setdefault(key, []).append(finding["subject"])
    assert len(rows) == len(subjects) < len(document["findings"])
    labels = {"緊急": "critical", "高": "high", "中": "medium", "低": "low"}
    for row in rows:
        listed = row["対象"].split("\n")
        assert listed == subjects[(row["チェック"], labels[row["優先度"]])]
        assert row["内容"].endswith(f" ({len(listed)} 件)")
    assert max(len(r["対象"].split("\n")) for r in rows) > 5  # grouping did happen


def test_open_rows_suggest_a_due_date_and_leave_decisions_to_people(
    document: dict[str, Any],
) -> None:
    rows = [r for r in plan(document) if r["状況"] == "未対応"]
    assert {r["優先度"] for r in rows} == set(DUE)
    for row in rows:
        assert row["期限"] == DUE[row["優先度"]]
        assert row["担当者"] == row["判断理由/承認"] == ""
        assert row["対応策"]
    severities = ["緊急", "高", "中", "低"]
    assert [severities.index(r["優先度"]) for r in rows] == sorted(
        severities.index(r["優先度"]) for r in rows
    )


def test_excepted_findings_come_last_with_the_register_decision(
    document: dict[str, Any],
) -> None:
    rows = plan(document)
    statuses = [r["状況"] for r in rows]
    first_excepted = statuses.index("例外適用")
    assert set(statuses[:first_excepted]) == {"未対応"}
    excepted = rows[first_excepted:]
    assert sorted(r["チェック"] for r in excepted) == sorted(EXCEPTED_CHECKS)
    for row in excepted:
        assert row["対象"] == EXCEPTED_SUBJECT
        assert row["担当者"] == "山田 太郎"
        assert row["期限"] == "2026-03-31"  # the exception's expiry, not a suggestion
        assert row["判断理由/承認"] == "EXC-001 (承認: 情報システム部長)"


def test_basis_names_the_framework_requirements(document: dict[str, Any]) -> None:
    row = next(r for r in plan(document) if r["チェック"] == "CA-EXCLUSION-GAP")
    assert row["根拠"].split("\n") == [
        "SCS-3:access-control アクセス管理(認証・権限)",
        "CSMG-3:5 指示5 サイバーセキュリティリスクに効果的に対応する仕組みの構築",
        "CIS-M365:5.2.2.2 すべてのユーザーに MFA を必須にする",
    ]
    check = next(c for c in document["checks"] if c["id"] == "CA-EXCLUSION-GAP")
    assert row["対応策"] == check["remediation"]["ja"]
    assert row["内容"] == f"{check['title']['ja']} (1 件)"


def test_english_plan(document: dict[str, Any]) -> None:
    rows = plan(document, "en")
    assert {r["Status"] for r in rows} == {"Open", "Excepted"}
    assert {r["Priority"] for r in rows} == {"Critical", "High", "Medium", "Low"}
    excepted = next(r for r in rows if r["Status"] == "Excepted")
    assert excepted["Justification / approval"] == "EXC-001 (approved by 情報システム部長)"
    gap = next(r for r in rows if r["Check"] == "CA-EXCLUSION-GAP")
    assert gap["Issue"].endswith(" (1)")
    assert gap["Basis"].startswith("SCS-3:access-control Access management")


def test_due_dates_count_from_the_audit_date_where_the_readers_are(
    document: dict[str, Any],
) -> None:
    late = {**document, "as_of": "2025-10-01T16:00:00+00:00"}  # 2025-10-02 01:00 in Tokyo
    critical = next(r for r in plan(late) if r["優先度"] == "緊急")
    assert critical["期限"] == "2025-10-09"
    critical = next(r for r in plan(late, tz=UTC) if r["優先度"] == "緊急")
    assert critical["期限"] == "2025-10-08"


def test_long_subject_lists_end_with_a_count(document: dict[str, Any]) -> None:
    crowded = copy.deepcopy(document)
    finding = next(f for f in crowded["findings"] if f["check_id"] == "STALE-ACCOUNT")
    extra = MAX_SUBJECTS_PER_CELL + 5
    crowded["findings"] = [{**finding, "subject": f"ad:user{i:03d}"} for i in range(extra)]
    (row,) = plan(crowded)
    lines = row["対象"].split("\n")
    assert len(lines) == MAX_SUBJECTS_PER_CELL + 1
    assert lines[-1] == "…ほか 5 件"
    assert row["内容"].endswith(f"({extra} 件)")


def test_informational_findings_get_no_suggested_date(document: dict[str, Any]) -> None:
    quiet = copy.deepcopy(document)
    quiet["findings"] = [{**quiet["findings"][0], "severity": "info"}]
    (row,) = plan(quiet)
    assert (row["優先度"], row["期限"]) == ("情報", "")
