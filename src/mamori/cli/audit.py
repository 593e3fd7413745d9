"""`mamori audit`: identity posture from exports; `mamori audit diff`: what changed since."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import UTC, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from typer.core import TyperGroup

from mamori.audit.config import ConfigError, load_config
from mamori.audit.diff import compare
from mamori.audit.exceptions import load_register
from mamori.audit.findings import Severity
from mamori.audit.run import run_audit
from mamori.audit.sources.mapped_csv import load_mapping
from mamori.audit.vendors import load_vendors
from mamori.cli.common import Exit, err, fail
from mamori.gc_pause import gc_paused
from mamori.output.audit.action_plan import write_action_plan_csv
from mamori.output.audit.action_plan_xlsx import write_action_plan_xlsx
from mamori.output.audit.console import render, render_frameworks
from mamori.output.audit.csv_report import write_findings_csv
from mamori.output.audit.diff_report import render_diff
from mamori.output.audit.document import build_document, write_json
from mamori.output.audit.html import write_html
from mamori.output.audit.ocsf import write_ocsf
from mamori.timefmt import DEFAULT_TZ, parse_user_time, zone


class _AuditGroup(TyperGroup):
    """`mamori audit PATH...` runs the audit; `mamori audit diff A B` compares two."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_AuditGroup,
    help=(
        "Identity posture: MFA gaps, privileged contractors, stale accounts, exceptions.\n\n"
        "`mamori audit PATH...` is short for `mamori audit run PATH...` (see its --help)."
    ),
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    ocsf = "ocsf"
    plan = "plan"
    xlsx = "xlsx"
    html = "html"


class Lang(StrEnum):
    ja = "ja"
    en = "en"


class Source(StrEnum):
    entra = "entra"
    okta = "okta"
    aws = "aws"
    gws = "gws"
    ad = "ad"


FailOn = StrEnum("FailOn", {s.value: s.value for s in Severity})  # type: ignore[misc]


def _as_of(text: str | None, tz: str) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = parse_user_time(text, zone(tz))
    except ValueError as exc:
        raise fail(str(exc)) from None
    if len(text.strip()) <= 10:  # a date: the audit as at the end of that day
        moment = datetime.combine(moment.date(), time.max, moment.tzinfo)
    return moment.astimezone(UTC)


