"""Where decks and the database live when the user does not say."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "srs"


def bundled_course() -> list[Path]:
    """The diffusion course installed with the package (or the repo's own folders in a checkout)."""
    package = Path(__file__).resolve().parent
    for root in (package / "course", package.parent):
        folders = [root / "decks", root / "quizzes"]
        if all(f.is_dir() for f in folders):
            return folders
    return []


def default_deck_paths(cwd: Path | None = None) -> list[Path]:
    """`SRS_DECKS` (os.pathsep-separated), else ./decks and ./quizzes, else the bundled course."""
    env = os.environ.get("SRS_DECKS")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    cwd = cwd or Path.cwd()
    local = [cwd / "decks", cwd / "quizzes"]
    if any(p.is_dir() for p in local):
        return [p for p in local if p.is_dir()]
    return bundled_course()


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "srs.sqlite3"


def default_trained_model_path() -> Path:
    """Where `srs demo train` saves a model: beside the history, never over the bundled weights."""
    return data_dir() / "demo-model"
