"""Style warnings on card quality, after the well-known rules for writing cards (minimum information, no
sets, no interference, short gradable answers, no give-away clozes).

Each finding is a `Diagnostic` with the `file:line:col` of the field it is about. The checks:

- near-duplicate fronts: two items whose prompts are at least 90 % alike (difflib's ratio) interfere;
- enumeration prompts ("Name the six ...", "What are the four ..."): a set is hard to recall, split it;
- long answers: over `options.max_answer_words` words (40 unless the deck sets it), hard to grade;
- give-away clozes: a deletion whose answer is visible on its own card, in another deletion or the text;
- pictures that do not fit: an `illustrate:` kind none of whose topics is among the item's tags.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from srs.deck.cloze import CLOZE_PATTERN, cloze_side
from srs.deck.diagnostics import Diagnostic
from srs.deck.loader import Deck, Item

NEAR_DUPLICATE = 0.9
MAX_ANSWER_WORDS = 40
# Near-duplicates are looked for among the items that share their first or their last KEY_WORDS words,
# so that 10,000 items are not compared pairwise; at most this many candidates are compared per item.
KEY_WORDS = 4
MAX_CANDIDATES = 50

NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\\d+"
ENUMERATION = re.compile(
    rf"\b(?:name|list|give|state|recall|enumerate|what\s+are|which\s+are)\s+(?:all\s+)?(?:the\s+)?"
    rf"(?:{NUMBER_WORDS})\b",
    re.IGNORECASE,
)

# The topics (tags) each picture of `srs demo` shows; an illustrated item should carry one of them.
FITS: dict[str, frozenset[str]] = {
    "forward": frozenset({"forward", "forward-process", "noise", "noising", "training", "schedule", "snr"}),
    "reverse": frozenset({"reverse", "reverse-process", "generation", "denoising", "sampling", "analogy",
                          "phases", "layers", "distribution"}),
    "steps": frozenset({"steps", "sampling", "sampler", "speed", "distillation"}),
    "seeds": frozenset({"seeds", "seed", "noise", "distribution", "variety", "determinism", "sampler"}),
    "prompt": frozenset({"conditioning", "prompt", "unconditional", "text-encoder", "cross-attention",
                         "trajectory"}),
    "guidance": frozenset({"guidance", "cfg", "classifier-free-guidance"}),
}
# Where an item's prompt and answer are, by kind; ordering prompts are instructions, not fronts.
FRONT_FIELD = {"flashcard": "front", "selfcheck": "question", "choice": "question", "cloze": "text"}
ANSWER_FIELD = {"flashcard": "back", "selfcheck": "answer"}
ENUMERATION_KINDS = ("flashcard", "selfcheck")


def lint(decks: list[Deck]) -> list[Diagnostic]:
    """Every style warning about the decks' items, in the order of the decks and their items."""
    found: list[Diagnostic] = []
    for deck in decks:
        limit = deck.options.max_answer_words or MAX_ANSWER_WORDS
        for item in deck.items:
            found += enumeration(item) + long_answer(item, limit) + cloze_give_away(item) + illustration_fit(item)
    found += near_duplicates([item for deck in decks for item in deck.items])
    return sorted(found, key=lambda d: (d.path, d.line, d.col))


def _at(item: Item, field: str, message: str) -> Diagnostic:
    line, col = item.fields.get(field, (item.line, item.col))
    return Diagnostic(item.path, line, col, "warning", message)


def enumeration(item: Item) -> list[Diagnostic]:
    if item.kind not in ENUMERATION_KINDS:
        return []
    match = ENUMERATION.search(item.key_text)
    if match is None:
        return []
    asked = " ".join(match.group(0).split())
    return [_at(item, FRONT_FIELD[item.kind],
                f"{item.kind}: the front asks for a list ('{asked}'); a card for each member is easier to "
                f"remember (split it)")]


def word_count(text: str) -> int:
    return len(text.split())


def long_answer(item: Item, limit: int) -> list[Diagnostic]:
    if item.kind in ANSWER_FIELD:
        field = ANSWER_FIELD[item.kind]
        words = word_count(getattr(item.body, field))
        if words > limit:
            return [_at(item, field, f"{item.kind}: the answer is {words} words, over {limit}; a long answer "
                                     f"is hard to grade (shorten it, or set the deck's options.max_answer_words)")]
    elif item.kind == "cloze":
        found = []
        for match in CLOZE_PATTERN.finditer(item.body.text):
            words = word_count(match.group(2))
            if words > limit:
                found.append(_at(item, "text", f"cloze: c{match.group(1)}'s answer is {words} words, over {limit}; "
                                               f"a long answer is hard to grade"))
        return found
    return []


