"""Framework requirements as data (`data/frameworks.yaml`), and the audit seen through them.

Management asks "where do we stand on SCS ★3 access control?" or "on 指示9?", not "what did
check CA-EXCLUSION-GAP say?". Each requirement gathers the checks mapped to it: it is met
when all of them pass, not met when any has an open finding, and not assessed when none of
them could judge (their exports were missing).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict


class Localised(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ja: str
    en: str


class Requirement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: Localised


class Framework(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: Localised
    source: str
    note: str | None = None
    requirements: list[Requirement]


@cache
def frameworks() -> tuple[Framework, ...]:
    text = resources.files("mamori.audit").joinpath("data/frameworks.yaml").read_text("utf-8")
    return tuple(Framework.model_validate(item) for item in yaml.safe_load(text)["frameworks"])


def requirement_ids() -> set[str]:
    return {r.id for f in frameworks() for r in f.requirements}


def framework_view(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per framework and requirement: the checks mapped to it and the resulting status.

    `checks` are the check entries of the audit document (id, outcome, open_findings,
    frameworks)."""
    view = []
    for framework in frameworks():
        requirements = []
        for requirement in framework.requirements:
            mapped = [c for c in checks if requirement.id in c["frameworks"]]
            requirements.append(
                {
                    "id": requirement.id,
                    "title": requirement.title.model_dump(),
                    "status": _status(mapped),
                    "checks": [
                        {
                            "id": c["id"],
                            "outcome": c["outcome"],
                            "open_findings": c["open_findings"],
                        }
                        for c in mapped
                    ],
                }
            )
        view.append(
            {
                "id": framework.id,
                "name": framework.name.model_dump(),
                "source": framework.source,
                "note": framework.note,
                "requirements": requirements,
            }
        )
    return view


def _status(mapped: list[dict[str, Any]]) -> str:
    """met | not_met | partially_assessed | not_assessed."""
    judged = [c for c in mapped if c["outcome"] in ("pass", "fail")]
    if any(c["open_findings"] for c in judged) or any(c["outcome"] == "error" for c in mapped):
        return "not_met"
    if not judged:
        return "not_assessed"
    return "met" if len(judged) == len(mapped) else "partially_assessed"
