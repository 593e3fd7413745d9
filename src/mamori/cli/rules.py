"""`mamori rules`: inspect a rule set before trusting it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mamori.cli.common import Exit, fail, load_ruleset, show_progress

app = typer.Typer(help="Inspect Sigma rule sets.", no_args_is_help=True)


@app.command("check")
def check(
    rules: Annotated[
        list[Path], typer.Option("--rules", "-r", help="Sigma rule file or folder (repeatable).")
    ],
    cache_dir: Annotated[Path | None, typer.Option("--cache-dir")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Compile rules afresh.")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress")] = False,
) -> None:
    """List every rule that cannot be converted or run, with the reason, and the counts.

    Exit 0 when every rule loads, 1 when some cannot, 2 on usage errors.
    """
    missing = [str(p) for p in rules if not p.exists()]
    if missing:
        raise fail(f"no such file or directory: {', '.join(missing)}")
    ruleset = load_ruleset(rules, cache_dir, no_cache, show_progress(no_progress))
    console = Console()
    if ruleset.problems:
        table = Table("file", "rule", "reason", header_style="bold", expand=True)
        for problem in ruleset.problems:
            table.add_row(problem.source, problem.title or problem.rule_id or "-", problem.reason)
        console.print(table)
        reasons = Counter(p.reason.split(":")[0] for p in ruleset.problems)
        for reason, count in reasons.most_common(10):
            console.print(f"  {count:5,}  {reason}")
    console.print(
        f"{ruleset.files:,} files · {len(ruleset.rules):,} rules and "
        f"{len(ruleset.correlations):,} correlations ready · "
        f"{len(ruleset.problems):,} cannot be used"
    )
    raise typer.Exit(Exit.FINDINGS if ruleset.problems else Exit.CLEAN)
