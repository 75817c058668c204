"""`srs import anki FILE.apkg`: an Anki package becomes YAML decks, and its review log the learner's history.

Reads both package formats: the one genanki and Anki's "Support older Anki versions" export write (a zip
with `collection.anki2` or `collection.anki21`, SQLite schema 11, and a JSON `media` map), and the one
Anki 2.1.50 and later write by default (`collection.anki21b`: zstd-compressed, schema 18, media list and
files compressed too; see modern).

Notes become items: cloze notes cloze items (`{{c1::...}}` kept; the second field becomes `extra`), other
notes flashcards (first field front, second back, further non-empty fields appended to the back; a
"type in the answer" template gives `typed: true`). Field HTML becomes markdown-ish text (html_text).
Images come along into `media/` beside the deck files (in each folder written to); the first image on the
front becomes the item's `image`, and an image on the back stays in the back's text (see convert).

Notes `srs export anki` wrote carry their item's id and the item itself as JSON (the hidden fields
"srs id" and "srs item"): they come back exactly, whatever their kind. Any other note gets the id
`anki-<hash of its GUID>`, stable across re-imports of the same notes.

Decks `srs export anki` wrote end their Anki description with a marker Anki keeps but never shows,
`<!-- srs-deck {JSON} -->` (read_deck_marker): the deck comes back with its id, kind, title, file name,
description (its markdown), tags, options and item order. What the learner changed in Anki wins: a deck
renamed there keeps its new name as title, an edited description its edited text. Quizzes go to the
`quizzes` folder beside the output folder (quiz_folder): with the default `-o decks`, `./quizzes`, where
srs finds them. A deck without the marker (made in Anki, or by an older srs) goes to the output folder as
before: its srs id comes back when the Anki deck id (a hash of it) can be matched, else it is made from
the title; its kind and options are not known.

Reviews (Again/Hard/Good/Easy entries; manual and rescheduling entries carry no rating and are left
out, as are entries before a card was reset to new) become the learner's history in the database,
replayed through srs's scheduler.

Nothing is written unless everything succeeds: the YAML and media files are written to a temporary
folder beside the output folder (each checked to read back as the data it was written from), the decks
validated by the deck loader from that data (the YAML is not parsed again), and moved into place inside the same
database transaction that adds the reviews; a failure moves them back.

The stages, one module each: `read` (the package's collection and media list), `convert` (notes into decks,
items and the review history), `marker` (the srs deck marker), `stage` (the files, written beside their
targets and checked), `apply` (files moved into place; decks, cards and reviews into the store through its
one write path, srs.store.catalog).
"""

from __future__ import annotations

from srs.importers.anki.apply import AnkiImportReport, import_package
from srs.importers.anki.convert import Conversion, DeckOut, anki_item_id, convert, slugify, tidy_item
from srs.importers.anki.marker import DeckMarker, read_deck_marker, strip_deck_marker
from srs.importers.anki.read import AnkiPackage, read_package
from srs.importers.anki.stage import deck_targets, quiz_folder

__all__ = [
    "AnkiImportReport", "AnkiPackage", "Conversion", "DeckMarker", "DeckOut", "anki_item_id", "convert",
    "deck_targets", "import_package", "quiz_folder", "read_deck_marker", "read_package", "slugify",
    "strip_deck_marker", "tidy_item",
]