@app.command("run")
def audit(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders (recursive).")],
    source: Annotated[
        Source | None, typer.Option("--source", help="Read every file as this source.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Thresholds and tags (YAML).")
    ] = None,
    mapping: Annotated[
        list[Path] | None,
        typer.Option(
            "--mapping", help="Column mapping (YAML) for another system's user CSV (repeatable)."
        ),
    ] = None,
    exceptions: Annotated[
        Path | None, typer.Option("--exceptions", help="Exception register (YAML).")
    ] = None,
    vendors: Annotated[
        Path | None, typer.Option("--vendors", help="Vendor (委託先) registry (YAML).")
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            help="table (console), json (the full document), csv (findings), ocsf (OCSF 1.5 "
            "Compliance Findings for GRC tools), plan / xlsx (action plan for management, CSV or "
            "Excel), html "
            "(a self-contained report that opens offline).",
        ),
    ] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of messages.")] = Lang.ja,
    fail_on: Annotated[
        FailOn,  # type: ignore[valid-type]
        typer.Option("--fail-on", help="Exit 1 when an open finding is at least this severe."),
    ] = FailOn.high,  # type: ignore[attr-defined]
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Audit as at this date/time (reproducible audits)."),
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="Zone times are shown in.")] = DEFAULT_TZ,
    framework: Annotated[
        str | None,
        typer.Option(
            "--framework",
            help="Table output: every requirement of this framework (SCS-3, SCS-4, CSMG-3, "
            "CIS-M365, CIS-AWS) with its status and checks.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")] = False,
) -> None:
    """Audit identity exports (Entra ID, Okta, AWS IAM, Google Workspace, Active Directory).

    Example: mamori audit ./exports --exceptions exceptions.yaml --vendors vendors.yaml
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    try:
        zone_info = zone(tz)
        settings = load_config(config)
        register = load_register(exceptions)
        registry = load_vendors(vendors)
        mappings = [load_mapping(path) for path in mapping or ()]
    except (ConfigError, ValueError) as exc:
        raise fail(str(exc)) from None
    report = run_audit(
        paths,
        config=settings,
        register=register,
        vendors=registry,
        as_of=_as_of(as_of, tz),
        source=source.value if source else None,
        mappings=mappings,
        on_problem=None if quiet else (lambda p: err.print(f"[yellow]warning:[/yellow] {p}")),
    )
    if not report.data.accounts and not report.data.policies and not report.data.signins:
        raise fail(f"no identity export could be read from {', '.join(map(str, paths))}")
    with gc_paused():  # tens of thousands of finding records: see mamori.gc_pause
        document = build_document(report)
        known = [f["id"] for f in document["frameworks"]]
        if framework is not None and framework not in known:
            raise fail(f"unknown framework {framework!r} (one of {', '.join(known)})")
        _emit(document, fmt, output, lang.value, zone_info, framework)
    threshold = Severity(fail_on.value).rank
    raise typer.Exit(Exit.FINDINGS if report.open_findings(threshold) else Exit.CLEAN)


def _emit(
    document: dict[str, Any],
    fmt: Format,
    output: Path | None,
    lang: str,
    tz: Any,
    framework: str | None,
) -> None:
    try:
        if fmt is Format.table:
            with output.open("w", encoding="utf-8") if output else nullcontext() as handle:
                console = Console(file=handle, width=160, no_color=True) if output else Console()
                if framework is None:
                    render(document, console, lang, tz)
                else:
                    render_frameworks(document, console, lang, framework)
            return
        with output.open("wb") if output else _stdout() as handle:
            if fmt is Format.json:
                write_json(document, handle)
            elif fmt is Format.ocsf:
                write_ocsf(document, handle, lang)
            elif fmt is Format.plan:
                write_action_plan_csv(document, handle, lang, tz)
            elif fmt is Format.xlsx:
                write_action_plan_xlsx(document, handle, lang, tz)
            elif fmt is Format.html:
                write_html(document, handle, lang, tz)
            else:
                write_findings_csv(document, handle, lang)
    except OSError as exc:
        raise fail(f"cannot write {output or 'to stdout'}: {exc.strerror or exc}") from None


class _stdout:
    def __enter__(self) -> Any:
        return sys.stdout.buffer

    def __exit__(self, *exc: object) -> None:
        sys.stdout.flush()


@app.command("diff")
def diff(
    old: Annotated[Path, typer.Argument(help="Earlier `mamori audit -f json` output.")],
    new: Annotated[Path, typer.Argument(help="Later `mamori audit -f json` output.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.ja,
) -> None:
    """New, fixed, regressed and exception-expired findings between two audits.

    Exit 1 when anything got worse (new, regressed or exception-expired), else 0.
    """
    documents = []
    for path in (old, new):
        try:
            documents.append(orjson.loads(path.read_bytes()))
        except (OSError, orjson.JSONDecodeError) as exc:
            raise fail(f"{path}: cannot read an audit document: {exc}") from None
        if not isinstance(documents[-1], dict) or "findings" not in documents[-1]:
            raise fail(f"{path}: not a `mamori audit --format json` document")
    changes = compare(documents[0], documents[1])
    if fmt is Format.json:
        sys.stdout.buffer.write(orjson.dumps(changes, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        render_diff(changes, Console(), lang.value)
    worse = changes["new"] or changes["regressed"] or changes["exception_expired"]
    raise typer.Exit(Exit.FINDINGS if worse else Exit.CLEAN)
