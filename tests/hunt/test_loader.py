"""The compiled-rule cache: same answer warm or cold, only changed files recompiled, never
trusted blindly."""

from __future__ import annotations

import os
import pickle
import sqlite3
import stat
from pathlib import Path

import pytest

from mamori.hunt import loader
from mamori.hunt.loader import load_rules

RULE = """
title: Whoami {n}
id: 5f1c6f7e-0000-4000-8000-00000000000{n}
status: test
logsource: {{product: windows, category: process_creation}}
detection:
  selection: {{Image|endswith: '\\\\whoami{n}.exe'}}
  condition: selection
level: medium
"""


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for n in range(3):
        (folder / f"r{n}.yml").write_text(RULE.format(n=n), encoding="utf-8")
    return folder


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Sources compiled (not taken from the cache), in order."""
    seen: list[str] = []
    real = loader.compile_text

    def counting(text: str, source: str) -> loader.FileResult:
        seen.append(Path(source).name)
        return real(text, source)

    monkeypatch.setattr(loader, "compile_text", counting)
    return seen


def test_warm_load_gives_the_same_rules_without_compiling(
    rules: Path, tmp_path: Path, compiled: list[str]
) -> None:
    cold = load_rules([rules], cache_dir=tmp_path / "cache")
    assert compiled == ["r0.yml", "r1.yml", "r2.yml"]
    warm = load_rules([rules], cache_dir=tmp_path / "cache")
    assert compiled == ["r0.yml", "r1.yml", "r2.yml"]
    assert warm.rules == cold.rules
    assert [r.meta.title for r in warm.rules] == ["Whoami 0", "Whoami 1", "Whoami 2"]


def test_only_a_changed_file_is_compiled_again(
    rules: Path, tmp_path: Path, compiled: list[str]
) -> None:
    load_rules([rules], cache_dir=tmp_path / "cache")
    (rules / "r1.yml").write_text(RULE.format(n=7), encoding="utf-8")
    again = load_rules([rules], cache_dir=tmp_path / "cache")
    assert compiled == ["r0.yml", "r1.yml", "r2.yml", "r1.yml"]
    assert [r.meta.title for r in again.rules] == ["Whoami 0", "Whoami 7", "Whoami 2"]


def test_same_content_elsewhere_names_its_own_file(rules: Path, tmp_path: Path) -> None:
    load_rules([rules], cache_dir=tmp_path / "cache")
    other = tmp_path / "other"
    other.mkdir()
    (other / "copy.yml").write_bytes((rules / "r0.yml").read_bytes())
    (rule,) = load_rules([other], cache_dir=tmp_path / "cache").rules
    assert rule.meta.source == str(other / "copy.yml")


def test_cache_is_private_to_its_user(rules: Path, tmp_path: Path) -> None:
    load_rules([rules], cache_dir=tmp_path / "cache")
    database = tmp_path / "cache" / "compiled-rules.sqlite"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "cache").stat().st_mode) == 0o700


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_tampered_entries_are_refused_and_recompiled(
    rules: Path, tmp_path: Path, compiled: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_rules([rules], cache_dir=tmp_path / "cache")
    monkeypatch.chdir(tmp_path)
    with sqlite3.connect(tmp_path / "cache" / "compiled-rules.sqlite") as db:
        db.execute("UPDATE entries SET value = ?", (pickle.dumps(_Boom()),))
    again = load_rules([rules], cache_dir=tmp_path / "cache")
    assert not (tmp_path / "pwned").exists()
    assert len(again.rules) == 3
    assert compiled.count("r0.yml") == 2


def test_a_cache_that_is_not_a_database_only_costs_speed(
    rules: Path, tmp_path: Path, compiled: list[str]
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "compiled-rules.sqlite").write_bytes(b"not sqlite at all" * 100)
    assert len(load_rules([rules], cache_dir=cache).rules) == 3
    assert len(load_rules([rules], cache_dir=cache).rules) == 3
    assert compiled.count("r0.yml") == 2
