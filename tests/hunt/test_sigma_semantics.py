"""Every construct of the Sigma specification, checked on the fast matcher and the oracle.

Each case is a rule as a user writes it and an event; the fast matcher's answer must be the
expected one AND equal the plain reference evaluation of pySigma's objects.
"""

from __future__ import annotations

import base64
import textwrap

import pytest
from sigma.collection import SigmaCollection

from mamori.hunt.matching.fast import FastMatcher
from mamori.hunt.matching.reference import reference_match

from helpers import SYSMON, event, rule_yaml, ruleset


def check(detection: str, expected: bool, **fields) -> None:
    text = rule_yaml(detection)
    rs = ruleset(text)
    ev = event(**fields)
    fast = bool(FastMatcher(rs.rules).match([ev]))
    oracle = reference_match(SigmaCollection.from_yaml(textwrap.dedent(text)).rules[0], ev.fields)
    assert fast == oracle, f"fast={fast} reference={oracle}"
    assert fast is expected


CASES = [
    # plain equality is case-insensitive, with Unicode case folding
    (
        "sel: {Image: 'C:\\Windows\\cmd.exe'}\ncondition: sel",
        {"Image": "c:\\windows\\CMD.EXE"},
        True,
    ),
    ("sel: {User: 'STRASSE'}\ncondition: sel", {"User": "straße"}, True),
    ("sel: {User: 'ΣΟΦΙΑ'}\ncondition: sel", {"User": "σοφια"}, True),
    ("sel: {User: '管理者'}\ncondition: sel", {"User": "管理者"}, True),
    ("sel: {User: '管理者'}\ncondition: sel", {"User": "管理"}, False),
    # contains / startswith / endswith / all
    (
        "sel: {CommandLine|contains: '-EncodedCommand'}\ncondition: sel",
        {"CommandLine": "powershell -encodedcommand AAA"},
        True,
    ),
    (
        "sel: {CommandLine|startswith: 'powershell'}\ncondition: sel",
        {"CommandLine": "cmd /c powershell"},
        False,
    ),
    (
        "sel: {Image|endswith: '\\rundll32.exe'}\ncondition: sel",
        {"Image": "C:\\Windows\\System32\\RUNDLL32.EXE"},
        True,
    ),
    (
        "sel: {CommandLine|contains|all: ['a1', 'b2']}\ncondition: sel",
        {"CommandLine": "x a1 y"},
        False,
    ),
    (
        "sel: {CommandLine|contains|all: ['a1', 'b2']}\ncondition: sel",
        {"CommandLine": "b2 a1"},
        True,
    ),
    # wildcards and escapes
    ("sel: {Image: 'C:\\\\*\\\\a?c.exe'}\ncondition: sel", {"Image": "C:\\x\\y\\abc.exe"}, True),
    ("sel: {Image: 'C:\\\\*\\\\a?c.exe'}\ncondition: sel", {"Image": "C:\\x\\ac.exe"}, False),
    ("sel: {Image: 'a\\*b'}\ncondition: sel", {"Image": "a*b"}, True),
    ("sel: {Image: 'a\\*b'}\ncondition: sel", {"Image": "axb"}, False),
    ("sel: {Image: 'a\\?b'}\ncondition: sel", {"Image": "axb"}, False),
    ("sel: {User|startswith: 'ACME\\adm_'}\ncondition: sel", {"User": "ACME\\admXx"}, False),
    ("sel: {User|startswith: 'ACME\\adm_'}\ncondition: sel", {"User": "acme\\ADM_x"}, True),
    ("sel: {User: '100%'}\ncondition: sel", {"User": "1000"}, False),
    ("sel: {CommandLine: '*a*b*'}\ncondition: sel", {"CommandLine": "x\na\nb\n"}, True),
    # base64 / base64offset / utf16 / wide / windash
    (
        "sel: {CommandLine|base64: 'http'}\ncondition: sel",
        {"CommandLine": base64.b64encode(b"http").decode()},
        True,
    ),
    (
        "sel: {CommandLine|base64offset|contains: 'http://'}\ncondition: sel",
        {"CommandLine": "x " + base64.b64encode(b"AAhttp://evil").decode()},
        True,
    ),
    (
        "sel: {CommandLine|wide|base64offset|contains: 'ping'}\ncondition: sel",
        {"CommandLine": base64.b64encode("xping".encode("utf-16-le")).decode()},
        True,
    ),
    (
        "sel: {CommandLine|utf16le|base64offset|contains: 'ping'}\ncondition: sel",
        {"CommandLine": base64.b64encode("ping".encode("utf-16-le")).decode()},
        True,
    ),
    (
        "sel: {CommandLine|windash|contains: ' -exec '}\ncondition: sel",
        {"CommandLine": "x /exec y"},
        True,
    ),
    (
        "sel: {CommandLine|windash|contains: ' -exec '}\ncondition: sel",
        {"CommandLine": "x \u2013exec y"},
        True,
    ),
    # regular expressions and their flags
    ("sel: {CommandLine|re: 'ab+c'}\ncondition: sel", {"CommandLine": "xxABBC"}, False),
    ("sel: {CommandLine|re|i: 'ab+c'}\ncondition: sel", {"CommandLine": "xxABBC"}, True),
    ("sel: {CommandLine|re: '^b$'}\ncondition: sel", {"CommandLine": "a\nb\nc"}, False),
    ("sel: {CommandLine|re|m: '^b$'}\ncondition: sel", {"CommandLine": "a\nb\nc"}, True),
    ("sel: {CommandLine|re: 'a.b'}\ncondition: sel", {"CommandLine": "a\nb"}, False),
    ("sel: {CommandLine|re|s: 'a.b'}\ncondition: sel", {"CommandLine": "a\nb"}, True),
    ("sel: {CommandLine|re: '(?<!x)yz'}\ncondition: sel", {"CommandLine": "ayz"}, True),
    # cidr, numbers, exists, null, fieldref, cased, expand
    ("sel: {SourceIp|cidr: '10.0.0.0/8'}\ncondition: sel", {"SourceIp": "10.20.30.40"}, True),
    ("sel: {SourceIp|cidr: '10.0.0.0/8'}\ncondition: sel", {"SourceIp": "11.0.0.1"}, False),
    ("sel: {SourceIp|cidr: 'fe80::/10'}\ncondition: sel", {"SourceIp": "FE80::1"}, True),
    ("sel: {SourceIp|cidr: '10.0.0.0/8'}\ncondition: sel", {"SourceIp": "not an ip"}, False),
    ("sel: {LogonType|gt: 3}\ncondition: sel", {"LogonType": 10}, True),
    ("sel: {LogonType|gte: 10}\ncondition: sel", {"LogonType": "10"}, True),
    ("sel: {LogonType|lt: 3}\ncondition: sel", {"LogonType": "abc"}, False),
    ("sel: {LogonType|lte: 3}\ncondition: sel", {"LogonType": 3}, True),
    ("sel: {LogonType: 3}\ncondition: sel", {"LogonType": 3}, True),
    ("sel: {LogonType: 3}\ncondition: sel", {"LogonType": 33}, False),
    ("sel: {Hashes|exists: true}\ncondition: sel", {"Hashes": ""}, True),
    ("sel: {Hashes|exists: true}\ncondition: sel", {}, False),
    ("sel: {Hashes|exists: false}\ncondition: sel", {}, True),
    ("sel: {Hashes: null}\ncondition: sel", {}, True),
    ("sel: {Hashes: null}\ncondition: sel", {"Hashes": ""}, True),
    ("sel: {Hashes: null}\ncondition: sel", {"Hashes": "x"}, False),
    ("sel: {Hashes: ''}\ncondition: sel", {"Hashes": ""}, True),
    (
        "sel: {TargetUser|fieldref: SubjectUser}\ncondition: sel",
        {"TargetUser": "Admin", "SubjectUser": "admin"},
        True,
    ),
    (
        "sel: {TargetUser|fieldref: SubjectUser}\ncondition: sel",
        {"TargetUser": "Admin", "SubjectUser": "other"},
        False,
    ),
    (
        "sel: {TargetUser|fieldref|startswith: SubjectUser}\ncondition: sel",
        {"TargetUser": "admin2", "SubjectUser": "admin"},
        True,
    ),
    ("sel: {User|cased: 'Admin'}\ncondition: sel", {"User": "admin"}, False),
    ("sel: {User|cased: 'Admin'}\ncondition: sel", {"User": "Admin"}, True),
    ("sel: {User|cased|contains: 'dM'}\ncondition: sel", {"User": "AdMin"}, True),
    ("sel: {User|expand: '%admins%'}\ncondition: sel", {"User": "anyone"}, True),
    ("sel: {User|neq: 'admin'}\ncondition: sel", {"User": "Admin"}, False),
    ("sel: {User|neq: 'admin'}\ncondition: sel", {"User": "guest"}, True),
    # lists in a selection are OR; maps are AND; lists of maps are OR
    ("sel: {User: [a, b]}\ncondition: sel", {"User": "B"}, True),
    ("sel: {User: a, Image: x}\ncondition: sel", {"User": "a", "Image": "y"}, False),
    ("sel:\n  - {User: a}\n  - {Image: x}\ncondition: sel", {"User": "z", "Image": "x"}, True),
    # multi-valued fields match when any value does
    ("sel: {Data|contains: 'evil'}\ncondition: sel", {"Data": ["ok", "an evil one"]}, True),
    # keywords (field-less)
    ("keywords: ['mimikatz']\ncondition: keywords", {"CommandLine": "run MimiKatz.exe"}, True),
    ("keywords: ['mimikatz']\ncondition: keywords", {"CommandLine": "run"}, False),
    ("keywords: ['*lsass*dump*']\ncondition: keywords", {"Target": "LSASS.DMP dump"}, True),
    # condition grammar: not, 1 of / all of with patterns, them, parentheses
    ("a: {User: x}\nb: {Image: y}\ncondition: a and not b", {"User": "x", "Image": "y"}, False),
    (
        "sel_a: {User: x}\nsel_b: {Image: y}\nf: {User: z}\ncondition: 1 of sel_* and not f",
        {"Image": "y"},
        True,
    ),
    ("sel_a: {User: x}\nsel_b: {Image: y}\ncondition: all of sel_*", {"Image": "y"}, False),
    (
        "sel_a: {User: x}\nsel_b: {Image: y}\ncondition: all of them",
        {"User": "x", "Image": "y"},
        True,
    ),
    (
        "a: {User: x}\nb: {Image: y}\nc: {Path: z}\ncondition: a or (b and c)",
        {"Image": "y", "Path": "z"},
        True,
    ),
    ("a: {User: x}\ncondition: not a", {}, True),
    ("a: {User|contains: x}\ncondition: not a", {"User": None}, True),
]


@pytest.mark.parametrize(("detection", "fields", "expected"), CASES)
def test_sigma_construct(detection: str, fields: dict, expected: bool) -> None:
    check(detection, expected, **fields)


def test_logsource_selects_events() -> None:
    rs = ruleset(rule_yaml("sel: {Image|endswith: '\\cmd.exe'}\ncondition: sel"))
    matcher = FastMatcher(rs.rules)
    sysmon = event(1, Image="C:\\Windows\\cmd.exe")
    security = event(2, channel="Security", event_id=4688, NewProcessName="C:\\Windows\\cmd.exe")
    other = event(3, channel=SYSMON, event_id=3, Image="C:\\Windows\\cmd.exe")
    assert sorted(i for _, i in matcher.match([sysmon, security, other])) == [0, 1]
