"""Findings as CSV (UTF-8 with BOM, so Excel shows Japanese text): one row per finding."""

from __future__ import annotations

import csv
import io
from typing import IO, Any

COLUMNS = (
    "severity",
    "status",
    "check_id",
    "subject",
    "person",
    "tags",
    "message",
    "exception_id",
    "evidence",
)


def write_findings_csv(document: dict[str, Any], out: IO[bytes], lang: str) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for finding in document["findings"]:
        evidence = "; ".join(f"{e['file']} ({e['position']})" for e in finding["evidence"])
        writer.writerow(
            [
                finding["severity"],
                finding["status"],
                finding["check_id"],
                finding["subject"],
                finding["person"] or "",
                ", ".join(finding["tags"]),
                finding["message"][lang],
                finding["exception_id"] or "",
                evidence,
            ]
        )
    text.flush()
    text.detach()
