"""srs: spaced repetition and quizzes from YAML decks, scheduled by FSRS."""

__version__ = "0.1.0"
