"""What a deck file may contain: pydantic models of decks and of the five item kinds.

These models validate one file's plain values; they know nothing of YAML, positions or the database.
Rules that span several fields (an ordering answer that must be a permutation of its steps) live in
`semantic_problems`, which returns field paths so the loader can point at the exact node.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from srs.bounds import MAX_CLOZE_NUMBER
from srs.deck.cloze import deletion_numbers

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=120)]
Label = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,3}$")]
# Tags are slugs in the author's case, nested with `::` as in Anki (`Lang::Korean`); as in Anki, `lang` and
# `Lang` are the same tag (an item keeps the first it was given; searches ignore case).
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:::[A-Za-z0-9][A-Za-z0-9._-]*)*$"
Tag = Annotated[str, StringConstraints(pattern=TAG_PATTERN, max_length=120)]


def unique_tags(tags) -> list[str]:
    """Each tag once, ignoring case (`Lang` and `lang` are one tag), in the case it was first written."""
    first: dict[str, str] = {}
    for tag in tags:
        first.setdefault(tag.casefold(), tag)
    return list(first.values())



def _as_text(value: Any) -> Any:
    """Numbers and dates are fine as card text ("1945"); lists, mappings and booleans are not."""
    if value.__class__ is str:  # nearly always: asked first
        return value.strip()
    if isinstance(value, bool) or value is None:
        return value  # left for pydantic to reject with a type error
    if isinstance(value, (int, float, date, datetime)):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


# The constraint before the validator: pydantic-core checks it, where after it a Python validator would.
Text = Annotated[str, StringConstraints(min_length=1), BeforeValidator(_as_text)]
OptionalText = Annotated[str, BeforeValidator(_as_text)]


def text_fields(model: type[BaseModel]) -> dict[str, str]:
    """The fields of `model` that hold author's text: name -> "text", "list" (of texts) or "dict" (of texts)."""
    import typing

    def is_text(metadata) -> bool:
        return any(isinstance(m, BeforeValidator) and m.func is _as_text for m in metadata)

    found = {}
    for name, info in model.model_fields.items():
        if is_text(info.metadata):
            found[name] = "text"
            continue
        args = typing.get_args(info.annotation)
        inner = args[-1] if args else None
        if inner is not None and is_text(getattr(inner, "__metadata__", ())):
            found[name] = "dict" if typing.get_origin(info.annotation) is dict else "list"
    return found


def _as_label_list(value: Any) -> Any:
    """Accept `[b, d, c]`, `"b d c"`, `"b, d, c"` and `"bdc"` for lists of labels."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[\s,→>-]+", value.strip()) if p]
        if len(parts) == 1 and len(parts[0]) > 1:
            parts = list(parts[0])
        return parts
    if isinstance(value, list):
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
    return value


LabelList = Annotated[list[Label], BeforeValidator(_as_label_list)]

IllustrationKind = Literal["forward", "reverse", "steps", "seeds", "prompt", "guidance", "schedule"]


# pydantic looks for plugins in every installed distribution's metadata when it builds its first model,
# which costs `srs check` 15-25 ms of start-up. Deck models have no use for plugins, so they are built
# with plugins off; the setting is put back below, for any other models in the process.
_PLUGINS_SETTING = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
os.environ["PYDANTIC_DISABLE_PLUGINS"] = "__all__"


class Illustration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    show: IllustrationKind
    prompt: str | None = None
    seed: int | None = Field(default=None, ge=0)


def _as_illustration(value: Any) -> Any:
    return {"show": value} if isinstance(value, str) else value


class ItemBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    id: Slug | None = None
    tags: list[Tag] = Field(default_factory=list)  # a factory, not `[]`: pydantic deep-copies a mutable default
    image: str | None = None
    illustrate: Annotated[Illustration | None, BeforeValidator(_as_illustration)] = None

    def key_text(self) -> str:
        """The text that names the item; its derived id hangs on this, not on the answer."""
        raise NotImplementedError


class Flashcard(ItemBase):
    kind: Literal["flashcard"] = "flashcard"
    front: Text
    back: Text
    extra: OptionalText = ""  # shown after the answer: a caveat, a source, what a lesson simplified
    typed: bool = False

    def key_text(self) -> str:
        return self.front


class SelfCheck(ItemBase):
    kind: Literal["selfcheck"] = "selfcheck"
    question: Text
    answer: Text
    extra: OptionalText = ""

    def key_text(self) -> str:
        return self.question


class Ordering(ItemBase):
    kind: Literal["ordering"] = "ordering"
    prompt: Text
    steps: dict[Label, Text] = Field(min_length=2)
    answer: LabelList
    explanation: OptionalText = ""

    def key_text(self) -> str:
        return self.prompt


class Choice(ItemBase):
    kind: Literal["choice"] = "choice"
    question: Text
    options: list[Text] = Field(min_length=2, max_length=26)
    correct: LabelList
    explanation: OptionalText = ""

    @property
    def labels(self) -> list[str]:
        return [chr(ord("a") + i) for i in range(len(self.options))]

    def key_text(self) -> str:
        return self.question


class Cloze(ItemBase):
    kind: Literal["cloze"] = "cloze"
    text: Text
    extra: OptionalText = ""

    def deletion_numbers(self) -> list[int]:
        return deletion_numbers(self.text)

    def key_text(self) -> str:
        return self.text


ItemBody = Flashcard | SelfCheck | Ordering | Choice | Cloze
ITEM_MODELS: dict[str, type[ItemBody]] = {
    "flashcard": Flashcard,
    "selfcheck": SelfCheck,
    "ordering": Ordering,
    "choice": Choice,
    "cloze": Cloze,
}


class DeckOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    new_per_day: int | None = Field(default=None, ge=0, le=10_000)
    reviews_per_day: int | None = Field(default=None, ge=0, le=100_000)
    desired_retention: float | None = Field(default=None, ge=0.7, le=0.99)
    typed_answers: bool = False
    shuffle_options: bool | None = None  # a choice's options in a new order at each showing (default true)
    bury_siblings: bool | None = None  # one card of an item a day (default: the setting, true)
    max_answer_words: int | None = Field(default=None, ge=1, le=10_000)  # `srs check` warns above it (40)
    position: int | None = Field(default=None, ge=0, le=10_000)  # the decks' turn order for new cards (srs/queue.py)


class DeckHeader(BaseModel):
    """Everything at the top of a file but its items, which are validated one by one."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: Text
    id: Slug | None = None
    kind: Literal["deck", "quiz"] | None = None
    description: OptionalText = ""
    tags: list[Tag] = Field(default_factory=list)
    options: DeckOptions = DeckOptions()
    items: list[Any] = Field(min_length=1)


