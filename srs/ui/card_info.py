"""The `srs show` view: a rich renderable laid out from the card info `srs.optimizer.card_info` returns.

`CardInfoView(infos)` renders each card (text, place, memory state, review history), a rule between cards;
the command decides where it is printed. Deck text is laid out as Text, never read as rich markup.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from srs.clock import local

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, RenderableType, RenderResult

    from srs.jsontypes import CardInfoJson

RATING_STYLES = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


class CardInfoView:
    """Card info for one card or for each card of an item."""

    def __init__(self, infos: list[CardInfoJson]) -> None:
        self.infos = infos

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.rule import Rule

        for n, info in enumerate(self.infos):
            if n:
                yield Rule()
            yield from card_parts(info)


def local_time(iso: str) -> str:
    return local(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def card_parts(info: CardInfoJson) -> list[RenderableType]:
    """One card's info: a heading, the front (and choices), the back, the facts, the review history."""
    from rich.panel import Panel
    from rich.text import Text

    from srs.ui.markup import card_text  # markdown only where the text has some: a plain one skips its import

    parts: list[RenderableType] = [
        Text.assemble((info["id"], "bold"), "  ", (f"{info['kind']} in {info['deck_title']} "
                                                    f"({info['deck']}), {info['location']}", "dim")),
        Panel(card_text(info["front"]), title="Front", title_align="left"),
    ]
    parts += [Text(f"  {label}) {text}") for label, text in (info["choices"] or {}).items()]
    parts += [Panel(card_text(info["back"]), title="Back", title_align="left"), _facts(info)]
    parts.append(_history(info) if info["history"] else Text("Not reviewed yet.", style="dim"))
    return parts


def _facts(info: CardInfoJson) -> RenderableType:
    from rich.table import Table
    from rich.text import Text

    from srs.scheduler import format_interval

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    status = [info["state"]]
    for flag in ("suspended", "buried", "leech", "retired"):
        if info[flag]:
            status.append(flag)
    if info["flagged"]:
        status.append(f"flagged: {info['flagged']}")
    facts.add_row("State", Text(", ".join(status)))
    due_in_s = info["due_in_s"]
    if info["due"] and due_in_s is not None:
        delta = timedelta(seconds=due_in_s)
        when = f"in {format_interval(delta)}" if due_in_s >= 0 else f"overdue by {format_interval(-delta)}"
        facts.add_row("Due", f"{local_time(info['due'])} ({when})")
    if info["stability"] is not None:
        facts.add_row("Stability", f"{info['stability']:.2f} days")
    if info["difficulty"] is not None:
        facts.add_row("Difficulty", f"{info['difficulty']:.2f} (1-10)")
    if info["retrievability"] is not None:
        desired = f"desired {info['desired_retention'] * 100:.0f}%, {info['parameters']} parameters"
        facts.add_row("Retrievability", f"{info['retrievability'] * 100:.1f}% now ({desired})")
    facts.add_row("Reviews", f"{info['reps']} ({info['lapses']} lapses)")
    if info["last_review"]:
        facts.add_row("Last review", local_time(info["last_review"]))
    total_ms, average_ms = info["total_time_ms"], info["average_time_ms"]
    if total_ms is not None and average_ms is not None:
        facts.add_row("Time", f"{total_ms / 1000:.0f} s in all, {average_ms / 1000:.1f} s on average")
    if info["tags"]:
        facts.add_row("Tags", Text(", ".join(info["tags"])))
    return facts


def _history(info: CardInfoJson) -> RenderableType:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from srs.scheduler import format_interval

    table = Table(title="Review history, newest first", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  caption="R: predicted recall at the review; S: stability in days, D: difficulty (1-10) after it; "
                          "* imported", caption_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Date", "left"), ("Type", "left"), ("Rating", "left"), ("Interval", "right"),
        ("R", "right"), ("S", "right"), ("D", "right"), ("Time", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)
    for h in reversed(info["history"]):
        table.add_row(
            local_time(h["reviewed_at"]) + ("*" if h["source"] == "import" else ""),
            h["type"],
            Text.assemble((h["rating_name"], RATING_STYLES.get(h["rating"], ""))),
            format_interval(timedelta(seconds=h["interval_s"])) if h["interval_s"] is not None else "",
            f"{h['retrievability'] * 100:.0f}%" if h["retrievability"] is not None else "",
            f"{h['stability']:.2f}" if h["stability"] is not None else "",
            f"{h['difficulty']:.2f}" if h["difficulty"] is not None else "",
            f"{h['duration_ms'] / 1000:.1f}s" if h["duration_ms"] is not None else "",
        )
    return table
