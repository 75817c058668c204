"""Write docs/cli.md, the command-line reference, from each command's own --help.

Run `python docs/generate_cli.py` after changing a command; tests/test_readme.py fails while the file
differs from what this generates, so the reference cannot drift from the program.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

WIDTH = 100
OUTPUT = Path(__file__).resolve().parent / "cli.md"


def _sections(command: click.Command, path: list[str], parent: click.Context | None):
    # make_context applies the command's own context settings (its help option names, say), as a real
    # run does; resilient parsing lets required arguments stay missing.
    ctx = command.make_context(path[-1], [], parent=parent, resilient_parsing=True,
                               terminal_width=WIDTH, max_content_width=WIDTH)
    yield " ".join(path), command.get_help(ctx)
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _sections(sub, [*path, name], ctx)


def reference() -> str:
    from srs.cli import cli

    parts = ["# Command-line reference", "",
             "Generated from each command's `--help` by `python docs/generate_cli.py`; do not edit by hand.", ""]
    for title, text in _sections(cli, ["srs"], None):
        parts += [f"## `{title}`", "", "```", text.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    OUTPUT.write_text(reference(), encoding="utf-8")
    print(f"wrote {OUTPUT}", file=sys.stderr)
