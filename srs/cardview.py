"""What a card shows: its question and answer as markdown, and how the learner answers it.

Built from the item content stored in the database (already validated when it was synced), so a
review needs neither YAML parsing nor pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from srs.deck.cloze import cloze_side
from srs.store.store import CardRecord, ItemRecord

# How the learner answers: reveal and rate, type free text, compare with a model answer, or pick labels.
REVEAL, TYPED, SELFCHECK, ORDER, CHOICE = "reveal", "typed", "selfcheck", "order", "choice"


@dataclass
class CardView:
    card: CardRecord
    item: ItemRecord
    deck_title: str
    front: str  # markdown
    back: str  # markdown
    mode: str
    labels: list[str] = field(default_factory=list)
    correct: list[str] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)  # label -> text, for ordering and choice
    expected: str = ""  # for typed answers
    explanation: str = ""
    original: dict[str, str] = field(default_factory=dict)  # shown label -> the deck's label (shuffled choices)

    @property
    def uid(self) -> str:
        return self.card.uid

    @property
    def kind(self) -> str:
        return self.item.kind


def build_view(card: CardRecord, item: ItemRecord, deck_title: str, typed_answers: bool = False) -> CardView:
    c = item.content
    view = CardView(card, item, deck_title, "", "", REVEAL, explanation=c.get("explanation", ""))
    if item.kind == "flashcard":
        view.front, view.back = c["front"], c["back"]
        if c.get("typed") or typed_answers:
            view.mode, view.expected = TYPED, c["back"]
    elif item.kind == "selfcheck":
        view.front, view.back, view.mode, view.expected = c["question"], c["answer"], SELFCHECK, c["answer"]
    elif item.kind == "ordering":
        view.mode, view.labels, view.correct = ORDER, list(c["steps"]), list(c["answer"])
        view.choices = dict(c["steps"])
        view.front = c["prompt"]
        view.back = "Right order: **" + " → ".join(c["answer"]) + "**"
    elif item.kind == "choice":
        view.labels = [chr(ord("a") + i) for i in range(len(c["options"]))]
        view.mode, view.correct = CHOICE, [label.lower() for label in c["correct"]]
        view.choices = dict(zip(view.labels, c["options"]))
        view.front = c["question"]
        view.original = {label: label for label in view.labels}
        view.back = choice_answer(view)
    elif item.kind == "cloze":
        view.front = cloze_side(c["text"], card.ord, reveal=False)
        view.back = cloze_side(c["text"], card.ord, reveal=True)
    if item.kind in ("flashcard", "selfcheck", "cloze") and c.get("extra"):
        view.back += "\n\n" + c["extra"]
    return view


def choice_answer(view: CardView) -> str:
    """The correct options of a choice, each with its label and its text."""
    return "\n".join(f"Answer: **({label})** {view.choices[label]}" for label in view.correct)


def shuffle_choices(view: CardView, rng) -> CardView:
    """The view with the choice's options in a new order (rng.shuffle), labelled a, b, c, ... as shown;
    `original` maps each shown label back to the deck's, for grading and the log."""
    if view.mode != CHOICE:
        return view
    deck_labels = list(view.labels)
    rng.shuffle(deck_labels)
    shown = {chr(ord("a") + i): deck_label for i, deck_label in enumerate(deck_labels)}
    by_deck = {deck_label: label for label, deck_label in shown.items()}
    result = replace(
        view,
        choices={label: view.choices[deck_label] for label, deck_label in shown.items()},
        correct=sorted(by_deck[label] for label in view.correct),
        original=shown,
    )
    result.back = choice_answer(result)
    return result