if _PLUGINS_SETTING is None:
    del os.environ["PYDANTIC_DISABLE_PLUGINS"]
else:
    os.environ["PYDANTIC_DISABLE_PLUGINS"] = _PLUGINS_SETTING


# Which key betrays which kind when `kind:` is left out, in order of precedence.
KIND_HINTS = (
    ("front", "flashcard"),
    ("q", "flashcard"),
    ("text", "cloze"),
    ("steps", "ordering"),
    ("options", "choice"),
    ("question", "selfcheck"),
)
COMPACT_KEYS = {"q": "front", "a": "back"}


def semantic_problems(body: ItemBase) -> list[tuple[tuple, str]]:
    """Rules across fields, as (path inside the item, message) pairs."""
    problems: list[tuple[tuple, str]] = []
    if isinstance(body, Ordering):
        labels = list(body.steps)
        span = _describe_labels(labels)
        seen: set[str] = set()
        for i, label in enumerate(body.answer):
            if label not in body.steps:
                problems.append(
                    (("answer", i), f"ordering: the answer names step '{label}', but the steps are {span}")
                )
            elif label in seen:
                problems.append((("answer", i), f"ordering: the answer lists step '{label}' twice"))
            seen.add(label)
        missing = [label for label in labels if label not in seen]
        if missing:
            names = ", ".join(f"'{m}'" for m in missing[:-1]) + " and " if len(missing) > 1 else ""
            names += f"'{missing[-1]}'"
            word = "steps" if len(missing) > 1 else "step"
            problems.append((("answer",), f"ordering: the answer leaves out {word} {names}"))
    elif isinstance(body, Choice):
        labels = body.labels
        if not body.correct:
            problems.append((("correct",), "choice: no option is marked correct"))
        for i, label in enumerate(body.correct):
            if label.lower() not in labels:
                problems.append(
                    (
                        ("correct", i),
                        f"choice: correct names option '{label}', but the options are "
                        f"{_describe_labels(labels)}",
                    )
                )
    elif isinstance(body, Cloze):
        numbers = body.deletion_numbers()
        if not numbers:
            problems.append((("text",), "cloze: the text has no deletion; mark one as {{c1::answer}}"))
        elif numbers[0] < 1 or numbers[-1] > MAX_CLOZE_NUMBER:
            wrong = numbers[0] if numbers[0] < 1 else numbers[-1]
            problems.append((("text",), f"cloze: deletion numbers run from c1 to c{MAX_CLOZE_NUMBER}, not c{wrong}"))
    return problems


def _describe_labels(labels: list[str]) -> str:
    letters = len(labels) > 2 and all(len(x) == 1 for x in labels)
    if letters and [ord(x) for x in labels] == list(range(ord(labels[0]), ord(labels[0]) + len(labels))):
        return f"{labels[0]}-{labels[-1]}"
    return ", ".join(labels)
