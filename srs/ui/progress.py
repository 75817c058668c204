"""Progress bars for long work in the command line layer: on stderr, and only on a terminal.

The core reports progress through a plain callback, `progress(done, total)`, and never learns whether a
bar is drawn; pipes, scripts and tests get nothing.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator


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
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TaskProgressColumn, TextColumn,
                                       TimeElapsedColumn)

            amount = MofNCompleteColumn() if counts else TaskProgressColumn()
            bar = Progress(TextColumn(label), BarColumn(), amount, TimeElapsedColumn(), console=Console(stderr=True),
                           transient=True)
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()
