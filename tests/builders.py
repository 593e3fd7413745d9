"""Small builders for audit tests: accounts and contexts in a line, real model objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mamori.audit.config import AuditConfig
from mamori.audit.context import AuditContext
from mamori.audit.exceptions import Register
from mamori.audit.model import (
    AccessPolicy,
    Account,
    Coverage,
    Evidence,
    Group,
    IdentityData,
    Mfa,
    RoleAssignment,
    SignIn,
)
from mamori.audit.run import prepare
from mamori.audit.vendors import VendorRegistry

AS_OF = datetime(2025, 10, 1, tzinfo=UTC)


def account(name: str, source: str = "entra", **values: Any) -> Account:
    """An account with evidence; `mfa=True/False` sets registered+capable, `roles=["Global
    Administrator"]` privileged role names."""
    mfa = values.pop("mfa", None)
    roles = values.pop("roles", [])
    made = Account(
        source=source,
        id=values.pop("id", f"id-{name}"),
        name=name,
        evidence=[Evidence(f"{source}.json", f"value[{name}]", {"name": name})],
        **values,
    )
    if isinstance(mfa, Mfa):
        made.mfa = mfa
    elif mfa is not None:
        made.mfa = Mfa(registered=mfa, capable=mfa)
    made.roles = [r if isinstance(r, RoleAssignment) else RoleAssignment(r) for r in roles]
    return made


def context(
    accounts: list[Account] = (),  # type: ignore[assignment]
    *,
    policies: list[AccessPolicy] = (),  # type: ignore[assignment]
    groups: list[Group] = (),  # type: ignore[assignment]
    signins: list[SignIn] = (),  # type: ignore[assignment]
    coverage: dict[str, set[str]] | None = None,
    config: AuditConfig | None = None,
    register: Register | None = None,
    vendors: VendorRegistry | None = None,
    as_of: datetime = AS_OF,
) -> AuditContext:
    """A prepared (tagged, linked) context, as `run_audit` would build it."""
    data = IdentityData(
        accounts=list(accounts),
        groups=list(groups),
        policies=list(policies),
        signins=list(signins),
        coverage=Coverage(kinds=coverage or {}),
    )
    config = config or AuditConfig()
    vendors = vendors or VendorRegistry()
    prepare(data, config, vendors.account_patterns())
    return AuditContext(
        data=data,
        config=config,
        as_of=as_of,
        register=register or Register(),
        vendors=vendors,
    )
