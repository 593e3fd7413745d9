"""Flatten one Windows event, as EVTX-to-JSON tools render it, into the field names Sigma uses.

Sigma rules name event fields flatly (`EventID`, `Provider_Name`, `CommandLine`), while
evtx_dump/pyevtx-rs nest them (`Event.System.Provider.#attributes.Name`) and Velociraptor
nests them another way (`System.Provider.Name`, `System.EventID.Value`). Every reader of
Windows events goes through `flatten` so a rule matches the same way whichever tool wrote
the input.

This runs once per event on the hot path, so it is written as straight-line dictionary
lookups: no regexes, no deep copies, as few calls as the shapes allow.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from mamori.events import SYSTEM_PREFIX, Event, parse_utc

_NESTED_SECTIONS = ("UserData", "ProcessingErrorData", "BinaryEventData", "DebugData")
"""Event sections whose one wrapper element holds fields under leaf names."""

_NO_ATTRIBUTES: dict[str, Any] = {}


def _number(value: Any) -> Any:
    """Make System numbers ints whichever way they were rendered.

    Forwarded-event logs render every System value as text ("4624"), and EventID may be
    `{"#text": 4624, "#attributes": {"Qualifiers": ...}}` or Velociraptor's `{"Value": 4624}`.
    Text that is not a decimal number is kept as it is rather than lost.
    """
    if type(value) is dict:
        value = value.get("#text", value.get("Value"))
    if type(value) is str:
        text = value.strip()
        if text.isdigit() and text.isascii():
            return int(text)
    return value


def _attributes(node: Any) -> dict[str, Any]:
    """XML attributes of a System element: under `#attributes` (evtx) or inline (Velociraptor)."""
    if type(node) is not dict:
        return _NO_ATTRIBUTES
    attributes = node.get("#attributes", node)
    return attributes if type(attributes) is dict else _NO_ATTRIBUTES


def _time_text(value: Any) -> str | None:
    """SystemTime as ISO text; Velociraptor renders it as epoch seconds."""
    if type(value) is str or value is None:
        return value
    if type(value) in (int, float):
        try:
            return datetime.fromtimestamp(value, UTC).isoformat().replace("+00:00", "Z")
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _system(system: dict[str, Any]) -> dict[str, Any]:
    """Sigma's System fields. Numbers that may come as text or wrapped are made ints."""
    get = system.get
    try:  # the shape pyevtx-rs and evtx_dump write, taken without a call per element
        provider = system["Provider"]["#attributes"]
        created = system["TimeCreated"]["#attributes"]["SystemTime"]
        provider_name = provider["Name"]
    except (KeyError, TypeError):
        provider = _attributes(get("Provider"))
        created = _attributes(get("TimeCreated")).get("SystemTime")
        provider_name = provider.get("Name")
    event_id = get("EventID")
    record_id = get("EventRecordID")
    level = get("Level")
    task = get("Task")
    fields = {
        "EventID": event_id if type(event_id) is int else _number(event_id),
        "Channel": get("Channel"),
        "Computer": get("Computer"),
        "Provider_Name": provider_name,
        "EventRecordID": record_id if type(record_id) is int else _number(record_id),
        "Level": level if type(level) is int else _number(level),
        "Task": task if type(task) is int else _number(task),
        "Keywords": get("Keywords"),
        "TimeCreated": created if type(created) is str else _time_text(created),
    }
    # Elements that many events lack are left out rather than set to None.
    value = provider.get("Guid")
    if value is not None:
        fields["Provider_Guid"] = value
    value = get("Opcode")
    if value is not None:
        fields["Opcode"] = value if type(value) is int else _number(value)
    value = get("Version")
    if value is not None:
        fields["Version"] = value if type(value) is int else _number(value)
    execution = get("Execution")
    if execution is not None:
        execution = execution.get("#attributes") if type(execution) is dict else None
        if type(execution) is not dict:
            execution = _attributes(get("Execution"))
        value = execution.get("ProcessID")
        if value is not None:
            fields["ExecutionProcessID"] = value if type(value) is int else _number(value)
        value = execution.get("ThreadID")
        if value is not None:
            fields["ExecutionThreadID"] = value if type(value) is int else _number(value)
    security = get("Security")
    if security is not None:
        value = _attributes(security).get("UserID")
        if value is not None:
            fields["UserID"] = value
    return fields


