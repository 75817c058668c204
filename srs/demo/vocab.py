"""The bundled model's words: what it can draw, how prompts become token ids, and captions.

The model is trained on captions built from these words alone, so a prompt with any other word would
be silently meaningless to it; the tokenizer refuses such prompts and lists the words it knows.
No torch here: the command checks prompts before it pays for importing torch.
"""

from __future__ import annotations

import hashlib
import re

from srs.errors import UserError

# RGB values the procedural data set paints with; the words are what captions call them.
COLOURS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (245, 220, 30),
    "green": (40, 170, 60),
    "blue": (35, 80, 225),
    "purple": (140, 50, 190),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
    "gray": (128, 128, 128),
}
BACKGROUNDS = ("white", "black", "gray")
SHAPES = ("circle", "square", "triangle", "diamond")
SIZES = ("small", "big")
# Words that carry no content but appear in captions; knowing them lets prompts read naturally.
FILLERS = ("a", "an", "on", "the", "background", "shape")
SPELLINGS = {"grey": "gray", "large": "big"}

PAD, BOS = "<pad>", "<bos>"
MAX_TOKENS = 10  # <bos> + "a big red circle on a white background" has 9


def default_words() -> list[str]:
    """The vocabulary the bundled model is trained with; index 0 pads, 1 starts every prompt."""
    content = [*COLOURS, *SHAPES, *SIZES, *FILLERS]
    return [PAD, BOS, *dict.fromkeys(content)]


def split_words(prompt: str) -> list[str]:
    words = re.findall(r"[a-z]+", prompt.lower())
    return [SPELLINGS.get(w, w) for w in words]


def unknown_words(prompt: str, words: list[str]) -> list[str]:
    known = set(words)
    return [w for w in split_words(prompt) if w not in known]


def check_prompt(prompt: str, words: list[str] | None = None) -> None:
    """Raise a UserError naming the unknown words and listing the known ones."""
    words = words or default_words()
    unknown = unknown_words(prompt, words)
    if unknown:
        raise UserError(
            f"the bundled model does not know {', '.join(repr(w) for w in dict.fromkeys(unknown))}; "
            f"it knows: {describe_known_words()}"
        )


def describe_known_words() -> str:
    return (
        f"colours {', '.join(COLOURS)}; shapes {', '.join(SHAPES)}; sizes {', '.join(SIZES)}; "
        f"backgrounds {', '.join(BACKGROUNDS)} (e.g. \"a red circle on a white background\")"
    )


def token_ids(prompt: str, words: list[str], max_tokens: int = MAX_TOKENS) -> list[int]:
    """<bos>, then the prompt's words, then padding: the empty prompt is <bos> and padding alone."""
    check_prompt(prompt, words)
    index = {w: i for i, w in enumerate(words)}
    ids = [index[BOS], *(index[w] for w in split_words(prompt))][:max_tokens]
    return ids + [index[PAD]] * (max_tokens - len(ids))


def caption(colour: str | None, shape: str | None, background: str | None, size: str | None = None) -> str:
    """`a big red circle on a white background`; any part may be left out (None)."""
    noun = shape or "shape"
    adjectives = " ".join(w for w in (size, colour) if w)
    words = f"{adjectives} {noun}".strip()
    text = f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
    if background:
        text += f" on a {background} background"
    return text


def default_prompt(key: str) -> str:
    """A full caption picked by a stable hash of `key` (an item id): the same card, the same prompt."""
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    background = BACKGROUNDS[digest % len(BACKGROUNDS)]
    digest //= len(BACKGROUNDS)
    shape = SHAPES[digest % len(SHAPES)]
    digest //= len(SHAPES)
    colours = [c for c in COLOURS if c not in BACKGROUNDS]  # a vivid colour reads best in a thumbnail
    return caption(colours[digest % len(colours)], shape, background)
