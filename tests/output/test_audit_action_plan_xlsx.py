import io
from pathlib import Path

from openpyxl import load_workbook

from mamori.output.audit.action_plan import plan_rows
from mamori.output.audit.action_plan_xlsx import write_action_plan_xlsx

from audit_sample import audit_document


def test_workbook_holds_the_plan_rows_with_a_usable_header(tmp_path: Path) -> None:
    doc = audit_document(tmp_path)
    buffer = io.BytesIO()
    write_action_plan_xlsx(doc, buffer, "ja")
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    header, rows = plan_rows(doc, "ja")
    values = [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[0] == header and values[1:] == rows
    assert sheet.title == "対応計画" and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet["A2"].fill.fgColor.rgb.endswith("C00000")  # critical first, in red
    (choices,) = sheet.data_validations.dataValidation
    assert "未対応" in choices.formula1 and f"I2:I{len(rows) + 1}" in str(choices.sqref)


def test_english_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    write_action_plan_xlsx(audit_document(tmp_path), buffer, "en")
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.title == "Action plan" and sheet["A1"].value != "優先度"
