"""`mamori hunt` and `mamori rules check` driven as a user drives them: a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EVTX, need

RULE = """
title: Whoami Run
id: 00000000-0000-4000-8000-00000000f001
status: test
level: high
tags: [attack.discovery, attack.t1033]
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\\\\whoami.exe'}
  condition: sel
"""
EVENT = {
    "Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": 1,
            "EventRecordID": 42,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Computer": "経理-PC01",
            "TimeCreated": {"#attributes": {"SystemTime": "2025-06-05T01:02:03.456Z"}},
        },
        "EventData": {"Image": "C:\\Windows\\System32\\whoami.exe", "User": "ACME\\佐藤"},
    }
}


def mamori(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def hunt(workspace: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """`mamori hunt` over the workspace's events with its rules, compiling afresh."""
    events, rules = str(workspace / "events.jsonl"), str(workspace / "rules")
    return mamori("hunt", events, "--rules", rules, "--no-cache", *options)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "whoami.yml").write_text(RULE, encoding="utf-8")
    lines = [json.dumps(EVENT, ensure_ascii=False)]
    quiet = json.loads(json.dumps(EVENT))
    quiet["Event"]["EventData"]["Image"] = "C:\\Windows\\notepad.exe"
    quiet["Event"]["System"]["EventRecordID"] = 43
    lines.append(json.dumps(quiet))
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_jsonl_output_has_the_documented_keys(workspace: Path) -> None:
    result = mamori(
        "hunt", str(workspace / "events.jsonl"), "--rules", str(workspace / "rules"), "-f", "jsonl"
    )
    assert result.returncode == 1, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1
    record = records[0]
    for key in (
        "timestamp",
        "computer",
        "channel",
        "event_id",
        "record_id",
        "level",
        "rule_title",
        "rule_id",
        "tags",
        "details",
        "source_file",
    ):
        assert key in record
    assert record["timestamp"] == "2025/06/05 10:02:03"  # JST by default
    assert record["computer"] == "経理-PC01"
    assert record["record_id"] == 42
    assert record["tags"] == ["attack.discovery", "attack.t1033"]
    assert record["details"]["Image"].endswith("whoami.exe")
    assert "Events 2" in result.stderr


def test_tz_option_and_csv_with_bom(workspace: Path) -> None:
    out = workspace / "out.csv"
    result = hunt(workspace, "-f", "csv", "-o", str(out), "--tz", "UTC")
    assert result.returncode == 1, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["timestamp"] == "2025/06/05 01:02:03"
    assert rows[0]["computer"] == "経理-PC01"


def test_nothing_found_exits_zero(workspace: Path) -> None:
    result = hunt(workspace, "--min-level", "critical", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_time_window(workspace: Path) -> None:
    result = hunt(workspace, "--since", "2025-06-05 11:00", "-f", "jsonl")
    assert result.returncode == 0, result.stderr


def test_usage_errors_exit_two_without_traceback(workspace: Path) -> None:
    missing = mamori("hunt", str(workspace / "nope"), "--rules", str(workspace / "rules"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "nope" in missing.stderr
    bad_tz = hunt(
        workspace,
        "--tz",
        "Mars/Olympus",
    )
    assert bad_tz.returncode == 2 and "Traceback" not in bad_tz.stderr
    no_rules = workspace / "empty"
    no_rules.mkdir()
    empty = mamori("hunt", str(workspace / "events.jsonl"), "--rules", str(no_rules))
    assert empty.returncode == 2 and "Traceback" not in empty.stderr
    unwritable = mamori(
        "hunt",
        str(workspace / "events.jsonl"),
        "--rules",
        str(workspace / "rules"),
        "-f",
        "csv",
        "-o",
        str(workspace / "no-such-dir" / "out.csv"),
    )
    assert unwritable.returncode == 2 and "Traceback" not in unwritable.stderr
    assert "cannot write" in unwritable.stderr


def test_bad_input_is_reported_and_good_records_still_hunted(workspace: Path) -> None:
    events = workspace / "events.jsonl"
    events.write_text("{not json\n" + events.read_text(encoding="utf-8"), encoding="utf-8")
    (workspace / "junk.evtx").write_bytes(b"this is not an event log")
    result = mamori(
        "hunt",
        str(events),
        str(workspace / "junk.evtx"),
        "--rules",
        str(workspace / "rules"),
        "-f",
        "jsonl",
        "--no-cache",
    )
    assert result.returncode == 1, result.stderr
    assert len(result.stdout.splitlines()) == 1
    assert "line 1" in result.stderr
    assert "junk.evtx" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_check_lists_each_broken_rule(workspace: Path) -> None:
    rules = workspace / "rules"
    (rules / "broken.yml").write_text("title: [unclosed\n", encoding="utf-8")
    (rules / "unknown_modifier.yml").write_text(
        RULE.replace("endswith", "endswithh").replace("f001", "f002"), encoding="utf-8"
    )
    result = mamori("rules", "check", "--rules", str(rules), "--no-cache")
    assert result.returncode == 1
    assert "broken.yml" in result.stdout
    assert "unknown_modifier.yml" in result.stdout
    assert "2 cannot be used" in result.stdout
    clean = mamori("rules", "check", "--rules", str(rules / "whoami.yml"), "--no-cache")
    assert clean.returncode == 0


@pytest.mark.slow
def test_hunt_over_the_shared_corpus_in_parallel_equals_sequential(tmp_path: Path) -> None:
    from mamori.hunt.loader import load_rules
    from mamori.hunt.run import PARALLEL_MIN_BYTES, hunt_files

    need(EVTX)
    from conftest import SIGMA

    ruleset = load_rules([need(SIGMA / "rules" / "windows" / "process_creation")])
    assert PARALLEL_MIN_BYTES < 35 << 20  # the corpus is large enough to go parallel
    one = hunt_files([EVTX], ruleset, workers=1)
    two = hunt_files([EVTX], ruleset, workers=2)

    def key(d):
        return (d.rule.id, d.event.source, d.event.position)

    assert one.detections
    assert [key(d) for d in one.detections] == [key(d) for d in two.detections]
    assert one.stats.events == two.stats.events == 16801
