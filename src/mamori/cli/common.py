"""What every sub-command shares: consoles, exit codes, rule loading with progress."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

from mamori.hunt.loader import default_cache_dir, list_rule_files, load_rules
from mamori.hunt.model import RuleSet

err = Console(stderr=True, highlight=False)
if not err.is_terminal:  # a log file or CI: do not wrap the summary at 80 columns
    err = Console(stderr=True, highlight=False, width=120)


class Exit(IntEnum):
    CLEAN = 0
    FINDINGS = 1
    USAGE = 2


def fail(message: str) -> typer.Exit:
    """Print a user-facing error (no traceback) and return the exit to raise."""
    err.print(f"[bold red]error:[/bold red] {message}")
    return typer.Exit(Exit.USAGE)


def show_progress(disabled: bool) -> bool:
    return not disabled and err.is_terminal and sys.stderr.isatty()


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        yield progress


def load_ruleset(
    rule_paths: list[Path], cache_dir: Path | None, no_cache: bool, progress: bool
) -> RuleSet:
    cache = None if no_cache else (cache_dir or default_cache_dir())
    files, _ = list_rule_files(rule_paths)
    with progress_bar(progress) as bar:
        if bar is None:
            ruleset = load_rules(rule_paths, cache_dir=cache)
        else:
            task = bar.add_task("rules", total=len(files))
            ruleset = load_rules(rule_paths, cache_dir=cache, on_file=lambda _: bar.advance(task))
    # The rules live as long as the command: spare the garbage collector from scanning their
    # ~10^5 objects again at every full collection while events come and go.
    gc.freeze()
    return ruleset
