from pathlib import Path

import pytest

from mamori.audit.config import ConfigError, load_config


def test_defaults_without_a_file() -> None:
    config = load_config(None)
    assert config.thresholds.stale_days == 90
    assert "業務委託" in config.tagging.contractor_employee_types


def test_a_file_overrides_and_typos_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "audit.yaml"
    path.write_text("thresholds:\n  stale_days: 60\n", encoding="utf-8")
    assert load_config(path).thresholds.stale_days == 60
    path.write_text("thresholds:\n  stale_dayz: 60\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"thresholds\.stale_dayz"):
        load_config(path)
    path.write_text("thresholds:\n  stale_days: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="stale_days"):
        load_config(path)
