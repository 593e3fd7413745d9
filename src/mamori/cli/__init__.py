"""The `mamori` command. Each sub-command parses options and calls the library, nothing more.

Exit codes mean the same everywhere: 0 clean, 1 findings, 2 usage or input error.
"""

from __future__ import annotations

import typer

from mamori.cli import audit, collect, hunt, rules

app = typer.Typer(
    name="mamori",
    help="守り (mamori): find the contractor-account intrusion before it becomes ransomware.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command(name="hunt")(hunt.hunt)
app.add_typer(rules.app, name="rules")
app.add_typer(audit.app, name="audit")
app.add_typer(collect.app, name="collect")
