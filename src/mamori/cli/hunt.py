"""`mamori hunt`: Sigma rules over event logs, as a timeline and a summary."""

from __future__ import annotations

import sys
import time
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mamori.cli.common import Exit, err, fail, load_ruleset, progress_bar, show_progress
from mamori.hunt.loader import select_rules
from mamori.hunt.model import LEVELS
from mamori.hunt.run import hunt_files
from mamori.output.summary import HuntSummary, render_summary
from mamori.output.timeline import records, render_table, write
from mamori.readers import list_input_files
from mamori.timefmt import DEFAULT_TZ, parse_user_time, zone

Level = Enum("Level", {name: name for name in LEVELS}, type=str)  # type: ignore[misc]


class Matcher(StrEnum):
    fast = "fast"
    duckdb = "duckdb"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


def hunt(
    paths: Annotated[
        list[Path], typer.Argument(help=".evtx / JSON-lines files or folders (recursive).")
    ],
    rules: Annotated[
        list[Path], typer.Option("--rules", "-r", help="Sigma rule file or folder (repeatable).")
    ],
    min_level: Annotated[
        Level, typer.Option("--min-level", help="Report rules of this level and above.")
    ] = Level.informational,  # type: ignore[attr-defined]
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    tz: Annotated[str, typer.Option("--tz", help="Zone times are shown in.")] = DEFAULT_TZ,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events at or after this time.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only events at or before this time.")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only rules with this status (repeatable), e.g. stable."),
    ] = None,
    exclude_tag: Annotated[
        list[str] | None,
        typer.Option("--exclude-tag", help="Skip rules with this tag (repeatable)."),
    ] = None,
    cache_dir: Annotated[
        Path | None, typer.Option("--cache-dir", help="Where compiled rules are cached.")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Compile rules afresh.")] = False,
    engine: Annotated[
        Matcher,
        typer.Option("--engine", help="fast (default) or duckdb: the same rules as SQL."),
    ] = Matcher.fast,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Processes to use (default: one per core)."),
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bars.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
) -> None:
    """Hunt with Sigma rules over Windows event logs (EVTX or exported JSON lines).

    Example: mamori hunt ./logs --rules sigma/rules/windows --min-level high -f csv -o out.csv
    """
    started = time.perf_counter()
    try:
        zone_info = zone(tz)
        since_at = parse_user_time(since, zone_info) if since else None
        until_at = parse_user_time(until, zone_info) if until else None
    except ValueError as exc:
        raise fail(str(exc)) from None
    missing = [str(p) for p in [*paths, *rules] if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")

    progress = show_progress(no_progress)
    ruleset = load_ruleset(rules, cache_dir, no_cache, progress)
    failed = len(ruleset.problems)
    if not ruleset.rules and not ruleset.correlations:
        raise fail(f"no usable Sigma rules in {', '.join(map(str, rules))} ({failed} failed)")
    if failed and not quiet:
        err.print(
            f"[yellow]{failed} rule(s) could not be converted;"
            " `mamori rules check` lists each with its reason.[/yellow]"
        )
    selected = select_rules(
        ruleset,
        min_level=min_level.value,
        statuses=status,
        exclude_tags=exclude_tag or (),
    )

    files = list_input_files(paths)
    with progress_bar(progress) as bar:
        task = bar.add_task("events", total=None) if bar else None
        result = hunt_files(
            paths,
            selected,
            since=since_at,
            until=until_at,
            on_problem=lambda p: err.print(f"[yellow]warning:[/yellow] {p}"),
            on_batch=(lambda n: bar.advance(task, n)) if bar and task is not None else None,
            matcher=engine.value,
            workers=workers,
        )
    if result.skipped_rules and not quiet:
        err.print(
            f"[yellow]{len(result.skipped_rules)} rule(s) cannot run on {engine.value}"
            " exactly and were skipped there (the fast engine runs them):[/yellow]"
        )
        for rule_id, reason in sorted(result.skipped_rules.items()):
            err.print(f"  {rule_id}: {reason}")

    timeline = records(result.detections, zone_info)
    try:
        _emit(timeline, fmt, output)
    except OSError as exc:
        raise fail(f"cannot write {output or 'to stdout'}: {exc.strerror or exc}") from None

    if not quiet:
        render_summary(
            HuntSummary(
                events=result.stats.events,
                files=len(files),
                rules_loaded=len(ruleset.rules) + len(ruleset.correlations),
                rules_failed=failed,
                input_problems=len(result.stats.problems),
                detections=result.detections,
                seconds=time.perf_counter() - started,
            ),
            err,
        )
    raise typer.Exit(Exit.FINDINGS if result.detections else Exit.CLEAN)


def _emit(records: list[dict], fmt: Format, output: Path | None) -> None:
    """Write the timeline where the user asked, in the format asked."""
    if fmt is Format.table:
        if output:
            with output.open("w", encoding="utf-8") as handle:
                render_table(records, Console(file=handle, width=200, no_color=True))
        elif records:
            console = Console()
            if not console.is_terminal:  # piped into a file or pager: do not squeeze to 80
                console = Console(width=200, no_color=True)
            render_table(records, console)
    elif output:
        with output.open("wb") as handle:
            write(records, fmt.value, handle)
    else:
        write(records, fmt.value, sys.stdout.buffer)
        sys.stdout.flush()
