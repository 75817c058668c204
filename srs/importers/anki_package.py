"""The Anki importer's old address, kept for callers written before it became the package srs.importers.anki."""

from __future__ import annotations

from srs.importers.anki import *  # noqa: F403
from srs.importers.anki import __all__  # noqa: F401
