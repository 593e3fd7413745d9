"""Reading real and damaged `.evtx` files: every readable record is kept, damage is reported."""

from __future__ import annotations

import shutil
import warnings
from datetime import UTC
from pathlib import Path

import pytest

from mamori.events import Event, InputProblem, channel_of
from mamori.readers import list_input_files, read_events
from mamori.readers.evtx import _OPTIONS, read_evtx

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
EVTX = DATA / "evtx"
APPLICATION = EVTX / "DeepBlueCLI" / "many-events-application.evtx"
"""2,216 records (IDs 1..2216) in 35 chunks; chunk 0 holds 1..125, chunk 1 holds 126..222."""

CHUNK_0 = 4096
CHUNK_SIZE = 65536


def sample(relative: str) -> Path:
    path = EVTX / relative
    if not path.is_file():
        pytest.skip(f"shared sample data not present: {path}")
    return path


def read(path: Path) -> tuple[list[Event], list[InputProblem]]:
    problems: list[InputProblem] = []
    events = list(read_events([path], problems.append))
    return events, problems


def first(events: list[Event], event_id: int) -> dict:
    return next(event.fields for event in events if event.fields["EventID"] == event_id)


def test_parser_uses_skip_errors_and_japanese_ansi_codec() -> None:
    assert _OPTIONS == {"skip_errors": True, "ansi_codec": "windows-31j"}


def test_whole_application_log() -> None:
    events, problems = read(sample("DeepBlueCLI/many-events-application.evtx"))
    assert problems == []
    assert len(events) == 2216
    assert [event.position for event in events[:3]] == [1, 2, 3]
    assert all(event.timestamp is not None and event.timestamp.tzinfo is UTC for event in events)
    assert all(event.source == str(APPLICATION) for event in events)
    classic = first(events, 1004)
    assert classic["Data"] == [
        "Windows(TM) - Component PPD License (DirectExperience)",
        "63f7d6b3-2b29-5864-50cf-9f7231237dbe",
    ]


def test_security_process_creation_and_logon() -> None:
    events, problems = read(sample("DeepBlueCLI/metasploit-psexec-native-target-security.evtx"))
    assert problems == []
    created = first(events, 4688)
    assert created["Channel"] == "Security"
    assert created["NewProcessName"] == "C:\\Windows\\duKhLYUX.exe"
    assert created["Provider_Name"] == "Microsoft-Windows-Security-Auditing"
    logon = first(read(sample("DeepBlueCLI/metasploit-psexec-pwshpayload.evtx"))[0], 4624)
    assert logon["LogonType"] == 3
    assert logon["IpAddress"] == "127.0.0.1"


def test_sysmon_powershell_and_service_install() -> None:
    sysmon = sample(
        "EVTX-to-MITRE-Attack/EVTX_full_APT_attack_steps/"
        "ID11,13,17,18-PSexec as system execution.evtx"
    )
    fields = first(read(sysmon)[0], 1)
    assert fields["Channel"] == "Microsoft-Windows-Sysmon/Operational"
    assert fields["Image"] == "C:\\TOOLS\\PsExec64.exe"
    assert fields["CommandLine"] == "PsExec64.exe  -i -s cmd"
    script = first(
        read(sample("DeepBlueCLI/Powershell-Invoke-Obfuscation-encoding-menu.evtx"))[0], 4104
    )
    assert script["ScriptBlockText"].startswith(" & ( $eNv:COmSPEc")
    service = first(
        read(sample("DeepBlueCLI/metasploit-psexec-native-target-system.evtx"))[0], 7045
    )
    assert service["ServiceName"] == "KgXItsbKgTJzdzwl"
    assert service["ImagePath"] == "%SYSTEMROOT%\\duKhLYUX.exe"


def test_log_cleared_user_data() -> None:
    fields = first(read(sample("DeepBlueCLI/eventlog-dac.evtx"))[0], 1102)
    assert fields["Channel"] == "Security"
    assert fields["SubjectUserName"] == "Sec504"
    assert fields["SubjectLogonId"] == "0x99e3d"
    # System 104 names the cleared log `Channel`: rules about it test that value, while the
    # log the event itself was written to stays reachable for logsource selection.
    events = read(
        sample(
            "EVTX-to-MITRE-Attack/TA0005-Defense Evasion/"
            "T1070.001-Clear Windows event logs/ID104-1102-Event log cleared.evtx"
        )
    )[0]
    cleared_logs = {e.fields["Channel"] for e in events if e.fields.get("EventID") == 104}
    assert "Application" in cleared_logs
    cleared = next(e.fields for e in events if e.fields.get("Channel") == "Application")
    assert cleared["System.Channel"] == "System"
    assert channel_of(cleared) == "System"


