"""What a card shows: its question and answer as markdown, and how the learner answers it.

Built from the item content stored in the database, so a review needs no YAML parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from srs.deck.model import CLOZE_PATTERN, ITEM_MODELS, Choice, Cloze, Flashcard, Ordering, SelfCheck
from srs.store.store import CardRecord, ItemRecord

# How the learner answers: reveal and rate, type labels, type free text, or pick options.
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

    @property
    def uid(self) -> str:
        return self.card.uid

    @property
    def kind(self) -> str:
        return self.item.kind


def build_view(card: CardRecord, item: ItemRecord, deck_title: str, typed_answers: bool = False) -> CardView:
    content = dict(item.content)
    body = ITEM_MODELS[content.pop("kind", item.kind)].model_validate(content)
    view = CardView(card, item, deck_title, "", "", REVEAL)
    if isinstance(body, Flashcard):
        view.front, view.back = body.front, body.back
        if body.typed or typed_answers:
            view.mode, view.expected = TYPED, body.back
    elif isinstance(body, SelfCheck):
        view.front, view.back, view.mode, view.expected = body.question, body.answer, SELFCHECK, body.answer
    elif isinstance(body, Ordering):
        view.mode, view.labels, view.correct = ORDER, list(body.steps), list(body.answer)
        view.choices = dict(body.steps)
        view.front = body.prompt
        view.back = "Right order: **" + " → ".join(body.answer) + "**"
        view.explanation = body.explanation
    elif isinstance(body, Choice):
        view.mode, view.labels, view.correct = CHOICE, body.labels, [c.lower() for c in body.correct]
        view.choices = dict(zip(body.labels, body.options))
        view.front = body.question
        view.back = "Answer: **" + ", ".join(view.correct) + "**"
        view.explanation = body.explanation
    elif isinstance(body, Cloze):
        view.front = cloze_side(body.text, card.ord, reveal=False)
        view.back = cloze_side(body.text, card.ord, reveal=True)
        if body.extra:
            view.back += "\n\n" + body.extra
    return view


def cloze_side(text: str, number: int, *, reveal: bool) -> str:
    """The cloze text with deletion `number` hidden ([...] or its hint) or shown in bold."""

    def replace(match):
        if int(match.group(1)) != number:
            return match.group(2)
        if reveal:
            return f"**{match.group(2)}**"
        return f"[{match.group(3)}]" if match.group(3) else "[...]"

    return CLOZE_PATTERN.sub(replace, text)