def _plain(text: str) -> str:
    """Text as a learner reads it: no markdown emphasis, one space, case folded."""
    if "*" in text or "_" in text or "`" in text:
        text = text.translate(_MARKUP)
    return " ".join(text.split()).casefold()


_MARKUP = str.maketrans("", "", "*_`")


def cloze_give_away(item: Item) -> list[Diagnostic]:
    """A deletion whose answer can be read on its own card: in another deletion, or in the plain text."""
    if item.kind != "cloze":
        return []
    text = item.body.text
    answers: dict[int, str] = {}
    for match in CLOZE_PATTERN.finditer(text):
        answers.setdefault(int(match.group(1)), match.group(2))
    found = []
    for number, answer in sorted(answers.items()):
        shown = _plain(answer)
        if not shown:
            continue
        others = [n for n, a in sorted(answers.items()) if n != number and _contains_words(_plain(a), shown)]
        if others:
            where = ", ".join(f"c{n}" for n in others)
            found.append(_at(item, "text", f"cloze: c{number}'s answer '{answer}' is shown on its own card, "
                                           f"in {where}; its card gives it away"))
        elif _contains_words(_plain(cloze_side(text, number, reveal=False)), shown):
            found.append(_at(item, "text", f"cloze: c{number}'s answer '{answer}' is shown on its own card, "
                                           f"in the text around it; its card gives it away"))
    return found


def _contains_words(text: str, words: str) -> bool:
    """Whether `words` occurs in `text` as whole words (not "noise" in "noiseless")."""
    start = text.find(words)
    while start != -1:
        end = start + len(words)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        start = text.find(words, start + 1)
    return False


def illustration_fit(item: Item) -> list[Diagnostic]:
    spec = item.illustrate
    if spec is None:
        return []
    suits = FITS.get(spec.show)
    if suits is None or suits.intersection(item.tags):
        return []
    tags = ", ".join(item.tags) or "none"
    return [_at(item, "illustrate", f"illustrate: '{spec.show}' does not fit the item's tags ({tags}); "
                                    f"it shows items tagged {', '.join(sorted(suits))}")]


def _sketch_keys(text: str) -> list[tuple[str, ...]]:
    """Keys that two near-identical texts very likely share: their first few words, and their last few.

    An edit that spares either end leaves that end's key intact, which is how near-duplicate cards
    usually differ ("... of lesson 02?" and "... of lesson 04?").
    """
    words = text.split()
    return [("<",) + tuple(words[:KEY_WORDS]), (">",) + tuple(words[-KEY_WORDS:])]


def near_duplicates(items: list[Item]) -> list[Diagnostic]:
    """Each item whose front is >= 90 % like an earlier one's (identical fronts are reported elsewhere)."""
    found: list[Diagnostic] = []
    buckets: dict[tuple[str, ...], list[int]] = {}
    texts: list[str] = []
    for index, item in enumerate(items):
        text = _plain(item.key_text) if item.kind in FRONT_FIELD else ""
        texts.append(text)
        if not text:
            continue
        keys = _sketch_keys(text)
        candidates: dict[int, None] = {}
        for key in keys:
            for other in buckets.get(key, ()):
                candidates[other] = None
        for other in list(candidates)[:MAX_CANDIDATES]:
            ratio = _similarity(text, texts[other])
            if NEAR_DUPLICATE <= ratio < 1.0:
                twin = items[other]
                found.append(_at(item, FRONT_FIELD[item.kind],
                                 f"{item.kind}: the front is {int(ratio * 100)} % like {twin.path}:{twin.line}; "
                                 f"near-duplicate cards interfere (merge them, or make them differ)"))
                break
        for key in keys:
            buckets.setdefault(key, []).append(index)
    return found


def _similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if 2 * min(len(a), len(b)) < NEAR_DUPLICATE * (len(a) + len(b)):  # difflib's real_quick_ratio, for free
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < NEAR_DUPLICATE or matcher.quick_ratio() < NEAR_DUPLICATE:
        return 0.0
    return matcher.ratio()
