"""Any other system's account list as CSV, read through a column mapping file.

Kintone, a SaaS admin console, a VPN appliance, an in-house system: each can export its users
as CSV, none in a shape mamori knows. One small YAML file says which column is the login name,
the e-mail, the enabled flag, the MFA flag, the last sign-in… and which words mean yes and no
(有効 / 無効, ○ / ×). The accounts then take part in every check like any other source's, under
the mapping's own source name (`kintone:t.yamada@example.co.jp`).

```yaml
source: kintone                      # the name findings use
columns:                             # mamori field: CSV column (name is required)
  name: ログイン名
  email: メールアドレス
  display_name: 表示名
  enabled: 状態
  mfa: 2要素認証
  admin: 管理者
  employee_type: 雇用形態
  last_sign_in: 最終ログイン日時
  created: 作成日時
true_values: [有効, はい, ○]          # added to true/yes/1
false_values: [無効, いいえ, ×]       # added to false/no/0
date_formats: ["%Y/%m/%d %H:%M"]      # tried after ISO 8601
timezone: Asia/Tokyo                  # for dates written without a zone
```
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.audit.config import ConfigError
from mamori.audit.model import Account, Evidence, IdentityData, Mfa, RoleAssignment
from mamori.audit.sources.files import Records
from mamori.events import InputProblem, parse_utc
from mamori.timefmt import zone

FIELDS = (
    "name",
    "id",
    "email",
    "display_name",
    "enabled",
    "mfa",
    "admin",
    "employee_type",
    "user_type",
    "company",
    "department",
    "manager",
    "last_sign_in",
    "created",
    "end_date",
)
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,31}$")
    columns: dict[str, str]
    true_values: list[str] = Field(default_factory=list)
    false_values: list[str] = Field(default_factory=list)
    date_formats: list[str] = Field(default_factory=list)
    timezone: str = "Asia/Tokyo"

    def model_post_init(self, _context: object) -> None:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise ValueError(f"unknown mamori fields {sorted(unknown)} (known: {list(FIELDS)})")
        if "name" not in self.columns:
            raise ValueError("columns.name (the login name column) is required")

    def claims(self, records: Records) -> bool:
        """A CSV whose header has every column this mapping names."""
        return records.format == "csv" and set(self.columns.values()) <= set(records.header)


def load_mapping(path: Path) -> Mapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the column mapping: {exc}") from None
    try:
        mapping = Mapping.model_validate(document)
        zone(mapping.timezone)
    except (ValidationError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return mapping


def build(
    mapping: Mapping, files: list[Records], on_problem: Callable[[InputProblem], None]
) -> IdentityData:
    data = IdentityData()
    reader = _Reader(mapping, zone(mapping.timezone), on_problem)
    for records in files:
        for position, row in records.rows:
            account = reader.account(str(records.path), position, row)
            if account is not None:
                data.accounts.append(account)
    data.coverage.kinds[mapping.source] = {"users"}
    return data


class _Reader:
    def __init__(
        self, mapping: Mapping, tz: tzinfo, on_problem: Callable[[InputProblem], None]
    ) -> None:
        self.mapping = mapping
        self.tz = tz
        self.on_problem = on_problem
        self.true = {v.casefold() for v in (*_TRUE, *mapping.true_values)}
        self.false = {v.casefold() for v in (*_FALSE, *mapping.false_values)}

    def account(self, file: str, position: str, row: dict[str, str]) -> Account | None:
        def cell(field: str) -> str | None:
            column = self.mapping.columns.get(field)
            value = row.get(column, "").strip() if column else ""
            return value or None

        def problem(message: str) -> None:
            self.on_problem(InputProblem(file, position, message))

        name = cell("name")
        if name is None:
            problem(f"no {self.mapping.columns['name']} (login name); row skipped")
            return None
        admin = self._flag(cell("admin"), "admin", problem)
        mfa = self._flag(cell("mfa"), "mfa", problem)
        user_type = cell("user_type")
        return Account(
            source=self.mapping.source,
            id=cell("id") or name,
            name=name,
            email=cell("email"),
            display_name=cell("display_name"),
            user_type=user_type.lower() if user_type else None,
            employee_type=cell("employee_type"),
            company=cell("company"),
            department=cell("department"),
            manager=cell("manager"),
            enabled=self._flag(cell("enabled"), "enabled", problem),
            created=self._time(cell("created"), "created", problem),
            last_sign_in=self._time(cell("last_sign_in"), "last_sign_in", problem),
            end_date=self._time(cell("end_date"), "end_date", problem),
            mfa=Mfa(registered=mfa),
            is_admin=admin,
            roles=[RoleAssignment("admin")] if admin else [],
            evidence=[Evidence(file, position, row)],
        )

    def _flag(self, value: str | None, field: str, problem: Callable[[str], None]) -> bool | None:
        if value is None:
            return None
        folded = value.casefold()
        if folded in self.true:
            return True
        if folded in self.false:
            return False
        problem(
            f"{self.mapping.columns[field]}: {value!r} is neither a true nor a false value "
            "of the mapping; read as unknown"
        )
        return None

    def _time(
        self, value: str | None, field: str, problem: Callable[[str], None]
    ) -> datetime | None:
        if value is None:
            return None
        for pattern in self.mapping.date_formats:
            try:
                moment = datetime.strptime(value, pattern)
            except ValueError:
                continue
            return (moment if moment.tzinfo else moment.replace(tzinfo=self.tz)).astimezone(UTC)
        moment = parse_utc(value)
        if moment is None:
            problem(f"{self.mapping.columns[field]}: cannot read date {value!r}; ignored")
        return moment
