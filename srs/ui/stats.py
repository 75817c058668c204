"""The `srs stats` view: a rich renderable laid out from `srs.stats.Stats`, plain data computed elsewhere.

`StatsView(data)` renders itself (rich's `__rich_console__`); the command decides where it is printed.
The heatmap is drawn in colour on a console with colours, in shades of a block character without.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult

    from srs.stats import Stats

# GitHub's greens, from "no reviews" to the busiest days; and the same levels without colour.
HEAT_COLOURS = ("grey23", "#0e4429", "#006d32", "#26a641", "#39d353")
HEAT_CHARS = ("·", "░", "▒", "▓", "█")
WEEKDAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


class StatsView:
    """Today and streak, the forecast, the heatmap, the decks and the achievements, a blank line apart."""

    def __init__(self, data: Stats) -> None:
        self.data = data

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        data = self.data
        parts = (
            _summary(data),
            _forecast(data),
            _heatmap(data, colour=console.color_system is not None and not console.no_color),
            _decks_table(data),
            _achievements(data),
        )
        for index, part in enumerate(parts):
            if index:
                yield Text()
            yield part


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _duration(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {seconds:02d}s"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def _summary(data):
    from rich.text import Text

    today, streak, retention, progress = data.today, data.streak, data.retention, data.progress
    due = today.due_now
    text = Text()
    text.append(f"Today  {today.date:%a %d %b %Y}\n", style="bold")
    text.append(f"  {_plural(today.reviews, 'review')} · {today.new} new · {_duration(today.seconds)}")
    text.append(f" · accuracy {_percent(today.accuracy)}\n")
    text.append(
        f"  Due now {sum(due.values())} ({due['learning']} learning, {due['review']} review, {due['new']} new)\n"
    )
    text.append("Streak ", style="bold")
    text.append(_plural(streak.current, "day"), style="magenta")
    text.append(f" (longest {_plural(streak.longest, 'day')})")
    if streak.current and not streak.reviewed_today:
        text.append(" · review today to keep it", style="dim")
    text.append("\n")
    text.append(f"Retention, last {retention.days} days  ", style="bold")
    text.append(f"true {_percent(retention.true)} · FSRS predicted {_percent(retention.predicted)}")
    text.append(f" · {_plural(retention.reviews, 'review')}\n", style="dim")
    text.append(progress.title(), style="bold yellow")
    text.append(f" · {progress.xp:,} XP · {progress.to_next_text()}")
    text.append(f" · {data.earned}/{len(data.achievements)} achievements")
    return text


def _forecast(data):
    from rich.table import Table

    table = Table(title="Due in the next 14 days", title_justify="left", title_style="bold", box=None,
                  show_header=False, pad_edge=False)
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    table.add_column(no_wrap=True)
    biggest = max((day.due for day in data.forecast), default=0)
    for index, day in enumerate(data.forecast):
        label = "Today" if index == 0 else "Tomorrow" if index == 1 else f"{day.date:%a %d %b}"
        width = round(30 * day.due / biggest) if biggest else 0
        bar = "█" * width or ("▏" if day.due else "")
        table.add_row(f"  {label}", str(day.due), f"[cyan]{bar}[/cyan]")
    return table


def heatmap_lines(heatmap, colour: bool) -> list:
    """The heatmap as rich Texts: a month row, then Monday to Sunday, weeks as columns, then a legend."""
    from rich.text import Text

    weeks = heatmap.weeks()

    def cell(day: date | None) -> Text:
        if day is None:
            return Text("  ")
        level = heatmap.level(heatmap.counts.get(day, 0))
        if colour:
            return Text("■ ", style=HEAT_COLOURS[level])
        return Text(HEAT_CHARS[level] + " ")

    labels = []  # (column, month name) where a month's first day falls
    for column, week in enumerate(weeks):
        first = next((d for d in week if d is not None and d.day == 1), None)
        if first is not None:
            labels.append((column, f"{first:%b}"))
    if not labels or labels[0][0] >= 2:
        labels.insert(0, (0, f"{weeks[0][0]:%b}"))  # the month already under way
    months = [" "] * (len(weeks) * 2 + 3)
    for column, name in labels:
        months[column * 2:column * 2 + 3] = list(name)
    lines = [Text("    " + "".join(months).rstrip(), style="dim")]
    for weekday in range(7):
        line = Text()
        line.append(f"{WEEKDAY_LABELS[weekday]:<4}", style="dim")
        for week in weeks:
            line.append_text(cell(week[weekday]))
        lines.append(line)
    legend = Text()
    legend.append("    Less ", style="dim")
    for level in range(len(HEAT_CHARS)):
        legend.append_text(Text("■ ", style=HEAT_COLOURS[level]) if colour else Text(HEAT_CHARS[level] + " "))
    legend.append("More", style="dim")
    busiest = f" · busiest day {heatmap.max:,}" if heatmap.max else ""
    legend.append(f"   {_plural(heatmap.total, 'review')} since {heatmap.start:%d %b %Y}{busiest}", style="dim")
    lines.append(legend)
    return lines


def _heatmap(data, colour: bool):
    from rich.console import Group
    from rich.text import Text

    return Group(Text("Reviews, last 6 months", style="bold"), *heatmap_lines(data.heatmap, colour))


def _decks_table(data):
    from rich.table import Table

    table = Table(title="Decks", title_justify="left", title_style="bold", box=None, pad_edge=False)
    table.add_column("deck", no_wrap=True, overflow="ellipsis", max_width=32)
    for name in ("cards", "new", "learning", "review", "suspended", "due today"):
        table.add_column(name, justify="right")
    table.add_column("retention", justify="right")
    for deck in data.deck_stats:
        table.add_row(
            deck.id, str(deck.cards), str(deck.new), str(deck.learning), str(deck.review), str(deck.suspended),
            str(deck.due_today), _percent(deck.retention),
        )
    if not data.deck_stats:
        table.add_row("(no decks)", *[""] * 7)
    return table


def _achievements(data):
    from rich.text import Text

    text = Text()
    text.append(f"Achievements {data.earned}/{len(data.achievements)}\n", style="bold")
    for achievement in data.achievements:
        mark, style = ("✓", "green") if achievement.earned else ("·", "dim")
        text.append(f"  {mark} ", style=style)
        text.append(achievement.name, style="bold" if achievement.earned else "")
        text.append(f"  {achievement.description}", style="dim")
        if not achievement.earned and achievement.goal and achievement.goal > 1:
            text.append(f"  {achievement.value:,}/{achievement.goal:,}", style="dim")
        text.append("\n")
    text.rstrip()
    return text
