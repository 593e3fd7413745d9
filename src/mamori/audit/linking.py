"""Link the accounts of one person across sources, so findings tell one story.

"k.sato is a contractor with AWS console access and no MFA there either" needs the Entra
account `k.sato@contoso.co.jp`, the guest `k.sato_partner.co.jp#EXT#@contoso.onmicrosoft.com`,
the AWS user `k.sato` and the AD account `ksato` to be seen as one person. Matching is
conservative: exact normalised e-mail/UPN first, then a bare user name only when it points to
exactly one person; anything else needs the `person_links` of the configuration.
"""

from __future__ import annotations

from collections import defaultdict

from mamori.audit.model import Account, Person
from mamori.audit.tagging import matches


def guest_home_address(upn: str) -> str | None:
    """`k.sato_partner.co.jp#EXT#@contoso.onmicrosoft.com` → `k.sato@partner.co.jp`."""
    lowered = upn.lower()
    marker = lowered.find("#ext#")
    if marker <= 0:
        return None
    local_and_domain = lowered[:marker]
    local, sep, domain = local_and_domain.rpartition("_")
    if not sep or not local or "." not in domain:
        return None
    return f"{local}@{domain}"


def addresses(account: Account) -> list[str]:
    """Normalised e-mail-like identifiers of an account."""
    found: list[str] = []
    for value in (account.email, account.name):
        if not value or "@" not in value:
            continue
        value = value.strip().lower()
        home = guest_home_address(value)
        found.append(home or value)
    return list(dict.fromkeys(found))


def link_people(accounts: list[Account], person_links: dict[str, list[str]]) -> list[Person]:
    """Group accounts into people and set `Account.person`."""
    person_of: dict[int, str] = {}
    for person, patterns in person_links.items():
        for account in accounts:
            if matches(account, patterns):
                person_of[id(account)] = person
    by_address: dict[str, str] = {}
    for account in accounts:
        if id(account) in person_of:
            for address in addresses(account):
                by_address.setdefault(address, person_of[id(account)])
    for account in accounts:
        if id(account) in person_of:
            continue
        for address in addresses(account):
            if address in by_address:
                person_of[id(account)] = by_address[address]
                break
        else:
            found = addresses(account)
            if found:
                person_of[id(account)] = found[0]
                for address in found:
                    by_address.setdefault(address, found[0])
    # Bare user names (AWS `k.sato`, AD `ksato`): link only to a single person's local part.
    by_local: dict[str, set[str]] = defaultdict(set)
    for address, person in by_address.items():
        by_local[address.split("@", 1)[0]].add(person)
    for account in accounts:
        if id(account) in person_of:
            continue
        candidates = by_local.get(account.name.strip().lower(), set())
        person_of[id(account)] = (
            next(iter(candidates)) if len(candidates) == 1 else account.key.lower()
        )
    people: dict[str, Person] = {}
    for account in accounts:
        key = person_of[id(account)]
        account.person = key
        people.setdefault(key, Person(key)).accounts.append(account)
    return list(people.values())
