"""A real audit document for the output tests: the fixture exports, audited as `mamori audit`
does, with one valid exception so that excepted findings exist too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mamori.audit.exceptions import load_register
from mamori.audit.run import run_audit
from mamori.output.audit.document import build_document

DATA = Path(__file__).resolve().parent.parent / "audit" / "data"
AS_OF = datetime(2025, 10, 1, 14, 59, 59, 999999, tzinfo=UTC)
"""`--as-of 2025-10-01`: the end of that day in JST."""
EXCEPTED_SUBJECT = "entra:ext-suzuki@sakura-shoji.co.jp"
EXCEPTED_CHECKS = ("MFA-CONTRACTOR-MISSING", "MFA-PRIV-MISSING")
REGISTER = f"""
exceptions:
  - id: EXC-001
    subject: {EXCEPTED_SUBJECT}
    checks: [{", ".join(EXCEPTED_CHECKS)}]
    owner: 山田 太郎
    approver: 情報システム部長
    reason: 保守端末が FIDO2 に未対応のため 2025 年度末まで
    compensating_controls: [委託先 VPN からの接続のみ許可, 毎日のサインインレビュー]
    created: 2025-04-01
    expires: 2026-03-31
"""


def audit_document(register_dir: Path) -> dict[str, Any]:
    """The document, the register written to `register_dir` (tests that change the document
    work on a copy: it is built once per module)."""
    path = register_dir / "exceptions.yaml"
    path.write_text(REGISTER, encoding="utf-8")
    return build_document(run_audit([DATA], register=load_register(path), as_of=AS_OF))
