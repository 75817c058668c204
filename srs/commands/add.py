"""`srs add [DECK]`: append an item to one of the learner's own deck files, checked before it is written."""

from __future__ import annotations

import os
from pathlib import Path

import click

from srs.atomic import atomic_output, read_text_and_newline
from srs.errors import UserError
from srs.ui.console import echo

FIELDS = {  # kind -> (the field --front fills, the field --back fills, whether --back is needed)
    "flashcard": ("front", "back", True),
    "selfcheck": ("question", "answer", True),
    "cloze": ("text", "extra", False),
}
TEMPLATES = {
    "flashcard": "front: \nback: \n",
    "selfcheck": "question: \nanswer: \n",
    "cloze": "text: The {{c1::hidden part}} of the sentence.\n",
    "ordering": "prompt: \nsteps:\n  a: \n  b: \n  c: \nanswer: [a, b, c]\n",
    "choice": "question: \noptions:\n  - \n  - \ncorrect: a\n",
}
TEMPLATE_HEAD = "# The new item, in the deck format (docs/format.md). Save and quit to add it; empty it to cancel.\n"


def _complete_decks(ctx, param, incomplete):
    from srs.commands.completion import complete_deck_ids

    return complete_deck_ids(ctx, param, incomplete)


def own_deck_folders(deck_paths) -> list[Path]:
    """The learner's deck folders and files: --decks, SRS_DECKS, or ./decks; never the bundled course."""
    if deck_paths:
        return [Path(p) for p in deck_paths]
    env = os.environ.get("SRS_DECKS")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    local = Path.cwd() / "decks"
    return [local] if local.is_dir() else []


def _item_from_editor(kind: str, editor: str) -> dict:
    import yaml

    text = click.edit(TEMPLATE_HEAD + TEMPLATES[kind], editor=editor, extension=".yaml", require_save=True)
    only_comments = text is not None and all(line.startswith("#") or not line.strip() for line in text.splitlines())
    if text is None or not text.strip("\n# ") or only_comments:
        raise UserError("nothing was added (the item was left empty)")
    try:
        item = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise UserError(f"the edited item is not valid YAML{where}; nothing was added") from None
    if not isinstance(item, dict):
        raise UserError("the edited item must be a mapping such as `front: ...`; nothing was added")
    return item


@click.command()
@click.argument("deck", required=False, shell_complete=_complete_decks)
@click.option("--front", help="The front (flashcard), question (selfcheck) or text (cloze).")
@click.option("--back", help="The back (flashcard), answer (selfcheck) or extra (cloze).")
@click.option("--kind", type=click.Choice(list(TEMPLATES)), default="flashcard", show_default=True,
              help="The kind of item; ordering and choice items are written in the editor.")
@click.option("--tags", help="Tags, separated by commas.")
@click.option("--id", "item_id", help="An explicit id (default: derived from the front).")
@click.option("--edit", "use_editor", is_flag=True, help="Write the item in your editor, from a template.")
@click.option("--decks", "deck_paths", multiple=True, type=click.Path(path_type=Path),
              help="Your deck folders or files (default: SRS_DECKS, else ./decks).")
def add(deck, front, back, kind, tags, item_id, use_editor, deck_paths):
    """Add an item to DECK (a deck id; default: your only deck) and check it first.

    Leave out --front/--back to be asked for them. The rest of the deck file is kept byte for byte.
    """
    from srs.deck.append import append_item, new_deck_text
    from srs.settings import current

    folders = own_deck_folders(deck_paths)
    if not folders:
        folder = Path.cwd() / "decks"
        click.confirm(f"You have no deck folder of your own. Start one at {folder}?", default=True, abort=True,
                      err=True)
        folder.mkdir(parents=True)
        folders = [folder]
    target, title = _deck_file(folders, deck)

    if use_editor or kind not in FIELDS:
        item = _item_from_editor(kind, current().editor())
    else:
        first, second, needs_back = FIELDS[kind]
        front = front if front is not None else click.prompt(first.capitalize(), err=True)
        if back is None and needs_back:
            back = click.prompt(second.capitalize(), err=True)
        item = {first: front}
        if back:
            item[second] = back
        if kind != "flashcard":
            item = {"kind": kind, **item}
    if item_id:
        item = {"id": item_id, **item}
    if tags:
        item["tags"] = [t.strip() for t in tags.split(",") if t.strip()]

    newline = "\n"
    if target.exists():
        old, newline = read_text_and_newline(target)  # the deck's own line endings are put back below
        new = append_item(old, item)
    else:
        old, new = None, new_deck_text(title, item)
    added = _check(folders, target, old, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(target) as temporary:  # through a symlink, keeping the file's permissions
        temporary.write_text(new, encoding="utf-8", newline=newline)
    echo(f"Added {added} to {target}.")


def _deck_file(folders: list[Path], deck: str | None) -> tuple[Path, str]:
    """The file of deck `deck` among the learner's folders (a new one, after asking, if it has none)."""
    from srs.deck import load_paths
    from srs.deck.files import deck_files

    existing = [p for p in folders if p.exists()]
    result = load_paths(existing) if existing else None
    decks = {d.id: Path(d.path) for d in (result.decks if result else [])}
    asked = False
    if deck is None:
        if len(decks) == 1:
            return next(iter(decks.values())), ""
        if decks:
            raise UserError(f"which deck? give one of: {', '.join(sorted(decks))}")
        deck = click.prompt("Name of the new deck (an id such as my-deck)", default="my-deck", err=True)
        asked = True
    if deck in decks:
        return decks[deck], ""
    loaded = {path.resolve(): deck_id for deck_id, path in decks.items()}
    for path in (p for p in (deck_files(existing) if existing else []) if p.stem == deck):
        if path.resolve() in loaded:  # the file is sound; its deck has another id
            raise UserError(f"{path} holds the deck '{loaded[path.resolve()]}': give that id")
        raise UserError(f"{path} has errors; fix them first (`srs check {path}`)")
    import re

    from srs.deck.model import SLUG_PATTERN

    if not re.match(SLUG_PATTERN, deck):
        raise UserError(f"'{deck}' is not a deck id: use lower-case letters, digits, '-', '_' and '.'")
    folder = next((p for p in folders if p.is_dir() or not p.suffix), folders[0].parent)
    target = folder / f"{deck}.yaml"
    if not asked:
        click.confirm(f"There is no deck '{deck}'. Start it in {target}?", default=True, abort=True, err=True)
    return target, deck.replace("-", " ").replace("_", " ").capitalize()


def _check(folders: list[Path], target: Path, old: str | None, new: str) -> str:
    """The new item's id, after the project's loader found the new text sound; UserError (nothing
    written) when it adds an error or changes any other item of the deck."""
    from srs.deck.collection import combine
    from srs.deck.files import deck_files
    from srs.deck.loader import load_file

    existing = [p for p in folders if p.exists()]
    files = [p for p in (deck_files(existing) if existing else []) if p.resolve() != target.resolve()]
    others = [load_file(p) for p in files]
    before = combine(others + ([load_file(target, old.encode("utf-8"))] if old is not None else []))
    after_file = load_file(target, new.encode("utf-8"))
    after = combine(others + [after_file])
    known = {str(d) for d in before.errors}
    fresh = [d for d in after.errors if str(d) not in known]
    if fresh or after_file.deck is None:
        problem = fresh[0] if fresh else after_file.diagnostics[0]
        message = str(problem).split(": error: ", 1)[-1] if ": error: " in str(problem) else str(problem)
        raise UserError(f"the new item was not added: {message}")
    old_items = {} if old is None else {
        i.id: i.content_hash for i in (load_file(target, old.encode("utf-8")).deck or _NoDeck).items
    }
    new_items = {i.id: i.content_hash for i in after_file.deck.items}
    if any(new_items.get(uid) != digest for uid, digest in old_items.items()):
        raise UserError("adding the item would change another item of the deck; add it by hand")
    added = [uid for uid in new_items if uid not in old_items]
    if len(added) != 1:
        raise UserError("the new item was not added: its id is already in the deck (give another --id)")
    return added[0]


class _NoDeck:
    items: list = []