def test_whole_corpus_reads_without_problems() -> None:
    if not EVTX.is_dir():
        pytest.skip(f"shared sample data not present: {EVTX}")
    problems: list[InputProblem] = []
    count = sum(1 for _ in read_events([EVTX], problems.append))
    assert problems == []
    assert count == 16801
    assert len(list_input_files([EVTX])) == 315


def test_truncated_copy_keeps_records_before_the_cut(tmp_path: Path) -> None:
    source = sample("DeepBlueCLI/many-events-application.evtx")
    cut = tmp_path / "cut.evtx"
    cut.write_bytes(source.read_bytes()[: CHUNK_0 + 2 * CHUNK_SIZE + 1000])
    events, problems = read(cut)
    assert [event.position for event in events] == list(range(1, 223))
    assert len(problems) == 1
    assert problems[0].position == "chunk 2"
    assert "truncated" in problems[0].message


def test_copy_cut_inside_the_header(tmp_path: Path) -> None:
    cut = tmp_path / "tiny.evtx"
    cut.write_bytes(sample("DeepBlueCLI/many-events-application.evtx").read_bytes()[:100])
    events, problems = read(cut)
    assert events == []
    assert len(problems) == 1
    assert problems[0].position == "file"


def test_damaged_chunks_are_skipped_and_reported(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    data = bytearray(sample("DeepBlueCLI/many-events-application.evtx").read_bytes())
    chunk_1 = CHUNK_0 + CHUNK_SIZE
    data[chunk_1 + 600 : chunk_1 + 700] = bytes(
        b ^ 0xFF for b in data[chunk_1 + 600 : chunk_1 + 700]
    )
    chunk_2 = CHUNK_0 + 2 * CHUNK_SIZE
    data[chunk_2 : chunk_2 + 8] = bytes(8)  # chunk header magic gone
    damaged = tmp_path / "damaged.evtx"
    damaged.write_bytes(data)

    events, problems = read(damaged)

    positions = [event.position for event in events]
    assert positions[:125] == list(range(1, 126))
    assert 126 not in positions and 222 not in positions
    assert positions[-1] == 2216
    assert {problem.position for problem in problems} == {"records 126..222", "chunk 2"}
    assert all(problem.source == str(damaged) for problem in problems)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_problems_not_exceptions_even_when_warnings_are_errors(tmp_path: Path) -> None:
    data = bytearray(sample("DeepBlueCLI/many-events-application.evtx").read_bytes())
    data[CHUNK_0 + 2 * CHUNK_SIZE : CHUNK_0 + 2 * CHUNK_SIZE + 8] = bytes(8)
    damaged = tmp_path / "damaged.evtx"
    damaged.write_bytes(data)
    problems: list[InputProblem] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        events = list(read_evtx(damaged, problems.append))
    assert len(events) > 2000
    assert [problem.position for problem in problems] == ["chunk 2"]


def test_misnamed_files_are_told_apart_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "looks-like.json"
    shutil.copyfile(sample("DeepBlueCLI/eventlog-dac.evtx"), renamed)
    text = tmp_path / "notes.evtx"
    text.write_text("these are not events\n")
    problems: list[InputProblem] = []
    events = list(read_events([renamed, text], problems.append))
    assert len(events) > 0 and all(event.source == str(renamed) for event in events)
    assert problems == [InputProblem(str(text), "file", "not an EVTX or JSON file")]


def test_read_evtx_on_a_non_evtx_file_reports_it(tmp_path: Path) -> None:
    text = tmp_path / "notes.evtx"
    text.write_bytes(b"hello")
    problems: list[InputProblem] = []
    assert list(read_evtx(text, problems.append)) == []
    assert len(problems) == 1
    assert problems[0].message.startswith("cannot open as EVTX")


def test_missing_paths_and_empty_files_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.evtx"
    empty.write_bytes(b"")
    missing = tmp_path / "nowhere"
    problems: list[InputProblem] = []
    assert list(read_events([missing, empty], problems.append)) == []
    assert problems == [
        InputProblem(str(missing), "file", "no such file or folder"),
        InputProblem(str(empty), "file", "empty file"),
    ]


def test_list_input_files_recurses_sorted_and_once(tmp_path: Path) -> None:
    for name in ["b/2.evtx", "b/1.JSON", "a/x.jsonl", "a/deep/y.ndjson", "a/skip.txt", "c.evtx"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"{}\n")
    explicit = tmp_path / "a" / "skip.txt"
    files = list_input_files([tmp_path, explicit, tmp_path / "c.evtx", tmp_path / "missing"])
    relative = [path.relative_to(tmp_path).as_posix() for path in files]
    assert relative == [
        "a/deep/y.ndjson",
        "a/x.jsonl",
        "b/1.JSON",
        "b/2.evtx",
        "c.evtx",
        "a/skip.txt",
    ]
    assert list_input_files(str(tmp_path / "c.evtx")) == [tmp_path / "c.evtx"]
