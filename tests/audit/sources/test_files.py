import codecs
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.audit.model import Account
from mamori.audit.sources.files import parse_file
from mamori.events import InputProblem

HEADER = "SamAccountName,DisplayName,Enabled"


def _parse(tmp_path: Path, data: bytes) -> tuple[object, list[InputProblem]]:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    problems: list[InputProblem] = []
    return parse_file(path, problems.append), problems


def test_csv_in_each_windows_encoding(tmp_path: Path) -> None:
    text = f"{HEADER}\nt.yamada,山田 太郎,True\n"
    for data, encoding in (
        (text.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
        (text.encode("utf-16"), "utf-16"),
        (text.encode("cp932"), "cp932"),
    ):
        records, problems = _parse(tmp_path, data)
        assert records.encoding == encoding and not problems
        assert records.rows == [
            ("row 2", {"SamAccountName": "t.yamada", "DisplayName": "山田 太郎", "Enabled": "True"})
        ]


def test_semicolon_csv_and_powershell_type_line(tmp_path: Path) -> None:
    text = '#TYPE Microsoft.ActiveDirectory.Management.ADUser\n"A";"B"\n"1,5";"x"\n'
    records, problems = _parse(tmp_path, text.encode())
    assert records.rows == [("row 3", {"A": "1,5", "B": "x"})] and not problems


def test_short_rows_and_broken_json_lines_are_reported_with_position(tmp_path: Path) -> None:
    records, problems = _parse(tmp_path, f"{HEADER}\na,b\nc,d,e\n".encode())
    assert [r[0] for r in records.rows] == ["row 3"]
    assert problems[0].position == "row 2"
    path = tmp_path / "lines.jsonl"
    path.write_text('{"id": 1}\n{"id": \n{"id": 3}\n', encoding="utf-8")
    found: list[InputProblem] = []
    lines = parse_file(path, found.append)
    assert [r[0] for r in lines.rows] == ["line 1", "line 3"]
    assert found[0].position == "line 2"


def test_graph_pages_in_one_array_keep_their_page(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(
        '[{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users",'
        ' "value": [{"id": "a"}]}, {"value": [{"id": "b"}, {"id": "c"}]}]',
        encoding="utf-8",
    )
    records = parse_file(path, lambda p: None)
    assert records.context.endswith("#users")
    assert [r[0] for r in records.rows] == ["page 1 value[0]", "page 2 value[0]", "page 2 value[1]"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_never_raise(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("any") / "x"
    path.write_bytes(data)
    parse_file(path, lambda p: None)


def test_account_keys_are_unique_across_aws_accounts() -> None:
    roots = [
        Account("aws", f"arn:aws:iam::{n}:root", "<root_account>", tenant=n)
        for n in ("111111111111", "222222222222")
    ]
    assert roots[0].key != roots[1].key == "aws:222222222222/<root_account>"
    assert Account("entra", "x", "a@contoso.co.jp", tenant="t").key == "entra:a@contoso.co.jp"


def test_pages_saved_one_after_another_in_one_array(tmp_path: Path) -> None:
    path = tmp_path / "okta-users.json"
    path.write_text('[[{"id": "a"}, {"id": "b"}], [{"id": "c"}]]', encoding="utf-8")
    records = parse_file(path, lambda p: None)
    assert [r[0] for r in records.rows] == [
        "page 1 value[0]",
        "page 1 value[1]",
        "page 2 value[0]",
    ]


def test_times_beyond_year_9999_in_utc_are_unknown_not_a_crash() -> None:
    from mamori.events import parse_utc

    assert parse_utc("9999-12-31T23:59:59-05:00") is None
    assert parse_utc("2025-06-05T09:00:00+09:00").hour == 0
