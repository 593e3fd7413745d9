"""`mamori audit diff` on a terminal."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

SECTIONS = {
    "new": ("新規", "new"),
    "regressed": ("悪化", "regressed"),
    "exception_expired": ("例外切れで再発", "exception expired"),
    "fixed": ("解消", "fixed"),
    "newly_excepted": ("例外適用", "newly excepted"),
}


def render_diff(changes: dict[str, Any], console: Console, lang: str) -> None:
    index = 0 if lang == "ja" else 1
    table = Table(box=box.SIMPLE_HEAD, header_style="bold")
    for column in (("区分", "change"), ("重要度", "severity"), ("ID", "ID"), ("内容", "message")):
        table.add_column(column[index], overflow="fold")
    for name, labels in SECTIONS.items():
        for finding in changes[name]:
            table.add_row(
                labels[index], finding["severity"], finding["check_id"], finding["message"][lang]
            )
    console.print(table)
    counts = ", ".join(f"{SECTIONS[n][index]} {len(changes[n])}" for n in SECTIONS)
    console.print(f"{changes['old_as_of']} → {changes['new_as_of']}: {counts}")
