"""Cloze deletions: `{{c1::answer}}` or `{{c1::answer::hint}}`, one card per deletion number."""

from __future__ import annotations

import re

CLOZE_PATTERN = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def deletion_numbers(text: str) -> list[int]:
    return sorted({int(m.group(1)) for m in CLOZE_PATTERN.finditer(text)})


def cloze_side(text: str, number: int, *, reveal: bool) -> str:
    """The text with deletion `number` hidden (`[...]` or `[hint]`) or shown in bold; others shown plain."""

    def replace(match):
        if int(match.group(1)) != number:
            return match.group(2)
        if reveal:
            return f"**{match.group(2)}**"
        return f"[{match.group(3)}]" if match.group(3) else "[...]"

    return CLOZE_PATTERN.sub(replace, text)
