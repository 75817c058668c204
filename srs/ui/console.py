"""Where srs writes to the terminal: one `echo` for lines and one rich Console for views, both inert.

Text from decks, imports, file names and error messages is made inert (srs.inert) here, once, as it is
written, so no call site has to remember it and none does it twice. rich's own styling still reaches the
terminal. The command layer (srs/cli.py, srs/commands/) prints only through these two
(tests/test_architecture.py holds it to that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from srs.inert import inert

if TYPE_CHECKING:
    from rich.console import Console


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """`click.echo` of `message` made inert: every plain line srs prints goes through here."""
    import click

    click.echo(inert(str(message)), err=err, nl=nl)


def inert_console(**kwargs: Any) -> Console:
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


def view_console(*, stderr: bool = False) -> Console:
    """The Console a command prints its views with (inert, no guessing at numbers to colour)."""
    return inert_console(highlight=False, stderr=stderr)
