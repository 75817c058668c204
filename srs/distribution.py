"""What installs srs: the distribution's name, and the one install hint every message gives for an extra.

The registry's `srs` is an unrelated project, so this one is distributed as `srs-terminal`; the command and
the import name stay `srs`.
"""

from __future__ import annotations

from pathlib import Path

DISTRIBUTION = "srs-terminal"


def install_command(extra: str) -> str:
    """The pip command that adds `extra` to this installation: from the checkout when srs runs from one."""
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "srs" / "distribution.py").is_file():
        return f"pip install -e '{checkout}[{extra}]'"
    return f"pip install '{DISTRIBUTION}[{extra}]'"
