"""Style warnings on card quality, after the well-known rules for writing cards (minimum information, no
sets, no interference, short gradable answers, no give-away clozes).

Each finding is a `Diagnostic` with the `file:line:col` of the field it is about. The checks:

- near-duplicate fronts: two items whose prompts are at least 90 % alike (difflib's ratio) interfere;
- enumeration prompts ("Name the six ...", "What are the four ..."): a set is hard to recall, split it;
- long answers: over `options.max_answer_words` words (40 unless the deck sets it), hard to grade;
- give-away clozes: a deletion whose answer is visible on its own card, in another deletion or the text,
  and a cloze whose whole text is another card's answer (that card shows every blank);
- pictures that do not fit: an `illustrate:` kind none of whose topics is among the item's tags;
- a choice's explanation that cites an option by its letter, "(a)", where review shuffles the options.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from srs.cycles import no_cycle_collection
from srs.deck.cloze import CLOZE_PATTERN
from srs.deck.diagnostics import Diagnostic
from srs.deck.loader import Deck, Item
from srs.deck.model import Choice, Cloze

NEAR_DUPLICATE = 0.9
MAX_ANSWER_WORDS = 40
# Near-duplicates are looked for among the items that share their first or their last KEY_CHARS characters,
# so that 10,000 items are not compared pairwise; at most this many candidates are compared per item.
KEY_CHARS = 24
MAX_CANDIDATES = 50

NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\\d+"
ENUMERATION_VERBS = ("name", "list", "give", "state", "recall", "enumerate", "are")
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
    # Kinds the demo may add (issue 17): a noise schedule plot, and the model's guess of the clean image.
    "schedule": frozenset({"schedule", "snr", "forward", "noise", "sampler"}),
}
# Where an item's prompt and answer are, by kind; ordering prompts are instructions, not fronts.
FRONT_FIELD = {"flashcard": "front", "selfcheck": "question", "choice": "question", "cloze": "text"}
ANSWER_FIELD = {"flashcard": "back", "selfcheck": "answer"}
ENUMERATION_KINDS = ("flashcard", "selfcheck")


def lint(decks: list[Deck]) -> list[Diagnostic]:
    """Every style warning about the decks' items, in the order of the decks and their items."""
    # The checks make many short-lived strings while the loaded decks fill the heap (srs.cycles).
    with no_cycle_collection():
        return _lint(decks)


