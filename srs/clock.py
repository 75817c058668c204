"""Time: an injectable `now` and the learner's day, which starts at 4 a.m. local time (as in Anki)."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from srs.errors import UserError

DAY_STARTS_AT_HOUR = 4  # the default; the `day_starts_at` setting changes it (set_day_start_hour)


def set_day_start_hour(hour: int) -> None:
    """The hour (local time) at which the learner's day starts, for this process."""
    global DAY_STARTS_AT_HOUR
    DAY_STARTS_AT_HOUR = hour


def parse_now(text: str | None) -> datetime:
    """`--now`/`SRS_NOW` as an aware UTC datetime (naive times are local); the real clock otherwise.

    Whole seconds only: stored times are integer seconds, so a fixed clock reproduces exactly.
    """
    if not text:
        return datetime.now(timezone.utc).replace(microsecond=0)
    from srs.bounds import EARLIEST_YEAR, LATEST_YEAR, YEARS, epoch_in_range

    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now: '{text}' is not an ISO 8601 time such as 2026-11-23T09:00:00") from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise UserError(f"--now: '{text}' lies outside the years {YEARS}")
    if value.tzinfo is None:
        value = value.astimezone()  # interpret as local time
    value = value.astimezone(timezone.utc).replace(microsecond=0)
    if not epoch_in_range(to_epoch(value)):  # the years hold in UTC too (1970-01-01T00:00+14:00 is in 1969)
        raise UserError(f"--now: '{text}' lies outside the years {YEARS}")
    return value


def to_epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def local(moment: datetime) -> datetime:
    return moment.astimezone()


def day_start(moment: datetime) -> datetime:
    """The start (4 a.m. local) of the learner's day that contains `moment`, in UTC."""
    here = local(moment)
    start = datetime.combine(here.date(), time(DAY_STARTS_AT_HOUR), tzinfo=here.tzinfo)
    if here < start:
        start -= timedelta(days=1)
    return _fix_dst(start).astimezone(timezone.utc)


def day_end(moment: datetime) -> datetime:
    return day_start(day_start(moment) + timedelta(hours=30))


def learner_date(moment: datetime):
    """The calendar date of the learner's day (a review at 2 a.m. counts for the day before)."""
    return local(day_start(moment)).date()


def learner_days(since: datetime, moment: datetime) -> int:
    """Learner's days from the day of `since` to the day of `moment` (0: the same day; a day starts at 4 a.m.).

    Anki's day number of a moment is this count from the collection's creation (see srs.export.anki_cards)."""
    return (learner_date(moment) - learner_date(since)).days


def _fix_dst(moment: datetime) -> datetime:
    # combine() keeps the fixed offset of `here`; re-localise so a DST change in between is honoured.
    return moment.replace(tzinfo=None).astimezone()
