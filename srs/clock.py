"""Time: an injectable `now` and the learner's day, which starts at 4 a.m. local time (as in Anki)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

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
    return _learner_day(moment)[1]


def day_end(moment: datetime) -> datetime:
    """The start of the next learner's day: the end (exclusive) of the one that contains `moment`, in UTC."""
    return _start_of(_learner_day(moment)[0] + timedelta(days=1))


def learner_date(moment: datetime) -> date:
    """The calendar date of the learner's day (a review at 2 a.m. counts for the day before)."""
    return _learner_day(moment)[0]


def start_of_day_after(moment: datetime, days: int) -> datetime:
    """The start (UTC) of the learner's day `days` after the one `moment` falls in (before it, when negative)."""
    return _start_of(learner_date(moment) + timedelta(days=days))


def days_later(moment: datetime, days: int) -> datetime:
    """`moment` moved on by `days` of the learner's days, in UTC: the same local time of day, on the learner's
    day `days` after the one `moment` falls in (an interval of "1 day" is due tomorrow, never today).

    Exactly `days` × 24 hours unless a DST change or a change of zone lies in between: across one, 24-hour
    steps would move a review at 04:30 on the day before the clocks go back to 03:30 the next morning, still
    the same learner's day.
    """
    later = moment + timedelta(days=days)
    if not days:
        return later.astimezone(timezone.utc)
    wall = _wall(moment)
    hours_from_start = (wall.hour - DAY_STARTS_AT_HOUR) % 24
    if local(later).utcoffset() == local(moment).utcoffset() and 3 <= hours_from_start <= 20:
        return later.astimezone(timezone.utc)  # the common case, and the same as below
    target = learner_date(moment) + timedelta(days=days)
    wanted = (wall + timedelta(days=days)).astimezone(timezone.utc)
    first, after = _start_of(target), _start_of(target + timedelta(days=1))
    return min(max(wanted, first), after - timedelta(seconds=1))


def learner_days(since: datetime, moment: datetime) -> int:
    """Learner's days from the day of `since` to the day of `moment` (0: the same day; a day starts at 4 a.m.).

    Anki's day number of a moment is this count from the collection's creation (see srs.export.anki_cards)."""
    return (learner_date(moment) - learner_date(since)).days


def _learner_day(moment: datetime) -> tuple[date, datetime]:
    """The learner's day that contains `moment`: its date and its start in UTC.

    A day starts at the first instant the local clock reads its date at DAY_STARTS_AT_HOUR or later (see
    _start_of), and lasts until the next one starts; so every instant belongs to exactly one day, even on the
    days a DST change skips or repeats that hour. The local date of `moment` and its neighbours are the
    only candidates (a repeated hour can start tomorrow's day before the local date changes back).
    """
    moment = moment.astimezone(timezone.utc)
    wall = _wall(moment)
    here = wall.date()
    tomorrow = here + timedelta(days=1)
    # tomorrow's start can only have passed when tomorrow's hour is closer than any DST change is long
    near = datetime.combine(tomorrow, time(DAY_STARTS_AT_HOUR)) - wall < timedelta(hours=3)
    for day in (tomorrow, here, here - timedelta(days=1))[0 if near else 1:]:
        start = _start_of(day)
        if start <= moment:
            return day, start
    day = here - timedelta(days=2)  # unreachable: yesterday's start lies at least a day back
    return day, _start_of(day)


def _start_of(day: date) -> datetime:
    """The first instant (UTC) at which the local clock reads `day` at DAY_STARTS_AT_HOUR or later.

    Usually that hour itself (its first occurrence when a DST change repeats it). When a DST change skips
    it (2 a.m. in spring in Europe and the USA, midnight in Chile or Cuba), the day starts the moment the
    clock jumps past it.
    """
    wall = datetime.combine(day, time(DAY_STARTS_AT_HOUR))
    first = wall.astimezone(timezone.utc)  # fold=0: the first occurrence of a repeated hour
    if _wall(first) == wall:
        return first
    earlier, later = sorted((first, wall.replace(fold=1).astimezone(timezone.utc)))
    # In the gap: the clock reads before `wall` at `earlier` and after it at `later`; find the jump.
    low, high = int(earlier.timestamp()), int(later.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _wall(from_epoch(middle)) >= wall:
            high = middle
        else:
            low = middle
    return from_epoch(high)


def _wall(moment: datetime) -> datetime:
    return local(moment).replace(tzinfo=None)
