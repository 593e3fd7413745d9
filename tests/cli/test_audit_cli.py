"""`mamori audit` as a user runs it: a real process over the fixture exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_hunt_cli import mamori

DATA = Path(__file__).resolve().parent.parent / "audit" / "data"
AS_OF = "2025-10-01"


@pytest.fixture(scope="module")
def audit_json(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("audit") / "audit.json"
    run = mamori("audit", str(DATA), "--as-of", AS_OF, "-f", "json", "-o", str(out))
    assert run.returncode == 1, run.stderr  # the fixtures hold high and critical findings
    assert "Traceback" not in run.stderr
    return out, json.loads(out.read_text(encoding="utf-8"))


def test_json_document_covers_every_source_and_check(audit_json: tuple[Path, dict]) -> None:
    _, document = audit_json
    assert {"aws", "ad"} <= set(document["sources"])
    outcomes = {c["id"]: c["outcome"] for c in document["checks"]}
    assert outcomes["MFA-PRIV-MISSING"] == "fail"
    assert set(outcomes.values()) <= {"pass", "fail", "not_applicable", "error"}
    assert "error" not in outcomes.values()
    root = [f for f in document["findings"] if f["subject"].endswith("/<root_account>")]
    evidence = root[0]["evidence"][0]
    assert evidence["file"].endswith("credential_report.csv")
    record = document["records"][f"{evidence['file']}#{evidence['position']}"]
    assert record["user"] == "<root_account>"  # the record as read, shown once


def test_console_report_is_japanese_by_default_and_english_on_request() -> None:
    ja = mamori("audit", str(DATA / "aws"), "--as-of", AS_OF)
    assert ja.returncode == 1 and "不合格" in ja.stdout
    en = mamori("audit", str(DATA / "aws"), "--as-of", AS_OF, "--lang", "en")
    assert "FAIL" in en.stdout and "不合格" not in en.stdout


HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
TIDY_USER = (
    "t.yamada,arn:aws:iam::123456789012:user/t.yamada,2024-04-01T00:00:00+00:00,true,"
    "2025-09-30T01:00:00+00:00,2025-04-01T00:00:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,"
    "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
)


def test_fail_on_sets_the_exit_code(tmp_path: Path) -> None:
    assert (
        mamori("audit", str(DATA / "aws"), "--as-of", AS_OF, "--fail-on", "critical").returncode
        == 1
    )
    report = tmp_path / "credential_report.csv"
    report.write_text(f"{HEADER}\n{TIDY_USER}\n", encoding="utf-8")
    tidy = mamori("audit", str(report), "--as-of", AS_OF, "-f", "json")
    document = json.loads(tidy.stdout)
    worst = max((f["severity"] for f in document["findings"]), key=SEVERITIES.index, default=None)
    assert worst in (None, "info", "low")  # one tidy user: at most "no sign-in log to verify"
    assert tidy.returncode == 0
    if worst is not None:
        assert mamori("audit", str(report), "--as-of", AS_OF, "--fail-on", worst).returncode == 1


SEVERITIES = ["info", "low", "medium", "high", "critical"]


def test_csv_has_a_bom_for_excel(tmp_path: Path) -> None:
    out = tmp_path / "findings.csv"
    mamori("audit", str(DATA / "ad"), "--as-of", AS_OF, "-f", "csv", "-o", str(out))
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"check_id" in data


def test_usage_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    missing = mamori("audit", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file" in " ".join(missing.stderr.split())
    (tmp_path / "exc.yaml").write_text("exceptions: [unclosed", encoding="utf-8")
    broken = mamori("audit", str(DATA / "aws"), "--exceptions", str(tmp_path / "exc.yaml"))
    # Rich wraps long lines on stderr: compare with the line breaks taken out.
    assert broken.returncode == 2 and "exception register" in " ".join(broken.stderr.split())
    (tmp_path / "notes.txt").write_text("just some notes\n", encoding="utf-8")
    unreadable = mamori("audit", str(tmp_path / "notes.txt"))
    assert unreadable.returncode == 2 and "not recognised" in " ".join(unreadable.stderr.split())
    for run in (missing, broken, unreadable):
        assert "Traceback" not in run.stderr


def test_diff_reports_what_changed(audit_json: tuple[Path, dict], tmp_path: Path) -> None:
    path, document = audit_json
    older = dict(document)
    older["findings"] = document["findings"][1:]  # the first finding is new since
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(older), encoding="utf-8")
    changed = mamori("audit", "diff", str(old_path), str(path), "-f", "json")
    assert changed.returncode == 1
    changes = json.loads(changed.stdout)
    assert [f["key"] for f in changes["new"]] == [document["findings"][0]["key"]]
    same = mamori("audit", "diff", str(path), str(path))
    assert same.returncode == 0


def test_framework_view_and_unknown_framework() -> None:
    view = mamori("audit", str(DATA), "--as-of", AS_OF, "-q", "--framework", "SCS-3")
    assert view.returncode == 1 and "SCS-3:access-control" in view.stdout
    assert "未充足" in view.stdout
    unknown = mamori("audit", str(DATA), "--as-of", AS_OF, "-q", "--framework", "ISO-27001")
    assert unknown.returncode == 2 and "unknown framework" in " ".join(unknown.stderr.split())


def test_ocsf_and_action_plan_formats(tmp_path: Path) -> None:
    ocsf = mamori("audit", str(DATA), "--as-of", AS_OF, "-q", "-f", "ocsf")
    events = json.loads(ocsf.stdout)
    assert events and {e["class_uid"] for e in events} == {2003}
    plan = tmp_path / "plan.csv"
    mamori("audit", str(DATA), "--as-of", AS_OF, "-q", "-f", "plan", "-o", str(plan))
    text = plan.read_bytes().decode("utf-8-sig")
    assert text.startswith("優先度,チェック,対象") and "2025-10-08" in text  # critical: 7 days


def test_html_report_is_written_and_self_contained(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    run = mamori("audit", str(DATA), "--as-of", AS_OF, "-q", "-f", "html", "-o", str(report))
    assert run.returncode == 1
    text = report.read_text(encoding="utf-8")
    assert "ID 監査レポート" in text and "<script" not in text
    assert 'src="http' not in text and 'href="http' not in text


def test_mapped_csv_through_the_command() -> None:
    mapped = DATA.parent / "mapped_data"
    run = mamori(
        "audit", str(mapped), "--mapping", str(mapped / "kintone.mapping.yaml"),
        "--as-of", AS_OF, "-q", "-f", "json",
    )  # fmt: skip
    document = json.loads(run.stdout)
    assert document["sources"]["kintone"]["accounts"] == 4
    assert any(f["subject"] == "kintone:vendor-ops" for f in document["findings"])