def _lint(decks: list[Deck]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for deck in decks:
        limit = deck.options.max_answer_words or MAX_ANSWER_WORDS
        for item in deck.items:
            kind = item.body.kind
            if kind in ENUMERATION_KINDS:
                found += enumeration(item)
            if kind in ANSWER_FIELD or kind == "cloze":
                found += long_answer(item, limit)
            if kind == "cloze":
                found += cloze_give_away(item)
            if item.body.illustrate is not None:
                found += illustration_fit(item)
            if kind == "choice" and deck.options.shuffle_options is not False:
                found += cited_letters(item)
    items = [item for deck in decks for item in deck.items]
    found += near_duplicates(items) + cloze_shown_elsewhere(items)
    return sorted(found, key=lambda d: (d.path, d.line, d.col))


def _at(item: Item, field: str, message: str) -> Diagnostic:
    line, col = item.fields.get(field, (item.line, item.col))
    return Diagnostic(item.path, line, col, "warning", message)


def enumeration(item: Item) -> list[Diagnostic]:
    if item.kind not in ENUMERATION_KINDS:
        return []
    front = item.key_text
    lowered = front.lower()
    if not any(verb in lowered for verb in ENUMERATION_VERBS):  # cheap: most fronts ask for no list
        return []
    match = ENUMERATION.search(front)
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
    elif isinstance(item.body, Cloze):
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
    if not isinstance(item.body, Cloze):
        return []
    text = item.body.text
    deletions = [(int(m.group(1)), m.group(2)) for m in CLOZE_PATTERN.finditer(text)]
    # The whole text with every answer in place: an answer that occurs in it more often than it is
    # deleted can be read somewhere on its own card. Only then is it worth finding where.
    revealed = _plain(CLOZE_PATTERN.sub(lambda m: m.group(2), text))
    found = []
    for number, answer in _first_answers(deletions):
        shown = _plain(answer)
        if not shown:
            continue
        own = sum(_count_words(_plain(a), shown) for n, a in deletions if n == number)
        if _count_words(revealed, shown) <= own:
            continue
        others = sorted({n for n, a in deletions if n != number and _count_words(_plain(a), shown)})
        if others:
            where = ", ".join(f"c{n}" for n in others)
            found.append(_at(item, "text", f"cloze: c{number}'s answer '{answer}' is shown on its own card, "
                                           f"in {where}; its card gives it away"))
        else:
            found.append(_at(item, "text", f"cloze: c{number}'s answer '{answer}' is shown on its own card, "
                                           f"in the text around it; its card gives it away"))
    return found


def _first_answers(deletions: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each deletion number once, with its first answer, in number order."""
    first: dict[int, str] = {}
    for number, answer in deletions:
        first.setdefault(number, answer)
    return sorted(first.items())


def _count_words(text: str, words: str) -> int:
    """How often `words` occurs in `text` as whole words (not "noise" in "noiseless")."""
    count = 0
    start = text.find(words)
    while start != -1:
        end = start + len(words)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            count += 1
        start = text.find(words, start + 1)
    return count


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


CITED_LETTER = re.compile(r"\((?:not\s+)?([a-z])\)")


def cited_letters(item: Item) -> list[Diagnostic]:
    """A choice whose explanation names an option by its letter: review shows the options shuffled, so the
    letter points at another option there."""
    body = item.body
    if not isinstance(body, Choice):
        return []
    labels = set(body.labels)
    cited = sorted({m.group(1) for m in CITED_LETTER.finditer(body.explanation) if m.group(1) in labels})
    if not cited:
        return []
    which = ", ".join(f"({label})" for label in cited)
    return [_at(item, "explanation", f"choice: the explanation cites option{'s' * (len(cited) > 1)} {which} by "
                                     f"{'their letters' if len(cited) > 1 else 'its letter'}, but the options "
                                     f"are shuffled at each showing (name the option instead, or set the deck's "
                                     f"options.shuffle_options: false)")]


def _sketch_keys(text: str) -> tuple[str, str]:
    """Keys that two near-identical texts very likely share: their first few characters, and their last.

    An edit that spares either end leaves that end's key intact, which is how near-duplicate cards
    usually differ ("... of lesson 02?" and "... of lesson 04?").
    """
    return "<" + text[:KEY_CHARS], ">" + text[-KEY_CHARS:]


def near_duplicates(items: list[Item]) -> list[Diagnostic]:
    """Each item whose front is >= 90 % like an earlier one's (identical fronts are reported elsewhere)."""
    found: list[Diagnostic] = []
    buckets: dict[str, list[int]] = {}
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


def cloze_shown_elsewhere(items: list[Item]) -> list[Diagnostic]:
    """Each cloze whose whole text (answers in place) is, >= 90 %, the answer of another card: reviewing
    that card shows every blank of the cloze (a summary kept as a flashcard and as a cloze)."""
    found: list[Diagnostic] = []
    buckets: dict[str, list[int]] = {}
    answers: list[str] = []
    for index, item in enumerate(items):
        field = ANSWER_FIELD.get(item.body.kind)
        answers.append(_plain(getattr(item.body, field)) if field else "")
        if field:
            for key in _sketch_keys(answers[index]):
                buckets.setdefault(key, []).append(index)
    for item in items:
        if not isinstance(item.body, Cloze):
            continue
        revealed = _plain(CLOZE_PATTERN.sub(lambda m: m.group(2), item.body.text))
        candidates = dict.fromkeys(other for key in _sketch_keys(revealed) for other in buckets.get(key, ()))
        for other in list(candidates)[:MAX_CANDIDATES]:
            ratio = _similarity(revealed, answers[other])
            if ratio >= NEAR_DUPLICATE:
                twin = items[other]
                found.append(_at(item, "text", f"cloze: its text is {int(ratio * 100)} % the answer of "
                                               f"{twin.path}:{twin.line}, which shows every blank (merge them)"))
                break
    return found
