"""The closing summary of a hunt: what was read, which rules ran, what was found where."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from mamori.hunt.engine import Detection
from mamori.hunt.model import LEVELS


@dataclass(slots=True)
class HuntSummary:
    events: int
    files: int
    rules_loaded: int
    rules_failed: int
    input_problems: int
    detections: list[Detection]
    seconds: float

    def per_level(self) -> Counter[str]:
        return Counter(d.rule.level for d in self.detections)

    def top_rules(self, n: int = 10) -> list[tuple[str, int]]:
        return Counter(d.rule.title for d in self.detections).most_common(n)

    def top_computers(self, n: int = 10) -> list[tuple[str, int]]:
        return Counter(
            str(d.event.fields.get("Computer") or "-") for d in self.detections
        ).most_common(n)


def render_summary(summary: HuntSummary, console: Console) -> None:
    rate = summary.events / summary.seconds if summary.seconds > 0 else 0.0
    console.print(
        f"[bold]Events[/bold] {summary.events:,} from {summary.files:,} files "
        f"in {summary.seconds:.2f}s ({rate:,.0f} events/s) · "
        f"[bold]rules[/bold] {summary.rules_loaded:,} loaded, {summary.rules_failed:,} failed · "
        f"input problems {summary.input_problems:,}"
    )
    levels = summary.per_level()
    parts = [f"{level} {levels.get(level, 0):,}" for level in reversed(LEVELS)]
    console.print(f"[bold]Detections[/bold] {len(summary.detections):,} ({', '.join(parts)})")
    if not summary.detections:
        return
    grid = Table.grid(padding=(0, 4))
    grid.add_column()
    grid.add_column()
    rules = Table("Top rules", "hits", box=None, header_style="bold")
    for title, count in summary.top_rules():
        rules.add_row(title, f"{count:,}")
    computers = Table("Top computers", "hits", box=None, header_style="bold")
    for name, count in summary.top_computers():
        computers.add_row(name, f"{count:,}")
    grid.add_row(rules, computers)
    console.print(grid)
