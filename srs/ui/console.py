"""The rich Console srs prints through: its text made inert (srs.inert), rich's own styling kept."""

from __future__ import annotations

from srs.inert import inert


def inert_console(**kwargs):
    """A rich Console whose printed text is made inert, while rich's own styling still reaches the terminal."""
    from rich.console import Console
    from rich.segment import Segment

    class InertConsole(Console):
        def _render_buffer(self, buffer):  # the one place rich turns segments into what is written
            return super()._render_buffer(
                segment if segment.control else Segment(inert(segment.text), segment.style, None)
                for segment in buffer
            )

    return InertConsole(**kwargs)
