"""The flattening every Windows-event reader shares, on the shapes real exporters write."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from mamori.events import channel_of, parse_utc
from mamori.readers.winevent import flatten, to_event

SECURITY_4688 = {
    "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
    "System": {
        "Provider": {
            "#attributes": {
                "Name": "Microsoft-Windows-Security-Auditing",
                "Guid": "54849625-5478-4994-A5BA-3E3B0328C30D",
            }
        },
        "EventID": 4688,
        "Version": 1,
        "Level": 0,
        "Task": 13312,
        "Opcode": 0,
        "Keywords": "0x8020000000000000",
        "TimeCreated": {"#attributes": {"SystemTime": "2016-09-21T03:41:02.560546Z"}},
        "EventRecordID": 13678,
        "Correlation": None,
        "Execution": {"#attributes": {"ProcessID": 4, "ThreadID": 60}},
        "Channel": "Security",
        "Computer": "IE10Win7",
        "Security": None,
    },
    "EventData": {
        "SubjectUserSid": "S-1-5-18",
        "NewProcessName": "C:\\Windows\\duKhLYUX.exe",
        "CommandLine": "C:\\Windows\\duKhLYUX.exe",
        "ProcessId": "0x1e8",
    },
}


def test_system_fields_get_sigma_names() -> None:
    fields = flatten(SECURITY_4688)
    assert fields["EventID"] == 4688
    assert fields["Channel"] == "Security"
    assert fields["Computer"] == "IE10Win7"
    assert fields["Provider_Name"] == "Microsoft-Windows-Security-Auditing"
    assert fields["Provider_Guid"] == "54849625-5478-4994-A5BA-3E3B0328C30D"
    assert fields["EventRecordID"] == 13678
    assert (fields["Level"], fields["Task"], fields["Opcode"], fields["Version"]) == (
        0,
        13312,
        0,
        1,
    )
    assert fields["Keywords"] == "0x8020000000000000"
    assert fields["ExecutionProcessID"] == 4
    assert fields["ExecutionThreadID"] == 60
    assert fields["TimeCreated"] == "2016-09-21T03:41:02.560546Z"
    assert "UserID" not in fields  # Security is null
    assert fields["CommandLine"] == "C:\\Windows\\duKhLYUX.exe"
    assert fields["ProcessId"] == "0x1e8"  # EventData keeps its own types


def test_flatten_leaves_its_input_alone() -> None:
    event = copy.deepcopy(SECURITY_4688)
    flatten(event)
    assert event == SECURITY_4688


def test_event_id_with_qualifiers_and_user_id() -> None:
    event = copy.deepcopy(SECURITY_4688)
    event["System"]["EventID"] = {"#attributes": {"Qualifiers": 16384}, "#text": 7045}
    event["System"]["Security"] = {"#attributes": {"UserID": "S-1-5-18"}}
    fields = flatten(event)
    assert fields["EventID"] == 7045
    assert fields["UserID"] == "S-1-5-18"


def test_forwarded_events_render_numbers_as_text() -> None:
    event = copy.deepcopy(SECURITY_4688)
    system = event["System"]
    system.update(EventID="1116", EventRecordID="171", Level="3", Task="0", Version="0")
    system["Execution"] = {"#attributes": {"ProcessID": "4172", "ThreadID": "4384"}}
    fields = flatten(event)
    assert (fields["EventID"], fields["EventRecordID"], fields["Level"]) == (1116, 171, 3)
    assert (fields["ExecutionProcessID"], fields["ExecutionThreadID"]) == (4172, 4384)


def test_non_numeric_event_id_text_is_kept() -> None:
    event = {"System": {"EventID": "not-a-number"}}
    assert flatten(event)["EventID"] == "not-a-number"


def test_classic_event_data_unnamed_and_wrapped() -> None:
    event = {
        "System": {"EventID": 1004, "Channel": "Application"},
        "EventData": {
            "#attributes": {"Name": "EVENT_X"},
            "Data": {"#text": ["Windows(TM)", "63f7d6b3"]},
            "Binary": None,
        },
    }
    fields = flatten(event)
    assert fields["Data"] == ["Windows(TM)", "63f7d6b3"]
    assert fields["Binary"] is None
    assert "#attributes" not in fields


def test_unnamed_data_scalar_list_and_attribute_only() -> None:
    assert flatten({"EventData": {"Data": "x"}})["Data"] == "x"
    assert flatten({"EventData": {"Data": ["a", "b"]}})["Data"] == ["a", "b"]
    assert flatten({"EventData": {"Data": {"#text": ""}}})["Data"] == ""
    assert flatten({"EventData": {"Data": {"#attributes": {"a": 1}}}})["Data"] is None


def test_xmltodict_named_data_list() -> None:
    data = {
        "Data": [{"@Name": "TargetUserName", "#text": "bob"}, {"@Name": "LogonType", "#text": "3"}]
    }
    fields = flatten({"EventData": data})
    assert fields["TargetUserName"] == "bob"
    assert fields["LogonType"] == "3"
    assert "Data" not in fields


def test_null_or_text_event_data() -> None:
    assert "Data" not in flatten({"System": {"EventID": 1}, "EventData": None})
    assert flatten({"System": {"EventID": 1}, "EventData": "raw text"})["Data"] == "raw text"


def test_user_data_leaf_names_and_clash_with_system() -> None:
    """System 104 names the cleared log `Channel`: rules test that one; System's moves aside."""
    event = {
        "System": {"EventID": 104, "Channel": "System"},
        "UserData": {
            "LogFileCleared": {
                "#attributes": {
                    "xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"
                },
                "SubjectUserName": "jwrig",
                "Channel": "Security",
                "BackupPath": None,
                "Nested": {"Deeper": 5, "Wrapped": {"#text": "w"}},
            }
        },
    }
    fields = flatten(event)
    assert fields["Channel"] == "Security"
    assert fields["System.Channel"] == "System"
    assert channel_of(fields) == "System"
    assert fields["SubjectUserName"] == "jwrig"
    assert fields["BackupPath"] is None
    assert fields["Deeper"] == 5
    assert fields["Wrapped"] == "w"
    assert "xmlns" not in fields


