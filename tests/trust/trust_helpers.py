"""Helpers shared by the trust tests (a module of its own: test folders here have no __init__.py)."""

from __future__ import annotations

from pathlib import Path


def deck_home(tmp_path: Path, monkeypatch, decks: dict[str, str], files: dict[str, str] | None = None) -> Path:
    """`tmp_path` as a learner's folder: no SRS_* variables from outside, `decks/` holding `decks`
    (name -> YAML), and `files` (name -> text) beside it."""
    for name in ("SRS_DB", "SRS_DECKS", "SRS_NOW"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "decks").mkdir()
    for name, text in decks.items():
        (tmp_path / "decks" / name).write_text(text)
    for name, text in (files or {}).items():
        (tmp_path / name).write_text(text)
    return tmp_path
