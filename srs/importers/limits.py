"""What srs accepts from a package or log it imports: sizes, names and times, checked before use.

A package is refused on what its zip directory declares, before anything is unpacked (a zip cannot
unpack to more than it declares: the reader stops there). Each limit names the file and the value.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from srs.bounds import MAX_DURATION_MS, YEARS, epoch_in_range
from srs.errors import UserError

MAX_UNPACKED_BYTES = 4_000_000_000  # the default; SRS_MAX_PACKAGE_MB overrides it
MAX_MEDIA_NAME_BYTES = 255  # what one file name may hold on common file systems
# A review dated up to this long after now is taken as it is: the clock of the phone or computer it was made on ran
# a little ahead. One dated later has not happened yet; kept, it would sit after every answer the learner gives
# until then (blocking `srs undo` of those).
CLOCK_AHEAD_S = 600


def max_unpacked_bytes() -> int:
    raw = os.environ.get("SRS_MAX_PACKAGE_MB")
    if raw:
        try:
            return int(float(raw) * 1_000_000)
        except ValueError:
            raise UserError(f"SRS_MAX_PACKAGE_MB must be a number of megabytes, not '{raw}'") from None
    return MAX_UNPACKED_BYTES


def check_package_size(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UserError(f"{path}: not an Anki package ({exc})") from None
    limit = max_unpacked_bytes()
    if total > limit:
        raise UserError(f"{path}: unpacks to {total / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB srs accepts from "
                        "a package (SRS_MAX_PACKAGE_MB raises it)")


def check_media_name(name: str, package: str) -> None:
    """A media file name must be one plain file name: no folders, no control characters, not too long."""
    shown = name[:40].encode("unicode_escape").decode("ascii") + ("..." if len(name) > 40 else "")
    if not name or name in (".", "..") or "/" in name or "\\" in name:
        raise UserError(f"{package}: media file name '{shown}' is not a plain file name")
    if not name.isprintable():
        raise UserError(f"{package}: media file name '{shown}' holds a control character")
    if len(name.encode("utf-8")) > MAX_MEDIA_NAME_BYTES:
        raise UserError(f"{package}: media file name '{shown}' is longer than {MAX_MEDIA_NAME_BYTES} bytes")


def check_review(package: str, review_id: int, card_id: int, time_ms: int) -> None:
    """An Anki review log entry: its id is its time in epoch milliseconds; its time taken, milliseconds."""
    if not isinstance(review_id, int) or not epoch_in_range(review_id // 1000):
        raise UserError(f"{package}: review {review_id} of card {card_id} lies outside the years {YEARS}")
    if isinstance(time_ms, int) and time_ms > MAX_DURATION_MS:
        raise UserError(f"{package}: review {review_id} of card {card_id} took {time_ms} ms, more than a day")


def in_the_future(at: int, now: int) -> str | None:
    """What is wrong with a review dated `at` imported at `now` (epoch seconds): None, unless it lies more than
    CLOCK_AHEAD_S after `now`."""
    if at <= now + CLOCK_AHEAD_S:
        return None
    from datetime import datetime, timezone

    when = datetime.fromtimestamp(now, timezone.utc).isoformat()
    return f"lies in the future (now is {when}; a clock up to {CLOCK_AHEAD_S // 60} minutes ahead is allowed)"


def check_not_after(reviews, now: int) -> None:
    """No review (ImportedReview lists, by card) dated in the future (see in_the_future)."""
    for review in (r for card_reviews in reviews.values() for r in card_reviews):
        problem = in_the_future(review.at, now)
        if problem:
            raise UserError(f"{review.origin} {problem}")
