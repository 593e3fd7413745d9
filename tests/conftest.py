"""Shared fixtures: where ../shared lives, and one compiled SigmaHQ rule set per test run."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SIGMA = SHARED / "sigma"
EVTX = SHARED / "evtx"


def need(path: Path) -> Path:
    """Skip (with the reason) when the shared data beside the repo is absent."""
    if not path.exists():
        pytest.skip(f"{path} is not present (../shared/data is provided beside the repo)")
    return path


@pytest.fixture(scope="session")
def rule_cache(request: pytest.FixtureRequest) -> Path:
    """Compiled rules are keyed by content, so a cache kept between test runs is safe."""
    return Path(request.config.cache.mkdir("mamori-rules"))


@pytest.fixture(scope="session")
def sigma_all(rule_cache: Path):
    from mamori.hunt.loader import load_rules

    need(SIGMA / "rules")
    return load_rules(
        [SIGMA / "rules", SIGMA / "rules-threat-hunting", SIGMA / "rules-emerging-threats"],
        cache_dir=rule_cache,
    )


@pytest.fixture(scope="session")
def sigma_windows(rule_cache: Path):
    from mamori.hunt.loader import load_rules

    return load_rules([need(SIGMA / "rules" / "windows")], cache_dir=rule_cache)
