"""Audit settings: thresholds and the tags declared once and honoured by every check.

Defaults follow the reference's peers (Prowler 90 days for stale sign-ins and key rotation,
PingCastle 180 days for inactive AD accounts) and Japanese practice (sign-in logs kept at least
180 days). A YAML file overrides any of them; unknown keys are an error, so a typo in a
threshold name is not silently ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stale_days: int = Field(90, ge=1, description="No successful sign-in for this long: stale.")
    stale_privileged_days: int = Field(45, ge=1, description="Stricter for privileged accounts.")
    pending_guest_days: int = Field(30, ge=1, description="Guest invitation never accepted.")
    access_key_rotation_days: int = Field(90, ge=1)
    signin_log_required_days: int = Field(180, ge=1, description="Sign-in history to keep.")
    exception_max_days: int = Field(
        365, ge=1, description="Longest validity an exception may have."
    )
    exception_expiring_days: int = Field(30, ge=1, description="Warn this long before expiry.")
    admin_password_max_age_days: int = Field(365, ge=1)
    vendor_evidence_expiring_days: int = Field(
        30, ge=1, description="Warn this long before a vendor's evidence (SCS, audit) expires."
    )


class Tagging(BaseModel):
    """How accounts are recognised as external, break-glass or service accounts."""

    model_config = ConfigDict(extra="forbid")

    contractor_employee_types: list[str] = Field(
        default_factory=lambda: [
            "contractor",
            "vendor",
            "consultant",
            "partner",
            "temporary",
            "業務委託",
            "委託",
            "派遣",
            "協力会社",
        ],
        description="employeeType / userType values (case-insensitive) that mean external.",
    )
    break_glass: list[str] = Field(
        default_factory=list,
        description="Emergency-access accounts (names, UPNs or keys like entra:bg@x; globs).",
    )
    service_accounts: list[str] = Field(
        default_factory=list, description="Non-human accounts (names or globs)."
    )
    external_accounts: list[str] = Field(
        default_factory=list,
        description="Accounts to treat as external even if no attribute says so (globs).",
    )


class AuditConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    thresholds: Thresholds = Field(default_factory=Thresholds)
    tagging: Tagging = Field(default_factory=Tagging)
    person_links: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Person name → account keys or names to link beyond automatic matching.",
    )


M = TypeVar("M", bound=BaseModel)


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason."""


def load_config(path: Path | None) -> AuditConfig:
    if path is None:
        return AuditConfig()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return AuditConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_pydantic_message(exc)}") from None


def load_entries(
    path: Path, key: str, model: type[M], what: str
) -> tuple[list[M], list[tuple[str, str, dict[str, Any]]]]:
    """Entries of a YAML list under `key`, each validated on its own: (valid, invalid) where
    invalid holds (position, why, raw entry), so one bad entry never hides the others."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the {what}: {exc}") from None
    items = document.get(key) if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise ConfigError(f"{path}: expected a list under '{key}:'")
    valid: list[M] = []
    invalid: list[tuple[str, str, dict[str, Any]]] = []
    for number, item in enumerate(items):
        position = f"{key}[{number}]"
        if not isinstance(item, dict):
            invalid.append((position, "not a mapping", {"value": item}))
            continue
        try:
            valid.append(model.model_validate(item))
        except ValidationError as exc:
            invalid.append((position, _pydantic_message(exc), item))
    return valid, invalid


def _pydantic_message(exc: ValidationError) -> str:
    """One line per error, with the YAML path: what a person needs to fix the file."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}"
        for error in exc.errors()
    )
