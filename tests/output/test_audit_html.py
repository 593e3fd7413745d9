"""The HTML audit report from a real audit document: it fetches nothing, escapes what the
exports say, is Japanese or English, and shows every finding with the record behind it."""

from __future__ import annotations

import copy
import io
import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from mamori.audit.exceptions import ExceptionEntry, Register
from mamori.audit.run import run_audit
from mamori.audit.vendors import Obligations, Vendor, VendorRegistry
from mamori.output.audit.document import build_document, evidence_key
from mamori.output.audit.html import LABELS, render_html, write_html
from mamori.timefmt import zone

DATA = Path(__file__).resolve().parent.parent / "audit" / "data"
AS_OF = datetime(2025, 10, 1, 14, 59, 59, tzinfo=UTC)  # `--as-of 2025-10-01`, end of day JST
TOKYO = zone("Asia/Tokyo")
PAYLOAD = '"><script>alert(1)</script>'
DISPLAY_NAME = "鈴木 一郎 (ABCシステム)"  # entra:ext-suzuki@sakura-shoji.co.jp, many findings
SECTIONS = ("summary", "charts", "external", "vendors", "exceptions", "findings", "checks")
REGISTER = Register(
    entries=[
        ExceptionEntry(
            id="EXC-001",
            subject="entra:ext-suzuki@sakura-shoji.co.jp",
            checks=["MFA-CONTRACTOR-MISSING"],
            owner="山田 太郎",
            approver="情報システム部長",
            reason="保守端末が FIDO2 に未対応",
            compensating_controls=["委託先 VPN からのみ"],
            created=date(2025, 4, 1),
            expires=date(2026, 3, 31),
        ),
        ExceptionEntry(
            id="EXC-002",
            subject="aws:*",
            checks=["STALE-ACCOUNT"],
            owner=PAYLOAD,
            expires=date(2025, 6, 30),
        ),
    ]
)
VENDORS = VendorRegistry(
    [
        Vendor(
            id="sakura",
            name="株式会社さくら商事",
            contact=PAYLOAD,
            accounts=["*@sakura-shoji.co.jp"],
            obligations=Obligations(mfa_all_accounts=True, incident_notice_hours=24),
        )
    ],
    source="vendors.yaml",
)
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
)


class Page(HTMLParser):
    """The report walked as a browser's tokenizer sees it: every element must close in order
    (a stray `<` from the data would open one), and what the tests look at is collected."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self.pre: dict[str, str] = {}
        self.rows: list[tuple[str, list[str]]] = []
        self.sections: dict[str, str] = {}
        self.style = ""
        self.declarations: list[str] = []
        self.feed(text)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.declarations.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        values = {name: value or "" for name, value in attrs}
        self.attrs += [(tag, name, value) for name, value in values.items()]
        if tag == "h2":
            self.headings.append("")
        elif tag == "pre" and "id" in values:
            self.pre[values["id"]] = ""
        elif tag == "section":
            self.sections[values["id"]] = ""
        elif tag == "tr":
            self.rows.append((values.get("class", ""), []))
        elif tag in ("td", "th") and self.rows:
            self.rows[-1][1].append("")
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-3:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if "style" in self.open:
            self.style += data
        if "section" in self.open:
            self.sections[next(reversed(self.sections))] += data
        if "h2" in self.open:
            self.headings[-1] += data
        if "pre" in self.open and self.pre:
            last = next(reversed(self.pre))
            self.pre[last] += data
        if {"td", "th"} & set(self.open) and self.rows and self.rows[-1][1]:
            self.rows[-1][1][-1] += data

    @property
    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fixture exports audited, with an attacker's display name on an account that has
    findings (so its record is cited), a register and a vendor registry."""
    exports = tmp_path_factory.mktemp("exports") / "data"
    shutil.copytree(DATA, exports)
    users = exports / "entra" / "users.json"
    text = users.read_text(encoding="utf-8")
    assert DISPLAY_NAME in text
    users.write_text(text.replace(DISPLAY_NAME, json.dumps(PAYLOAD)[1:-1]), encoding="utf-8")
    report = run_audit([exports], register=REGISTER, vendors=VENDORS, as_of=AS_OF)
    return build_document(report)


