"""Progress bars for long work in the command line layer: on stderr, and only on a terminal.

The core reports progress through a plain callback, `progress(done, total)`, or (the exporters, whose
work has several phases) through srs.progress.Progress; it never learns whether a bar is drawn,
and pipes, scripts and tests get nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from srs.progress import Progress

# Below this many steps an export is over before a bar would be worth drawing.
EXPORT_BAR_FROM = 200


@contextmanager
def progress_bar(label: str, enabled: bool = True, *, show_from: int = 0, counts: bool = True
                 ) -> Iterator[Callable[[int, int], None] | None]:
    """Yields a callback(done, total), or None where no bar can be drawn. The bar appears at the first
    call whose total reaches `show_from` (short work stays quiet); `counts` shows "done/total", else a
    percentage (for totals in bytes)."""
    if not enabled or not sys.stderr.isatty():  # asked before importing rich: most runs draw nothing
        yield None
        return
    bar = task = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < show_from:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            from srs.ui.console import inert_console

            amount = MofNCompleteColumn() if counts else TaskProgressColumn()
            bar = Progress(TextColumn(label), BarColumn(), amount, TimeElapsedColumn(),
                           console=inert_console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


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
    """An export's bar, one phase after another, when stderr is a terminal and the export has at least
    EXPORT_BAR_FROM steps; else the silent Progress."""
    if not enabled or size < EXPORT_BAR_FROM or not sys.stderr.isatty():
        yield Progress()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as RichBar

    from srs.ui.console import inert_console

    # transient: the bar disappears when done, leaving only the summary line.
    with RichBar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                 console=inert_console(stderr=True), transient=True) as bar:
        yield _RichProgress(bar)
