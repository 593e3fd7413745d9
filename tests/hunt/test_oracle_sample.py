"""The fast matcher against a plain reading of pySigma's objects, on real rules and real logs.

A seeded sample of SigmaHQ Windows rules is evaluated on every event of the shared corpus
that its logsource selects: fast matcher and reference evaluator must agree on each pair.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sigma.collection import SigmaCollection

from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.matching.reference import reference_match
from mamori.hunt.model import RuleSet
from mamori.readers import read_events

from conftest import EVTX, SIGMA, need

SAMPLE = 120


@pytest.mark.slow
def test_fast_matcher_agrees_with_reference_on_sampled_rules(sigma_windows: RuleSet) -> None:
    need(SIGMA / "rules" / "windows")
    events = list(read_events([need(EVTX)], on_problem=lambda p: None))
    rules = random.Random(20251019).sample(sigma_windows.rules, SAMPLE)
    found = set(FastMatcher(rules).match(events))
    checked = 0
    for index, rule in enumerate(rules):
        sigma_rule = SigmaCollection.from_yaml(Path(rule.meta.source).read_text("utf-8")).rules[0]
        channels = {v.selector.channel for v in rule.variants}
        for position, event in enumerate(events):
            if (
                None not in channels
                and event.fields.get("System.Channel", event.fields.get("Channel")) not in channels
            ):
                continue
            expected = reference_match(sigma_rule, event.fields)
            assert ((index, position) in found) == expected, (
                rule.meta.title,
                event.source,
                event.position,
            )
            checked += 1
    assert checked > 10_000
