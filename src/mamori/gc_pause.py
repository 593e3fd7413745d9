"""Pausing Python's cyclic garbage collector around bulk work.

Building tens of thousands of objects that live on (compiled rules, accounts, findings)
triggers collection after collection, each walking everything already built: measured here,
an audit of 30,000 accounts took 12.3 s with the collector running and 7.4 s with it paused,
and unpickling the SigmaHQ rule set 0.5 s against 0.1 s. These objects form no reference
cycles worth collecting, so pausing costs a few MB, not a leak; the collector is back on
afterwards, whatever happened.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