@pytest.fixture(scope="module")
def ja(document: dict[str, Any]) -> str:
    return render_html(document, "ja", TOKYO)


def test_the_report_fetches_nothing_and_runs_nothing(ja: str) -> None:
    page = Page(ja)
    assert not {"script", "link", "img", "iframe", "object", "embed", "base"} & set(page.tags)
    for tag, name, value in page.attrs:
        assert "://" not in value and not value.startswith("//"), (tag, name, value)
        assert not name.startswith("on"), (tag, name)
    assert "url(" not in page.style and "@import" not in page.style
    assert page.tags["svg"] == 3  # severity, per check, per source: inline, drawn in Python


def test_it_parses_as_html_with_every_element_closed(ja: str) -> None:
    page = Page(ja)
    assert page.declarations == ["DOCTYPE html"]
    assert page.open == []
    assert page.tags["html"] == page.tags["body"] == 1


def test_attacker_strings_come_out_as_text(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    finding = doc["findings"][0]
    evidence = finding["evidence"][0]
    record = doc["records"][evidence_key(evidence["file"], evidence["position"])]
    evidence["file"] = PAYLOAD  # a crafted file name reaches an attribute (the link's title)
    doc["records"][evidence_key(PAYLOAD, evidence["position"])] = record
    finding.update(subject=PAYLOAD, person=PAYLOAD, message={"ja": PAYLOAD, "en": PAYLOAD})
    finding["details"]["source"] = PAYLOAD  # a label in the per-source SVG chart
    doc["vendors"][0]["name"] = PAYLOAD
    html = render_html(doc, "ja", TOKYO)
    assert "<script>" not in html
    page = Page(html)
    assert "script" not in page.tags
    assert page.all_text.count(PAYLOAD) >= 8
    cited = [text for text in page.pre.values() if PAYLOAD in text]
    assert cited and json.loads(cited[0])["displayName"] == PAYLOAD  # from the export itself


def test_japanese_labels_by_default_and_english_on_request(document: dict[str, Any]) -> None:
    for lang, zone_name in (("ja", "Asia/Tokyo"), ("en", "UTC")):
        page = Page(render_html(document, lang, zone(zone_name)))
        assert ("html", "lang", lang) in page.attrs
        labels = LABELS[lang]
        assert page.headings == [labels[s] for s in SECTIONS] + [labels["records"]]
        for word in (labels["severity"], labels["outcome_name"]["fail"], labels["accounts"]):
            assert word in page.all_text
    assert "未対応" in Page(render_html(document, "ja", TOKYO)).all_text
    assert "未対応" not in "".join(Page(render_html(document, "en", TOKYO)).headings)


def test_every_label_is_translated() -> None:
    def keys(table: dict[str, Any], prefix: str = "") -> set[str]:
        found = set()
        for key, value in table.items():
            found.add(prefix + key)
            if isinstance(value, dict):
                found |= keys(value, f"{prefix}{key}.")
        return found

    assert keys(LABELS["ja"]) == keys(LABELS["en"])


def test_times_are_shown_in_the_display_zone(document: dict[str, Any]) -> None:
    assert "2025/10/01 23:59:59" in Page(render_html(document, "ja", TOKYO)).all_text
    assert "2025/10/01 14:59:59" in Page(render_html(document, "en", zone("UTC"))).all_text


def test_every_finding_is_listed_with_its_subject_and_message(
    document: dict[str, Any], ja: str
) -> None:
    page = Page(ja)
    text = page.all_text
    for finding in document["findings"]:
        assert finding["subject"] in text
        assert finding["message"]["ja"] in text
    listed = [cls for cls, _ in page.rows if cls in ("open", "excepted")]
    assert len(listed) == len(document["findings"])
    assert listed.count("excepted") == document["summary"]["excepted_findings"] > 0


def test_each_finding_links_to_the_record_it_cites(document: dict[str, Any], ja: str) -> None:
    page = Page(ja)
    links = {value[1:] for tag, name, value in page.attrs if tag == "a" and name == "href"}
    assert links <= set(page.pre) | set(SECTIONS) | {"records"}
    shown = [json.loads(text) for text in page.pre.values()]
    for finding in document["findings"]:
        for item in finding["evidence"]:
            assert document["records"][evidence_key(item["file"], item["position"])] in shown
    assert len(shown) == len(document["records"])  # each record once, however often cited


def test_contractors_are_grouped_by_person(ja: str) -> None:
    section = Page(ja).sections["external"]
    assert "i.suzuki@abc-system.co.jp" in section  # ext-suzuki's person
    assert "adm-tanaka@example.co.jp" not in section  # an employee's admin account


def test_vendor_cards_show_obligations_and_only_when_there_are_vendors(
    document: dict[str, Any], ja: str
) -> None:
    text = Page(ja).all_text
    assert "株式会社さくら商事" in text and LABELS["ja"]["obligation"]["mfa_all_accounts"] in text
    assert LABELS["ja"]["obligation_state"]["unknown"] in text  # incident notice: unverifiable
    without = Page(render_html({**document, "vendors": []}, "ja", TOKYO))
    assert LABELS["ja"]["vendors"] not in without.all_text
    assert "vendors" not in without.sections


def test_exception_calendar_by_month_highlights_expired_and_void(
    document: dict[str, Any],
) -> None:
    def entry(entry_id: str, expires: str | None, valid: bool) -> dict[str, Any]:
        return {
            "id": entry_id,
            "subject": "aws:x",
            "checks": ["STALE-ACCOUNT"],
            "owner": "佐藤",
            "approver": "部長",
            "expires": expires,
            "valid": valid,
            "problems": {"ja": [], "en": []}
            if valid
            else {"ja": ["承認者がない"], "en": ["no approver"]},
            "findings_covered": 1,
        }

    exceptions = [
        entry("EXC-B", "2026-03-31", True),
        entry("EXC-D", None, False),
        entry("EXC-A", "2025-06-30", False),
        entry("EXC-C", "2026-03-15", False),
    ]
    page = Page(render_html({**document, "exceptions": exceptions}, "ja", TOKYO))
    calendar = [(cls, cells[:2]) for cls, cells in page.rows if cls.startswith(("month", "row-"))]
    assert calendar == [
        ("month", ["2025/06"]),
        ("row-expired", ["2025/06/30", "EXC-A"]),
        ("month", ["2026/03"]),
        ("row-void", ["2026/03/15", "EXC-C"]),
        ("row-valid", ["2026/03/31", "EXC-B"]),
        ("month", [LABELS["ja"]["no_expiry"]]),
        ("row-void", ["", "EXC-D"]),
    ]


def test_the_real_register_is_shown(ja: str) -> None:
    rows = {cells[1]: cls for cls, cells in Page(ja).rows if cls.startswith("row-")}
    assert rows == {"EXC-001": "row-valid", "EXC-002": "row-expired"}


def test_ten_thousand_findings_stay_one_chart_each(document: dict[str, Any]) -> None:
    """Charts are per check and per source, never per finding; the rest grows linearly."""
    doc = copy.deepcopy(document)
    base = doc["findings"]
    doc["findings"] = [
        {**base[i % len(base)], "subject": f"{base[i % len(base)]['subject']}-{i}"}
        for i in range(10_000)
    ]
    html = render_html(doc, "ja", TOKYO)
    small = render_html(document, "ja", TOKYO)
    assert html.count("<rect") == small.count("<rect")
    assert (len(html) - len(small)) / (10_000 - len(base)) < 2_000  # characters per finding


def test_write_html_writes_utf8(document: dict[str, Any], ja: str) -> None:
    out = io.BytesIO()
    write_html(document, out, "ja", TOKYO)
    assert out.getvalue().decode("utf-8") == ja
