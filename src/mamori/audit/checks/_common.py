"""Facts several checks share, so they agree on what "has MFA" or "stale" means."""

from __future__ import annotations

from datetime import datetime

from mamori.audit.model import Account


def has_mfa(account: Account) -> bool | None:
    """Can this account pass a second factor? None when the export does not say.

    Entra distinguishes registered from capable (registered *and* allowed by policy): capable
    is the stronger statement, so it wins when present.
    """
    if account.mfa.capable is not None:
        return account.mfa.capable
    return account.mfa.registered


def signs_in_interactively(account: Account) -> bool:
    """Accounts MFA matters for: AWS users without a console password only use keys (their
    keys are judged by other checks); everywhere else a password sign-in is assumed."""
    return account.password_enabled is not False


def last_seen(account: Account) -> datetime | None:
    """The latest sign-in or use of any kind we know of."""
    moments = [m for m in (account.last_sign_in, account.last_activity) if m is not None]
    moments += [c.last_used for c in account.credentials if c.last_used is not None]
    return max(moments, default=None)
