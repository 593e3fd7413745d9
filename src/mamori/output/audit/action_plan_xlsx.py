"""The action plan as an Excel workbook: what a Japanese IT team hands to management.

The same rows as the CSV (`action_plan.plan_rows`), with what a CSV cannot carry: a frozen,
filterable header, wrapped cells, column widths that fit Japanese text, severity colours, and
a choice list for the status column so the team can track it in the file they circulate.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mamori.output.audit.action_plan import LABELS, PLAN_ZONE, plan_rows

WIDTHS = (10, 26, 40, 40, 60, 16, 12, 30, 12, 40)
"""Column widths in characters, in COLUMNS order (Japanese text is about two per character)."""
SEVERITY_FILLS = {"critical": "C00000", "high": "E26B0A", "medium": "FFC000", "low": "9DC3E6"}
SHEET_TITLE = {"ja": "対応計画", "en": "Action plan"}
STATUS_CHOICES = {
    "ja": ("未対応", "対応中", "対応済", "例外適用"),
    "en": ("Open", "In progress", "Done", "Excepted"),
}
STATUS_COLUMN = 8
"""Index of 状況 / status in the plan's columns."""


def write_action_plan_xlsx(
    document: dict[str, Any], out: IO[bytes], lang: str, tz: tzinfo = PLAN_ZONE
) -> None:
    header, rows = plan_rows(document, lang, tz)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE[lang]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    severity_of = {label: key for key, label in LABELS[lang]["severity"].items()}
    for row in rows:
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        colour = SEVERITY_FILLS.get(severity_of.get(row[0], ""))
        if colour:
            cells[0].fill = PatternFill("solid", fgColor=colour)
            cells[0].font = Font(bold=True, color="FFFFFF" if colour != "FFC000" else "000000")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    if rows:
        choices = DataValidation(
            type="list", formula1='"' + ",".join(STATUS_CHOICES[lang]) + '"', allow_blank=True
        )
        sheet.add_data_validation(choices)
        status_column = get_column_letter(STATUS_COLUMN + 1)
        choices.add(f"{status_column}2:{status_column}{len(rows) + 1}")
    book.save(out)
