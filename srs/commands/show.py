"""`srs show ID`: one item's card info, as Anki's Card Info shows it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import click

from srs.commands.options import echo_json, learning_options, open_workspace, report_sync

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from srs.jsontypes import CardInfoJson


def _cards(ctx, param, incomplete):
    from srs.commands.completion import complete_card_ids

    return complete_card_ids(ctx, param, incomplete)


@click.command()
@click.argument("item_id", shell_complete=lambda ctx, param, incomplete: _cards(ctx, param, incomplete))
@click.option("--json", "as_json", is_flag=True, help="Print the card info as JSON.")
@learning_options
def show(item_id, as_json, db_path, deck_paths, now):
    """Card info for ITEM_ID (an item's or a card's id): text, deck, state, memory and review history."""
    from srs.optimizer.card_info import card_info

    ws = open_workspace(db_path, deck_paths, now)
    report_sync(ws)
    infos = card_info(ws.store, item_id, ws.clock())
    if as_json:
        echo_json(infos if len(infos) > 1 else infos[0])
        return
    from srs.ui.console import inert_console

    console = inert_console(highlight=False)
    for n, info in enumerate(infos):
        if n:
            console.rule()
        print_card(console, info)


def print_card(console, info: CardInfoJson) -> None:
    from rich.markdown import Markdown
    from rich.markup import escape  # deck text is never rich markup
    from rich.panel import Panel
    from rich.table import Table

    from srs.optimizer.card_info import local_time
    from srs.scheduler import format_interval

    console.print(f"[bold]{escape(info['id'])}[/]  [dim]{info['kind']} in {escape(info['deck_title'])} "
                  f"({escape(info['deck'])}), {escape(info['location'])}[/]")
    console.print(Panel(Markdown(info["front"]), title="Front", title_align="left"))
    if info["choices"]:
        for label, text in info["choices"].items():
            console.print(f"  {label}) {escape(text)}")
    console.print(Panel(Markdown(info["back"]), title="Back", title_align="left"))

    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    status = [info["state"]]
    for flag in ("suspended", "buried", "leech", "retired"):
        if info[flag]:
            status.append(flag)
    if info["flagged"]:
        status.append(f"flagged: {info['flagged']}")
    facts.add_row("State", ", ".join(status))
    due_in_s = info["due_in_s"]
    if info["due"] and due_in_s is not None:
        delta = timedelta(seconds=due_in_s)
        when = f"in {format_interval(delta)}" if due_in_s >= 0 else f"overdue by {format_interval(-delta)}"
        facts.add_row("Due", f"{local_time(info['due'])} ({when})")
    if info["stability"] is not None:
        facts.add_row("Stability", f"{info['stability']:.2f} days")
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
        facts.add_row("Tags", ", ".join(info["tags"]))
    console.print(facts)

    if not info["history"]:
        console.print("[dim]Not reviewed yet.[/]")
        return
    from rich import box

    table = Table(title="Review history, newest first", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False,
                  caption="R: predicted recall at the review; S: stability in days, D: difficulty (1-10) after it; "
                          "* imported", caption_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Date", "left"), ("Type", "left"), ("Rating", "left"), ("Interval", "right"),
        ("R", "right"), ("S", "right"), ("D", "right"), ("Time", "right"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=True)
    styles = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}
    for h in reversed(info["history"]):
        table.add_row(
            local_time(h["reviewed_at"]) + ("*" if h["source"] == "import" else ""),
            h["type"],
            f"[{styles.get(h['rating'], '')}]{h['rating_name']}[/]",
            format_interval(timedelta(seconds=h["interval_s"])) if h["interval_s"] is not None else "",
            f"{h['retrievability'] * 100:.0f}%" if h["retrievability"] is not None else "",
            f"{h['stability']:.2f}" if h["stability"] is not None else "",
            f"{h['difficulty']:.2f}" if h["difficulty"] is not None else "",
            f"{h['duration_ms'] / 1000:.1f}s" if h["duration_ms"] is not None else "",
        )
    console.print(table)