def test_other_nested_sections_are_flattened() -> None:
    event = {
        "System": {"EventID": 1},
        "EventData": {"A": 1},
        "ProcessingErrorData": {"ErrorCode": 15005, "DataItemName": "X"},
        "DebugData": {"Wrapper": {"Message": "m"}},
    }
    fields = flatten(event)
    assert (fields["A"], fields["ErrorCode"], fields["DataItemName"]) == (1, 15005, "X")
    assert fields["Message"] == "m"


def test_event_data_clash_with_system_keeps_both_system_aside() -> None:
    fields = flatten({"System": {"Channel": "Security"}, "EventData": {"Channel": "Other", "X": 1}})
    assert fields["Channel"] == "Other"
    assert fields["System.Channel"] == "Security"
    assert channel_of(fields) == "Security"
    assert fields["X"] == 1


def test_event_data_fills_a_system_field_that_is_absent() -> None:
    fields = flatten({"System": {"EventID": 1}, "EventData": {"Channel": "Other"}})
    assert fields["Channel"] == "Other"


def test_velociraptor_shape() -> None:
    row = {
        "System": {
            "Provider": {"Name": "Microsoft-Windows-Security-Auditing", "Guid": "{5484}"},
            "EventID": {"Value": 4624},
            "Level": 0,
            "EventRecordID": 12,
            "TimeCreated": {"SystemTime": 1600000000.5},
            "Execution": {"ProcessID": 612, "ThreadID": 700},
            "Channel": "Security",
            "Computer": "dc01",
            "Security": {"UserID": "S-1-5-18"},
        },
        "EventData": {"TargetUserName": "bob", "LogonType": 3},
    }
    event = to_event(row, "v.jsonl", 3)
    assert event.fields["EventID"] == 4624
    assert event.fields["Provider_Name"] == "Microsoft-Windows-Security-Auditing"
    assert event.fields["ExecutionProcessID"] == 612
    assert event.fields["UserID"] == "S-1-5-18"
    assert event.fields["LogonType"] == 3
    assert event.timestamp == datetime(2020, 9, 13, 12, 26, 40, 500000, tzinfo=UTC)


def test_to_event_time_and_position() -> None:
    event = to_event(SECURITY_4688, "s.evtx", 13678)
    assert event.source == "s.evtx"
    assert event.position == 13678
    assert event.timestamp == datetime(2016, 9, 21, 3, 41, 2, 560546, tzinfo=UTC)


def test_event_times_in_every_form() -> None:
    expected = datetime(2020, 12, 11, 12, 28, 1, 299004, tzinfo=UTC)
    assert parse_utc("2020-12-11T12:28:01.2990045Z") == expected
    assert parse_utc("2020-12-11 12:28:01.299004") == expected
    assert parse_utc("2020-12-11T21:28:01.299004+09:00") == expected
    assert parse_utc("0001-01-01T00:00:00+01:00") is None
    assert parse_utc("garbage") is None
    assert parse_utc(None) is None
