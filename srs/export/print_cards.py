"""What each printed card says: items turned into fronts and backs that work on paper.

One card per srs card: cloze items give one card per deletion, with `[...]` (or the hint) on the front.
Ordering items list their steps on the front and the right order with the explanation on the back;
choice items list their options on the front and the answer with the explanation on the back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from srs.deck.cloze import cloze_side
from srs.render.markdown import BOLD, BOLD_ITALIC, CODE, ITALIC, Block, Run, to_blocks

KIND_HEADERS = {"ordering": "Put in order", "choice": "Choose", "selfcheck": "Self-check", "cloze": "Fill in"}


@dataclass
class PrintCard:
    card_id: str
    deck_title: str
    kind: str
    front: list[Block]
    back: list[Block]
    image: Path | None = None  # shown on the front
    number: int = 0  # 1-based, across the whole export, printed on both sides to pair them after cutting
    back_image: Path | None = None  # shown on the back: the card's illustration (--illustrations)

    @property
    def header(self) -> str:
        return KIND_HEADERS.get(self.kind, "")

    def texts(self) -> list[str]:
        """All the text the card prints, for choosing fonts."""
        return [self.deck_title, self.header] + [b.text() for b in self.front + self.back]


def print_cards(decks, illustrations=None) -> list[PrintCard]:
    """The cards to print; `illustrations` maps (deck id, item id) to a PNG for the backs."""
    cards: list[PrintCard] = []
    for deck in decks:
        folder = Path(deck.path).parent
        for item in deck.items:
            image = (folder / item.body.image).resolve() if item.body.image else None
            back_image = illustrations.get((deck.id, item.id)) if illustrations else None
            for front, back, card_id in _faces(item):
                cards.append(
                    PrintCard(card_id, deck.title, item.kind, front, back, image, len(cards) + 1, back_image)
                )
    return cards


def _faces(item):
    body = item.body
    kind = item.kind
    if kind == "flashcard":
        yield to_blocks(body.front), to_blocks(body.back) + _aside(body.extra), item.id
    elif kind == "selfcheck":
        yield to_blocks(body.question), to_blocks(body.answer) + _aside(body.extra), item.id
    elif kind == "cloze":
        for number in body.deletion_numbers():
            front = to_blocks(cloze_side(body.text, number, reveal=False))
            back = to_blocks(cloze_side(body.text, number, reveal=True)) + _aside(body.extra)
            yield front, back, f"{item.id}#c{number}"
    elif kind == "ordering":
        front = to_blocks(body.prompt) + _labelled([(label, text) for label, text in body.steps.items()])
        order = [
            _with_label(f"{position}.", label, body.steps[label]) for position, label in enumerate(body.answer, 1)
        ]
        yield front, order + _aside(body.explanation), item.id
    elif kind == "choice":
        options = list(zip(body.labels, body.options, strict=True))
        correct = {label.lower() for label in body.correct}
        front = to_blocks(body.question) + _labelled(options)
        answer = _labelled([(label, text) for label, text in options if label in correct])
        yield front, answer + _aside(body.explanation), item.id
    else:  # a kind added to the format but not here yet: print its key text rather than fail
        yield to_blocks(item.key_text), [], item.id


def _labelled(pairs: list[tuple[str, str]]) -> list[Block]:
    blocks: list[Block] = []
    for label, text in pairs:
        parts = to_blocks(text) or [Block([Run("")])]
        blocks.append(Block(parts[0].runs, marker=label, depth=1))
        blocks += [Block(p.runs, depth=1, code=p.code) for p in parts[1:]]
    return blocks


def _with_label(marker: str, label: str, text: str) -> Block:
    """A line of the answer: "1.  b  Noise real images." with the step's label in bold."""
    parts = to_blocks(text)
    runs = [Run(label + "  ", BOLD)] + [run for part in parts for run in part.runs + [Run(" ")]][:-1]
    return Block(runs, marker=marker, depth=1)


def _aside(text: str) -> list[Block]:
    """Explanations and extras, in italics to set them apart from the answer."""
    blocks = to_blocks(text)
    for block in blocks:
        if not block.code:
            block.runs = [Run(run.text, _italic(run.style)) for run in block.runs]
    return blocks


def _italic(style: str) -> str:
    if style == CODE:
        return CODE
    return BOLD_ITALIC if BOLD in style else ITALIC
