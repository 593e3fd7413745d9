"""Tags declared once and honoured by every check: external, guest, contractor, vendor,
break-glass, service, privileged.

"Watch outside accounts hardest" needs to know which accounts are outside: a guest (Entra
userType, a `#EXT#` UPN), an employeeType a contractor has (業務委託, Vendor…), an account a
vendor of the registry holds, or one the configuration names.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase

from mamori.audit.config import Tagging
from mamori.audit.model import Account


def names_of(account: Account) -> list[str]:
    """Everything a person may write to mean this account, lower-cased."""
    names = [
        account.key,
        f"{account.source}:{account.name}",
        account.name,
        account.id,
        f"{account.source}:{account.id}",
    ]
    if account.email:
        names.append(account.email)
    return list(dict.fromkeys(n.lower() for n in names if n))


def matches(account: Account, patterns: Iterable[str], names: list[str] | None = None) -> bool:
    """Does any pattern (exact name, key `source:name`, or a glob) name this account?
    `names`: `names_of(account)` when the caller already has it."""
    patterns = list(patterns)
    if not patterns:
        return False
    names = names if names is not None else names_of(account)
    for pattern in patterns:
        wanted = pattern.strip().lower()
        if any(fnmatchcase(name, wanted) for name in names):
            return True
    return False


def is_guest(account: Account) -> bool:
    return account.user_type == "guest" or "#ext#" in account.name.lower()


def tag_accounts(
    accounts: Iterable[Account], tagging: Tagging, vendor_accounts: dict[str, list[str]]
) -> None:
    """Set `Account.tags`. `vendor_accounts`: vendor id → account patterns (the registry)."""
    contractor_types = {t.casefold() for t in tagging.contractor_employee_types}
    for account in accounts:
        names = names_of(account)
        tags = account.tags
        if is_guest(account):
            tags.add("guest")
        employee_type = (account.employee_type or "").casefold()
        if employee_type and employee_type in contractor_types:
            tags.add("contractor")
        for vendor, patterns in vendor_accounts.items():
            if matches(account, patterns, names):
                tags.add(f"vendor:{vendor}")
                tags.add("vendor")
        if matches(account, tagging.external_accounts, names):
            tags.add("declared_external")
        if tags & {"guest", "contractor", "vendor", "declared_external"}:
            tags.add("external")
        if matches(account, tagging.break_glass, names):
            tags.add("break_glass")
        if matches(account, tagging.service_accounts, names):
            tags.add("service")
        if account.attributes.get("is_root"):
            tags.add("root")
        if account.privileged:
            tags.add("privileged")
