from datetime import UTC, datetime
from pathlib import Path

import pytest

from mamori.audit.config import ConfigError
from mamori.audit.sources import read_identity
from mamori.audit.sources.mapped_csv import load_mapping
from mamori.events import InputProblem

DATA = Path(__file__).resolve().parent.parent / "mapped_data"


def _read() -> tuple[dict, list[InputProblem]]:
    problems: list[InputProblem] = []
    mapping = load_mapping(DATA / "kintone.mapping.yaml")
    data = read_identity([DATA], problems.append, mappings=[mapping])
    return {a.name: a for a in data.accounts}, problems


def test_a_mapped_csv_becomes_accounts_of_its_own_source() -> None:
    accounts, _ = _read()
    assert set(accounts) == {"t.yamada", "vendor-ops", "h.kato", "k.ito"}
    ops = accounts["vendor-ops"]
    assert ops.key == "kintone:vendor-ops" and ops.email == "ops@hoshu-partner.co.jp"
    assert ops.enabled is True and ops.mfa.registered is False and ops.privileged
    assert ops.employee_type == "業務委託"
    # 2025/09/29 23:40 written in Japan time
    assert ops.last_sign_in == datetime(2025, 9, 29, 14, 40, tzinfo=UTC)
    assert accounts["h.kato"].enabled is False
    assert ops.evidence[0].position == "row 3"


def test_bad_cells_are_reported_and_the_rest_read() -> None:
    accounts, problems = _read()
    messages = {(p.position, p.message) for p in problems}
    assert any(pos == "row 5" and "login name" in msg for pos, msg in messages)
    assert any(pos == "row 6" and "'たぶん'" in msg for pos, msg in messages)
    assert any(pos == "row 6" and "昨日" in msg for pos, msg in messages)
    assert accounts["k.ito"].mfa.registered is None and accounts["k.ito"].last_sign_in is None


def test_without_the_mapping_the_file_is_not_recognised() -> None:
    problems: list[InputProblem] = []
    assert read_identity([DATA], problems.append).accounts == []
    assert "not recognised" in problems[0].message


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("source: kintone\ncolumns: {email: Mail}\n", "columns.name"),
        ("source: kintone\ncolumns: {name: Login, shoe_size: X}\n", "unknown mamori fields"),
        ("source: Bad Name\ncolumns: {name: Login}\n", "source"),
        ("source: kintone\ncolumns: {name: Login}\ntimezone: Mars/Base\n", "time zone"),
    ],
)
def test_a_broken_mapping_is_a_usage_error(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=why):
        load_mapping(path)
