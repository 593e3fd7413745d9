"""Sigma correlation rules: counting, distinct values, temporal order, and batch invariance."""

from __future__ import annotations

from mamori.hunt.engine import HuntEngine

from helpers import event, ruleset

FAILED_LOGON = """
title: Failed logon
id: 00000000-0000-4000-8000-0000000000a1
name: failed_logon
status: test
level: low
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
"""
SUCCESS_LOGON = """
title: Successful logon
id: 00000000-0000-4000-8000-0000000000a2
name: success_logon
status: test
level: low
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  condition: sel
"""


def correlation(body: str, generate: bool = False) -> str:
    return f"""
title: Correlated
id: 00000000-0000-4000-8000-0000000000c1
status: test
level: high
correlation:
{body}
  generate: {"true" if generate else "false"}
"""


def failed(position: int, seconds: float, user: str = "k.sato", ip: str = "10.0.0.5"):
    return event(
        position, seconds, channel="Security", event_id=4625, TargetUserName=user, IpAddress=ip
    )


def success(position: int, seconds: float, user: str = "k.sato"):
    return event(position, seconds, channel="Security", event_id=4624, TargetUserName=user)


def run(yaml_text: str, events, batch: int | None = None, time_ordered: bool = False):
    engine = HuntEngine(ruleset(yaml_text), time_ordered=time_ordered)
    out = []
    size = batch or len(events) or 1
    for start in range(0, len(events), size):
        out.extend(engine.process(events[start : start + size]))
    out.extend(engine.finish())
    return out


EVENT_COUNT = correlation(
    """  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 3}"""
)


def test_event_count_fires_once_per_burst_and_groups() -> None:
    events = [failed(i, i * 10) for i in range(1, 5)] + [failed(9, 20, user="other")]
    found = run(FAILED_LOGON + "---" + EVENT_COUNT, events)
    assert len(found) == 1
    assert found[0].rule.title == "Correlated"
    assert found[0].details["TargetUserName"] == "k.sato"
    assert [e.position for e in found[0].events] == [1, 2, 3]
    assert found[0].details["records"] == "test.evtx#1, test.evtx#2, test.evtx#3"


def test_event_count_respects_timespan() -> None:
    events = [failed(1, 0), failed(2, 200), failed(3, 400)]
    assert run(FAILED_LOGON + "---" + EVENT_COUNT, events) == []


def test_base_rule_reported_only_when_generate() -> None:
    events = [failed(i, i) for i in range(1, 4)]
    silent = run(FAILED_LOGON + "---" + EVENT_COUNT, events)
    assert [d.rule.title for d in silent] == ["Correlated"]
    loud_yaml = FAILED_LOGON + "---" + EVENT_COUNT.replace("generate: false", "generate: true")
    loud = run(loud_yaml, events)
    assert sorted(d.rule.title for d in loud) == ["Correlated"] + ["Failed logon"] * 3


def test_value_count_counts_distinct_values() -> None:
    rule = correlation(
        """  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 10m
  condition: {gte: 3, field: TargetUserName}"""
    )
    same_user = [failed(i, i, user="a") for i in range(1, 6)]
    assert run(FAILED_LOGON + "---" + rule, same_user) == []
    spray = [failed(i, i, user=f"user{i}") for i in range(1, 4)]
    found = run(FAILED_LOGON + "---" + rule, spray)
    assert len(found) == 1 and found[0].details["count"] == 3


def test_temporal_ordered_needs_the_order() -> None:
    rule = correlation(
        """  type: temporal_ordered
  rules: [failed_logon, success_logon]
  group-by: [TargetUserName]
  timespan: 1h"""
    )
    yaml_text = FAILED_LOGON + "---" + SUCCESS_LOGON + "---" + rule
    assert len(run(yaml_text, [failed(1, 0), success(2, 60)])) == 1
    assert run(yaml_text, [success(1, 0), failed(2, 60)]) == []


def test_temporal_any_order_with_aliases() -> None:
    rule = correlation(
        """  type: temporal
  rules: [failed_logon, success_logon]
  group-by: [account]
  timespan: 1h
  aliases:
    account:
      failed_logon: TargetUserName
      success_logon: TargetUserName"""
    )
    yaml_text = FAILED_LOGON + "---" + SUCCESS_LOGON + "---" + rule
    found = run(yaml_text, [success(1, 0), failed(2, 60)])
    assert len(found) == 1 and found[0].details["account"] == "k.sato"
    assert run(yaml_text, [success(1, 0), failed(2, 60, user="x")]) == []


def test_lt_condition_judged_when_window_closes() -> None:
    rule = correlation(
        """  type: event_count
  rules: [success_logon]
  group-by: [TargetUserName]
  timespan: 1m
  condition: {lt: 2}"""
    )
    yaml_text = SUCCESS_LOGON + "---" + rule
    found = run(yaml_text, [success(1, 0), success(2, 10), success(3, 200)])
    assert [len(d.events) for d in found] == [1]
    lonely = run(yaml_text, [success(1, 0), success(2, 100), success(3, 200)])
    assert [[e.position for e in d.events] for d in lonely] == [[1], [2], [3]]


def test_same_answer_in_batches_and_whole() -> None:
    yaml_text = FAILED_LOGON + "---" + EVENT_COUNT
    events = [failed(i, i * 7, user=f"u{i % 3}") for i in range(1, 60)]

    def signature(found):
        return sorted((d.rule.id, tuple(e.position for e in d.events)) for d in found)

    whole = signature(run(yaml_text, events))
    assert whole
    for size in (1, 2, 5, 13):
        assert signature(run(yaml_text, events, batch=size)) == whole
        assert signature(run(yaml_text, events, batch=size, time_ordered=True)) == whole
