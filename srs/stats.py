"""The learner's statistics behind `srs stats`: today, streaks, retention, a forecast, a heatmap, decks, XP.

Plain data, no terminal. Everything is "as of" the `now` given (rows logged later are ignored), and days
are learner's days, which start at 4 a.m. local time.

Built to stay fast with a million log rows: the log is read through SQL aggregates and its time index.
The days with reviews are found by skipping through the index one day at a time (one seek per day with
reviews), day counts are index-range counts, and only the last 30 days' reviews of review-state cards are
read row by row (to compare true retention with the retention FSRS predicted for them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from srs.achievements import MARATHON_REVIEWS, MASTERED_STABILITY_DAYS, Achievement, Facts, Progress
from srs.achievements import achievements as evaluate_achievements
from srs.achievements import progress as xp_progress
from srs.bounds import EARLIEST_EPOCH
from srs.clock import day_end, day_start, from_epoch, learner_date, to_epoch
from srs.store import reports
from srs.store.store import Store

if TYPE_CHECKING:
    from srs.jsontypes import (
        DeckStatsJson,
        ForecastDayJson,
        HeatmapJson,
        RetentionJson,
        StatsJson,
        StreakJson,
        TodayJson,
    )
    from srs.session import Tally

RETENTION_DAYS = 30
FORECAST_DAYS = 14
HEATMAP_WEEKS = 27  # the current week and the 26 before it: about six months
HEATMAP_LEVELS = 4  # intensities above "no reviews"
QUIZ_BUCKET_S = 900  # time zones are whole quarter hours, so a quarter hour never straddles two learner's days


# -- the data ---------------------------------------------------------------------------------------


@dataclass
class Today:
    date: date
    reviews: int
    new: int  # new cards seen for the first time
    seconds: int
    correct: int  # rated Hard, Good or Easy
    due_now: dict[str, int]  # the day's queue as `srs review` would show it: learning, review, new

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.reviews if self.reviews else None

    def to_dict(self) -> TodayJson:
        return {
            "date": self.date.isoformat(),
            "reviews": self.reviews,
            "new": self.new,
            "seconds": self.seconds,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "due_now": {
                "learning": self.due_now["learning"], "review": self.due_now["review"], "new": self.due_now["new"],
                "total": sum(self.due_now.values()),
            },
        }


@dataclass
class Streak:
    current: int  # learner's days in a row ending today, or yesterday when today has no review yet
    longest: int
    reviewed_today: bool

    def to_dict(self) -> StreakJson:
        return {"current": self.current, "longest": self.longest, "reviewed_today": self.reviewed_today}


@dataclass
class Retention:
    days: int
    reviews: int  # reviews of cards in the review state (state_before = REVIEW)
    passed: int  # of those, not rated Again
    predicted: float | None  # mean retrievability FSRS gave those cards when they were reviewed

    @property
    def true(self) -> float | None:
        return self.passed / self.reviews if self.reviews else None

    def to_dict(self) -> RetentionJson:
        return {
            "days": self.days,
            "reviews": self.reviews,
            "passed": self.passed,
            "true": self.true,
            "predicted": self.predicted,
        }


@dataclass
class ForecastDay:
    date: date
    due: int

    def to_dict(self) -> ForecastDayJson:
        return {"date": self.date.isoformat(), "due": self.due}


@dataclass
class Heatmap:
    """Reviews per learner's day, in whole weeks (Monday first) ending with the week of `today`."""

    start: date  # a Monday
    today: date
    counts: dict[date, int]  # days with reviews only

    @property
    def max(self) -> int:
        return max(self.counts.values(), default=0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def level(self, count: int) -> int:
        """0 for no reviews, else 1 to HEATMAP_LEVELS relative to the busiest day shown."""
        if count <= 0:
            return 0
        return max(1, min(HEATMAP_LEVELS, -(-HEATMAP_LEVELS * count // self.max)))

    def weeks(self) -> list[list[date | None]]:
        """Columns of seven days, Monday to Sunday; None after today."""
        columns = []
        monday = self.start
        while monday <= self.today:
            column = [monday + timedelta(days=d) for d in range(7)]
            columns.append([d if d <= self.today else None for d in column])
            monday += timedelta(days=7)
        return columns

    def to_dict(self) -> HeatmapJson:
        return {
            "start": self.start.isoformat(),
            "end": self.today.isoformat(),
            "total": self.total,
            "max": self.max,
            "days": {d.isoformat(): n for d, n in sorted(self.counts.items())},
        }


@dataclass
class DeckStats:
    id: str
    title: str
    cards: int  # active cards (removed items' cards are not counted)
    new: int
    learning: int  # learning and relearning
    review: int
    suspended: int
    due_today: int
    reviews_30d: int
    retention: float | None  # true retention over the last 30 days

    def to_dict(self) -> DeckStatsJson:
        return {
            "id": self.id, "title": self.title, "cards": self.cards, "new": self.new, "learning": self.learning,
            "review": self.review, "suspended": self.suspended, "due_today": self.due_today,
            "reviews_30d": self.reviews_30d, "retention": self.retention,
        }


@dataclass
class Stats:
    now: datetime
    decks: list[str]
    today: Today
    streak: Streak
    retention: Retention
    forecast: list[ForecastDay]
    heatmap: Heatmap
    deck_stats: list[DeckStats]
    progress: Progress
    achievements: list[Achievement] = field(default_factory=list)

    @property
    def earned(self) -> int:
        return sum(a.earned for a in self.achievements)

    def to_dict(self) -> StatsJson:
        return {
            "now": self.now.isoformat(),
            "decks": self.decks,
            "today": self.today.to_dict(),
            "streak": self.streak.to_dict(),
            "retention": self.retention.to_dict(),
            "forecast": [day.to_dict() for day in self.forecast],
            "heatmap": self.heatmap.to_dict(),
            "deck_stats": [deck.to_dict() for deck in self.deck_stats],
            "xp": self.progress.to_dict(),
            "achievements": {
                "earned": self.earned,
                "total": len(self.achievements),
                "list": [a.to_dict() for a in self.achievements],
            },
        }



@dataclass(frozen=True)
class SessionSummary:
    """How a review session went, and what tomorrow holds: what the end of `srs review` shows."""

    reviewed: int
    accuracy: float | None  # share rated Hard, Good or Easy; None before the first answer
    seconds: int
    streak: int  # days in a row with reviews, today included
    due_tomorrow: int
    leeches: list[str]  # cards suspended as leeches in the session

# -- computing it -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    """A learner's day with reviews: its date and its [start, end) in epoch seconds."""

    date: date
    start: int
    end: int


def compute_stats(store: Store, now: datetime, deck_ids: list[str], log_decks: list[str] | None = None) -> Stats:
    """Statistics for the cards of `deck_ids`, and for the reviews of `log_decks` (None: the whole log).

    XP, levels and achievements always cover the learner's whole history, every deck.
    """
    now_s = to_epoch(now)
    days = learner_days(store, now, log_decks)
    today = learner_date(now)
    all_days = days if log_decks is None else learner_days(store, now, None)
    retention, by_deck = _retention(store, now, log_decks)
    facts = _facts(store, now, all_days)
    return Stats(
        now=now,
        decks=list(deck_ids),
        today=_today(store, now, deck_ids, log_decks),
        streak=_streak([d.date for d in days], today),
        retention=retention,
        forecast=forecast(store, now, deck_ids),
        heatmap=_heatmap(store, today, now_s, days, log_decks),
        deck_stats=_deck_stats(store, now, deck_ids, by_deck),
        progress=xp_progress(facts.xp),
        achievements=evaluate_achievements(facts),
    )


def _next_day_start(start: datetime, days: int = 1) -> datetime:
    """The start of the learner's day `days` after (or before) the one starting at `start`."""
    return day_start(start + timedelta(days=days, hours=12))


def _local_epoch(day: date, hour: int) -> int:
    return to_epoch(datetime.combine(day, time(hour)).astimezone())


def learner_days(store: Store, now: datetime, log_decks: list[str] | None = None) -> list[Day]:
    """Every learner's day up to `now` with at least one review, oldest first.

    One index seek per such day: the first review at or after the cursor names its day, and the cursor
    jumps to that day's end. A million reviews over three years take about a thousand seeks.
    """
    now_s = to_epoch(now)
    days: list[Day] = []
    cursor = EARLIEST_EPOCH  # older rows are out of range: no day of the learner's
    while True:
        at = reports.first_review_at_or_after(store, cursor, now_s, log_decks)
        if at is None:
            return days
        start = day_start(from_epoch(at))
        end = day_end(start)
        days.append(Day(learner_date(start), to_epoch(start), to_epoch(end)))
        cursor = to_epoch(end)


def streak(store: Store, now: datetime) -> Streak:
    """The learner's current and longest streak of days with reviews, as of `now`."""
    return _streak([d.date for d in learner_days(store, now)], learner_date(now))


def _streak(dates: list[date], today: date) -> Streak:
    longest = run = 0
    previous = None
    for day in dates:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    have = set(dates)
    reviewed_today = today in have
    cursor = today if reviewed_today else today - timedelta(days=1)
    current = 0
    while cursor in have:
        current += 1
        cursor -= timedelta(days=1)
    return Streak(current, longest, reviewed_today)


def _today(store: Store, now: datetime, deck_ids: list[str], log_decks: list[str] | None) -> Today:
    from srs.queue import Limits, build_queue

    reviews, new, ms, correct = reports.day_totals(store, to_epoch(day_start(now)), to_epoch(now), log_decks)
    from srs.settings import current

    queue = build_queue(store, now, list(deck_ids), Limits.from_settings(current(), store))
    return Today(learner_date(now), reviews, new, round(ms / 1000), correct, queue.counts(now))


def forecast(store: Store, now: datetime, deck_ids: list[str], days: int = FORECAST_DAYS) -> list[ForecastDay]:
    """Cards due on each of the next `days` learner's days (today first, overdue cards counted today).

    New cards are not counted; suspended cards and removed items' cards neither. One aggregate row.
    """
    ends, dates = [], []
    start = day_start(now)
    for _ in range(days):
        dates.append(learner_date(start))
        start = _next_day_start(start)
        ends.append(to_epoch(start))
    return [ForecastDay(d, n) for d, n in zip(dates, reports.due_buckets(store, ends, deck_ids))]


def _heatmap(store: Store, today: date, now_s: int, days: list[Day], log_decks: list[str] | None) -> Heatmap:
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=HEATMAP_WEEKS - 1)
    counts = {}
    for day in days:
        if day.date < start:
            continue
        counts[day.date] = reports.reviews_between(store, day.start, day.end, now_s, log_decks)
    return Heatmap(start, today, {d: n for d, n in counts.items() if n})


def _retention(
    store: Store, now: datetime, log_decks: list[str] | None
) -> tuple[Retention, dict[str, tuple[int, int]]]:
    """True retention and FSRS's predicted retention over the last RETENTION_DAYS learner's days.

    The only pass that reads log rows one by one, and only the window's reviews of review-state cards.
    Predicted retrievability follows fsrs.Scheduler.get_card_retrievability: whole days elapsed since the
    card's last review, with the deck's own FSRS parameters where it has them.
    """
    since = to_epoch(_next_day_start(day_start(now), -(RETENTION_DAYS - 1)))
    curves: dict[str, tuple[float, float]] = {}
    reviews = passed = 0
    predicted_sum, predicted_n = 0.0, 0
    by_deck: dict[str, list[int]] = {}
    rows = reports.review_state_reviews(store, since, to_epoch(now), log_decks)
    for deck_id, rating, reviewed_at, stability, last_review in rows:
        ok = rating > 1
        reviews += 1
        passed += ok
        tally = by_deck.setdefault(deck_id, [0, 0])
        tally[0] += 1
        tally[1] += ok
        if stability and last_review is not None:
            if deck_id not in curves:
                curves[deck_id] = _curve(store, deck_id)
            factor, decay = curves[deck_id]
            elapsed_days = max(0, (reviewed_at - last_review) // 86400)
            predicted_sum += (1 + factor * elapsed_days / stability) ** decay
            predicted_n += 1
    predicted = predicted_sum / predicted_n if predicted_n else None
    return (
        Retention(RETENTION_DAYS, reviews, passed, predicted),
        {deck: (n, ok) for deck, (n, ok) in by_deck.items()},
    )


def _curve(store: Store, deck_id: str) -> tuple[float, float]:
    """FSRS-6's forgetting curve constants (FACTOR, DECAY) for a deck's parameters."""
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from srs.session import scheduler_settings

    parameters = scheduler_settings(store, deck_id).parameters or DEFAULT_PARAMETERS
    decay = -parameters[20]
    return 0.9 ** (1 / decay) - 1, decay


def _deck_stats(store: Store, now: datetime, deck_ids: list[str], retention: dict) -> list[DeckStats]:
    rows = reports.deck_card_counts(store, to_epoch(day_end(now)), deck_ids)
    titles = store.deck_titles()
    result = []
    for deck_id in deck_ids:
        cards, new, learning, review, suspended, due_today = rows.get(deck_id, (0,) * 6)
        reviewed, passed = retention.get(deck_id, (0, 0))
        result.append(
            DeckStats(
                deck_id, titles.get(deck_id, deck_id), cards, new, learning, review, suspended, due_today,
                reviews_30d=reviewed, retention=passed / reviewed if reviewed else None,
            )
        )
    return result


# -- facts for XP and achievements (whole history, every deck) ------------------------------------


def _facts(store: Store, now: datetime, days: list[Day]) -> Facts:
    now_s = to_epoch(now)
    reviews, correct, new_cards, quiz_rows = reports.log_totals(store, now_s)
    facts = Facts(reviews=reviews, correct=correct, new_cards=new_cards)
    facts.longest_streak = _streak([d.date for d in days], learner_date(now)).longest
    facts.marathon = any(
        reports.at_least_reviews(store, day.start, min(day.end, now_s + 1), MARATHON_REVIEWS) for day in days
    )
    facts.night_owl = any(
        reports.any_review_between(
            store, max(day.start, _local_epoch(day.date + timedelta(days=1), 0)), min(day.end, now_s + 1)
        )
        for day in days
    )
    facts.early_bird = any(
        reports.any_review_between(store, day.start, min(_local_epoch(day.date, 7), day.end, now_s + 1)) for day in days
    )
    for deck_id, active, mastered, studied in reports.deck_mastery(store, MASTERED_STABILITY_DAYS):
        if active and mastered == active:
            facts.mastered_decks.append(deck_id)
        facts.decks_studied += bool(studied)
    facts.perfect_quiz = bool(quiz_rows) and _perfect_quiz(store, now_s)
    return facts


def _graded_right(store: Store, cid: int, responses: list[str | None]) -> bool:
    """Whether every recorded answer (the deck's labels, as the review log keeps them) to a choice or an
    ordering card is right by the program's own grade; answers without a response are taken as rated."""
    from srs.grading import GOOD, grade_choice, grade_order

    given = [r.split() for r in responses if r]
    if not given:
        return True
    kind, content = reports.card_item(store, cid)
    item = json.loads(content)
    if kind == "choice":
        correct = item["correct"] if isinstance(item["correct"], list) else [item["correct"]]
        return all(grade_choice(labels, correct) == GOOD for labels in given)
    if kind == "ordering":
        return all(grade_order(labels, item["answer"]).rating > 1 for labels in given)
    return True


def _perfect_quiz(store: Store, now_s: int) -> bool:
    """Some learner's day on which every active card of a deck that the program grades (choices and orderings:
    self-rated answers do not count) was answered in quiz mode, none Again."""
    sittings: dict[tuple[str, date], dict[int, int]] = {}
    dates: dict[int, date] = {}
    for deck_id, bucket, cid, worst, responses in reports.quiz_answers(store, now_s, QUIZ_BUCKET_S):
        if bucket not in dates:
            dates[bucket] = learner_date(from_epoch(bucket * QUIZ_BUCKET_S))
        answers = sittings.setdefault((deck_id, dates[bucket]), {})
        if worst > 1 and not _graded_right(store, cid, json.loads(responses)):
            worst = 1  # rated as right, but the program graded the choice or the order wrong
        answers[cid] = min(worst, answers.get(cid, 4))
    active: dict[str, set[int]] = {}
    for (deck_id, _), answers in sittings.items():
        if deck_id not in active:
            active[deck_id] = reports.graded_cards(store, deck_id)
        cards = active[deck_id]
        if cards and all(answers.get(cid, 0) > 1 for cid in cards):
            return True
    return False


def session_summary(store: Store, now: datetime, deck_ids: list[str], tally: Tally) -> SessionSummary:
    """The summary of a session whose answers `tally` counted, over the decks `deck_ids`, as of `now`."""
    return SessionSummary(
        reviewed=tally.reviewed,
        accuracy=tally.correct / tally.reviewed if tally.reviewed else None,
        seconds=round(tally.seconds),
        streak=streak(store, now).current,
        due_tomorrow=forecast(store, now, deck_ids, days=2)[1].due,
        leeches=list(tally.leeches),
    )
