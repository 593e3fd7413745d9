"""Facts about accounts several checks share, so they agree on what "looks shared", "linked to a
person" or "the export says" means.

A shared account (`admin`, `hoshu01`, `vendor-ops`) cannot be attributed: when it is misused
nobody can say who did it, and a vendor's staff can hand it on without anyone noticing. Two
signs are used: a name made of words that name a role or a team rather than a person, and
sign-ins that come from more places in one day than one person plausibly uses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from mamori.audit.checks._policies import signin_accounts
from mamori.audit.context import AuditContext
from mamori.audit.findings import Finding, Severity, Text
from mamori.audit.linking import guest_home_address
from mamori.audit.model import Account, Credential, SignIn

SHARED_NAME_WORDS: frozenset[str] = frozenset(
    {
        "admin",
        "administrator",
        "ops",
        "operator",
        "operation",
        "operations",
        "vendor",
        "maint",
        "maintenance",
        "support",
        "helpdesk",
        "test",
        "guest",
        "shared",
        "common",
        "team",
        "staff",
        "temp",
        "kanri",
        "hoshu",
        "kyoyu",
        "unyo",
        "gyosha",
        "itaku",
    }
)
"""Words (as whole tokens of the local part) that name a role, a team or a task, not a person;
romanised Japanese included (kanri 管理, hoshu 保守, kyoyu 共有, unyo 運用, gyosha 業者,
itaku 委託)."""

SHARED_NAME_WORDS_JA: tuple[str, ...] = ("共有", "保守", "業者", "委託", "運用", "管理者", "担当")
"""Japanese script has no word separators, so these match anywhere in the local part."""

MAX_DISTINCT_PER_DAY = 5
"""One person signs in from a PC, a phone and perhaps home or a client site: a few IP addresses
and a few user agents a day. More than this many distinct addresses *or* agents in one day
suggests several people behind one account (counting successful interactive sign-ins only, so
password spraying from many addresses and token refreshes by many apps do not count)."""

_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
"""ASCII words, split at digits, punctuation and camelCase: `SupportUser01` → Support, User."""


def local_part(account: Account) -> str:
    """The part of the sign-in name that names the holder: before `@` (a guest's home
    address for `#EXT#` names), after `DOMAIN\\` for AD names."""
    name = guest_home_address(account.name) or account.name
    return name.split("@", 1)[0].rsplit("\\", 1)[-1]


def shared_name_words(account: Account) -> list[str]:
    """The role/team words the account's name is made of (empty when it names a person)."""
    local = local_part(account)
    words = {token.lower() for token in _TOKEN.findall(local)} & SHARED_NAME_WORDS
    words.update(word for word in SHARED_NAME_WORDS_JA if word in local)
    return sorted(words)


def signins_by_account(context: AuditContext) -> dict[str, list[SignIn]]:
    """Sign-ins grouped by account key, tied to accounts as every sign-in check ties them
    (`_policies.SignInAccounts`: the id, then any name or address the account goes by);
    built once per audit."""

    def build() -> dict[str, list[SignIn]]:
        resolver = signin_accounts(context)
        grouped: dict[str, list[SignIn]] = defaultdict(list)
        for signin in context.data.signins:
            account = resolver.resolve(signin)
            if account is not None:
                grouped[account.key].append(signin)
        return grouped

    return context.shared("signins_by_account", build)


def crowded_day(signins: Iterable[SignIn]) -> dict[str, Any] | None:
    """The day with the most distinct IP addresses or user agents, if over the limit."""
    per_day: dict[date, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for signin in signins:
        if signin.success is False or signin.interactive is False:
            continue
        addresses, agents = per_day[signin.time.date()]
        if signin.ip_address:
            addresses.add(signin.ip_address)
        if signin.user_agent:
            agents.add(signin.user_agent)
    if not per_day:
        return None
    day, (addresses, agents) = max(
        per_day.items(), key=lambda item: (max(len(item[1][0]), len(item[1][1])), item[0])
    )
    if max(len(addresses), len(agents)) <= MAX_DISTINCT_PER_DAY:
        return None
    return {"day": day.isoformat(), "ip_addresses": len(addresses), "user_agents": len(agents)}


def shared_signs(account: Account, signins: Iterable[SignIn]) -> dict[str, Any]:
    """Why an account looks shared: `name_words` and/or `crowded_day`; empty when it does not."""
    signs: dict[str, Any] = {}
    words = shared_name_words(account)
    if words:
        signs["name_words"] = words
    crowded = crowded_day(signins)
    if crowded:
        signs["crowded_day"] = crowded
    return signs


def describe_shared(signs: dict[str, Any]) -> Text:
    """The signs of `shared_signs` as a phrase in both languages."""
    ja, en = [], []
    if "name_words" in signs:
        words = ", ".join(signs["name_words"])
        ja.append(f"名前が個人ではなく役割を表す({words})")
        en.append(f"its name names a role, not a person ({words})")
    if "crowded_day" in signs:
        day = signs["crowded_day"]
        ja.append(
            f"{day['day']} に {day['ip_addresses']} 個の IP アドレス・"
            f"{day['user_agents']} 種のユーザーエージェントからサインイン"
        )
        en.append(
            f"on {day['day']} it signed in from {day['ip_addresses']} IP addresses and "
            f"{day['user_agents']} user agents"
        )
    return Text("、".join(ja), "; ".join(en))


def linked_to_person(account: Account) -> bool:
    """Did linking tie this account to a person (an address, or a configured person link)?
    `link_people` falls back to the account's own key when it found nobody."""
    return account.person is not None and account.person != account.key.lower()


def sources_with(accounts: Iterable[Account], has: Callable[[Account], bool]) -> set[str]:
    """Sources where at least one account carries a fact.

    Unknown is not false, yet most fields are None both when the export lacks them and when
    the value is empty. If any account of a source has the fact, that export carries it, so
    None on its other accounts means "none"; a source where no account has it cannot tell.
    """
    return {account.source for account in accounts if has(account)}


def enabled(accounts: Iterable[Account]) -> list[Account]:
    """Accounts not known to be disabled (an unknown state is treated as enabled)."""
    return [account for account in accounts if account.enabled is not False]


def role_names(account: Account) -> str:
    return ", ".join(sorted({r.role for r in account.roles if r.privileged})) or "admin"


def credential_finding(
    context: AuditContext,
    check_id: str,
    severity: Severity,
    account: Account,
    credential: Credential,
    message: Text,
    **details: Any,
) -> Finding:
    """A finding about one credential of an account: its own subject (so two keys of one user
    are two findings), still excepted by anything that names the account or the key id."""
    finding = context.account_finding(
        check_id, severity, account, message, credential=credential.id, **details
    )
    subject = f"{account.key}/{credential.kind}/{credential.id}"
    return replace(
        finding,
        subject=subject,
        subject_kind="credential",
        aliases=(*finding.aliases, subject.lower(), credential.id.lower()),
    )
