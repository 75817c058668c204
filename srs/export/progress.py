"""Kept for the exporters that still import it from here: the interface lives in srs/progress.py."""

from srs.progress import Progress

__all__ = ["Progress"]
