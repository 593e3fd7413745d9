"""SigmaHQ's own true-positive cases: each rule fires on its sample, `match_count` times."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import SIGMA
from mamori.hunt.engine import HuntEngine
from mamori.hunt.model import RuleSet
from mamori.readers import read_events

REGRESSION = SIGMA / "regression_data"


def cases() -> list[tuple[str, Path, int | None]]:
    if not REGRESSION.exists():
        return []
    found = []
    for info_path in sorted(REGRESSION.rglob("info.yml")):
        info = yaml.safe_load(info_path.read_text(encoding="utf-8"))
        rule_id = info["rule_metadata"][0]["id"]
        for test in info.get("regression_tests_info", []):
            if test.get("type") != "evtx":
                continue
            sample = SIGMA / test["path"]
            found.append((rule_id, sample, test.get("match_count")))
    return found


CASES = cases()


@pytest.mark.skipif(not CASES, reason=f"{REGRESSION} is not present")
@pytest.mark.parametrize(("rule_id", "sample", "match_count"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_sample(sigma_all, rule_id: str, sample: Path, match_count) -> None:
    rules = [r for r in sigma_all.rules if r.meta.id == rule_id]
    problems = [p for p in sigma_all.problems if p.rule_id == rule_id]
    assert rules, f"rule {rule_id} not loaded: {problems}"
    problems_seen = []
    events = list(read_events([sample], on_problem=problems_seen.append))
    assert events, f"no events read from {sample}: {problems_seen}"
    engine = HuntEngine(RuleSet(rules=rules))
    found = engine.process(events) + engine.finish()
    if match_count is None:
        assert found, f"{rules[0].meta.title} did not fire on {sample.name}"
    else:
        assert len(found) == match_count
