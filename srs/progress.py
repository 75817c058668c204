"""How long-running work reports progress: `step(description, total)`, then `advance()`.

The core (exporters, importers, sync) reports through this interface and never learns whether a bar is
drawn (srs.ui.progress.terminal_progress draws one), so tests and pipes pay nothing.
"""

from __future__ import annotations


class Progress:
    """The silent kind: the interface the core uses."""

    def step(self, description: str, total: int) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass
