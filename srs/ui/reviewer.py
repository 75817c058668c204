"""The terminal reviewer: shows a card, takes the learner's answer, and hands it to the session.

Keys as in Anki: space or Enter reveals, 1-4 rate (Enter takes the suggested grade), u undoes the last
action (an answer, bury, suspend, flag or edit), b buries until tomorrow, s suspends, e edits the card's
file in $EDITOR, f flags it for the author, ? lists the keys, q or Ctrl-C quits. Every action is committed
by the session before the next card shows.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from srs import grading
from srs.cardview import CHOICE, ORDER, SELFCHECK, TYPED, CardView, shuffle_choices
from srs.errors import UserError
from srs.scheduler import RATINGS, format_interval
from srs.session import Session, Undone
from srs.ui.markup import card_text, plain_line
from srs.ui.terminal import EndOfInput, Keys

RATING_STYLES = {1: "bold red", 2: "bold yellow", 3: "bold green", 4: "bold blue"}
ACTIONS = {"u": "undo", "b": "bury", "s": "suspend", "e": "edit", "f": "flag", "q": "quit"}
KEYS_HELP = (  # lines short enough for an 80-column terminal
    "Keys: space or Enter show the answer\n"
    "      1 Again, 2 Hard, 3 Good, 4 Easy (Enter takes a suggested grade)\n"
    "      u undo the last action · b bury until tomorrow · s suspend\n"
    "      e edit the card's file · f flag for the author\n"
    "      ? these keys · q quit (Ctrl-C too)\n"
    "      Where an answer is typed, type the letter alone for an action."
)
UNDONE = {"answer": "the answer to", "bury": "burying", "suspend": "suspending", "flag": "flagging",
          "edit": "the edit of"}


class Quit(Exception):
    pass


@dataclass
class Outcome:
    """What the learner decided about the card on screen."""

    rating: int | None = None
    response: str | None = None
    action: str | None = None  # one of ACTIONS' values
    graded: int | None = None  # the grade srs itself gave (a choice, an order, a typed answer), if any


class Reviewer:
    def __init__(self, session: Session, console: Console, keys: Keys, *, on_edit=None, source: str = "review"):
        self.session = session
        self.console = console
        self.keys = keys
        self.on_edit = on_edit  # called after the editor closes, to reload decks
        self.source = source
        self.last_undone: Undone | None = None
        self.rng = random.Random()

    # -- the loop -----------------------------------------------------------------------------------

    def run(self) -> bool:
        """Review until nothing is due (True) or the learner quits (False)."""
        try:
            while True:
                view = self.session.next_view()
                if view is None:
                    return True
                self.show_counts()
                if self.ask(view) is Quit:
                    return False
        except (EndOfInput, KeyboardInterrupt):
            return False

    def ask(self, view: CardView, *, show_counts: bool = False):
        """Show one card and handle what the learner does; returns Quit to stop the session."""
        started = time.monotonic()
        if view.mode == CHOICE and self.session.deck_option(view.card.deck_id, "shuffle_options", True):
            view = shuffle_choices(view, self.rng)
        self.show_front(view)
        outcome = self.take_answer(view)
        if outcome.action:
            return self.act(outcome.action, view)
        assert outcome.rating is not None  # take_answer returns either an action or a rating
        duration_ms = int((time.monotonic() - started) * 1000)
        answer = self.session.answer(
            view.card, outcome.rating, response=outcome.response, duration_ms=duration_ms, source=self.source
        )
        when = format_interval(_from_epoch(answer.card.due) - self.session.clock())
        self.console.print(Text(f"Recorded {RATINGS[outcome.rating]}: next in {when}.", style="dim"))
        if answer.leech_suspended:
            self.console.print(
                Text(f"This card is a leech ({answer.card.lapses} lapses): tagged and suspended. "
                     "Consider rewriting it.", style="bold magenta")
            )
        return outcome

    def act(self, action: str, view: CardView):
        if action == "quit":
            return Quit
        if action == "undo":
            self.last_undone = None
            try:
                undone = self.session.undo()
            except UserError as exc:
                self.console.print(Text(f"Cannot undo: {exc}.", style="red"))
                return action
            self.last_undone = undone
            if undone is None:
                message = "Nothing to undo."
            else:
                message = f"Undid {UNDONE[undone.action]} “{self.card_name(undone.card)}”."
            self.console.print(Text(message, style="yellow"))
        elif action == "bury":
            self.session.bury(view.card)
            self.console.print(Text("Buried until tomorrow.", style="yellow"))
        elif action == "suspend":
            self.session.suspend(view.card)
            self.console.print(Text("Suspended.", style="yellow"))
        elif action == "flag":
            self.session.flag(view.card)
            self.console.print(Text("Flagged for the author (see `srs flagged`).", style="yellow"))
        elif action == "edit":
            self.edit(view)
        return action

    def card_name(self, card) -> str:
        """The card as the learner knows it: the first line of its question, as plain text."""
        try:
            return plain_line(self.session.view(card).front)
        except (KeyError, TypeError):
            return card.uid

    def edit(self, view: CardView) -> None:
        import shlex
        import subprocess  # here, not at the top: start-up to the first card does without it

        editor = self.session.settings.editor()
        path = Path(view.item.path)
        command = shlex.split(editor) + [f"+{view.item.line}", str(path)]
        try:
            before = path.read_bytes()
        except OSError:
            before = None
        try:
            subprocess.call(command)
        except OSError as exc:
            self.console.print(Text(f"Cannot start the editor '{editor}': {exc}", style="red"))
            return
        self.reload()
        if before is not None:
            try:
                changed = path.read_bytes() != before
            except OSError:
                changed = True
            if changed:
                self.session.edited(view.card, lambda: self._restore_file(path, before))

    def _restore_file(self, path: Path, text: bytes) -> None:
        path.write_bytes(text)
        self.reload()

    def reload(self) -> None:
        if self.on_edit:
            message = self.on_edit()
            if message:
                self.console.print(Text(message, style="yellow"))

    def show_keys(self) -> None:
        self.console.print(Text(KEYS_HELP, style="dim"))

    # -- showing ------------------------------------------------------------------------------------

    def show_counts(self) -> None:
        counts = self.session.counts()
        line = Text()
        line.append(f"New {counts['new']}", style="blue")
        line.append("  ")
        line.append(f"Learning {counts['learning']}", style="red")
        line.append("  ")
        line.append(f"Review {counts['review']}", style="green")
        self.console.print()
        self.console.print(line)

    def show_front(self, view: CardView) -> None:
        parts = [card_text(view.front)]
        if view.choices:
            from rich.table import Table

            table = Table.grid(padding=(0, 1))
            for label, text in view.choices.items():
                table.add_row(Text(f"({label})", style="bold"), card_text(text))
            parts.append(table)
        title = Text(f"{view.deck_title} · {view.kind}")  # a Text: a str title is read as rich markup ([/], [link=])
        self.console.print(Panel(Group(*parts), title=title, title_align="left", border_style="cyan"))

    def show_back(self, view: CardView, extra=None) -> None:
        parts = []
        if extra is not None:
            parts.append(extra)
        parts.append(card_text(view.back))
        if view.mode == ORDER:
            lines = (f"{i}. ({label}) {view.choices[label]}" for i, label in enumerate(view.correct, 1))
            parts.append(card_text("\n".join(lines)))
        if view.explanation:
            parts.append(card_text(view.explanation))
        self.console.print(Panel(Group(*parts), title="Answer", title_align="left", border_style="green"))

    def show_intervals(self, view: CardView, suggested: int | None) -> None:
        preview = self.session.preview(view.card)
        line = Text()
        for rating, name in RATINGS.items():
            mark = "*" if rating == suggested else ""
            line.append(f"{rating} {name}{mark} ", style=RATING_STYLES[rating])
            line.append(f"{format_interval(preview[rating])}   ")
        hint = "  Enter = suggested" if suggested else ""
        keys = Text(f"(u undo, b bury, s suspend, e edit, f flag, ? keys, q quit){hint}", style="dim")
        if line.cell_len + keys.cell_len > self.console.width:  # a narrow terminal: keys apart, not wrapped
            line.rstrip()
            self.console.print(line)
            self.console.print(keys)
        else:
            self.console.print(line + keys)

    # -- taking the answer --------------------------------------------------------------------------

    def take_answer(self, view: CardView) -> Outcome:
        if view.mode == ORDER:
            labels = " ".join(sorted(view.labels))
            return self.take_labels(view, f"Type the labels {labels} in the right order:")
        if view.mode == CHOICE:
            several = "s: every right one" if len(view.correct) > 1 else ""
            return self.take_labels(view, f"Your answer (letter{several}):")
        if view.mode in (TYPED, SELFCHECK):
            return self.take_text(view)
        self.console.print(Text("Space or Enter: show the answer   (? keys)", style="dim"))
        while True:
            key = self.keys.key()
            if key == " ":
                self.show_back(view)
                return self.take_rating(view, None)
            if key == "?":
                self.show_keys()
            elif key in ACTIONS:
                return Outcome(action=ACTIONS[key])

    def take_labels(self, view: CardView, prompt: str) -> Outcome:
        while True:
            self.console.print(Text(prompt, style="bold"))
            typed = self.keys.line("> ").strip()
            if typed == "?":
                self.show_keys()
                continue
            if typed in ACTIONS and typed not in view.labels:
                return Outcome(action=ACTIONS[typed])
            try:
                given = grading.parse_labels(typed, view.labels)
                if view.mode == ORDER:
                    grading.check_complete_order(given, view.labels)
            except grading.AnswerFormatError as exc:
                self.console.print(Text(f"{exc}; try again.", style="red"))
                continue
            break
        if view.mode == ORDER:
            grade = grading.grade_order(given, view.correct)
            if grade.exact:
                verdict = "All in order!"
            else:
                verdict = "One adjacent swap." if grade.one_adjacent_swap else "Not quite."
            summary = Text(
                f"You: {' '.join(given)}   {verdict}  {grade.in_order}/{grade.total} in the right relative order.",
                style="green" if grade.exact else "yellow",
            )
            suggested = grade.rating
            response = " ".join(given)
        else:
            suggested = grading.grade_choice(given, view.correct)
            chosen = "; ".join(f"({label}) {plain_line(view.choices[label])}" for label in given)
            summary = Text(
                f"You: {chosen}   " + ("Right!" if suggested == grading.GOOD else "Wrong."),
                style="green" if suggested == grading.GOOD else "red",
            )
            # The log keeps the deck's labels, whatever order the options were shown in.
            response = " ".join(view.original.get(label, label) for label in given)
        self.show_back(view, summary)
        return self.take_rating(view, suggested, response=response)

    def take_text(self, view: CardView) -> Outcome:
        optional = view.mode == SELFCHECK
        hint = "Type your answer (Enter to skip):" if optional else "Type your answer:"
        while True:
            self.console.print(Text(hint, style="bold"))
            typed = self.keys.line("> ").strip()
            if typed != "?":
                break
            self.show_keys()
        if typed in ACTIONS:
            return Outcome(action=ACTIONS[typed])
        suggested = None
        extra = None
        if typed and view.mode == TYPED:
            comparison = grading.compare_typed(typed, view.expected)
            suggested = comparison.suggested
            extra = _diff_text(comparison)
        elif typed:
            extra = _your_words(typed, view.expected)
        self.show_back(view, extra)
        return self.take_rating(view, suggested, response=typed or None)

    def take_rating(self, view: CardView, suggested: int | None, response: str | None = None) -> Outcome:
        self.show_intervals(view, suggested)
        while True:
            key = self.keys.key()
            if key in ("1", "2", "3", "4"):
                return Outcome(rating=int(key), response=response, graded=suggested)
            if key == " " and suggested:
                return Outcome(rating=suggested, response=response, graded=suggested)
            if key == "?":
                self.show_keys()
            elif key in ACTIONS:
                return Outcome(action=ACTIONS[key])


def _your_words(typed: str, model: str):
    """A self-check: the learner's text verbatim above the model answer. No score: a right answer in other
    words would score low, so the learner judges."""
    return Group(Text("You wrote:", style="bold"), Text(typed), Text("Model answer:", style="bold"))


def _diff_text(comparison: grading.TypedComparison) -> Text:
    text = Text("You typed: ")
    styles = {"same": "green", "extra": "red strike", "missing": "yellow underline"}
    for op, words in comparison.segments:
        text.append(words + " ", style=styles[op])
    text.append(f"  ({comparison.similarity:.0%} match)", style="dim")
    return text


def _from_epoch(seconds):
    from srs.clock import from_epoch

    return from_epoch(seconds)