def _place(fields: dict[str, Any], name: str, value: Any, path: str, system: set[str]) -> None:
    """Put an event-data value under its name; on a clash with a System field the event's own
    data wins the plain name (System 104 names the *cleared* log `Channel`, and that is what
    rules about it test) and System's value moves to `System.<name>`, where the logsource
    selection reads it. A clash between two data sections keeps the first under the name."""
    current = fields.get(name)
    if current is None:
        fields[name] = value
    elif name in system:
        system.discard(name)
        fields[SYSTEM_PREFIX + name] = current
        fields[name] = value
    else:
        fields[f"{path}.{name}"] = value


def _nested(node: dict[str, Any], fields: dict[str, Any], path: str, system: set[str]) -> None:
    """Fields of UserData-like sections under their leaf names (clashes: see `_place`)."""
    for name, value in node.items():
        if name == "#attributes":
            continue
        if type(value) is dict:
            if "#text" in value:
                value = value["#text"]
            else:
                _nested(value, fields, f"{path}.{name}", system)
                continue
        _place(fields, name, value, path, system)


def _unwrap(data: dict[str, Any]) -> dict[str, Any]:
    """EventData of classic events: `{"#text": v}` → v, attributes dropped.

    Also names the xmltodict shape `"Data": [{"@Name": "X", "#text": v}, ...]` as fields.
    """
    fields: dict[str, Any] = {}
    for name, value in data.items():
        if type(value) is dict:
            if name == "#attributes":
                continue
            if "#text" in value:
                value = value["#text"]
            elif len(value) == 1 and "#attributes" in value:
                value = None
        elif type(value) is list and name == "Data" and value and type(value[0]) is dict:
            unnamed = []
            for item in value:
                if type(item) is dict and type(item.get("@Name")) is str:
                    fields[item["@Name"]] = item.get("#text")
                else:
                    unnamed.append(item.get("#text") if type(item) is dict else item)
            if not unnamed:
                continue
            value = unnamed
        fields[name] = value
    return fields


def _merge_clash(
    fields: dict[str, Any], data: dict[str, Any], path: str, system: set[str]
) -> dict[str, Any]:
    """Add `data` to `fields`, resolving name clashes as `_place` does."""
    for name, value in data.items():
        _place(fields, name, value, path, system)
    return fields


@lru_cache(maxsize=4096)
def _spaced_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names with spaces, remembered per layout: events of one kind share their names, and
    looking at each name of each event was a visible share of reading time."""
    return tuple(name for name in names if " " in name)


def flatten(event: dict[str, Any]) -> dict[str, Any]:
    """Sigma-visible fields of one event: the object under `Event`, or Velociraptor's row.

    On a name clash the event's own data keeps the plain name and the System value moves to
    `System.<name>` (see `_place`). The input is not modified.
    """
    system = event.get("System")
    fields = _system(system) if type(system) is dict else {}
    system_keys = set(fields)
    data = event.get("EventData")
    if type(data) is dict:
        # Only classic (non-manifest) events wrap values in objects, always under these keys.
        if "Data" in data or "#attributes" in data:
            data = _unwrap(data)
        merged = fields | data
        if len(merged) != len(fields) + len(data):
            merged = _merge_clash(fields, data, "EventData", system_keys)
        fields = merged
        for name in _spaced_names(tuple(data)):
            # Defender and other classic providers name fields "Threat Name"; Sigma rules
            # (and THOR, Hayabusa) use them without spaces: "ThreatName".
            fields.setdefault(name.replace(" ", ""), data[name])
    elif data is not None:
        # <EventData>text</EventData> without <Data> children.
        fields.setdefault("Data", data)
    if len(event) > ("System" in event) + ("EventData" in event) + ("#attributes" in event):
        for section in _NESTED_SECTIONS:
            nested = event.get(section)
            if type(nested) is dict:
                _nested(nested, fields, section, system_keys)
    return fields


def to_event(event: dict[str, Any], source: str, position: int) -> Event:
    """Wrap `flatten` with the time the event happened, taken from System/TimeCreated."""
    fields = flatten(event)
    return Event(fields, source, position, parse_utc(fields.get("TimeCreated")))
