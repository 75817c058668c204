"""Progress for long exports: a rich progress bar on a terminal, nothing anywhere else.

Exporters take a `Progress` and call `step(description, total)` then `advance()`; they never know whether
a bar is drawn, so tests and pipes pay nothing.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

# Below this many steps an export is over before a bar would be worth drawing.
SHOW_FROM = 200


class Progress:
    """The silent kind: the interface exporters use."""

    def step(self, description: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass


class _RichProgress(Progress):
    def __init__(self, bar):
        self.bar = bar
        self.task = None

    def step(self, description: str, total: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=self.bar.tasks[-1].total)
        self.task = self.bar.add_task(description, total=max(total, 1))

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, amount)


@contextmanager
def terminal_progress(size: int, *, enabled: bool = True) -> Iterator[Progress]:
    """A bar when stdout is a terminal and the export has at least SHOW_FROM steps; else the silent kind."""
    if not enabled or size < SHOW_FROM or not sys.stdout.isatty():
        yield Progress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichBar

    # transient: the bar disappears when done, leaving only the summary line.
    with RichBar(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True
    ) as bar:
        yield _RichProgress(bar)
