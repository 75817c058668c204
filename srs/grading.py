"""Grading what a learner typed: orderings, choices and typed answers. Pure functions, no I/O."""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4


class AnswerFormatError(ValueError):
    """What the learner typed cannot be read as an answer; the message says how to type it."""


def parse_labels(text: str, labels: list[str]) -> list[str]:
    """Read "b d c f a e", "b, d, c", "b→d→c", "bdcfae" or "bdc fae" as a list of labels (case-insensitive)."""
    by_lower = {label.lower(): label for label in labels}
    parts = [p for p in re.split(r"[\s,;→>\-]+", text.strip().lower()) if p]
    # Labels run together ("bdcfae", or "bdc fae") are read one letter each.
    parts = [ch for p in parts
             for ch in (list(p) if p not in by_lower and all(ch in by_lower for ch in p) else [p])]
    unknown = [p for p in parts if p not in by_lower]
    if unknown:
        raise AnswerFormatError(f"unknown label '{unknown[0]}': use {', '.join(sorted(labels))}")
    if not parts:
        raise AnswerFormatError(f"nothing typed: use the labels {', '.join(sorted(labels))}")
    return [by_lower[p] for p in parts]


@dataclass(frozen=True)
class OrderGrade:
    rating: int
    in_order: int  # the longest run in the right relative order
    total: int
    exact: bool
    one_adjacent_swap: bool


def grade_order(given: list[str], correct: list[str]) -> OrderGrade:
    """All right is Good, one adjacent swap is Hard, anything else Again."""
    exact = given == correct
    swap = (
        not exact
        and len(given) == len(correct)
        and sorted(given) == sorted(correct)
        and _is_one_adjacent_swap(given, correct)
    )
    rating = GOOD if exact else HARD if swap else AGAIN
    return OrderGrade(rating, longest_in_order(given, correct), len(correct), exact, swap)


def _is_one_adjacent_swap(given: list[str], correct: list[str]) -> bool:
    diffs = [i for i, (a, b) in enumerate(zip(given, correct)) if a != b]
    if len(diffs) != 2 or diffs[1] != diffs[0] + 1:
        return False
    return given[diffs[0]] == correct[diffs[1]] and given[diffs[1]] == correct[diffs[0]]


def longest_in_order(given: list[str], correct: list[str]) -> int:
    """Length of the longest subsequence of `given` whose labels appear in the right relative order."""
    rank = {label: i for i, label in enumerate(correct)}
    seen: set[str] = set()
    tails: list[int] = []
    for label in given:
        if label not in rank or label in seen:
            continue
        seen.add(label)
        pos = bisect.bisect_left(tails, rank[label])
        if pos == len(tails):
            tails.append(rank[label])
        else:
            tails[pos] = rank[label]
    return len(tails)


def grade_choice(given: list[str], correct: list[str]) -> int:
    """Right is Good, wrong is Again; with several correct options, all of them must be chosen."""
    return GOOD if set(g.lower() for g in given) == set(c.lower() for c in correct) else AGAIN


@dataclass(frozen=True)
class TypedComparison:
    similarity: float  # 0..1 on normalised text
    suggested: int
    segments: tuple[tuple[str, str], ...]  # (op, text): op is "same", "missing" or "extra"


def normalize_answer(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[*_`]", "", text)  # markdown emphasis is not part of the answer
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def compare_typed(given: str, expected: str) -> TypedComparison:
    """Compare a typed answer with the expected one, word by word; suggest a grade from the overlap."""
    a, b = normalize_answer(given), normalize_answer(expected)
    matcher = difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False)
    similarity = 1.0 if a == b else matcher.ratio()
    segments: list[tuple[str, str]] = []
    given_words, expected_words = a.split(), b.split()
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", " ".join(given_words[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("extra", " ".join(given_words[i1:i2])))
        if j2 > j1:
            segments.append(("missing", " ".join(expected_words[j1:j2])))
    suggested = GOOD if similarity >= 0.9 else HARD if similarity >= 0.5 else AGAIN
    return TypedComparison(similarity, suggested, tuple(segments))


def check_complete_order(given: list[str], labels: list[str]) -> None:
    """An order must use every label exactly once; else AnswerFormatError says what is missing or repeated."""
    repeated = sorted({label for label in given if given.count(label) > 1})
    missing = [label for label in sorted(labels) if label not in given]
    problems = []
    if missing:
        problems.append(f"{', '.join(missing)} missing")
    if repeated:
        problems.append(f"{', '.join(repeated)} more than once")
    if problems:
        raise AnswerFormatError(f"use every label once ({len(labels)} in all): {'; '.join(problems)}")

