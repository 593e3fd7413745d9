"""The vendor (委託先) registry: who each contractor is, which accounts it holds, and what its
contract obliges it to do — so the audit can hold vendors to it.

METI's サイバーセキュリティ経営ガイドライン v3.0 指示9 asks companies to know their contractors'
measures and write roles and responsibilities into contracts; the SCS evaluation scheme (★3/★4)
asks which suppliers need ★4: those handling important data, whose outage hurts, or **whose
environment can reach internal systems** — ASKUL's case. The registry is YAML
(`vendors: [...]`); each entry is read on its own so one bad entry does not hide the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mamori.audit.config import load_entries


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date | None = None
    end: date | None = None
    reference: str | None = None


class Obligations(BaseModel):
    """What the contract requires; None = the contract does not say."""

    model_config = ConfigDict(extra="forbid")

    mfa_all_accounts: bool | None = None
    named_accounts_only: bool | None = None
    log_retention_days: int | None = Field(None, ge=0)
    incident_notice_hours: int | None = Field(None, ge=0)
    scs_level_required: int | None = Field(None, ge=1, le=5)


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    expires: date | None = None
    reference: str | None = None


class Vendor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    contact: str | None = None
    contract: Contract = Field(default_factory=Contract)
    accounts: list[str] = Field(
        default_factory=list, description="Account keys, names or globs this vendor holds."
    )
    obligations: Obligations = Field(default_factory=Obligations)
    scs_level_claimed: int | None = Field(None, ge=1, le=5)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    handles_important_data: bool | None = None
    outage_unacceptable: bool | None = None
    reaches_internal_systems: bool | None = None
    """Declared; the audit also answers it from the data (an account in our directories)."""


@dataclass(slots=True)
class VendorRegistry:
    vendors: list[Vendor] = field(default_factory=list)
    invalid: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    source: str | None = None

    def account_patterns(self) -> dict[str, list[str]]:
        return {vendor.id: vendor.accounts for vendor in self.vendors}


def load_vendors(path: Path | None) -> VendorRegistry:
    if path is None:
        return VendorRegistry()
    vendors, invalid = load_entries(path, "vendors", Vendor, "vendor registry")
    return VendorRegistry(vendors, invalid, str(path))
