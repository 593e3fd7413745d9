"""The engine gives the same answer whether events come all at once or in micro-batches."""

from __future__ import annotations

import pytest

from mamori.hunt.engine import HuntEngine
from mamori.readers import read_events

from conftest import EVTX, need


@pytest.mark.slow
def test_micro_batches_equal_one_batch(sigma_windows) -> None:
    events = list(read_events([need(EVTX)], on_problem=lambda p: None))
    assert len(events) > 10_000

    def run(batch: int) -> list[tuple[str, str, int]]:
        engine = HuntEngine(sigma_windows, time_ordered=True)
        found = []
        for start in range(0, len(events), batch):
            found += engine.process(events[start : start + batch])
        found += engine.finish()
        return sorted((d.rule.id, d.event.source, d.event.position) for d in found)

    whole = run(len(events))
    assert len(whole) > 1000
    assert run(997) == whole
    assert run(64) == whole
